"""The service's forecasts: tables from ``evcore.forecast.forecast_table`` (the same model store
as the dashboard and the CLI), kept per (data fingerprint, horizon, settings) as rows ready to
serialise, so a warm request computes nothing and concurrent first requests train once.
"""

from __future__ import annotations

import pandas as pd

from evcore.api.recent import RecentResults
from evcore.config import Settings


def library_forecast_table(usage: pd.DataFrame, horizon: int, settings: Settings) -> pd.DataFrame:
    """The one place the service calls the forecaster: ``evcore.forecast.forecast_table`` with
    the service's settings (the model store and LSTM parameters shared with the dashboard)."""
    from evcore.forecast import forecast_table

    return forecast_table(usage, horizon=horizon, settings=settings)


def rows_by_station(table: pd.DataFrame) -> dict[str, list[dict]]:
    """The forecast as JSON-ready rows (dates as YYYY-MM-DD, figures to 3 decimals), by station."""
    rows: dict[str, list[dict]] = {}
    columns = table[["station_id", "date", "forecast", "lower", "upper"]]
    for station, date, point, lower, upper in columns.itertuples(index=False):
        rows.setdefault(str(station), []).append({
            "station_id": str(station), "date": date.strftime("%Y-%m-%d"), "forecast": _number(point),
            "lower": _number(lower), "upper": _number(upper)})
    return rows


def _number(value) -> float:
    return round(float(value), 3)  # finite: forecast_table refuses anything else


class ForecastCache:
    """Forecast rows by station (``rows_by_station``) for the last ``size`` (fingerprint,
    horizon) pairs of the service's settings."""

    def __init__(self, settings: Settings, size: int = 32):
        self.settings = settings
        self._recent = RecentResults(size)

    def rows(self, fingerprint: str, usage: pd.DataFrame, horizon: int) -> dict[str, list[dict]]:
        return self._recent.get((fingerprint, int(horizon), self.settings), lambda: rows_by_station(
            library_forecast_table(usage, int(horizon), self.settings)))
