"""Pictures of a growth scenario: the map of growth by area and the chart of all areas' vehicles,
history and projection. Pure functions: tables in, a figure out; every label escaped."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evcore.viz.maps import add_legend, base_map, popup_table

# growth factor bins (upper bounds) and their colours, light to dark
FACTOR_BINS = [(1.25, "#fee5d9"), (1.5, "#fcae91"), (2.0, "#fb6a4a"), (3.0, "#de2d26"), (np.inf, "#a50f15")]


def _color(factor: float) -> str:
    if not np.isfinite(factor):
        return "#999999"
    return next(color for bound, color in FACTOR_BINS if factor < bound)


def growth_map(areas: pd.DataFrame, year: int) -> folium.Map:
    """One circle per located area (``area_table`` rows with ``latitude``, ``longitude``): its
    size the vehicles in ``year``, its colour the growth factor, its popup the figures."""
    located = areas.dropna(subset=["latitude", "longitude"])
    if located.empty:
        raise ValueError("no area has a location: the demand points name no area")
    fmap = base_map(located["latitude"], located["longitude"], zoom_start=7)
    largest = float(located["vehicles"].max()) or 1.0
    layer = folium.FeatureGroup(name=f"Vehicles in {year}")
    for row in located.itertuples():
        folium.CircleMarker(
            [float(row.latitude), float(row.longitude)], radius=float(4 + 20 * np.sqrt(max(row.vehicles, 0) / largest)),
            color="#444444", weight=1, fill=True, fill_color=_color(row.factor), fill_opacity=0.8,
            popup=popup_table(str(row.area), {
                "vehicles now": f"{row.now:,.0f}", f"vehicles in {year}": f"{row.vehicles:,.0f}",
                "80% interval": f"{row.lower:,.0f} – {row.upper:,.0f}",
                "growth": "n/a" if not np.isfinite(row.factor) else f"× {row.factor:.2f}"}),
        ).add_to(layer)
    layer.add_to(fmap)
    labels, low = [], 1.0
    for bound, color in FACTOR_BINS:
        labels.append((color, f"× {low:g} – {bound:g}" if np.isfinite(bound) else f"× {low:g} or more"))
        low = bound
    return add_legend(fmap, f"Growth to {year}", labels)


def growth_figure(history: pd.DataFrame, projection: pd.DataFrame, interval: bool = True) -> go.Figure:
    """All areas' vehicles by year: the history, the projection and (where there is one) the sum
    of the areas' 80% intervals as a band (a rough, wide band: areas' errors are not independent)."""
    seen = history.groupby("year")["vehicles"].sum()
    ahead = projection.groupby("year")[["vehicles", "lower", "upper"]].sum()
    fig = go.Figure()
    if interval:
        fig.add_trace(go.Scatter(x=list(ahead.index) + list(ahead.index[::-1]),
                                 y=list(ahead["upper"]) + list(ahead["lower"][::-1]), fill="toself",
                                 fillcolor="rgba(214,39,40,0.15)", line={"width": 0}, name="areas' 80% intervals, summed",
                                 hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=seen.index, y=seen.values, mode="lines+markers", name="history", line={"color": "#3b6fb6"}))
    joined = pd.concat([seen.tail(1), ahead["vehicles"]])
    fig.add_trace(go.Scatter(x=joined.index, y=joined.values, mode="lines+markers", name="projection",
                             line={"color": "#d62728", "dash": "dash"}))
    fig.update_layout(xaxis_title="year", yaxis_title="EVs (all areas)", height=360, margin={"t": 30},
                      legend={"orientation": "h", "y": -0.2})
    return fig
