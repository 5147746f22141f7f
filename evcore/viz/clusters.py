"""Maps and charts for clusters: pure functions returning folium.Map and plotly Figure objects."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evcore.geo import LocalProjection
from evcore.viz.maps import add_legend, base_map, escape_text, label_icon, popup_table

PALETTE = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
    "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d",
    "#31a354", "#756bb1", "#636363", "#fd8d3c", "#74c476", "#9e9ac8", "#e7969c", "#6baed6",
    "#fdae6b", "#a1d99b", "#bcbddc", "#d6616b", "#ce6dbd", "#9c9ede",
]
NOISE_COLOR = "#9e9e9e"


def cluster_color(label: int) -> str:
    return NOISE_COLOR if label < 0 else PALETTE[label % len(PALETTE)]


def _usage_text(value, unit: str, missing: str) -> str:
    return missing if value is None or pd.isna(value) else f"{value:,.1f} {unit}/day"


def station_popup(row: pd.Series, unit: str = "kWh", horizon: int = 10, recent_days: int = 28) -> folium.Popup:
    """The popup of one station: name, cluster, recent and predicted average daily usage."""
    cluster = int(row["cluster"])
    return popup_table(row.get("name", row.get("station_id", "station")), {
        "Cluster": "noise" if cluster < 0 else cluster,
        f"Recent average (last {recent_days} days)": _usage_text(row.get("recent_daily_usage"), unit,
                                                                 "no usage data"),
        f"Predicted average (next {horizon} days)": _usage_text(row.get("predicted_daily_usage"), unit,
                                                                "forecast unavailable"),
    })


def cluster_map(stations: pd.DataFrame, centers, unit: str = "kWh", horizon: int = 10,
                recent_days: int = 28) -> folium.Map:
    """Stations colored by cluster (noise grey) with each cluster's centre as a numbered badge.

    ``stations`` is a station-to-cluster table (``latitude, longitude, cluster`` and optionally
    ``name``, ``recent_daily_usage``, ``predicted_daily_usage``); ``centers`` are [lat, lon]
    rows indexed by cluster label.
    """
    centers = np.asarray(centers, dtype=float).reshape(-1, 2)
    m = base_map(stations["latitude"], stations["longitude"])
    for _, row in stations.iterrows():
        color = cluster_color(int(row["cluster"]))
        folium.CircleMarker(
            location=[row["latitude"], row["longitude"]], radius=6, color=color, weight=1,
            fill=True, fill_color=color, fill_opacity=0.85,
            popup=station_popup(row, unit, horizon, recent_days),
            tooltip=escape_text(row.get("name", row.get("station_id", ""))),
        ).add_to(m)
    for label, (c_lat, c_lon) in enumerate(centers):
        folium.Marker(location=[c_lat, c_lon], tooltip=f"Centre of cluster {label}",
                      icon=label_icon(str(label), cluster_color(label))).add_to(m)
    labels = sorted(set(int(c) for c in stations["cluster"]))
    entries = [(cluster_color(c), cluster_label(c)) for c in labels if c >= 0][:len(PALETTE)]
    if any(c < 0 for c in labels):
        entries.append((NOISE_COLOR, "noise (no cluster)"))
    return add_legend(m, "Clusters (numbered badge: centre)", entries)


def cluster_label(label) -> str:
    """How a cluster is named to the user: its number, or "noise" for -1 (or a missing label)."""
    return "noise" if label is None or pd.isna(label) or int(label) < 0 else f"cluster {int(label)}"


def side_by_side_chart(stations: pd.DataFrame, results: dict[str, tuple[np.ndarray, np.ndarray]]) -> go.Figure:
    """One km-true panel per method (``name -> (labels, centers)``), side by side on the same
    axes: stations colored by cluster, centres as outlined diamonds. A centre pulled towards
    outlying stations (k-means) stands apart from the median one (k-medians)."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=len(results), subplot_titles=list(results), shared_yaxes=True,
                        horizontal_spacing=0.04)
    names = (stations["name"] if "name" in stations else stations["station_id"]).map(escape_text)
    for col, (labels, centers) in enumerate(results.values(), start=1):
        labels = np.asarray(labels)
        centers = np.asarray(centers, dtype=float).reshape(-1, 2)
        fig.add_trace(go.Scatter(
            x=stations["longitude"], y=stations["latitude"], mode="markers", showlegend=False,
            marker=dict(size=7, color=[cluster_color(int(c)) for c in labels]),
            text=names, customdata=[cluster_label(c) for c in labels],
            hovertemplate="%{text}<br>%{customdata}<extra></extra>",
        ), row=1, col=col)
        fig.add_trace(go.Scatter(
            x=centers[:, 1], y=centers[:, 0], mode="markers", showlegend=False,
            marker=dict(size=12, symbol="diamond", color=[cluster_color(c) for c in range(len(centers))],
                        line=dict(width=2, color="black")),
            customdata=np.arange(len(centers)), hovertemplate="centre of cluster %{customdata}<extra></extra>",
        ), row=1, col=col)
    # Equal kilometres per pixel on both axes (x is longitude, y latitude).
    projection = LocalProjection.around(stations["latitude"], stations["longitude"])
    ratio = projection.ky / projection.kx
    for col in range(1, len(results) + 1):
        suffix = "" if col == 1 else str(col)
        fig.update_yaxes(scaleanchor=f"x{suffix}", scaleratio=ratio, row=1, col=col)
        fig.update_xaxes(title="longitude", matches="x" if col > 1 else None, row=1, col=col)
    fig.update_yaxes(title="latitude", row=1, col=1)
    fig.update_layout(height=480, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def elbow_chart(curve: pd.DataFrame, method: str, objective_unit: str, current_k: int | None = None) -> go.Figure:
    """The objective against k (an ``elbow`` table), with the chosen k marked."""
    fig = go.Figure(go.Scatter(x=curve["k"], y=curve["objective"], mode="lines+markers", name=method))
    if current_k is not None:
        fig.add_vline(x=current_k, line_dash="dot", annotation_text=f"k = {current_k}")
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=30, b=10), title=f"Elbow: {method}",
                      xaxis_title="k", yaxis_title=f"objective ({objective_unit})")
    return fig


def fetched_stations_map(stations: pd.DataFrame, unit: str = "kWh") -> folium.Map:
    """Stations fetched from Open Charge Map, annotated (``evcore.annotate.annotate_stations``):
    colored by ``cluster`` where there is one; the popup names the dataset's station matched within
    100 m and its forecast (``predicted_usage``: each day's figure and 80% interval)."""
    m = base_map(stations["latitude"], stations["longitude"])
    clustered = "cluster" in stations.columns
    for _, row in stations.iterrows():
        color = cluster_color(int(row["cluster"])) if clustered else PALETTE[0]
        figures = {"Station id": row["station_id"]}
        if clustered:
            figures["Cluster"] = int(row["cluster"])
        if "matched_station_id" in stations.columns:
            matched, predicted = row["matched_station_id"], row["predicted_usage"]
            figures["Matched station (within 100 m)"] = matched if matched is not None else "none"
            for day in predicted or []:
                figures[f"Forecast {day['date']} ({unit})"] = (f"{day['forecast']:,.1f} "
                                                                f"({day['lower']:,.1f} to {day['upper']:,.1f})")
            if matched is not None and not predicted:
                figures["Forecast"] = "no usage to forecast from"
        folium.CircleMarker(location=[row["latitude"], row["longitude"]], radius=6, color=color, weight=1, fill=True,
                            fill_color=color, fill_opacity=0.85, tooltip=escape_text(row.get("name", "")),
                            popup=popup_table(row.get("name", row["station_id"]), figures)).add_to(m)
    if not clustered:
        return add_legend(m, "Fetched stations", [(PALETTE[0], "Station")])
    labels = sorted(set(int(c) for c in stations["cluster"]))
    return add_legend(m, "Fetched stations by cluster", [(cluster_color(c), cluster_label(c)) for c in labels][:len(PALETTE)])
