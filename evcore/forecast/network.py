"""The network total's own forecast interval, from the stations' forecasts.

Summing the stations' 80% bounds gives the band the total would have if every station erred in
the same direction on the same day; summing them in quadrature, the band if they erred
independently. Stations share weather, holidays and events, so the truth lies between. Here the
stations' bands combine through the correlation of their recent day-to-day surprises (the
change from the same weekday a week before, over the last ``weeks`` weeks): with half-widths h,
the total's half-width is sqrt(h' C h), computed from the residual matrix without forming C."""

from __future__ import annotations

import numpy as np
import pandas as pd

SEASON = 7


def network_forecast(history: pd.DataFrame, forecast: pd.DataFrame, weeks: int = 16) -> pd.DataFrame:
    """``date, forecast, lower, upper`` of the network total. ``history``: the wide daily matrix
    (date index, one column a station); ``forecast``: the stations' long forecast rows
    (``station_id, date, forecast, lower, upper``)."""
    surprises = history.diff(SEASON).iloc[-weeks * SEASON:]
    spread = surprises.std()
    standard = ((surprises - surprises.mean()) / spread.where(spread > 0)).fillna(0.0)
    rows = max(len(standard) - 1, 1)
    rows_out = []
    for date, day in forecast.groupby("date", sort=True):
        day = day.set_index(day["station_id"].astype(str))
        columns = [c for c in standard.columns if c in day.index]
        z = standard[columns].to_numpy(float)
        centre = float(day["forecast"].sum())
        half = {}
        for side, bound in (("upper", day["upper"] - day["forecast"]), ("lower", day["forecast"] - day["lower"])):
            h = bound.clip(lower=0.0)
            known = h.reindex(columns).to_numpy(float)
            unknown = float(h.drop(index=columns, errors="ignore").sum())  # no history: as the sum
            correlated = float(np.sqrt(np.sum((z @ known) ** 2) / rows)) if len(columns) else 0.0
            # a station whose surprises never vary (z all 0) still keeps its own band
            alone = float(np.sqrt(np.sum(known[~z.any(axis=0)] ** 2))) if len(columns) else 0.0
            half[side] = min(float(h.sum()), correlated + alone + unknown)
        rows_out.append({"date": date, "forecast": centre, "lower": max(centre - half["lower"], 0.0),
                         "upper": centre + half["upper"]})
    return pd.DataFrame(rows_out, columns=["date", "forecast", "lower", "upper"])
