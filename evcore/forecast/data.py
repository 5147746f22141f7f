"""The daily matrix every forecaster works on: built from the long usage table, filled, checked."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evcore.checks import is_whole  # noqa: F401 (the one rule; forecast modules import it from here)
from evcore.data import usage_matrix
from evcore.errors import InputError

MIN_HORIZON, MAX_HORIZON = 1, 30
HOLIDAYS = "holidays"  # a filled matrix's attrs key: the public holidays of its days and MAX_HORIZON after
LEVEL_DAYS = 7  # a week: the least history a baseline needs; a new station's padding


def check_horizon(horizon) -> int:
    """``horizon`` as an int, or an ``InputError`` when it is not a whole number from 1 to 30."""
    if not is_whole(horizon, MIN_HORIZON) or horizon > MAX_HORIZON:
        raise InputError(f"The horizon must be a whole number of days from {MIN_HORIZON} to "
                         f"{MAX_HORIZON}; got {horizon!r}.")
    return int(horizon)


def check_folds(folds) -> int:
    if not is_whole(folds):
        raise InputError(f"The number of folds must be a whole number of at least 1; got {folds!r}.")
    return int(folds)


def daily_matrix(usage: pd.DataFrame) -> pd.DataFrame:
    """Wide daily matrix of the usage table (date index, one column a station), NaN where a
    day is missing."""
    missing = [c for c in ("station_id", "date", "usage") if c not in getattr(usage, "columns", [])]
    if missing:
        raise InputError(f"The usage table needs the columns station_id, date and usage; "
                         f"{', '.join(missing)} missing.")
    if usage.empty:
        raise InputError("The usage table has no rows.")
    usage = usage.assign(station_id=usage["station_id"].astype(str),
                         date=pd.to_datetime(usage["date"]).dt.normalize(),
                         usage=pd.to_numeric(usage["usage"], errors="coerce"))
    wide = usage_matrix(usage)
    return wide.reindex(sorted(wide.columns), axis=1)


def fill_history(wide: pd.DataFrame) -> pd.DataFrame:
    """Fill missing days so every model sees a full matrix.

    Gaps inside a station's history are interpolated; days after its last record repeat the
    last value; days before its first record (a new station) take the mean of its first week,
    so a short history is padded to the lookback rather than refused. A station with no value
    at all is zero. (Linear in days x stations: one ``np.interp`` a station.)
    """
    return pd.DataFrame(filled_columns(wide.to_numpy(float), LEVEL_DAYS), index=wide.index, columns=wide.columns)


def filled_columns(values: np.ndarray, first: int) -> np.ndarray:
    """Each column's gaps filled as ``fill_history`` says (the daily matrix) and ``fill_hours``
    (the hourly one): interpolated inside, the last value after, the mean of its first ``first``
    figures before; an empty column is zero; clipped at zero."""
    filled = np.zeros_like(values)
    steps = np.arange(len(values))
    for j in range(values.shape[1]):
        column = values[:, j]
        known = np.flatnonzero(~np.isnan(column))
        if len(known) == 0:
            continue
        filled[:, j] = np.interp(steps, known, column[known])
        filled[:known[0], j] = column[known[:first]].mean()
    return np.clip(filled, 0.0, None)


@dataclass(frozen=True)
class DailyHistory:
    """A usage table prepared once for every model: ``observed`` the wide daily matrix (date
    index, one column a station, NaN where a day is missing; what the backtest scores against)
    and ``filled`` the same with every day filled (what the models fit on), whose
    ``attrs["holidays"]`` holds the public holidays of ``country`` from its first day to
    ``MAX_HORIZON`` days after its last (``evcore.forecast.calendar``)."""

    observed: pd.DataFrame
    filled: pd.DataFrame
    country: str | None = None

    def __len__(self) -> int:
        return len(self.observed)


def daily_history(usage, stations=None, country: str | None = "auto") -> DailyHistory:
    """The long usage table (``station_id, date, usage``) as a ``DailyHistory``, prepared once at
    the boundary (a ``DailyHistory`` is returned as it is), with the holidays of ``country`` (a
    code such as ``ZA`` or ``AU-VIC``; ``none``; ``auto``: from the ``stations``' coordinates,
    none without them)."""
    from evcore.forecast.calendar import holiday_country, holiday_dates

    if isinstance(usage, DailyHistory):
        return usage
    wide = daily_matrix(usage)
    filled = fill_history(wide)
    code = holiday_country(country, stations)
    filled.attrs[HOLIDAYS] = holiday_dates(code, wide.index[0], wide.index[-1] + pd.Timedelta(days=MAX_HORIZON))
    return DailyHistory(wide, filled, code)


def fingerprint(wide: pd.DataFrame) -> str:
    """A short hash of a daily matrix's values, stations and dates (what a model was trained on)."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(wide.to_numpy(float)).tobytes())
    h.update(",".join(map(str, wide.columns)).encode())
    h.update(",".join(wide.index.strftime("%Y-%m-%d")).encode())
    holidays = wide.attrs.get(HOLIDAYS)
    if holidays is not None and len(holidays):  # those of its own days and the MAX_HORIZON after
        holidays = holidays[(holidays >= wide.index[0]) &
                            (holidays <= wide.index[-1] + pd.Timedelta(days=MAX_HORIZON))]
        h.update(("holidays:" + ",".join(holidays.strftime("%Y-%m-%d"))).encode())
    return h.hexdigest()[:16]


def weekdays(index: pd.DatetimeIndex) -> np.ndarray:
    """The weekday (0 Monday) of each day of a daily history and of the ``MAX_HORIZON`` days after."""
    return pd.date_range(index[0], index[-1] + pd.Timedelta(days=MAX_HORIZON), freq="D").day_of_week.to_numpy()
