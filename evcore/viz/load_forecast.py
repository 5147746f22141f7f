"""Plotly builder for the hourly forecast: the hourly median with its 80% band, and each day's
peak forecast with its own interval."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from evcore.viz.maps import escape_text


def load_forecast_chart(hourly: pd.DataFrame, peaks: pd.DataFrame, title: str, unit: str) -> go.Figure:
    """One station's ``hourly`` rows (``time, forecast, lower, upper``) and ``peaks`` (``date,
    peak, lower, upper``): the band shaded, the median a line, the peaks diamonds at midday
    with their interval as error bars."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=hourly["time"], y=hourly["upper"], line=dict(width=0), showlegend=False,
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=hourly["time"], y=hourly["lower"], line=dict(width=0), fill="tonexty",
                             fillcolor="rgba(31,119,180,0.2)", name="hourly 80% interval", hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=hourly["time"], y=hourly["forecast"], line=dict(color="rgb(31,119,180)", width=1.5),
                             name="hourly forecast (median)",
                             hovertemplate="%{x|%a %d %b %H:00}: %{y:.2f}<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=pd.to_datetime(peaks["date"]) + pd.Timedelta(hours=12), y=peaks["peak"], mode="markers",
        marker=dict(symbol="diamond", size=9, color="rgb(214,39,40)"), name="daily peak (80% interval)",
        error_y=dict(type="data", symmetric=False, array=peaks["upper"] - peaks["peak"],
                     arrayminus=peaks["peak"] - peaks["lower"], color="rgba(214,39,40,0.6)"),
        hovertemplate="%{x|%a %d %b} peak: %{y:.2f}<extra></extra>"))
    fig.update_layout(title=escape_text(title), yaxis_title=unit, xaxis_title="hour (local time, as in the data)",
                      margin=dict(l=10, r=10, t=50, b=10), height=380, legend=dict(orientation="h", y=-0.2))
    return fig
