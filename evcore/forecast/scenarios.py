"""Networks that change, made from a usage table we have: the cases a forecast must hold on.

Each takes the long usage table (``station_id, date, usage``) and returns a changed copy, so a
backtest (the bench's ``bench/forecast_stress.py``, the tests) can check that a level shift, new
stations, outages, a single series, five stations, years of history and few sessions a day are
each handled; ``on_hourly`` applies one to an hourly table (``bench/load_forecast.py --stress``).
The changes sit inside the training span of a 3 x 10-day backtest (``days_before_end`` > 30) or
span it, so what is scored is the forecast after the change.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _every(usage: pd.DataFrame, nth: int) -> set:
    """Every ``nth`` station (by id order): the ones a scenario changes."""
    return set(sorted(usage["station_id"].unique(), key=str)[::nth])


def _days_before_end(usage: pd.DataFrame, days: int) -> pd.Timestamp:
    return pd.to_datetime(usage["date"]).max() - pd.Timedelta(days=days)


def level_shift(usage: pd.DataFrame, factor: float = 2.0, days_before_end: int = 38, nth: int = 2) -> pd.DataFrame:
    """Every ``nth`` station's usage times ``factor`` from ``days_before_end`` days before the end
    on (a station doubling from one week to the next)."""
    changed = usage["station_id"].isin(_every(usage, nth)) & (
        pd.to_datetime(usage["date"]) > _days_before_end(usage, days_before_end))
    return usage.assign(usage=usage["usage"].where(~changed, usage["usage"] * factor))


def new_stations(usage: pd.DataFrame, days: int = 45, nth: int = 3) -> pd.DataFrame:
    """Every ``nth`` station opens ``days`` days before the end (its earlier rows are dropped)."""
    early = usage["station_id"].isin(_every(usage, nth)) & (
        pd.to_datetime(usage["date"]) <= _days_before_end(usage, days))
    return usage[~early].reset_index(drop=True)


def outages(usage: pd.DataFrame, length: int = 10, days_before_end: int = 55, nth: int = 3) -> pd.DataFrame:
    """Every ``nth`` station (offset by one, so not the new stations') reads zero for ``length``
    days, ending ``days_before_end - length`` days before the end, and a 3-day outage a week
    before its last training fold's origin (runs of zeros, then usage again)."""
    chosen = _every(usage.loc[usage["station_id"].isin(set(usage["station_id"]) - _every(usage, nth))], nth)
    dates = pd.to_datetime(usage["date"])
    long_run = (dates > _days_before_end(usage, days_before_end)) & (
        dates <= _days_before_end(usage, days_before_end - length))
    short_run = (dates > _days_before_end(usage, 40)) & (dates <= _days_before_end(usage, 37))
    off = usage["station_id"].isin(chosen) & (long_run | short_run)
    return usage.assign(usage=usage["usage"].where(~off, 0.0))


def busiest(usage: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` stations with the most usage (one: a single series; five: a small network)."""
    top = usage.groupby("station_id")["usage"].sum().nlargest(n).index
    return usage[usage["station_id"].isin(top)].reset_index(drop=True)


def years(usage: pd.DataFrame, copies: int = 6) -> pd.DataFrame:
    """The history repeated ``copies`` times back in time (183 days x 6: three years), ending on
    the same last day: years of history with the same recent weeks."""
    dates = pd.to_datetime(usage["date"])
    span = (dates.max() - dates.min()).days + 1
    parts = [usage.assign(date=dates - pd.Timedelta(days=span * k)) for k in range(copies)]
    return pd.concat(parts[::-1], ignore_index=True)


def few_sessions(usage: pd.DataFrame, per_day: float = 1.0, seed: int = 0) -> pd.DataFrame:
    """Every station's usage as if it came from about ``per_day`` sessions a day: a Poisson count
    with the day's usage as its mean (in units of the station's mean usage over ``per_day``),
    times that unit. The weekly rhythm and the trend stay; the days become the sparse,
    zero-heavy counts of a small network's session export (a third of them zero at one a day).
    The draws follow the table's row order, so the same table gives the same counts."""
    unit = usage.groupby("station_id")["usage"].transform("mean") / per_day
    rate = (usage["usage"] / unit.where(unit > 0)).fillna(0.0).to_numpy()
    counts = np.random.default_rng(seed).poisson(rate)
    return usage.assign(usage=(counts * unit.fillna(0.0)).where(usage["usage"].notna()))


def few_sessions_a_day(hourly: pd.DataFrame) -> pd.DataFrame:
    """``few_sessions`` for an hourly table (as ``usage``, see ``on_hourly``): about one session a
    day, so most hours are zero. On charging hours it is a stress of the counts, not a physical
    table: a session's day of port-hours lands in one hour."""
    return few_sessions(hourly, per_day=1 / 24)


SCENARIOS = {
    "level_shift": level_shift,
    "new_stations": new_stations,
    "outages": outages,
    "single_series": lambda usage: busiest(usage, 1),
    "five_stations": lambda usage: busiest(usage, 5),
    "years": years,
    "few_sessions": few_sessions,
}

# the same cases for the hourly forecast (``on_hourly``): about one session a day, not an hour
HOURLY_SCENARIOS = {**SCENARIOS, "few_sessions": few_sessions_a_day}


def on_hourly(change, hourly: pd.DataFrame, value: str) -> pd.DataFrame:
    """A scenario ``change`` applied to an hourly long table's ``value`` column (``station_id,
    time, value``). Days are counted back from the last hour's; on a table that ends with a whole
    day (its 23:00, as ``hourly_matrix`` keeps), a change from a day on starts at that midnight."""
    as_usage = hourly[["station_id", "time", value]].rename(columns={"time": "date", value: "usage"})
    return change(as_usage).rename(columns={"date": "time", "usage": value})
