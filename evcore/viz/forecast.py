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
    ``station`` is None (with the total's own interval: ``evcore.forecast.network``)."""
    if station is None:
        from evcore.forecast.network import network_forecast

        past = history.sum(axis=1, min_count=1)
        future = network_forecast(history, forecast)
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


# Number formats of backtest_table's figure columns, in order.
BACKTEST_FORMATS = ["%.3f", "%.1f", "%.2f", "%.1f"]


def backtest_table(summary: pd.DataFrame, unit: str = "kWh") -> pd.DataFrame:
    """The backtest summary as the page shows it: readable model names, what each figure is (WAPE,
    MAE with its unit), best WAPE first."""
    table = summary.assign(model=summary["model"].map(model_label))
    table = table.rename(columns={"model": "Model", "wape": "WAPE (lower is better)", "mae": f"MAE ({unit}/day)",
                                  "coverage": "80% interval coverage", "seconds": "Seconds"})
    columns = ["Model", "WAPE (lower is better)", f"MAE ({unit}/day)", "80% interval coverage", "Seconds"]
    return table[[c for c in columns if c in table]].sort_values("WAPE (lower is better)").reset_index(drop=True)


def per_station_wape(per_station: pd.DataFrame) -> pd.DataFrame:
    """Each station's WAPE (rows) under each model (columns, by their readable names)."""
    table = per_station.pivot(index="station_id", columns="model", values="wape")
    table.columns = [model_label(m) for m in table.columns]
    table.columns.name = None
    return table


def model_label(model: str) -> str:
    return MODEL_LABELS.get(model, model)


MEMBER_NAMES = {"network": "the LSTM network", "seasonal_exp_smoothing": "seasonal exponential smoothing",
                "exp_smoothing": "exponential smoothing", "seasonal_naive": "the weekly seasonal naive",
                "moving_average": "the 7-day moving average"}


def members_text(members) -> str:
    """The sentence naming what this dataset's shipped forecast is the median of ("" when it is
    not a median of several)."""
    if len(members) < 2:
        return ""
    names = [MEMBER_NAMES.get(m, model_label(m)) for m in members]
    left_out = "" if "network" in members else " The network is left out: it did not help on the data's own last weeks."
    return f"For this dataset the forecast is, per day, the median of {', '.join(names[:-1])} and {names[-1]}.{left_out}"


def station_label(station: str, names: dict) -> str:
    """A station as the picker shows it: its name and id, once where they are the same."""
    name = names.get(station)
    return station if name is None or name == station else f"{name} ({station})"
