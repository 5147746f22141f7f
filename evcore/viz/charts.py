"""Plotly chart builders (pure functions returning ``plotly.graph_objects.Figure``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from evcore.data import network_daily


def network_usage_chart(usage: pd.DataFrame, unit: str = "kWh") -> go.Figure:
    """The network's daily total with its 7-day average."""
    daily = network_daily(usage).set_index("date")["usage"]
    daily = daily.reindex(pd.date_range(daily.index.min(), daily.index.max(), freq="D"))
    fig = go.Figure()
    fig.add_scatter(x=daily.index, y=daily.values, name="Daily total", mode="lines",
                    line=dict(width=1, color="#9ecae1"))
    fig.add_scatter(x=daily.index, y=daily.rolling(7, min_periods=4).mean().values, name="7-day average",
                    mode="lines", line=dict(width=2.5, color="#08519c"))
    fig.update_layout(title="Network usage per day", yaxis_title=unit, xaxis_title=None,
                      hovermode="x unified", margin=dict(l=10, r=10, t=50, b=10), height=360,
                      legend=dict(orientation="h", y=1.02, x=1, xanchor="right", yanchor="bottom"))
    return fig
