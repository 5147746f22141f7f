"""Plotly figures for the Forecast page (pure functions: tables in, ``go.Figure`` out)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from evcore.viz.maps import escape_text  # a station name in the title is text, not markup or LaTeX

MODEL_LABELS = {
    "lstm": "LSTM, as shipped (combined)",
    "lstm_network": "LSTM network alone",
    "seasonal_naive": "Seasonal naive (weekly)",
    "seasonal_exp_smoothing": "Seasonal exponential smoothing",
    "moving_average": "Moving average (7 days)",
    "exp_smoothing": "Exponential smoothing",
}


def series_for(history: pd.DataFrame, forecast: pd.DataFrame, station: str | None):
    """One station's daily history (a Series) and forecast rows, or the network total when
    ``station`` is None (the interval is then the sum of the stations' bounds)."""
    if station is None:
        past = history.sum(axis=1, min_count=1)
        future = forecast.groupby("date", as_index=False)[["forecast", "lower", "upper"]].sum()
    else:
        past = history[station]
        future = forecast[forecast["station_id"] == station]
    return past, future.sort_values("date")


def forecast_figure(history: pd.Series, forecast: pd.DataFrame, title: str, unit: str = "kWh",
                    history_days: int = 90, level: float = 0.8) -> go.Figure:
    """Recent daily history, the forecast and its prediction interval as a shaded band."""
    past = history.dropna().iloc[-history_days:]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=past.index, y=past.values, mode="lines", name="History",
                             line=dict(color="#4c78a8")))
    fig.add_trace(go.Scatter(x=forecast["date"], y=forecast["upper"], mode="lines",
                             line=dict(width=0), showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=forecast["date"], y=forecast["lower"], mode="lines", line=dict(width=0),
                             fill="tonexty", fillcolor="rgba(245,133,24,0.25)",
                             name=f"{level:.0%} interval"))
    fig.add_trace(go.Scatter(x=forecast["date"], y=forecast["forecast"], mode="lines+markers",
                             name="Forecast", line=dict(color="#f58518")))
    fig.update_layout(title=escape_text(title), xaxis_title="Date", yaxis_title=f"Daily usage ({unit})",
                      hovermode="x unified", margin=dict(l=10, r=10, t=50, b=10),
                      legend=dict(orientation="h", y=-0.2))
    return fig


def backtest_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The backtest summary as the page shows it: readable model names, best WAPE first."""
    table = summary.assign(model=summary["model"].map(lambda m: MODEL_LABELS.get(m, m)))
    table = table.rename(columns={"model": "Model", "wape": "WAPE", "mae": "MAE",
                                  "coverage": "Interval coverage", "seconds": "Seconds"})
    return table.sort_values("WAPE").reset_index(drop=True)
