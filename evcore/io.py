"""Read every supported charging-data format into the canonical tables (see ``evcore.data``).

The format is detected from the content, never from the file name. Every reader either returns
a ``Reading`` (what was detected, the tables, and notes on what was dropped or repaired) or
raises ``InputError`` with one sentence naming the file, the column or line, and what was
expected.

Supported: wide usage tables (a timestamp column and one column per station, hourly or daily),
long usage tables, session-level exports (one row per charging session), station lists (CSV
with latitude/longitude, Open Charge Map JSON) and demand points (latitude/longitude columns or
WKT ``POINT (lon lat)``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from evcore.data import DEMAND_COLUMNS, STATION_COLUMNS, USAGE_COLUMNS, Dataset
from evcore.errors import InputError

KINDS = ("usage", "stations", "demand")

# Column names people actually use, after normalising (lower case, non-alphanumerics to "_").
STATION_NAMES = ["station_id", "station", "site_id", "site", "station_name", "site_name", "location_id",
                 "charger_id", "chargepoint_id", "evse_id", "charger", "id"]
DATE_NAMES = ["date", "day", "timestamp", "datetime", "time", "date_time", "period", "ds"]
USAGE_NAMES = ["usage", "usage_count", "sessions", "session_count", "energy_kwh", "kwh", "energy",
               "volume", "consumption", "usage_kwh", "value", "y"]
LAT_NAMES = ["latitude", "lat", "station_latitude", "y_lat", "lat_deg"]
LON_NAMES = ["longitude", "lon", "lng", "long", "station_longitude", "x_lon", "lon_deg"]
NAME_NAMES = ["name", "station_name", "site_name", "title", "address", "address_1", "location"]
WEIGHT_NAMES = ["weight", "vehicles", "vehicle_count", "ev_count", "evs", "count", "registrations", "n"]
SESSION_START_NAMES = ["start_date", "start_time", "start", "session_start", "start_datetime",
                       "plug_in_time", "connection_time", "started_at", "transaction_start"]
SESSION_END_NAMES = ["end_date", "end_time", "end", "session_end", "end_datetime", "plug_out_time",
                     "disconnect_time", "ended_at", "transaction_stop"]
SESSION_ENERGY_NAMES = ["energy_kwh", "energy", "kwh", "total_energy", "energy_delivered_kwh",
                        "consumed_energy_kwh", "meter_total_kwh"]
SESSION_HINT_NAMES = ["total_duration_hh_mm_ss", "charging_time_hh_mm_ss", "duration", "user_id",
                      "port_type", "plug_type", "session_id"]
VEHICLE_HINT_NAMES = ["vin", "vin_1_10", "make", "model", "model_year", "electric_vehicle_type",
                      "electric_range", "dol_vehicle_id"]
CHARGER_NAMES = ["chargers", "charger_num", "number_of_points", "num_chargers", "ports", "evse_count"]
POWER_NAMES = ["power_kw", "avg_power", "max_power_kw", "power"]

WKT_POINT = re.compile(r"^\s*POINT\s*Z?\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)(?:\s+[-+0-9.eE]+)?\s*\)\s*$",
                       re.IGNORECASE)


@dataclass
class Reading:
    """One file, read: its kind (usage, stations or demand), the format detected, the tables."""

    source: str
    kind: str
    format: str
    dataset: Dataset
    points: pd.DataFrame | None = None  # every located input row, in file order

    @property
    def notes(self) -> list[str]:
        return self.dataset.notes

    def summary(self) -> dict:
        """The figures ``validate`` prints and the home page shows."""
        d = self.dataset
        out = {"file": self.source, "kind": self.kind, "format": self.format}
        if self.kind == "usage":
            active = d.usage.groupby("station_id")["usage"].sum()
            out["stations"] = int(d.usage["station_id"].nunique())
            out["stations_with_usage"] = int((active > 0).sum())
            start, end = d.usage["date"].min(), d.usage["date"].max()
            out["days"] = int((end - start).days) + 1
            out["start"] = start.strftime("%Y-%m-%d")
            out["end"] = end.strftime("%Y-%m-%d")
            out["unit"] = d.usage_unit
            out["total_usage"] = round(float(d.usage["usage"].sum()), 3)
            if d.sessions is not None:
                out["sessions"] = int(d.sessions["sessions"].sum())
            if d.stations is not None:
                out["located_stations"] = int(len(d.stations))
        elif self.kind == "stations":
            out["stations"] = int(len(d.stations))
        else:
            out["points"] = int(len(d.demand))
            out["weight"] = int(round(float(d.demand["weight"].sum())))
        out["notes"] = list(d.notes)
        return out


# --- public readers ---------------------------------------------------------------------------

def read_file(source, name: str | None = None) -> Reading:
    """Read any supported file (path, bytes or file-like), detecting its format from the content."""
    name = name or _source_name(source)
    raw = _read_bytes(source, name)
    text = _decode(raw, name)
    stripped = text.lstrip()
    if not stripped:  # e.g. nothing but a byte-order mark
        raise InputError(f"{name} is empty: expected a CSV file with a header row and data rows.")
    if stripped.startswith(("[", "{")):
        return _read_json(text, name)
    if re.match(r"(?is)^(<!doctype\s+html|<html|<\?xml|<head|<body|<table|<div)", stripped):
        raise InputError(f"{name} is an HTML or XML page, not a data table: expected a CSV file "
                         "with a header row (save the table itself as CSV).")
    table = _read_csv(text, name)
    return _read_table(table, name)


def read_usage(source, name: str | None = None) -> pd.DataFrame:
    """The long daily usage table (``station_id, date, usage``) from a usage file."""
    return _expect(read_file(source, name), "usage").dataset.usage


def read_stations(source, name: str | None = None) -> pd.DataFrame:
    """The stations table from a station list (or from a session export that has coordinates)."""
    reading = read_file(source, name)
    if reading.dataset.stations is not None:
        return reading.dataset.stations
    return _expect(reading, "stations").dataset.stations


def read_demand(source, name: str | None = None) -> pd.DataFrame:
    """Demand points (``latitude, longitude, weight``), aggregated to distinct locations.

    A station list given as demand counts each station as one unit of demand.
    """
    reading = read_file(source, name)
    if reading.kind == "demand":
        return reading.dataset.demand
    if reading.dataset.stations is not None:
        return aggregate_points(reading.dataset.stations[["latitude", "longitude"]].assign(weight=1.0))
    return _expect(reading, "demand").dataset.demand


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
    """One dataset from several files: usage, stations and demand by their detected kind.

    Stations from a session export are used when no station list was given.
    """
    usage = stations = demand = sessions = None
    unit = "kWh"
    notes: list[str] = []
    for r in readings:
        d = r.dataset
        notes += [f"{r.source}: {n}" for n in d.notes]
        if r.kind == "usage":
            usage, unit, sessions = d.usage, d.usage_unit, d.sessions
            if d.stations is not None and stations is None:
                stations = d.stations
        elif r.kind == "stations":
            stations = d.stations
        else:
            demand = d.demand
    return Dataset(name=name, usage=usage, stations=stations, demand=demand, usage_unit=unit,
                   sessions=sessions, notes=notes)


def aggregate_points(points: pd.DataFrame) -> pd.DataFrame:
    """Sum weights over identical coordinates: one row per distinct location."""
    grouped = points.groupby(["latitude", "longitude"], as_index=False, sort=True)["weight"].sum()
    return grouped[DEMAND_COLUMNS].reset_index(drop=True)


# --- bytes and text ---------------------------------------------------------------------------

def _source_name(source) -> str:
    if isinstance(source, (str, Path)):
        return Path(source).name
    return getattr(source, "name", None) or "the uploaded file"


def _read_bytes(source, name: str) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        raw = bytes(source)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise InputError(f"{path} does not exist: expected a path to a CSV or JSON file.")
        if path.is_dir():
            raise InputError(f"{path} is a folder: expected a CSV or JSON file.")
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path} cannot be read ({exc.strerror}).") from None
    else:
        raw = source.read()
        if hasattr(source, "seek"):
            source.seek(0)
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
    if not raw.strip():
        raise InputError(f"{name} is empty: expected a CSV file with a header row and data rows.")
    return raw


BINARY_SIGNATURES = [
    (b"PK\x03\x04", "a ZIP archive or an Excel/OpenDocument spreadsheet"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Office document"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"SQLite format 3", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
    (b"\x7fELF", "a program binary"),
]


def _decode(raw: bytes, name: str) -> str:
    for signature, what in BINARY_SIGNATURES:
        if raw.startswith(signature):
            raise InputError(f"{name} is {what}, not a CSV: save it as a comma-separated CSV "
                             "(UTF-8) and upload that.")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    head = raw[:65536]
    if b"\x00" in head:
        raise InputError(f"{name} is a binary file, not text: expected a CSV or JSON file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    sample = text[:65536]
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if control > max(3, len(sample) // 200) or sample.count("\ufffd") > max(3, len(sample) // 50):
        raise InputError(f"{name} is not readable text (it looks like binary data): expected a "
                         "CSV or JSON file.")
    return text


def _sniff_separator(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    best, best_score = ",", -1
    for sep in [",", ";", "\t", "|"]:
        counts = [len(next(csv.reader([ln], delimiter=sep))) for ln in lines]
        if counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0])
        score = consistent * 1000 + counts[0]
        if score > best_score:
            best, best_score = sep, score
    return best


def _read_csv(text: str, name: str) -> pd.DataFrame:
    sep = _sniff_separator(text)
    try:
        table = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                            skipinitialspace=True, skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        match = re.search(r"line (\d+), saw (\d+)", str(exc))
        where = f" (line {match.group(1)} has {match.group(2)} fields)" if match else ""
        raise InputError(f"{name} is not a regular CSV table{where}: expected the same number "
                         "of fields on every line as in the header.") from None
    except (pd.errors.EmptyDataError, csv.Error, UnicodeError, ValueError) as exc:
        raise InputError(f"{name} cannot be read as CSV ({exc}): expected a header row and "
                         "data rows.") from None
    table.columns = [str(c).strip() for c in table.columns]
    repeated = table.columns[table.columns.duplicated()]
    if len(repeated):
        raise InputError(f"{name}: the header names column {repeated[0]!r} twice: expected each "
                         "column name once.")
    if len(table.columns) < 2:
        raise InputError(f"{name} has a single column ({table.columns[0][:40]!r}): expected a "
                         "table with several columns separated by commas or semicolons.")
    if table.empty:
        raise InputError(f"{name} has a header but no data rows: expected at least one row "
                         "below the header.")
    table = table.apply(lambda col: col.str.strip())
    table = table.replace({"": np.nan, "NA": np.nan, "N/A": np.nan, "NaN": np.nan, "nan": np.nan,
                           "null": np.nan, "NULL": np.nan, "None": np.nan, "-": np.nan})
    return table


def _norm(column: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(column).lower()).strip("_")


def _find(table: pd.DataFrame, names: list[str], exclude=()) -> str | None:
    """The first column whose normalised name is in ``names`` (in the order of ``names``),
    preferring one that has values over one left entirely empty."""
    normalised = {}
    for col in table.columns:
        if col not in exclude:
            normalised.setdefault(_norm(col), col)
    found = [normalised[wanted] for wanted in names if wanted in normalised]
    with_values = [col for col in found if table[col].notna().any()]
    return (with_values or found or [None])[0]


def _line(table: pd.DataFrame, index) -> int:
    """The file line of a data row: the header is line 1."""
    return int(table.index.get_loc(index)) + 2


# --- value conversion with row-precise errors ---------------------------------------------------

def _numbers(table: pd.DataFrame, column: str, name: str, what: str = "a number") -> pd.Series:
    raw = table[column]
    if raw.isna().all():
        raise InputError(f"{name}: column {column!r} has no values at all: expected {what} on "
                         "each row.")
    cleaned = raw.astype("string").str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    if cleaned.dropna().str.contains(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$").all():
        cleaned = cleaned.str.replace(",", "", regex=False)  # thousands separators
    elif cleaned.dropna().str.contains(r"^-?\d+,\d+$").any() and not cleaned.dropna().str.contains(r"\.").any():
        cleaned = cleaned.str.replace(",", ".", regex=False)  # decimal commas
    values = pd.to_numeric(cleaned, errors="coerce")
    bad = values.isna() & raw.notna()
    if bad.any():
        first = bad.idxmax()
        raise InputError(f"{name}: column {column!r}, line {_line(table, first)}: "
                         f"{str(raw[first])[:40]!r} is not {what}.")
    return values.astype(float)


def _dates(table: pd.DataFrame, column: str, name: str) -> pd.Series:
    raw = table[column]
    if raw.isna().all():
        raise InputError(f"{name}: column {column!r} has no values at all: expected a date on each row.")
    values = _parse_dates(raw)
    bad = values.isna() & raw.notna()
    if bad.any():
        first = bad.idxmax()
        raise InputError(f"{name}: column {column!r}, line {_line(table, first)}: "
                         f"{str(raw[first])[:40]!r} is not a date (expected e.g. 2024-03-31 or "
                         "2024-03-31 14:00).")
    return values


def _parse_dates(raw: pd.Series) -> pd.Series:
    present = raw.dropna()
    if present.empty:
        return pd.Series(pd.NaT, index=raw.index)
    if present.str.fullmatch(r"\d{9,13}(\.\d+)?").all():  # epoch seconds or milliseconds
        numbers = pd.to_numeric(raw, errors="coerce")
        unit = "ms" if numbers.max() > 1e11 else "s"
        return pd.to_datetime(numbers, unit=unit, errors="coerce")
    best = None
    for kwargs in ({}, {"dayfirst": True}, {"format": "mixed"}, {"format": "mixed", "dayfirst": True}):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "could not infer format": we check
                parsed = pd.to_datetime(raw, errors="coerce", **kwargs)
        except (ValueError, TypeError, OverflowError):
            continue
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert(None)
        if best is None or parsed.notna().sum() > best.notna().sum():
            best = parsed
        if parsed.notna().sum() == len(present):
            break
    # Plain numbers ("12", "3.5") are not dates even where a parser would accept them.
    if best is not None and present.str.fullmatch(r"-?\d+(\.\d+)?").mean() > 0.5:
        best = pd.Series(pd.NaT, index=raw.index)
    if best is None:
        return pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    plausible = (best >= pd.Timestamp("1900-01-01")) & (best < pd.Timestamp("2200-01-01"))
    return best.where(plausible).astype("datetime64[ns]")


def _date_share(raw: pd.Series) -> float:
    present = raw.dropna().head(200)
    if present.empty or present.str.fullmatch(r"-?\d+(\.\d+)?").mean() > 0.5:
        return 0.0
    return float(_parse_dates(present).notna().mean())


def _number_share(raw: pd.Series) -> float:
    present = raw.dropna().head(500)
    if present.empty:
        return 0.0
    return float(pd.to_numeric(present.str.replace(",", "", regex=False), errors="coerce").notna().mean())


# --- JSON ---------------------------------------------------------------------------------------

def _read_json(text: str, name: str) -> Reading:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name} looks like JSON but is not valid JSON (line {exc.lineno}: "
                         f"{exc.msg}): expected an Open Charge Map list of POIs or a CSV table.") from None
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        data = _geojson_point_records(data, name)
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
        return _read_open_charge_map(data, name)
    table = pd.DataFrame(data).astype("string").astype(object).where(lambda t: t.notna(), np.nan)
    table.columns = [str(c) for c in table.columns]
    return _read_table(table, name, fmt_prefix="JSON records: ")


def _geojson_point_records(collection: dict, name: str) -> list[dict]:
    """GeoJSON Point features as flat records: their properties plus latitude and longitude."""
    records = []
    for i, feature in enumerate(collection.get("features") or []):
        geometry = (feature or {}).get("geometry") or {}
        coordinates = geometry.get("coordinates")
        if geometry.get("type") != "Point" or not isinstance(coordinates, list) or len(coordinates) < 2:
            raise InputError(f"{name}: GeoJSON feature number {i + 1} is not a Point: expected point "
                             "features (one station or demand point each).")
        properties = feature.get("properties") or {}
        records.append({**properties, "longitude": coordinates[0], "latitude": coordinates[1]})
    return records


def _read_open_charge_map(pois: list[dict], name: str) -> Reading:
    rows, skipped = [], 0
    for i, poi in enumerate(pois):
        address = poi.get("AddressInfo") or {}
        lat, lon = address.get("Latitude"), address.get("Longitude")
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
            skipped += 1
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"{name}: POI number {i + 1} (ID {poi.get('ID')}) has latitude/longitude "
                             f"{lat}, {lon}: expected latitude in -90..90 and longitude in -180..180.")
        connections = poi.get("Connections") or []
        powers = [c.get("PowerKW") for c in connections if isinstance(c, dict)
                  and isinstance(c.get("PowerKW"), (int, float))]
        points = poi.get("NumberOfPoints")
        rows.append({
            "station_id": str(poi.get("ID", i)),
            "name": str(address.get("Title") or f"POI {poi.get('ID', i)}"),
            "latitude": float(lat),
            "longitude": float(lon),
            "chargers": float(points) if isinstance(points, (int, float)) else float(len(connections) or np.nan),
            "power_kw": float(max(powers)) if powers else np.nan,
            "town": address.get("Town"),
        })
    if not rows:
        raise InputError(f"{name}: no Open Charge Map POI has numeric AddressInfo.Latitude and "
                         "Longitude: expected coordinates for at least one POI.")
    notes = [f"Read {len(rows)} stations from an Open Charge Map POI list."]
    if skipped:
        notes.append(f"Dropped {skipped} POIs without coordinates.")
    points = pd.DataFrame(rows)
    stations = _dedupe_stations(points, notes)
    return Reading(name, "stations", "Open Charge Map JSON (POI list)",
                   Dataset(name=name, stations=stations, notes=notes), points=points)


# --- tables -------------------------------------------------------------------------------------

def _read_table(table: pd.DataFrame, name: str, fmt_prefix: str = "") -> Reading:
    """Detect what a table is from its columns and values, and read it."""
    table = table.dropna(how="all")
    if table.empty:
        raise InputError(f"{name} has a header but no data rows: expected at least one row below "
                         "the header.")
    lat, lon = _find(table, LAT_NAMES), _find(table, LON_NAMES)
    wkt = _wkt_column(table)
    station = _find(table, STATION_NAMES)
    start = _find(table, SESSION_START_NAMES)
    energy = _find(table, SESSION_ENERGY_NAMES)
    has_session_hint = (_find(table, SESSION_END_NAMES) is not None
                        or _find(table, SESSION_HINT_NAMES) is not None)

    if station and start and energy and has_session_hint:
        return _read_sessions(table, name, station, start, energy, fmt_prefix)
    date = _find(table, DATE_NAMES)
    value = _find(table, USAGE_NAMES, exclude=(station, date))
    if station and date and value:
        return _read_long_usage(table, name, station, date, value, fmt_prefix)
    if (lat and lon) or wkt:
        is_vehicle_list = _find(table, VEHICLE_HINT_NAMES) is not None
        weight = _find(table, WEIGHT_NAMES)
        if wkt or weight or is_vehicle_list or not (station or _find(table, NAME_NAMES)):
            return _read_demand(table, name, lat, lon, wkt, weight, fmt_prefix)
        return _read_station_list(table, name, lat, lon, station, fmt_prefix)
    time_column = _wide_time_column(table)
    if time_column is not None:
        return _read_wide_usage(table, name, time_column, fmt_prefix)
    columns = ", ".join(repr(c) for c in list(table.columns)[:8])
    raise InputError(
        f"{name}: the columns ({columns}{', ...' if len(table.columns) > 8 else ''}) fit no "
        "supported format: expected a timestamp column plus one column per station, station/date/"
        "usage columns, a session export, or latitude/longitude columns.")


def _wide_time_column(table: pd.DataFrame) -> str | None:
    """The timestamp column of a wide table: dates in it, numbers in the other columns."""
    for col in list(table.columns)[:3]:
        if _date_share(table[col]) >= 0.9:
            others = [c for c in table.columns if c != col]
            if others and np.mean([_number_share(table[c]) for c in others if table[c].notna().any()] or [0]) >= 0.9:
                return col
    return None


def _read_wide_usage(table: pd.DataFrame, name: str, time_column: str, fmt_prefix: str) -> Reading:
    notes: list[str] = []
    stamps = _dates(table, time_column, name)
    station_columns = [c for c in table.columns if c != time_column]
    unnamed = [c for c in station_columns if c.lower().startswith("unnamed")]
    if unnamed:
        raise InputError(f"{name}: column {station_columns.index(unnamed[0]) + 2} has no name in the "
                         "header: expected a station id above every usage column.")
    for col in station_columns:
        if table[col].isna().all():
            raise InputError(f"{name}: column {col!r} has no values at all: expected usage numbers "
                             "for that station.")
    values = pd.DataFrame({col: _numbers(table, col, name, "a usage number") for col in station_columns})
    values.index = pd.DatetimeIndex(stamps)
    values = values[values.index.notna()]
    step = pd.Series(values.index.sort_values()).diff().median()
    hourly = pd.notna(step) and step < pd.Timedelta(days=1)
    long = values.rename_axis(index="date", columns="station_id").stack().rename("usage").reset_index()
    long["station_id"] = long["station_id"].astype(str)
    if hourly:
        notes.append(f"Summed {'hourly' if step == pd.Timedelta(hours=1) else 'sub-daily'} values "
                     "to daily totals.")
    usage = _clean_usage(long, name, notes, already_aggregated=False)
    fmt = f"{fmt_prefix}wide table, {'hourly' if hourly else 'daily'} (a timestamp column and one column per station)"
    return Reading(name, "usage", fmt, Dataset(name=name, usage=usage, usage_unit=_unit_of(None), notes=notes))


def _read_long_usage(table, name, station, date, value, fmt_prefix) -> Reading:
    notes: list[str] = []
    ids = table[station]
    if ids.isna().all():
        raise InputError(f"{name}: column {station!r} has no values at all: expected a station id on each row.")
    missing_id = ids.isna()
    if missing_id.any():
        notes.append(f"Dropped {int(missing_id.sum())} rows without a station id (first at line "
                     f"{_line(table, missing_id.idxmax())}).")
    dates = _dates(table, date, name)
    values = _numbers(table, value, name, "a usage number")
    long = pd.DataFrame({"station_id": ids.astype(str), "date": dates, "usage": values})[~missing_id]
    long = long.dropna(subset=["date"])
    missing_values = long["usage"].isna().sum()
    if missing_values:
        notes.append(f"Left {int(missing_values)} empty usage values as missing days.")
    long = long.dropna(subset=["usage"])
    usage = _clean_usage(long, name, notes, already_aggregated=False)
    unit = _unit_of(value)
    fmt = f"{fmt_prefix}long table (station {station!r}, date {date!r}, usage {value!r})"
    return Reading(name, "usage", fmt, Dataset(name=name, usage=usage, usage_unit=unit, notes=notes))


def _read_sessions(table, name, station, start, energy, fmt_prefix) -> Reading:
    notes: list[str] = []
    ids = table[station]
    if ids.isna().all():
        raise InputError(f"{name}: column {station!r} has no values at all: expected a station on each session.")
    starts = _dates(table, start, name)
    kwh = _numbers(table, energy, name, "an energy number (kWh)")
    sessions = pd.DataFrame({"station_id": ids.astype(str), "date": starts.dt.normalize(), "usage": kwh})
    keep = ids.notna() & sessions["date"].notna()
    if (~keep).any():
        notes.append(f"Dropped {int((~keep).sum())} sessions without a station or start time.")
    sessions = sessions[keep]
    no_energy = sessions["usage"].isna()
    if no_energy.any():
        notes.append(f"Counted {int(no_energy.sum())} sessions with no energy value as 0 kWh.")
        sessions["usage"] = sessions["usage"].fillna(0.0)
    negative = sessions["usage"] < 0
    if negative.any():
        notes.append(f"Dropped {int(negative.sum())} sessions with negative energy.")
        sessions = sessions[~negative]
    counts = sessions.groupby(["station_id", "date"], as_index=False).size().rename(columns={"size": "sessions"})
    daily = sessions.groupby(["station_id", "date"], as_index=False)["usage"].sum()
    notes.insert(0, f"Aggregated {len(sessions):,} sessions to daily energy (kWh) and session counts.")
    usage = _clean_usage(daily, name, notes, already_aggregated=True)
    stations = None
    lat, lon = _find(table, LAT_NAMES), _find(table, LON_NAMES)
    if lat and lon:
        located = pd.DataFrame({"station_id": ids.astype(str),
                                "latitude": pd.to_numeric(table[lat], errors="coerce"),
                                "longitude": pd.to_numeric(table[lon], errors="coerce")})[ids.notna()]
        located = located.dropna()
        _check_coordinates(located["latitude"], located["longitude"], table, name, lat, lon)
        stations = located.groupby("station_id", as_index=False)[["latitude", "longitude"]].median()
        stations.insert(1, "name", stations["station_id"])
        city = _find(table, ["city"])
        if city:
            first_city = table[ids.notna()].assign(station_id=ids.astype(str)).groupby("station_id")[city].first()
            stations["city"] = stations["station_id"].map(first_city)
        notes.append(f"Located {len(stations)} of {usage['station_id'].nunique()} stations from the "
                     "sessions' coordinates.")
    fmt = f"{fmt_prefix}session export (one row per charging session)"
    dataset = Dataset(name=name, usage=usage, stations=stations, usage_unit="kWh", sessions=counts, notes=notes)
    return Reading(name, "usage", fmt, dataset, points=stations)


def _clean_usage(long: pd.DataFrame, name: str, notes: list[str], already_aggregated: bool) -> pd.DataFrame:
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
    span = (daily["date"].max() - daily["date"].min()).days + 1
    stations = daily["station_id"].nunique()
    expected = ((daily["date"].max() - daily.groupby("station_id")["date"].min()).dt.days + 1).sum()
    gaps = int(expected - len(daily))
    if gaps > 0:
        notes.append(f"{gaps} station-days are missing between a station's first day and the last "
                     f"day of the data; they are left as gaps, not zeros.")
    notes.append(f"{stations} stations, {span} days from {daily['date'].min():%Y-%m-%d} to "
                 f"{daily['date'].max():%Y-%m-%d}.")
    return daily[USAGE_COLUMNS].reset_index(drop=True)


def _unit_of(column: str | None) -> str:
    if column and any(word in _norm(column) for word in ("session", "count", "visits", "charges")):
        return "sessions"
    return "kWh"


def _wkt_column(table: pd.DataFrame) -> str | None:
    for col in table.columns:
        present = table[col].dropna().head(50)
        if not present.empty and present.str.match(r"^\s*POINT\s*Z?\s*\(", case=False).mean() > 0.8:
            return col
    return None


def _check_coordinates(lat: pd.Series, lon: pd.Series, table, name, lat_col, lon_col) -> None:
    for values, col, limit in ((lat, lat_col, 90), (lon, lon_col, 180)):
        bad = values.abs() > limit
        if bad.any():
            first = bad.idxmax()
            raise InputError(f"{name}: column {col!r}, line {_line(table, first)}: {values[first]:g} is "
                             f"out of range: expected a {'latitude' if limit == 90 else 'longitude'} "
                             f"between -{limit} and {limit}.")


def _coordinates(table, name, lat, lon, wkt) -> pd.DataFrame:
    """Latitude and longitude per row (NaN where a row has none), refusing malformed values."""
    if lat and lon:
        lats = _numbers(table, lat, name, "a latitude (a number)")
        lons = _numbers(table, lon, name, "a longitude (a number)")
        lat_col, lon_col = lat, lon
    else:
        raw = table[wkt]
        parts = raw.str.extract(WKT_POINT).apply(pd.to_numeric, errors="coerce")
        bad = parts.isna().any(axis=1) & raw.notna() & ~raw.str.contains(r"EMPTY", case=False, na=False)
        if bad.any():
            first = bad.idxmax()
            raise InputError(f"{name}: column {wkt!r}, line {_line(table, first)}: {str(raw[first])[:40]!r} "
                             "is not a WKT point: expected POINT (longitude latitude).")
        lons, lats = parts[0].astype(float), parts[1].astype(float)
        lat_col = lon_col = wkt
    if lats.isna().all() and lons.isna().all():
        raise InputError(f"{name}: no row has coordinates in {lat_col!r}: expected latitude and "
                         "longitude values.")
    _check_coordinates(lats, lons, table, name, lat_col, lon_col)
    return pd.DataFrame({"latitude": lats, "longitude": lons}, index=table.index)


def _read_demand(table, name, lat, lon, wkt, weight, fmt_prefix) -> Reading:
    notes: list[str] = []
    coords = _coordinates(table, name, lat, lon, wkt)
    if weight:
        weights = _numbers(table, weight, name, "a number of vehicles")
        negative = weights < 0
        if negative.any():
            first = negative.idxmax()
            raise InputError(f"{name}: column {weight!r}, line {_line(table, first)}: "
                             f"{weights[first]:g} is negative: expected a number of vehicles (0 or more).")
        weights = weights.fillna(0.0)
    else:
        weights = pd.Series(1.0, index=table.index)
    points = coords.assign(weight=weights)
    unlocated = points["latitude"].isna() | points["longitude"].isna()
    if unlocated.any():
        notes.append(f"Dropped {int(unlocated.sum())} rows without a location (first at line "
                     f"{_line(table, unlocated.idxmax())}).")
    points = points[~unlocated].reset_index(drop=True)
    demand = aggregate_points(points)
    if weight:
        notes.insert(0, f"Read {len(points):,} demand points weighted by {weight!r} "
                        f"({demand['weight'].sum():,.0f} in all) at {len(demand):,} distinct locations.")
    else:
        notes.insert(0, f"Counted {len(points):,} located vehicles at {len(demand):,} distinct locations.")
    source = f"WKT column {wkt!r}" if not (lat and lon) else f"columns {lat!r}/{lon!r}"
    what = "weighted points" if weight else "one row per vehicle"
    fmt = f"{fmt_prefix}demand points ({what}, coordinates from {source})"
    return Reading(name, "demand", fmt, Dataset(name=name, demand=demand, notes=notes), points=points)


def _read_station_list(table, name, lat, lon, station, fmt_prefix) -> Reading:
    notes: list[str] = []
    coords = _coordinates(table, name, lat, lon, None)
    label = _find(table, NAME_NAMES, exclude=(station,))
    # A row without an id is still a station: it takes its name, or its line in the file.
    lines = pd.Series([f"line {_line(table, i)}" for i in table.index], index=table.index)
    ids = table[station] if station else pd.Series(np.nan, index=table.index, dtype=object)
    if label:
        ids = ids.fillna(table[label])
    ids = ids.fillna(lines).astype(str)
    stations = pd.DataFrame({
        "station_id": ids,
        "name": table[label].fillna(ids).astype(str) if label else ids,
        "latitude": coords["latitude"],
        "longitude": coords["longitude"],
    }, index=table.index)
    for names, column in ((CHARGER_NAMES, "chargers"), (POWER_NAMES, "power_kw")):
        found = _find(table, names)
        if found:
            stations[column] = pd.to_numeric(table[found], errors="coerce")
    unlocated = stations["latitude"].isna() | stations["longitude"].isna()
    if unlocated.any():
        notes.append(f"Dropped {int(unlocated.sum())} stations without coordinates (first at line "
                     f"{_line(table, unlocated.idxmax())}).")
    points = stations[~unlocated].reset_index(drop=True)
    stations = _dedupe_stations(points, notes)
    notes.insert(0, f"Read {len(stations)} stations with coordinates.")
    fmt = f"{fmt_prefix}station list ({'id ' + repr(station) if station else 'name ' + repr(label)}, coordinates {lat!r}/{lon!r})"
    return Reading(name, "stations", fmt, Dataset(name=name, stations=stations, notes=notes), points=points)


def _dedupe_stations(stations: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    repeated = stations["station_id"].duplicated()
    if repeated.any():
        notes.append(f"Kept the first of {int(repeated.sum())} repeated station ids.")
        stations = stations[~repeated]
    columns = STATION_COLUMNS + [c for c in stations.columns if c not in STATION_COLUMNS]
    return stations[columns].reset_index(drop=True)


def _expect(reading: Reading, kind: str) -> Reading:
    if reading.kind != kind:
        raise InputError(f"{reading.source} is {reading.kind} data ({reading.format}): expected "
                         f"{'a usage table' if kind == 'usage' else kind + ' data'} here.")
    return reading
