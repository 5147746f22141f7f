"""Folium map builders (pure functions returning ``folium.Map``)."""

from __future__ import annotations

import html

import folium
import pandas as pd

TILES = "OpenStreetMap"


def base_map(latitudes, longitudes, zoom_start: int = 10) -> folium.Map:
    """An empty map fitted to the given coordinates."""
    lat = pd.Series(latitudes, dtype=float)
    lon = pd.Series(longitudes, dtype=float)
    m = folium.Map(location=[float(lat.mean()), float(lon.mean())], zoom_start=zoom_start, tiles=TILES,
                   control_scale=True)
    if len(lat) > 1:
        m.fit_bounds([[float(lat.min()), float(lon.min())], [float(lat.max()), float(lon.max())]])
    return m


def label_icon(text: str, color: str, size: int = 22) -> folium.DivIcon:
    """A round colored badge with a short label: drawn by Leaflet itself, no icon font or plugin
    (folium's ``Icon`` needs the awesome-markers plugin from a CDN)."""
    style = (f"width:{size}px;height:{size}px;border-radius:50%;background:{color};color:white;"
             f"border:2px solid white;box-shadow:0 0 3px rgba(0,0,0,.6);font:bold 11px sans-serif;"
             f"display:flex;align-items:center;justify-content:center")
    return folium.DivIcon(html=f"<div style='{style}'>{html.escape(str(text))}</div>",
                          icon_size=(size, size), icon_anchor=(size // 2, size // 2))


def popup_table(title: str, rows: dict) -> folium.Popup:
    """A small popup: a bold title and one line a figure."""
    lines = "".join(f"<tr><td>{html.escape(str(k))}</td><td style='text-align:right;padding-left:8px'>"
                    f"{html.escape(str(v))}</td></tr>" for k, v in rows.items())
    return folium.Popup(f"<b>{html.escape(str(title))}</b><table>{lines}</table>", max_width=320)


def stations_map(stations: pd.DataFrame, summary: pd.DataFrame | None = None, unit: str = "kWh") -> folium.Map:
    """Each station a circle, sized by mean daily usage when a station summary is given."""
    table = stations.copy()
    if summary is not None:
        table = table.merge(summary[["station_id", "mean_daily", "recent_daily"]], on="station_id", how="left")
    m = base_map(table["latitude"], table["longitude"])
    biggest = table["mean_daily"].max() if "mean_daily" in table and table["mean_daily"].notna().any() else None
    for row in table.itertuples(index=False):
        figures = {"Station id": row.station_id}
        radius = 6
        if biggest:
            mean = getattr(row, "mean_daily")
            if pd.notna(mean):
                figures[f"Mean daily ({unit})"] = f"{mean:,.1f}"
                figures[f"Last 28 days, daily ({unit})"] = f"{row.recent_daily:,.1f}"
                radius = 4 + 10 * (mean / biggest) ** 0.5
            else:
                figures["Usage"] = "no usage data"
        folium.CircleMarker(
            location=[row.latitude, row.longitude], radius=radius, color="#1f77b4", weight=1,
            fill=True, fill_opacity=0.7, tooltip=str(row.name), popup=popup_table(row.name, figures),
        ).add_to(m)
    return m
