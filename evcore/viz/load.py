"""Plotly builders for hourly load: the hour-of-week heatmap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from evcore.viz.maps import escape_text  # a station name in the title is text, not markup

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def hour_of_week_heatmap(profile: pd.DataFrame, title: str, unit: str) -> go.Figure:
    """Days of the week down, hours of the day across, the mean value in colour (``profile``:
    ``weekday``, ``hour``, ``value`` as ``evcore.hourly.hour_of_week`` gives it)."""
    grid = np.full((7, 24), np.nan)
    grid[profile["weekday"].to_numpy(int), profile["hour"].to_numpy(int)] = profile["value"].to_numpy(float)
    fig = go.Figure(go.Heatmap(z=grid, x=[f"{h:02d}:00" for h in range(24)], y=WEEKDAYS, colorscale="YlOrRd",
                               colorbar=dict(title=dict(text=unit, side="right")),
                               hovertemplate="%{y} %{x}: %{z:.2f} " + unit.replace("%", "%%") + "<extra></extra>"))
    fig.update_layout(title=escape_text(title), xaxis_title="hour of the day (starting)", yaxis=dict(autorange="reversed"),
                      margin=dict(l=10, r=10, t=50, b=10), height=330)
    return fig
