"""Adoption histories: EVs by area and year, from a registrations-by-year table (year or date,
area, vehicles, optionally the whole fleet) or from a vehicle list with a year and an area column
(counted, each vehicle from its year on)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.data import HISTORY_COLUMNS, Dataset
from evcore.errors import InputError
from evcore.io.reading import Reading
from evcore.io.tables import (ADDITION_NAMES, AREA_NAMES, DATE_NAMES, FLEET_NAMES, STOCK_NAMES, VEHICLE_HINT_NAMES,
                              YEAR_NAMES, dates_in, find_column, line_of, numbers_in)

FIRST_YEAR, LAST_YEAR = 1900, 2200


def history_layout(table: pd.DataFrame) -> dict | None:
    """The columns of an adoption history in ``table`` (``year`` or ``date``, ``area``, and
    ``stock`` or ``additions``, optional ``fleet``), or None when it is not one. A vehicle list
    (a year and an area column, no count) has ``stock`` and ``additions`` None."""
    area = find_column(table, AREA_NAMES)
    year = find_column(table, YEAR_NAMES)
    date = None if year else find_column(table, DATE_NAMES)
    if area is None or (year is None and date is None):
        return None
    taken = (area, year, date)
    stock = find_column(table, STOCK_NAMES, exclude=taken)
    additions = None if stock else find_column(table, ADDITION_NAMES, exclude=taken)
    fleet = find_column(table, FLEET_NAMES, exclude=taken + (stock,))
    is_vehicle_list = year is not None and find_column(table, VEHICLE_HINT_NAMES, exclude=taken) is not None
    if stock is None and additions is None and not is_vehicle_list:
        return None
    return {"year": year, "date": date, "area": area, "stock": stock, "additions": additions, "fleet": fleet}


def read_history_table(table: pd.DataFrame, name: str, layout: dict, fmt_prefix: str = "") -> Reading:
    """The adoption history of a registrations table or a vehicle list (see ``history_layout``)."""
    notes: list[str] = []
    if layout["stock"] is None and layout["additions"] is None:
        history = count_vehicles(table, name, layout["year"], layout["area"], notes)
        fmt = f"vehicle list counted by {layout['year']!r} and {layout['area']!r}"
    else:
        history = _registrations(table, name, layout, notes)
        counted = layout["stock"] or layout["additions"]
        fmt = (f"registrations by {'year' if layout['year'] else 'date'} and area ({layout['area']!r}, "
               f"{counted!r}{', fleet ' + repr(layout['fleet']) if layout['fleet'] else ''})")
    notes.insert(0, _summary(history))
    return Reading(name, "history", f"{fmt_prefix}adoption history: {fmt}",
                   Dataset(name=name, history=history, notes=notes))


def count_vehicles(table: pd.DataFrame, name: str, year_column: str, area_column: str,
                   notes: list[str]) -> pd.DataFrame:
    """A vehicle list counted into a history: per area, the vehicles of that year or earlier."""
    years = _years(table, year_column, name)
    areas = _areas(table, area_column)
    usable = years.notna() & areas.notna()
    if not usable.any():
        raise InputError(f"{name}: no row has both a {year_column!r} and a {area_column!r} value: expected "
                         "a year and an area for each vehicle.")
    if (~usable).any():
        notes.append(f"Left out {int((~usable).sum())} vehicles without a {year_column!r} or {area_column!r} "
                     f"value (first at line {line_of(table, (~usable).idxmax())}).")
    counts = pd.crosstab(areas[usable], years[usable].astype(int))
    counts = counts.reindex(columns=range(int(counts.columns.min()), int(counts.columns.max()) + 1), fill_value=0)
    notes.append(f"Counted {int(usable.sum()):,} vehicles: each counts in its area from its {year_column!r} on "
                 "(where that is a model year, it is not the year of registration).")
    by_year = counts.sum(axis=0)
    if len(by_year) >= 3 and by_year.iloc[-1] < 0.5 * by_year.iloc[-2]:
        # a year just begun (a model year sold from the year before): its few vehicles would read
        # as adoption stalling, so they count in the year before
        last, before = counts.columns[-1], counts.columns[-2]
        counts[before] += counts.pop(last)
        notes.append(f"The last year, {last}, has far fewer vehicles than {before} ({by_year.iloc[-1]:,} against "
                     f"{by_year.iloc[-2]:,}), as a year just begun: counted its vehicles in {before}.")
    stock = counts.cumsum(axis=1)
    history = stock.stack().rename("vehicles").rename_axis(["area", "year"]).reset_index()
    history = history[HISTORY_COLUMNS].astype({"year": int, "area": str, "vehicles": float})
    return history.sort_values(["area", "year"], ignore_index=True)


def _registrations(table: pd.DataFrame, name: str, layout: dict, notes: list[str]) -> pd.DataFrame:
    counted = layout["stock"] or layout["additions"]
    frame = pd.DataFrame({"area": _areas(table, layout["area"]),
                          "vehicles": numbers_in(table, counted, name, "a number of vehicles")}, index=table.index)
    if layout["fleet"]:
        frame["all_vehicles"] = numbers_in(table, layout["fleet"], name, "a number of vehicles")
    if layout["year"]:
        frame["year"] = _years(table, layout["year"], name)
        frame["period"] = frame["year"]
    else:
        dates = dates_in(table, layout["date"], name)
        frame["year"], frame["period"] = dates.dt.year, dates
    negative = frame["vehicles"] < 0
    if negative.any():
        first = negative.idxmax()
        raise InputError(f"{name}: column {counted!r}, line {line_of(table, first)}: {frame['vehicles'][first]:g} "
                         "is negative: expected a number of vehicles (0 or more).")
    incomplete = frame[["area", "vehicles", "period"]].isna().any(axis=1)
    if incomplete.all():
        raise InputError(f"{name}: no row has an area, a {'year' if layout['year'] else 'date'} and a number of "
                         "vehicles together: expected all three on each row.")
    if incomplete.any():
        notes.append(f"Left out {int(incomplete.sum())} rows without an area, a year or a number of vehicles "
                     f"(first at line {line_of(table, incomplete.idxmax())}).")
    frame = frame[~incomplete]
    sums = {"vehicles": "sum"} | ({"all_vehicles": lambda v: v.sum(min_count=1)} if layout["fleet"] else {})
    # Rows of one area and date (e.g. per vehicle type) add up; of several dates in a year, the last
    # is the year's count (a stock is not summed over months).
    per_period = frame.groupby(["area", "period"], as_index=False).agg({"year": "first", **sums})
    if not layout["year"]:
        per_period = _same_time_each_year(per_period, notes)
    latest = per_period.sort_values("period").groupby(["area", "year"], as_index=False).tail(1)
    history = latest.drop(columns="period")
    if layout["additions"]:
        history = history.sort_values(["area", "year"])
        history["vehicles"] = history.groupby("area")["vehicles"].cumsum()
        notes.append(f"Added up {layout['additions']!r} (each year's new vehicles) into the vehicles registered "
                     "by each year.")
    history = history.astype({"year": int, "area": str, "vehicles": float})
    columns = HISTORY_COLUMNS + (["all_vehicles"] if layout["fleet"] else [])
    return history[columns].sort_values(["area", "year"], ignore_index=True)


def _same_time_each_year(per_period: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Of several dates in a year, the counts one year apart: each year's last date on or before
    the day of the year of the latest date (a history ending in January takes every year's
    January, so its last step is a year's growth, not a month's)."""
    if per_period.groupby(["area", "year"]).size().max() <= 1:
        return per_period
    latest = per_period["period"].max()
    day_of_year = per_period["period"].dt.month * 100 + per_period["period"].dt.day
    kept = per_period[day_of_year <= latest.month * 100 + latest.day]
    dropped = sorted(set(per_period["year"]) - set(kept["year"]))
    notes.append(f"Several dates in a year: each year's count is its last on or before {latest:%B} {latest.day} "
                 f"(the day of the latest date), so counts are a year apart"
                 + (f"; years with no date that early are left out ({', '.join(map(str, dropped))})." if dropped else "."))
    return kept


def _years(table: pd.DataFrame, column: str, name: str) -> pd.Series:
    values = numbers_in(table, column, name, "a year (e.g. 2021)")
    bad = values.notna() & ((values != np.round(values)) | (values < FIRST_YEAR) | (values > LAST_YEAR))
    if bad.any():
        first = bad.idxmax()
        raise InputError(f"{name}: column {column!r}, line {line_of(table, first)}: {table[column][first]!r} is "
                         f"not a year: expected a whole year between {FIRST_YEAR} and {LAST_YEAR}.")
    return values


def _areas(table: pd.DataFrame, column: str) -> pd.Series:
    areas = table[column].astype("string").str.strip()
    areas = areas.where(areas != "")
    if areas.dropna().str.fullmatch(r"\d+\.0").all():  # ZIP codes read as numbers
        areas = areas.str.replace(r"\.0$", "", regex=True)
    state = find_column(table, ["state", "state_code", "province"])
    if state is not None and table[state].nunique() > 1:  # one county name in several states
        areas = areas + " (" + table[state].astype("string").fillna("?") + ")"
    return areas.astype(object).where(areas.notna(), None)


def _summary(history: pd.DataFrame) -> str:
    fleet = " with each area's whole fleet" if "all_vehicles" in history else ""
    last = history[history["year"] == history["year"].max()]["vehicles"].sum()
    return (f"Read an adoption history of {history['area'].nunique():,} areas over {history['year'].min()}–"
            f"{history['year'].max()}{fleet}: {last:,.0f} vehicles in {history['year'].max()}.")


def area_of_points(table: pd.DataFrame) -> pd.Series | None:
    """Each row's area (county, ZIP, ...) where the table names one, for demand points."""
    column = find_column(table, AREA_NAMES)
    return None if column is None else _areas(table, column)
