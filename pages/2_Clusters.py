"""Clusters: group stations by location and compare areas by recent and predicted usage."""

import pandas as pd
import streamlit as st

import ui
from evcore import cluster as cl
from evcore.viz.clusters import cluster_label, cluster_map, elbow_chart, side_by_side_chart
from evcore.data import recent_daily_usage, unlocated_stations
from evcore.errors import InputError
from evcore.services import cluster_points

HORIZON = 10
RECENT_DAYS = 28
OBJECTIVE_UNITS = {"kmeans": "sum of squared km", "kmedians": "sum of Manhattan km"}


@st.cache_data(show_spinner="Clustering…")
def clustering(fingerprint: str, method: str, k, eps_km, min_size, _stations: pd.DataFrame):
    """Labels, centres and quality figures; keyed on the dataset's fingerprint and settings."""
    model, quality, _ = cluster_points(_stations, method, k=k, eps_km=eps_km, min_samples=min_size)
    return model.labels_, model.cluster_centers_, quality


@st.cache_data(show_spinner=False)
def recent_usage(fingerprint: str, _usage: pd.DataFrame | None) -> pd.Series:
    return recent_daily_usage(_usage, RECENT_DAYS)


@st.cache_data(show_spinner="Computing the elbow curve…")
def elbow_curve(fingerprint: str, method: str, k_max: int, _stations: pd.DataFrame) -> pd.DataFrame:
    return cl.elbow(_stations, range(2, k_max + 1), method=method)


def predicted_usage(dataset) -> tuple[pd.Series, str | None]:
    """Each station's mean forecast per day, or why there is none (the page renders either way)."""
    if dataset.usage is None or dataset.usage.empty:
        return cl.predicted_daily_usage(None), "forecast unavailable (no usage data)"
    try:
        with st.spinner("Forecasting usage…"):
            return cl.predicted_daily_usage(ui.forecast_table(dataset, HORIZON)), None
    except Exception as exc:  # the forecast is optional here: any failure means "unavailable"
        return cl.predicted_daily_usage(None), f"forecast unavailable ({exc})"


st.set_page_config(page_title="Clusters", layout="wide")  # the cluster table needs the width
st.title("Clusters")
dataset = ui.current_dataset()
stations = dataset.stations
if stations is None or len(stations) < 3:
    missing = len(unlocated_stations(dataset))
    st.info("Clustering needs station locations (at least 3): add a station list with latitude and "
            "longitude on the home page." + (f" The {missing} stations with usage have no coordinates." if missing
                                             and stations is None else ""))
    st.stop()
fingerprint = dataset.fingerprint()
unit = dataset.usage_unit
unlocated = unlocated_stations(dataset)
st.caption(f"{ui.as_text(dataset.name)}: {len(stations)} stations."
           + (f" Not on the map: {len(unlocated)} stations with usage but no coordinates." if unlocated else ""))

K_METHODS = ("kmeans", "kmedians")
locations = len(stations[["latitude", "longitude"]].drop_duplicates())
if locations < 3:
    st.info(f"Clustering needs at least 3 distinct station locations; this dataset has {locations}.")
    st.stop()

with st.sidebar:
    method = st.selectbox("Method", cl.METHODS, index=1, format_func=cl.METHOD_NAMES.get)
    k_max = min(30, locations)
    # A default well below the number of stations: a handful of stations a cluster.
    k_default = max(2, min(6, locations // 3))
    # A key and a help that do not change with the method: the slider stays one widget, so the k
    # it shows is the k the page uses after a method without k.
    k = st.slider("k (k-means, k-medians)", 2, k_max, k_default, disabled=method not in K_METHODS,
                  key="clusters_k", help="DBSCAN and HDBSCAN find the number of clusters themselves.")
    eps_km = min_size = None
    if method == "dbscan":
        eps_km = st.slider("Radius (km)", 0.1, 20.0, 2.0, 0.1)
        min_size = st.slider("Minimum stations around a core station", 1, 20, 3)
    elif method == "hdbscan":
        eps_km = st.slider("Merge clusters closer than (km)", 0.0, 20.0, 0.0, 0.1)
        min_size = st.slider("Minimum cluster size", 2, 20, 3)

k_for_method = k if method in K_METHODS else None
try:
    labels, centers, quality = clustering(fingerprint, method, k_for_method, eps_km, min_size, stations)
except InputError as exc:
    st.error(ui.as_text(exc))
    st.stop()

predicted, forecast_note = predicted_usage(dataset)
table = cl.add_usage(cl.station_clusters(stations, labels), recent_usage(fingerprint, dataset.usage), predicted)
summary = cl.cluster_table(table, centers)

cols = st.columns(4)
cols[0].metric("Clusters", quality["clusters"])
cols[1].metric("Noise stations", quality["noise"])
cols[2].metric("Silhouette", "–" if pd.isna(quality["silhouette"]) else f"{quality['silhouette']:.2f}")
cols[3].metric("Mean km to centre", "–" if pd.isna(quality["mean_km"]) else f"{quality['mean_km']:.2f}")

m = cluster_map(table, centers, unit=unit, horizon=HORIZON, recent_days=RECENT_DAYS)
ui.show_map(m, key="cluster_map", height=520)
if forecast_note:
    st.caption(f"Predicted usage: {ui.as_text(forecast_note)}.")

st.subheader("Clusters")
number = st.column_config.NumberColumn
shown = summary.assign(cluster=summary["cluster"].map(cluster_label))
st.dataframe(
    shown, hide_index=True, width="stretch",
    column_config={
        "cluster": st.column_config.TextColumn("cluster", width="small"),
        "stations": number("stations", format="%d", width="small"),
        "recent_daily_usage": number(f"recent {unit}/day", format="%.1f", width="medium",
                                     help=f"Sum over the cluster's stations, last {RECENT_DAYS} days"),
        "predicted_daily_usage": number(f"predicted {unit}/day", format="%.1f", width="medium",
                                        help=f"Sum over the cluster's stations, next {HORIZON} days"),
        "change_pct": number("change %", format="%+.1f", width="small"),
        "center_lat": number("centre lat", format="%.5f", width="small"),
        "center_lon": number("centre lon", format="%.5f", width="small"),
        "spread_km": number("spread km", format="%.2f", width="small", help="Mean km from a station to its centre"),
        "max_km": number("max km", format="%.2f", width="small"),
    },
)

left, right = st.columns(2)
with left:
    ui.csv_download("Station-to-cluster table (CSV)", table, f"clusters_{method}.csv", key="clusters_csv")
with right:
    ui.html_download("Map (HTML)", m, f"clusters_{method}.html", key="clusters_map_html")

if method not in K_METHODS:
    st.caption(f"{cl.METHOD_NAMES[method]} finds the number of clusters itself: the k-means and k-medians "
               "comparison and the elbow chart are shown with those methods.")
    st.stop()

st.subheader(f"k-means and k-medians, k = {k}")
st.caption("k-means centres are pulled towards outlying stations; k-medians centres stay with the "
           "bulk of their members.")
by_method = {cl.METHOD_NAMES[name]: clustering(fingerprint, name, k, None, None, stations)[:2]
             for name in ("kmeans", "kmedians")}
st.plotly_chart(side_by_side_chart(stations, by_method), width="stretch")

elbow_method = method if method in OBJECTIVE_UNITS else "kmedians"
st.plotly_chart(elbow_chart(elbow_curve(fingerprint, elbow_method, k_max, stations),
                            cl.METHOD_NAMES[elbow_method], OBJECTIVE_UNITS[elbow_method], current_k=k),
                width="stretch")
