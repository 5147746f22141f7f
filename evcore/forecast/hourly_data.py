"""The hourly matrix the hourly forecaster works on, the hourly peers it is compared with, and
the seasonal decomposition its served forecast averages in (``decomposition_hours``).

In: the long hourly table (``station_id, time`` and a value column, ``energy`` by default, as
``Dataset.hourly``). The model works on whole calendar days: the matrix runs from the first
midnight to the last hour 23:00 (a first or last day cut short is left out, so a forecast
starts at the midnight after the last whole day). Hours twice in the table (the autumn clock
change) are averaged; hours not there (the spring change, gaps) are missing (NaN).
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.forecast.data import filled_columns
from evcore.forecast.features import smoothed_level

HOURS = 24
WEEK = 7 * HOURS
UNITS = {"energy": "kWh", "occupancy": "port-hours"}


def hourly_matrix(hourly: pd.DataFrame, value: str = "energy") -> pd.DataFrame:
    """Wide hourly matrix (hourly time index over whole days, one column a station, sorted),
    NaN where an hour is missing."""
    columns = getattr(hourly, "columns", [])
    missing = [c for c in ("station_id", "time", value) if c not in columns]
    if missing:
        raise InputError(f"The hourly table needs the columns station_id, time and {value}; "
                         f"{', '.join(missing)} missing.")
    values = pd.to_numeric(hourly[value], errors="coerce")
    if hourly.empty or values.notna().sum() == 0:
        raise InputError(f"The hourly table has no {value} figures to forecast from.")
    if not np.isfinite(values.dropna().to_numpy(float)).all() or (values < 0).any():
        raise InputError(f"The hourly {value} must be finite numbers of at least zero.")
    long = pd.DataFrame({"station_id": hourly["station_id"].astype(str),
                         "time": pd.to_datetime(hourly["time"]).dt.floor("h"), "value": values})
    wide = long.pivot_table(index="time", columns="station_id", values="value", aggfunc="mean")
    first = wide.index.min().normalize()
    if wide.index.min() != first:
        first += pd.Timedelta(days=1)
    last = wide.index.max().normalize() + pd.Timedelta(hours=HOURS - 1)
    if wide.index.max() != last:
        last -= pd.Timedelta(days=1)
    if last < first:
        raise InputError("The hourly table does not cover one whole day (midnight to 23:00).")
    wide = wide.reindex(pd.date_range(first, last, freq="h"))
    return wide.reindex(sorted(wide.columns), axis=1)


def fill_hours(wide: pd.DataFrame) -> np.ndarray:
    """The matrix as float32 with missing hours filled: inside a station's history by linear
    interpolation, after it by its last value, before it (a new station) by its first week's
    mean; a station with no figure at all is zero."""
    return filled_columns(wide.to_numpy(float), WEEK).astype(np.float32)


def hourly_fingerprint(wide: pd.DataFrame) -> str:
    """A short hash of an hourly matrix's values, stations and hours (what a model was trained on)."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(wide.to_numpy(float)).tobytes())
    h.update(",".join(map(str, wide.columns)).encode())
    h.update(f"{wide.index[0]}|{len(wide.index)}".encode())
    return h.hexdigest()[:16]


def daily_peaks(values: np.ndarray) -> np.ndarray:
    """Each whole day's largest hourly value: ``(days x 24, stations)`` -> ``(days, stations)``
    (NaN hours ignored; a day with none is NaN)."""
    days = values.reshape(-1, HOURS, values.shape[1])
    with np.errstate(all="ignore"):
        known = ~np.isnan(days).all(axis=1)
        return np.where(known, np.nanmax(np.where(np.isnan(days), -np.inf, days), axis=1), np.nan)


def seasonal_naive_hours(filled: np.ndarray, hours: int) -> np.ndarray:
    """The last week repeated: ``(hours, stations)``."""
    week = filled[-WEEK:]
    return week[np.arange(hours) % WEEK]


def hour_of_week_mean(filled: np.ndarray, hours: int, weeks: int = 4) -> np.ndarray:
    """The mean of the last ``weeks`` weeks' same hour of the week: ``(hours, stations)``."""
    weeks = max(1, min(weeks, len(filled) // WEEK))
    profile = filled[-weeks * WEEK:].reshape(weeks, WEEK, -1).mean(axis=0)
    return profile[np.arange(hours) % WEEK]


DECOMPOSITION_WEEKS = 8  # the weeks the seasonal decomposition reads
SMOOTHING_GRID = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3)


def decomposition_hours(filled: np.ndarray, hours: int, weeks: int = DECOMPOSITION_WEEKS) -> np.ndarray:
    """A seasonal decomposition's forecast ``(hours, stations)`` from the last ``weeks`` whole
    weeks of ``filled`` (fewer when there are fewer; the hour-of-week mean below two): each
    station's hour-of-week profile, measured around a centred one-week moving average, plus the
    level of what is left, smoothed exponentially hour by hour with the factor of
    ``SMOOTHING_GRID`` whose one-hour-ahead absolute error is least (as an ETS model is fitted).
    Clipped at zero. On charging data the factor is nearly always the largest, so the level is
    that of the last hours: the served forecast averages it with two forecasts that look further
    back (``hourly_model.BLEND``)."""
    weeks = min(weeks, len(filled) // WEEK)
    if weeks < 2:
        return hour_of_week_mean(filled, hours)
    x = filled[-weeks * WEEK:].astype(float)
    n = x.shape[1]
    sums = np.vstack([np.zeros((1, n)), np.cumsum(x, axis=0)])
    half = WEEK // 2
    centre = np.arange(half, len(x) - half)          # (weeks - 1) whole weeks, from hour ``half`` of the first
    detrended = x[centre] - (sums[centre + half] - sums[centre - half]) / WEEK
    profile = np.roll(detrended.reshape(weeks - 1, WEEK, n).mean(axis=0), half, axis=0)
    profile -= profile.mean(axis=0)
    rest = x - profile[np.arange(len(x)) % WEEK]
    level = smoothed_level(rest, SMOOTHING_GRID, start=WEEK)
    return np.clip(level[None] + profile[(len(x) + np.arange(hours)) % WEEK], 0, None)
