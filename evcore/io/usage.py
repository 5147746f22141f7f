"""Usage readers: wide tables (a timestamp column, one column per station) and long tables,
ending in daily totals per station and, where the times are finer than a day, the hourly table
(session exports: ``evcore.io.sessions``).

``measure`` says what the values are: ``"energy"`` (kWh) or ``"occupancy"`` (plugged-in
port-hours, e.g. charging hours per hour); None reads a long table's value column by its name
(duration, hours, occupancy) and a wide table as energy."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.data import USAGE_COLUMNS, Dataset, usage_span
from evcore.errors import InputError
from evcore.hourly import hourly_frame
from evcore.io.reading import Reading
from evcore.io.tables import (MAX_ABS_NUMBER, OCCUPANCY_NAMES, dates_in, date_share, line_of, normalise, number_share,
                              numbers_in)

MEASURES = ("energy", "occupancy")
MEASURE_UNITS = {"energy": "kWh", "occupancy": "hours"}


def wide_time_column(table: pd.DataFrame) -> str | None:
    """The timestamp column of a wide table: dates in it, numbers in the other columns."""
    for col in list(table.columns)[:3]:
        if date_share(table[col]) >= 0.9:
            others = [c for c in table.columns if c != col]
            if others and np.mean([number_share(table[c]) for c in others if table[c].notna().any()] or [0]) >= 0.9:
                return col
    return None


def read_wide_usage(table: pd.DataFrame, name: str, time_column: str, fmt_prefix: str,
                    measure: str | None = None) -> Reading:
    notes: list[str] = []
    stamps = dates_in(table, time_column, name, notes)
    station_columns = [c for c in table.columns if c != time_column]
    unnamed = [c for c in station_columns if c.lower().startswith("unnamed")]
    if unnamed:
        raise InputError(f"{name}: column {station_columns.index(unnamed[0]) + 2} has no name in the "
                         "header: expected a station id above every usage column.")
    for col in station_columns:
        if table[col].isna().all():
            raise InputError(f"{name}: column {col!r} has no values at all: expected usage numbers "
                             "for that station.")
    values = _plain_numbers(table[station_columns])
    if values is None:  # separators, brackets or bad values: column by column, naming the first bad line
        values = pd.DataFrame({col: numbers_in(table, col, name, "a usage number") for col in station_columns})
    values.index = pd.DatetimeIndex(stamps)
    values = values[values.index.notna()]
    step = pd.Series(values.index.sort_values()).diff().median()
    hourly = pd.notna(step) and step < pd.Timedelta(days=1)
    # an empty cell is a missing hour or day, not a zero (pandas 3's stack keeps it as NaN)
    long = values.rename_axis(index="date", columns="station_id").stack().rename("usage").reset_index()
    long = long.dropna(subset=["usage"])
    long["station_id"] = long["station_id"].astype(str)
    measure = measure or "energy"
    hourly_table = None
    if hourly:
        hourly_table = hourly_frame(long.rename(columns={"date": "time", "usage": "value"}), measure)
        notes.append(f"Summed {'hourly' if step == pd.Timedelta(hours=1) else 'sub-daily'} values "
                     "to daily totals.")
        repeated = values.index[values.index.duplicated()].unique()
        if len(repeated):
            notes.append(f"Found {len(repeated)} repeated time{'s' if len(repeated) > 1 else ''} "
                         f"({repeated[0]:%Y-%m-%d %H:%M}{', ...' if len(repeated) > 1 else ''}; clocks going back or "
                         "rows listed twice): their values were summed into one hour.")
        per_day = pd.Series(values.index.normalize()).value_counts()
        last = per_day.index.max()
        if len(per_day) >= 8 and per_day[last] < 0.9 * per_day.drop(last).median():
            notes.append(f"The last day, {last:%Y-%m-%d}, has {per_day[last]} of the usual "
                         f"{int(per_day.drop(last).median())} readings: left it out (a partial day would "
                         "show as a sudden drop).")
            long = long[long["date"].dt.normalize() != last]
    usage = clean_usage(long, name, notes, already_aggregated=False)
    what = "energy, kWh" if measure == "energy" else "occupancy, plugged-in hours"
    fmt = (f"{fmt_prefix}wide table, {'hourly' if hourly else 'daily'} {what} (a timestamp column and one column "
           "per station)")
    return Reading(name, "usage", fmt, Dataset(name=name, usage=usage, usage_unit=MEASURE_UNITS[measure],
                                               hourly=hourly_table, notes=notes))


def _plain_numbers(block: pd.DataFrame) -> pd.DataFrame | None:
    """The block as floats in one vectorised pass when every present value is a plain, finite,
    sensibly sized number (the usual wide table); None otherwise."""
    stacked = block.stack()
    numbers = pd.to_numeric(stacked, errors="coerce")
    if numbers.isna().any() or not np.isfinite(numbers.to_numpy(float)).all() or (numbers.abs() > MAX_ABS_NUMBER).any():
        return None
    return numbers.astype(float).unstack().reindex(index=block.index, columns=block.columns)


def read_long_usage(table, name, station, date, value, fmt_prefix, measure: str | None = None) -> Reading:
    notes: list[str] = []
    ids = table[station]
    if ids.isna().all():
        raise InputError(f"{name}: column {station!r} has no values at all: expected a station id on each row.")
    missing_id = ids.isna()
    if missing_id.any():
        notes.append(f"Dropped {int(missing_id.sum())} rows without a station id (first at line "
                     f"{line_of(table, missing_id.idxmax())}).")
    dates = dates_in(table, date, name, notes)
    values = numbers_in(table, value, name, "a usage number")
    long = pd.DataFrame({"station_id": ids.astype(str), "date": dates, "usage": values})[~missing_id]
    long = long.dropna(subset=["date"])
    missing_values = long["usage"].isna().sum()
    if missing_values:
        notes.append(f"Left {int(missing_values)} empty usage values as missing days.")
    long = long.dropna(subset=["usage"])
    unit = unit_of(value, measure)
    hourly = None
    timed = (long["date"] != long["date"].dt.normalize()).any()
    if timed and unit != "sessions":
        measure = "occupancy" if unit == "hours" else "energy"
        hourly = hourly_frame(long[long["usage"] >= 0].rename(columns={"date": "time", "usage": "value"}), measure)
    usage = clean_usage(long, name, notes, already_aggregated=False)
    fmt = f"{fmt_prefix}long table (station {station!r}, {'time' if timed else 'date'} {date!r}, usage {value!r})"
    return Reading(name, "usage", fmt, Dataset(name=name, usage=usage, usage_unit=unit, hourly=hourly, notes=notes))


def partial_last_day(starts: pd.Series) -> pd.Timestamp | None:
    """The last day of a session export when the export stops part-way through it: its latest
    session starts earlier in the day than on nine days in ten, and it has fewer sessions than a
    typical day. None when the last day looks whole (or there are too few days to tell)."""
    days = starts.dt.normalize()
    if days.nunique() < 8:
        return None
    latest = (starts - days).groupby(days).max()
    counts = days.value_counts()
    last = days.max()
    others = latest.drop(last)
    if latest[last] < others.quantile(0.1) and counts[last] < counts.drop(last).median():
        return last
    return None


def clean_usage(long: pd.DataFrame, name: str, notes: list[str], already_aggregated: bool) -> pd.DataFrame:
    """Daily totals per station-day; negative values dropped; duplicates summed; gaps reported."""
    negative = long["usage"] < 0
    if negative.any():
        notes.append(f"Dropped {int(negative.sum())} negative usage values.")
        long = long[~negative]
    if long.empty:
        raise InputError(f"{name} has no usable usage values: expected non-negative numbers.")
    long = long.assign(date=long["date"].dt.normalize())
    if not already_aggregated:
        duplicates = long.duplicated(["station_id", "date"]).sum()
        intra_day = long["date"].size != long.drop_duplicates(["station_id", "date"]).shape[0]
        if intra_day and duplicates and not any("daily totals" in n for n in notes):
            notes.append(f"Summed {int(duplicates)} repeated station-day rows into daily totals.")
    daily = long.groupby(["station_id", "date"], as_index=False, sort=True)["usage"].sum()
    span = usage_span(daily)[2]
    stations = daily["station_id"].nunique()
    expected = ((daily["date"].max() - daily.groupby("station_id")["date"].min()).dt.days + 1).sum()
    gaps = int(expected - len(daily))
    if gaps > 0:
        notes.append(f"{gaps} station-days are missing between a station's first day and the last "
                     f"day of the data; they are left as gaps, not zeros.")
    notes.append(f"{stations} stations, {span} days from {daily['date'].min():%Y-%m-%d} to "
                 f"{daily['date'].max():%Y-%m-%d}.")
    return daily[USAGE_COLUMNS].reset_index(drop=True)


def unit_of(column: str | None, measure: str | None = None) -> str:
    """``kWh``, ``hours`` (plugged-in hours) or ``sessions``, from ``measure`` or the column's name."""
    if measure:
        return MEASURE_UNITS[measure]
    key = normalise(column or "")
    if any(word in key for word in ("session", "count", "visits", "charges")):
        return "sessions"
    if key in OCCUPANCY_NAMES:
        return "hours"
    return "kWh"
