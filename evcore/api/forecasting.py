"""The one place the service calls the forecaster, and its cache of forecast tables.

Warm requests must not recompute: tables are kept per (data fingerprint, horizon, settings),
and concurrent first requests for the same key wait for one computation.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict

import pandas as pd

from evcore.config import Settings


def library_forecast_table(usage: pd.DataFrame, horizon: int, settings: Settings) -> pd.DataFrame:
    """``evcore.forecast.forecast_table`` with the service's settings (the model store and LSTM
    parameters of ``settings``, shared with the dashboard and the CLI)."""
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
    value = float(value)
    return round(value, 3) if math.isfinite(value) else 0.0


class ForecastCache:
    """Forecast tables by (fingerprint, horizon, settings), the last ``size`` kept, each with
    its rows ready to serialise (``rows_by_station``): a warm request computes nothing."""

    def __init__(self, settings: Settings, size: int = 32):
        self.settings = settings
        self.size = size
        self._tables: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict = {}

    def rows(self, fingerprint: str, usage: pd.DataFrame, horizon: int) -> dict[str, list[dict]]:
        key = (fingerprint, int(horizon), self.settings)
        with self._lock:
            if key in self._tables:
                self._tables.move_to_end(key)
                return self._tables[key]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._tables:
                    return self._tables[key]
            table = rows_by_station(library_forecast_table(usage, int(horizon), self.settings))
            with self._lock:
                self._tables[key] = table
                while len(self._tables) > self.size:
                    self._tables.popitem(last=False)
                self._key_locks.pop(key, None)
            return table
