"""The public readers: detect what a file is and hand it to the reader for its format."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd

from evcore.data import Dataset
from evcore.errors import InputError
from evcore.io.decode import MAX_COLUMNS, check_field_sizes, decode_text, read_bytes, read_csv_table, source_name
from evcore.io.history import history_layout, read_history_table
from evcore.io.places import aggregate_points, geojson_point_records, read_demand_table, read_open_charge_map, read_station_table, wkt_column
from evcore.io.reading import Reading
from evcore.io.tables import (DATE_NAMES, LAT_NAMES, LON_NAMES, NAME_NAMES, SESSION_END_NAMES, SESSION_ENERGY_NAMES,
                              SESSION_HINT_NAMES, SESSION_START_NAMES, STATION_NAMES, USAGE_NAMES, VEHICLE_HINT_NAMES,
                              WEIGHT_NAMES, find_column, normalise)
from evcore.io.sessions import read_sessions
from evcore.io.usage import MEASURES, read_long_usage, read_wide_usage, wide_time_column


def read_file(source, name: str | None = None, measure: str | None = None) -> Reading:
    """Read any supported file (path, bytes or file-like), detecting its format from the content.

    ``measure`` says what a usage table's values are, ``"energy"`` (kWh) or ``"occupancy"``
    (plugged-in port-hours); None: from a long table's column name, else energy."""
    if measure is not None and measure not in MEASURES:
        raise InputError(f"measure {measure!r}: expected one of {', '.join(MEASURES)}.")
    name = name or source_name(source)
    raw = read_bytes(source, name)
    text = decode_text(raw, name)
    stripped = text.lstrip()
    if not stripped:  # e.g. nothing but a byte-order mark
        raise InputError(f"{name} is empty: expected a CSV file with a header row and data rows.")
    if stripped.startswith(("[", "{")):
        return _read_json(text, name, measure)
    if re.match(r"(?is)^(<!doctype\s+html|<html|<\?xml|<head|<body|<table|<div)", stripped):
        raise InputError(f"{name} is an HTML or XML page, not a data table: expected a CSV file "
                         "with a header row (save the table itself as CSV).")
    table = read_csv_table(text, name, data=raw if raw.isascii() else None)  # ASCII: the same bytes, not copied
    del raw, text, stripped  # only the table is needed now: a large file's text is let go
    return _read_table(table, name, measure=measure)


def read_usage(source, name: str | None = None) -> pd.DataFrame:
    """The long daily usage table (``station_id, date, usage``) from a usage file."""
    return expect_kind(read_file(source, name), "usage").dataset.usage


def read_stations(source, name: str | None = None) -> pd.DataFrame:
    """The stations table from a station list (or from a session export that has coordinates)."""
    reading = read_file(source, name)
    if reading.dataset.stations is not None:
        return reading.dataset.stations
    return expect_kind(reading, "stations").dataset.stations


def read_demand(source, name: str | None = None) -> pd.DataFrame:
    """Demand points (``latitude, longitude, weight``), aggregated to distinct locations.

    A station list given as demand counts each station as one unit of demand.
    """
    reading = read_file(source, name)
    if reading.kind == "demand":
        return reading.dataset.demand
    if reading.dataset.stations is not None:
        return aggregate_points(reading.dataset.stations[["latitude", "longitude"]].assign(weight=1.0))
    return expect_kind(reading, "demand").dataset.demand


def read_history(source, name: str | None = None) -> pd.DataFrame:
    """The adoption history (``year, area, vehicles`` + ``all_vehicles`` where known) from a
    registrations-by-year table or a vehicle list with a year and an area column."""
    reading = read_file(source, name)
    if reading.dataset.history is not None:
        return reading.dataset.history
    raise InputError(f"{reading.source} is {reading.kind} data ({reading.format}): expected an adoption "
                     "history (year, area and vehicles columns, or a vehicle list with a year and an area column).")


def read_points(source, name: str | None = None) -> pd.DataFrame:
    """Any located rows (stations or demand) as ``latitude, longitude`` plus the columns present
    among ``station_id, name, weight``: one row per located input row, in file order (a session
    export gives one row per station)."""
    reading = read_file(source, name)
    if reading.points is not None:
        return reading.points
    raise InputError(f"{reading.source} is a {reading.format} with no coordinates: expected "
                     "latitude and longitude columns (or WKT POINT values).")


def combine(readings: list[Reading], name: str = "Uploaded data") -> Dataset:
    """One dataset from several files: usage, stations, demand and history by their detected kind.

    Stations from a session export are used when no station list was given.
    """
    usage = stations = demand = hourly = sessions = history = None
    unit = "kWh"
    notes: list[str] = []
    last = {r.kind: r for r in readings}  # of several files of one kind, the last is used
    for r in readings:
        if last[r.kind] is not r:
            notes.append(f"{r.source}: not used: several {r.kind} files were given together and the "
                         f"last one, {last[r.kind].source}, is used.")
            continue
        d = r.dataset
        notes += [f"{r.source}: {n}" for n in d.notes]
        if r.kind == "usage":
            usage, unit, hourly, sessions = d.usage, d.usage_unit, d.hourly, d.sessions
            if d.stations is not None and stations is None:
                stations = d.stations
        elif r.kind == "stations":
            stations = d.stations
        elif r.kind == "history":
            history = d.history
        else:
            demand = d.demand
            if d.history is not None and "history" not in last:  # a vehicle list: its counts too
                history = d.history
    return Dataset(name=name, usage=usage, stations=stations, demand=demand, usage_unit=unit,
                   hourly=hourly, sessions=sessions, history=history, notes=notes)


def _read_json(text: str, name: str, measure: str | None = None) -> Reading:
    data = _parse_json(text, name)
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        data = geojson_point_records(data, name)
    if isinstance(data, dict):
        for key in ("data", "results", "items"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            raise InputError(f"{name} is a JSON object, not a table: expected a CSV file or an Open "
                             "Charge Map JSON list of POIs.")
    if not isinstance(data, list) or not data:
        raise InputError(f"{name} is an empty JSON list: expected at least one record.")
    if not all(isinstance(item, dict) for item in data):
        raise InputError(f"{name} is a JSON list of {type(data[0]).__name__} values: expected a "
                         "list of objects (Open Charge Map POIs or table rows).")
    if any("AddressInfo" in item for item in data):
        return read_open_charge_map(data, name)
    if len({key for item in data for key in item}) > MAX_COLUMNS:
        raise InputError(f"{name}: the JSON records have more than {MAX_COLUMNS:,} different keys: expected "
                         "one key per column of a table.")
    table = pd.DataFrame(data).astype("string").astype(object).where(lambda t: t.notna(), np.nan)
    table.columns = [str(c) for c in table.columns]
    check_field_sizes(table, name)
    return _read_table(table, name, fmt_prefix="JSON records: ", measure=measure)


def _parse_json(text: str, name: str):
    """The JSON value, refusing NaN and Infinity (not JSON), non-finite numbers, integers too
    long to convert and nesting deeper than Python's parser can follow."""
    def refuse_constant(constant):
        raise InputError(f"{name} holds {constant}, which is not a JSON number: expected finite numbers.")

    def finite_float(text_value):
        value = float(text_value)
        if not math.isfinite(value):
            raise InputError(f"{name} holds the number {text_value[:30]}, too large for a float: expected "
                             "finite numbers.")
        return value

    try:
        return json.loads(text, parse_constant=refuse_constant, parse_float=finite_float)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name} looks like JSON but is not valid JSON (line {exc.lineno}: "
                         f"{exc.msg}): expected an Open Charge Map list of POIs or a CSV table.") from None
    except RecursionError:
        raise InputError(f"{name} is JSON nested too deeply to read: expected a list of records "
                         "(Open Charge Map POIs or table rows).") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise InputError(f"{name} holds a value that cannot be read as a number ({str(exc)[:60]}): "
                         "expected ordinary numbers.") from None


KNOWN_NAMES = {n for names in (STATION_NAMES, DATE_NAMES, USAGE_NAMES, LAT_NAMES, LON_NAMES, NAME_NAMES,
                               WEIGHT_NAMES, SESSION_START_NAMES, SESSION_END_NAMES, SESSION_ENERGY_NAMES)
               for n in names}


def _refuse_same_name_twice(table: pd.DataFrame, name: str) -> None:
    """Two columns we would look for under one name ('latitude' and 'Latitude'): which one is
    meant cannot be guessed."""
    seen: dict[str, str] = {}
    for column in table.columns:
        key = normalise(column)
        if key in KNOWN_NAMES and key in seen:
            raise InputError(f"{name}: columns {seen[key][:40]!r} and {str(column)[:40]!r} both name the "
                             f"{key!r} column: expected it once.")
        seen.setdefault(key, str(column))


def _read_table(table: pd.DataFrame, name: str, fmt_prefix: str = "", measure: str | None = None) -> Reading:
    """Detect what a table is from its columns and values, and read it."""
    table = table.dropna(how="all")
    if table.empty:
        raise InputError(f"{name} has a header but no data rows: expected at least one row below "
                         "the header.")
    _refuse_same_name_twice(table, name)
    lat, lon = find_column(table, LAT_NAMES), find_column(table, LON_NAMES)
    wkt = wkt_column(table)
    station = find_column(table, STATION_NAMES)
    start = find_column(table, SESSION_START_NAMES)
    energy = find_column(table, SESSION_ENERGY_NAMES)
    has_session_hint = (find_column(table, SESSION_END_NAMES) is not None
                        or find_column(table, SESSION_HINT_NAMES) is not None)

    if station and start and energy and has_session_hint:
        return read_sessions(table, name, station, start, energy, fmt_prefix)
    date = find_column(table, DATE_NAMES)
    value = find_column(table, USAGE_NAMES, exclude=(station, date))
    if station and date and value:
        return read_long_usage(table, name, station, date, value, fmt_prefix, measure)
    layout = None if (lat and lon) or wkt else history_layout(table)
    if layout is not None:
        return read_history_table(table, name, layout, fmt_prefix)
    if (lat and lon) or wkt:
        is_vehicle_list = find_column(table, VEHICLE_HINT_NAMES) is not None
        weight = find_column(table, WEIGHT_NAMES)
        if wkt or weight or is_vehicle_list or not (station or find_column(table, NAME_NAMES)):
            return read_demand_table(table, name, lat, lon, wkt, weight, fmt_prefix)
        return read_station_table(table, name, lat, lon, station, fmt_prefix)
    time_column = wide_time_column(table)
    if time_column is not None:
        return read_wide_usage(table, name, time_column, fmt_prefix, measure)
    columns = ", ".join(repr(c) for c in list(table.columns)[:8])
    raise InputError(
        f"{name}: the columns ({columns}{', ...' if len(table.columns) > 8 else ''}) fit no "
        "supported format: expected a timestamp column plus one column per station, station/date/"
        "usage columns, a session export, or latitude/longitude columns.")


def expect_kind(reading: Reading, kind: str) -> Reading:
    """``reading``, or the sentence saying it is another kind of data than ``kind``."""
    if reading.kind != kind:
        raise InputError(f"{reading.source} is {reading.kind} data ({reading.format}): expected "
                         f"{'a usage table' if kind == 'usage' else kind + ' data'} here.")
    return reading
