"""The dashboard's entry point: the navigation, and the home page (pick the demo data or upload
files, see what was read, headline figures, a usage chart and a station map)."""

import streamlit as st

from evcore.viz.charts import network_usage_chart
from evcore.data import station_summary
from evcore.errors import InputError
from evcore.io import combine, read_file
from evcore.viz.maps import stations_map
from ui import DATASET_KEY, as_text, current_dataset, csv_download, html_download, show_map

st.set_page_config(page_title="EV charging planner", page_icon="⚡", layout="wide")

MAX_UPLOAD_MB = st.get_option("server.maxUploadSize")
SOURCE_KEY = "data_source"  # survives page changes, unlike the radio widget's own state
UPLOADED_KEY = "uploaded_dataset"  # the last files read well, kept while the user looks at the demo
SOURCES = ["Demo data (Seattle metro, generated)", "Upload my files"]


@st.cache_data(show_spinner="Reading the file...", max_entries=20)
def read_upload(name: str, content: bytes):
    """A Reading, or the one-sentence reason the file cannot be read."""
    try:
        return read_file(content, name=name), None
    except InputError as exc:
        return None, str(exc)


@st.cache_data(show_spinner=False)
def summarise(fingerprint: str, _dataset):
    return station_summary(_dataset.usage, _dataset.stations)


def home() -> None:
    st.title("⚡ EV charging planner")
    st.caption("Forecast station usage, group stations by location and find where new stations serve "
               "drivers best. Start with the demo data or bring your own files.")

    # Streamlit forgets a widget's value when the user visits another page: restore it from our key.
    st.session_state.setdefault("source_choice", st.session_state.get(SOURCE_KEY, SOURCES[0]))
    source = st.radio("Data", SOURCES, key="source_choice", horizontal=True)
    st.session_state[SOURCE_KEY] = source

    if source == SOURCES[0]:
        st.session_state[DATASET_KEY] = None  # every page falls back to the demo data
    else:
        uploads = st.file_uploader(
            f"Usage, stations and demand files: CSV, or Open Charge Map JSON (up to {MAX_UPLOAD_MB} MB each). "
            "The format is detected from the content.",
            type=None, accept_multiple_files=True, key="uploads")
        readings = []
        for upload in uploads or []:
            reading, error = read_upload(upload.name, upload.getvalue())
            if error:
                st.error(as_text(error))
            else:
                readings.append(reading)
                st.success(f"**{as_text(reading.source)}**: {reading.kind}, detected as {as_text(reading.format)}.")
        kinds = [r.kind for r in readings]
        for kind in sorted({k for k in kinds if kinds.count(k) > 1}):
            st.warning(f"Several {kind} files were uploaded; the last one is used.")
        if readings:
            st.session_state[UPLOADED_KEY] = combine(readings)
        uploaded = st.session_state.get(UPLOADED_KEY)
        st.session_state[DATASET_KEY] = uploaded
        if uploaded is None:
            st.info("Upload at least one file. Until then the demo data stays in use.")
        elif not readings:
            st.info(f"Still using the files read earlier: {as_text(uploaded.name)}.")

    dataset = current_dataset()
    st.subheader(dataset.name)
    if dataset.notes:
        with st.expander("What was read, dropped or repaired", expanded=source != SOURCES[0]):
            for note in dataset.notes:
                st.markdown(f"- {as_text(note)}")

    if dataset.usage is not None:
        usage, unit = dataset.usage, dataset.usage_unit
        summary = summarise(dataset.fingerprint(), dataset)
        days = (usage["date"].max() - usage["date"].min()).days + 1
        per_day = usage.groupby("date")["usage"].sum().mean()
        cols = st.columns(5)
        cols[0].metric("Stations", f"{usage['station_id'].nunique():,}")
        cols[1].metric("Days", f"{days:,}", help=f"{usage['date'].min():%d %b %Y} to {usage['date'].max():%d %b %Y}")
        cols[2].metric(f"Total ({unit})", f"{usage['usage'].sum():,.0f}")
        cols[3].metric(f"Network per day ({unit})", f"{per_day:,.0f}")
        if dataset.sessions is not None:
            cols[4].metric("Sessions per day", f"{dataset.sessions.groupby('date')['sessions'].sum().mean():,.1f}")
        else:
            cols[4].metric("Active stations", f"{int((summary['total'] > 0).sum()):,}",
                           help="Stations with any usage in the period")
        st.caption(f"Data from {usage['date'].min():%d %b %Y} to {usage['date'].max():%d %b %Y}.")
        st.plotly_chart(network_usage_chart(usage, unit), width="stretch")
        st.markdown("**Busiest stations**")
        busiest = summary.head(10)[["station_id", "name", "days", "total", "mean_daily", "recent_daily"]]
        one_decimal = st.column_config.NumberColumn(format="%.1f")  # one format a column: 206.0 and 671.4
        st.dataframe(busiest.rename(columns={"total": f"total ({unit})", "mean_daily": f"mean daily ({unit})",
                                             "recent_daily": f"last 28 days, daily ({unit})"}),
                     hide_index=True, width="stretch",
                     column_config={f"total ({unit})": st.column_config.NumberColumn(format="%.0f"),
                                    f"mean daily ({unit})": one_decimal,
                                    f"last 28 days, daily ({unit})": one_decimal})
        csv_download("Download the station summary (CSV)", summary, "station_summary.csv")
    else:
        summary = None
        st.info("No usage file yet: the Forecast page needs one.")

    if dataset.stations is not None and len(dataset.stations):
        st.markdown(f"**Stations on the map** ({len(dataset.stations)})")
        station_map = stations_map(dataset.stations, summary, dataset.usage_unit)
        show_map(station_map, key="home_map")
        csv_download("Download the stations (CSV)", dataset.stations, "stations.csv")
        html_download("Download the map (HTML)", station_map, "stations_map.html", key="home_map_html")
    elif dataset.usage is not None:
        st.info("No station coordinates yet: upload a stations file (CSV with latitude/longitude or Open "
                "Charge Map JSON) to see the map and use the Clusters page.")

    if dataset.demand is not None:
        st.caption(f"EV demand: {dataset.demand['weight'].sum():,.0f} vehicles at {len(dataset.demand):,} "
                   "locations (used by the Placement page).")


PAGES = [
    st.Page(home, title="Home", icon=":material/home:", default=True),
    st.Page("pages/1_Forecast.py", title="Forecast", icon=":material/trending_up:"),
    st.Page("pages/2_Clusters.py", title="Clusters", icon=":material/hub:"),
    st.Page("pages/3_Placement.py", title="Placement", icon=":material/add_location_alt:"),
]
st.navigation(PAGES).run()
