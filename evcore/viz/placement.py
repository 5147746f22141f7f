"""Pictures of a placement: the folium map of demand, stations and proposed sites, and the
Plotly coverage curve. Pure functions: a solved model (and tables) in, a figure out."""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evcore.viz.maps import add_legend, base_map, escape_text, label_icon
from evcore.placement import sites_needed
from evcore.placement.view import SolutionView
from evcore.placement.spatial import grid_cells

DEMAND_COLOR = "#3b6fb6"
EXISTING_COLOR = "#555555"
PROPOSED_COLOR = "#d62728"
RADIUS_COLOR = "#2ca02c"
# Above this many demand points the map sums them over squares (a browser draws a few thousand
# circles well, not a million).
MAX_DEMAND_MARKERS = 2000


def placement_map(view: SolutionView, stations: pd.DataFrame | None = None, unit: str = "vehicles") -> folium.Map:
    """Demand as circles sized by weight (summed over squares when there are more than
    ``MAX_DEMAND_MARKERS`` points), existing stations in grey, proposed sites in red, each with
    its figures in a popup, and the radius around every open site where the view has one.
    ``view`` is a solved model's ``view()``; ``stations`` (optional) gives the existing stations'
    names, in the model's order."""
    demand, weights, distance = view.demand, view.weights, view.distance_km
    total = view.total
    fmap = base_map(demand[:, 0], demand[:, 1])
    if len(demand) > MAX_DEMAND_MARKERS:
        _demand_squares(view, unit).add_to(fmap)
    else:
        layer = folium.FeatureGroup(name=f"Demand ({escape_text(unit)})")
        largest = float(weights.max()) or 1.0
        for (lat, lon), w, d in zip(demand, weights, distance):
            folium.CircleMarker(
                [float(lat), float(lon)], radius=float(2 + 12 * np.sqrt(w / largest)), color=DEMAND_COLOR,
                weight=1, fill=True, fill_opacity=0.35,
                popup=folium.Popup(f"{w:,.0f} {escape_text(unit)}<br>nearest station {d:.1f} km", max_width=220),
            ).add_to(layer)
        layer.add_to(fmap)

    served_within = f" within {view.radius_km:g} km" if view.covers else ""
    if len(view.existing):
        layer = folium.FeatureGroup(name="Existing stations")
        names = None if stations is None or "name" not in stations else list(stations["name"].astype(str))
        for i, row in enumerate(view.existing.itertuples()):
            name = names[i] if names is not None and i < len(names) else f"Existing station {i + 1}"
            folium.CircleMarker(
                [row.latitude, row.longitude], radius=5, color=EXISTING_COLOR, fill=True, fill_opacity=0.9,
                popup=folium.Popup(f"<b>{escape_text(name)}</b><br>serves {row.served:,.0f} {escape_text(unit)}"
                                   f"{served_within} ({100 * row.served / total:.1f}%)", max_width=260),
            ).add_to(layer)
        layer.add_to(fmap)

    layer = folium.FeatureGroup(name="Proposed sites")
    for rank, row in enumerate(view.sites.itertuples(), start=1):
        mean = "" if pd.isna(row.mean_km_served) else f"<br>mean distance of those served {row.mean_km_served:.1f} km"
        folium.Marker(
            [row.latitude, row.longitude], icon=label_icon(str(rank), PROPOSED_COLOR),
            tooltip=f"Proposed site {rank}",
            popup=folium.Popup(
                f"<b>Proposed site {rank}</b><br>{row.latitude:.5f}, {row.longitude:.5f}<br>"
                f"serves {row.served:,.0f} {escape_text(unit)}{served_within} ({100 * row.served_share:.1f}%){mean}",
                max_width=280),
        ).add_to(layer)
    layer.add_to(fmap)
    legend = [(DEMAND_COLOR, f"Demand (size: {unit})"), (PROPOSED_COLOR, "Proposed site (numbered)")]
    if len(view.existing):
        legend.insert(1, (EXISTING_COLOR, "Existing station"))
    if view.radius_km is not None:
        _radius_layer(view).add_to(fmap)
        legend.append((RADIUS_COLOR, f"Within {view.radius_km:g} km of a station"))
    folium.LayerControl(collapsed=True).add_to(fmap)
    return add_legend(fmap, "Placement", legend)


def _radius_layer(view: SolutionView) -> folium.FeatureGroup:
    """A dashed circle of the view's radius around every open site (proposed and existing)."""
    layer = folium.FeatureGroup(name=f"Within {view.radius_km:g} km")
    for table in (view.sites, view.existing):
        for lat, lon in zip(table["latitude"], table["longitude"]):
            folium.Circle([float(lat), float(lon)], radius=1000.0 * view.radius_km, color=RADIUS_COLOR, weight=1,
                          dash_array="4 4", fill=False, class_name="evcore-radius").add_to(layer)
    return layer


def _demand_squares(view: SolutionView, unit: str) -> folium.FeatureGroup:
    """A large demand layer as at most ``MAX_DEMAND_MARKERS`` circles: the demand summed over
    squares of the local km projection, each drawn at its weighted centre (core Leaflet only; a
    heat map would need a plugin from a CDN)."""
    centres, totals, cell, side = grid_cells(view.demand, view.weights, MAX_DEMAND_MARKERS)
    far = np.bincount(cell, weights=view.weights * view.distance_km, minlength=len(totals))
    layer = folium.FeatureGroup(name=f"Demand ({escape_text(unit)}, summed over {side:.1f} km squares)")
    largest = float(totals.max()) or 1.0
    for (lat, lon), total, distance in zip(centres, totals, far):
        if total <= 0:
            continue
        folium.CircleMarker(
            [float(lat), float(lon)], radius=float(2 + 12 * np.sqrt(total / largest)), color=DEMAND_COLOR,
            weight=1, fill=True, fill_opacity=0.35,
            popup=folium.Popup(f"{total:,.0f} {escape_text(unit)} in this {side:.1f} km square<br>nearest station "
                               f"{distance / total:.1f} km on average", max_width=240),
        ).add_to(layer)
    return layer


def coverage_curve_figure(curve: pd.DataFrame, target: float = 0.9, unit: str = "vehicles") -> go.Figure:
    """Share of demand within the radius as new sites are added, with the target line and the
    number of sites that first reaches it."""
    radius = float(curve["radius_km"].iloc[0]) if len(curve) else float("nan")
    fig = go.Figure(go.Scatter(
        x=curve["k"], y=100 * curve["share_within_radius"], mode="lines+markers", name="within radius",
        hovertemplate="%{x} new sites: %{y:.1f}% within " + f"{radius:g} km<extra></extra>",
    ))
    fig.add_hline(y=100 * target, line_dash="dot", line_color="grey",
                  annotation_text=f"{100 * target:.0f}%", annotation_position="bottom right")
    needed = sites_needed(curve, target)
    if needed is None:
        title = (f"{100 * target:.0f}% of {unit} within {radius:g} km is not reached with "
                 f"{int(curve['k'].max()) if len(curve) else 0} new sites")
    elif needed == 0:
        title = f"The existing stations already bring {100 * target:.0f}% of {unit} within {radius:g} km"
    else:
        title = f"{needed} new site{'s' if needed > 1 else ''} bring {100 * target:.0f}% of {unit} within {radius:g} km"
    if needed:
        fig.add_vline(x=needed, line_dash="dot", line_color=PROPOSED_COLOR)
    fig.update_layout(title=title, xaxis_title="new sites (k)", yaxis_title=f"% of {unit} within {radius:g} km",
                      yaxis_range=[0, 102], margin=dict(l=10, r=10, t=50, b=10), height=360)
    return fig
