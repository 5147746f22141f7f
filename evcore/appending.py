"""Changes to a saved dataset's tables, decided in one place for the dashboard and the service:

- ``merge_datasets``: files added to a dataset (a table of a kind it has replaces that table);
- ``append_usage``: live usage appended: new days or hours added, a (station, day) or (station,
  hour) already there replaced, never counted twice (the home page's "append" and
  ``POST /datasets/{id}/usage``); ``usage_from_rows`` turns the service's JSON rows
  (``station_id``, ``date`` or ``time``, ``usage``) into the dataset they describe.
"""

from __future__ import annotations

import math

import pandas as pd

from evcore.data import KINDS, Dataset, usage_span
from evcore.errors import InputError

DAILY_KEY = ["station_id", "date"]
HOURLY_KEY = ["station_id", "time"]
SESSION_KEY = ["station_id", "port", "start"]
HOURLY_MEASURE = {"kWh": "energy", "hours": "occupancy"}  # the hourly column a daily unit sums
MAX_ROWS = 1_000_000


def merge_datasets(current: Dataset, added: Dataset) -> tuple[Dataset, list[str]]:
    """``current`` with the tables of ``added``: what ``added`` has is added, or replaces the
    table of the same kind. Returns the merged dataset and one sentence per table changed."""

    changes = []
    merged = Dataset(name=current.name, usage=current.usage, stations=current.stations,
                     demand=current.demand, usage_unit=current.usage_unit, hourly=current.hourly,
                     sessions=current.sessions, history=current.history,
                     notes=list(current.notes) + list(added.notes))
    for kind in KINDS:
        table = getattr(added, kind)
        if table is None:
            continue
        verb = "Replaced" if getattr(current, kind) is not None else "Added"
        setattr(merged, kind, table)
        changes.append(f"{verb} the {kind} ({_describe(kind, added)}).")
        if kind == "usage":
            merged.usage_unit, merged.hourly, merged.sessions = added.usage_unit, added.hourly, added.sessions
    return merged, changes


def _describe(kind: str, dataset: Dataset) -> str:
    table = getattr(dataset, kind)
    if kind == "usage":
        return f"{table['station_id'].nunique()} stations, {usage_span(table)[2]} days, in {dataset.usage_unit}"
    if kind == "stations":
        return f"{len(table)} stations"
    if kind == "history":
        return f"{table['area'].nunique()} areas, {table['year'].min()}–{table['year'].max()}"
    return f"{len(table)} locations, {table['weight'].sum():,.0f} vehicles"


def measure_of(unit: str) -> str | None:
    """What to read a wide hourly file as, to append it to usage in ``unit`` (charging hours for
    ``hours``; the readers' default, energy, otherwise)."""
    return "occupancy" if unit == "hours" else None


def _replace_rows(current: pd.DataFrame | None, added: pd.DataFrame | None, key: list[str]):
    """``current`` with ``added``'s rows in place of those of the same key; (table, new, replaced)."""
    if added is None or added.empty:
        return current, 0, 0
    added = added.drop_duplicates(key, keep="last")
    if current is None or current.empty:
        return added.sort_values(key, ignore_index=True), len(added), 0
    present = pd.MultiIndex.from_frame(current[key]).isin(pd.MultiIndex.from_frame(added[key]))
    replaced = int(present.sum())
    kept = current.loc[~present]
    merged = pd.concat([kept, added[[c for c in current.columns if c in added.columns]]], ignore_index=True)
    return merged.sort_values(key, ignore_index=True), len(added) - replaced, replaced


def append_usage(current: Dataset, added: Dataset) -> tuple[Dataset, list[str]]:
    """``current`` with ``added``'s usage appended (and its hourly rows and sessions where both
    have them; stations ``current`` lacks are added to its station list). Returns the new dataset
    and the sentences that say what changed.

    Where both have hourly tables, the days the added hours touch are summed again over every
    hour then known; otherwise hourly rows are summed to their day, and that day's figure replaces
    the one there: send a station's whole day at once.
    """
    if added.usage is None or added.usage.empty:
        raise InputError("Nothing to append: the files or rows hold no usage (expected station, day or hour, "
                         "and usage).")
    if current.usage is not None and added.usage_unit != current.usage_unit:
        raise InputError(f"The appended usage is in {added.usage_unit} but the dataset's is in "
                         f"{current.usage_unit}: expected the same unit.")
    merged = Dataset(name=current.name, usage=current.usage, stations=current.stations, demand=current.demand,
                     usage_unit=current.usage_unit if current.usage is not None else added.usage_unit,
                     hourly=current.hourly, sessions=current.sessions, history=current.history,
                     notes=list(current.notes))
    usage = added.usage
    if current.hourly is not None and added.hourly is not None:
        merged.hourly, _, _ = _replace_rows(current.hourly, added.hourly, HOURLY_KEY)
        usage = _days_from_hours(merged.hourly, added.hourly, usage, HOURLY_MEASURE.get(merged.usage_unit))
    merged.usage, new, replaced = _replace_rows(current.usage, usage, DAILY_KEY)
    if current.sessions is not None and added.sessions is not None:
        merged.sessions, _, _ = _replace_rows(current.sessions, added.sessions, SESSION_KEY)
    merged.stations = _with_new_stations(current.stations, added.stations)
    _, end, _ = usage_span(merged.usage)
    changes = [f"Appended usage: {new:,} new station-days, {replaced:,} replaced; the usage now ends on "
               f"{end:%d %b %Y}."]
    merged.notes.append(changes[0])
    return merged, changes


def _days_from_hours(hourly: pd.DataFrame, added_hourly: pd.DataFrame, usage: pd.DataFrame,
                     measure: str | None) -> pd.DataFrame:
    """The days the added hours touch, summed again over every hour the merged table has (the
    added daily figures where the unit is not an hourly measure, or the measure is unknown)."""
    if measure is None or measure not in hourly.columns or hourly[measure].isna().all():
        return usage
    days = added_hourly.assign(date=added_hourly["time"].dt.floor("D"))[DAILY_KEY].drop_duplicates()
    touched = hourly.assign(date=hourly["time"].dt.floor("D")).merge(days, on=DAILY_KEY)
    summed = touched.groupby(DAILY_KEY, as_index=False)[measure].sum(min_count=1).rename(columns={measure: "usage"})
    return pd.concat([usage, summed.dropna(subset=["usage"])], ignore_index=True).drop_duplicates(DAILY_KEY, keep="last")


def _with_new_stations(current: pd.DataFrame | None, added: pd.DataFrame | None) -> pd.DataFrame | None:
    if added is None or added.empty:
        return current
    if current is None:
        return added
    new = added[~added["station_id"].isin(current["station_id"])]
    return current if new.empty else pd.concat([current, new[[c for c in current.columns if c in new.columns]]],
                                               ignore_index=True)


def usage_from_rows(rows: list[dict], unit: str = "kWh") -> Dataset:
    """The dataset that JSON rows ``{"station_id", "date" or "time", "usage"}`` describe: daily
    rows as they are; hourly rows (``time``) summed to their day, and kept as an hourly table
    (``station_id``, ``time``, ``energy`` or ``occupancy`` as the unit says). One sentence naming
    the first bad row otherwise."""
    if not rows:
        raise InputError("rows: expected at least one row of station_id, date (or time) and usage.")
    if len(rows) > MAX_ROWS:
        raise InputError(f"rows: {len(rows):,} rows is more than {MAX_ROWS:,} at once: send fewer.")
    daily, hourly = [], []
    for number, row in enumerate(rows):
        station, when, value, is_hour = _checked_row(row, number)
        (hourly if is_hour else daily).append((station, when, value))
    usage = pd.DataFrame(daily, columns=["station_id", "date", "usage"])
    dataset = Dataset(name="appended rows", usage_unit=unit)
    if hourly:
        hours = pd.DataFrame(hourly, columns=["station_id", "time", "usage"]).drop_duplicates(HOURLY_KEY, keep="last")
        summed = hours.assign(date=hours["time"].dt.floor("D")).groupby(DAILY_KEY, as_index=False)["usage"].sum()
        dataset.hourly = pd.DataFrame({"station_id": hours["station_id"], "time": hours["time"].astype("datetime64[ns]"),
                                       **{column: hours["usage"] if HOURLY_MEASURE.get(unit) == column else float("nan")
                                          for column in ("energy", "occupancy")}})
        usage = pd.concat([usage, summed], ignore_index=True)
    usage["date"] = pd.to_datetime(usage["date"]).astype("datetime64[ns]")
    dataset.usage = usage.drop_duplicates(DAILY_KEY, keep="last").sort_values(DAILY_KEY, ignore_index=True)
    return dataset


def _checked_row(row, number: int):
    where = f"rows[{number}]"
    if not isinstance(row, dict):
        raise InputError(f"{where}: expected an object with station_id, date (or time) and usage.")
    station = row.get("station_id")
    if isinstance(station, bool) or not isinstance(station, (str, int)) or not str(station).strip():
        raise InputError(f"{where}.station_id: expected a station id (text), got {station!r}.")
    has_date, has_time = row.get("date") is not None, row.get("time") is not None
    if has_date == has_time:
        raise InputError(f"{where}: expected either date (YYYY-MM-DD) or time (YYYY-MM-DD HH:MM), not "
                         f"{'both' if has_date else 'neither'}.")
    text = row["time"] if has_time else row["date"]
    try:
        when = pd.Timestamp(str(text))
    except (ValueError, TypeError):
        when = pd.NaT
    if pd.isna(when) or when.tzinfo is not None:
        raise InputError(f"{where}.{'time' if has_time else 'date'}: expected a local "
                         f"{'time such as 2024-05-01 13:00' if has_time else 'date such as 2024-05-01'}, got {text!r}.")
    value = row.get("usage")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise InputError(f"{where}.usage: expected a finite number of 0 or more, got {value!r}.")
    when = when.floor("h") if has_time else when.normalize()
    return str(station).strip(), when, float(value), has_time
