"""One forecast cache for the dashboard and the REST service: a dataset's forecast table per
(data fingerprint, horizon, settings), computed once (callers asking at once wait for the first)
and kept for the last ``size`` of them, with views made from it (the service's encoded JSON)
kept alongside and dropped with it.
"""

from __future__ import annotations

import threading

import pandas as pd

from evcore.data import Dataset
from evcore.errors import InputError
from evcore.forecast import pipeline
from evcore.recent import RecentResults


class ForecastEntry:
    """One forecast table and the views made from it, each made once."""

    def __init__(self, table: pd.DataFrame):
        self.table = table
        self._views: dict = {}
        self._lock = threading.Lock()

    def view(self, name: str, make):
        """``make(table)``, made the first time ``name`` is asked for."""
        if name not in self._views:
            with self._lock:
                if name not in self._views:
                    self._views[name] = make(self.table)
        return self._views[name]


class ForecastCache:
    """Forecast tables (``evcore.forecast.forecast_table``) of the last ``size`` (data
    fingerprint, horizon, settings)."""

    def __init__(self, size: int = 32):
        self._recent = RecentResults(size)

    @staticmethod
    def key(dataset: Dataset, horizon: int, settings, fingerprint: str | None = None) -> tuple:
        """The cache key; ``InputError`` when the dataset has no usage to forecast from."""
        if dataset.usage is None or dataset.usage.empty:
            raise InputError(f"The dataset {dataset.name!r} has no usage table to forecast from: upload a "
                             "usage file.")
        return (fingerprint or dataset.fingerprint(), int(horizon), settings)

    def peek(self, dataset: Dataset, horizon: int, settings, fingerprint: str | None = None) -> ForecastEntry | None:
        """The entry when it is ready (computing nothing, waiting for nothing), else None."""
        return self._recent.peek(self.key(dataset, horizon, settings, fingerprint))

    def entry(self, dataset: Dataset, horizon: int, settings, progress=None,
              fingerprint: str | None = None) -> ForecastEntry:
        """The entry for the dataset's forecast, trained or loaded from the model store the first
        time (``progress(fraction, text)`` while it is made)."""
        key = self.key(dataset, horizon, settings, fingerprint)
        return self._recent.get(key, lambda: ForecastEntry(pipeline.forecast_table(
            dataset.usage, horizon=int(horizon), settings=settings, progress=progress, stations=dataset.stations)))

    def table(self, dataset: Dataset, horizon: int, settings, progress=None,
              fingerprint: str | None = None) -> pd.DataFrame:
        """The forecast table (a copy: the cached one stays as made)."""
        return self.entry(dataset, horizon, settings, progress, fingerprint).table.copy()
