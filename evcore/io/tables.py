"""Finding columns by the names people use, and turning a column of strings into numbers or
dates with errors that name the line."""

from __future__ import annotations

import re
import warnings

import pandas as pd

from evcore.errors import InputError

# Column names people actually use, after normalising (lower case, non-alphanumerics to "_").
STATION_NAMES = ["station_id", "station", "site_id", "site", "station_name", "site_name", "location_id",
                 "charger_id", "chargepoint_id", "evse_id", "charger", "id"]
DATE_NAMES = ["date", "day", "timestamp", "datetime", "time", "date_time", "period", "ds"]
USAGE_NAMES = ["usage", "usage_count", "sessions", "session_count", "energy_kwh", "kwh", "energy",
               "volume", "consumption", "usage_kwh", "value", "y", "occupancy", "charging_hours",
               "plugged_hours", "plugged_in_hours", "port_hours", "duration_hours", "duration", "hours"]
# A usage column under one of these names holds plugged-in (port-)hours, not energy.
OCCUPANCY_NAMES = ["occupancy", "charging_hours", "plugged_hours", "plugged_in_hours", "port_hours",
                   "duration_hours", "duration", "hours"]
LAT_NAMES = ["latitude", "lat", "station_latitude", "y_lat", "lat_deg"]
LON_NAMES = ["longitude", "lon", "lng", "long", "station_longitude", "x_lon", "lon_deg"]
NAME_NAMES = ["name", "station_name", "site_name", "title", "address", "address_1", "location"]
WEIGHT_NAMES = ["weight", "vehicles", "vehicle_count", "ev_count", "evs", "count", "registrations", "n"]
SESSION_START_NAMES = ["start_date", "start_time", "start", "session_start", "start_datetime",
                       "plug_in_time", "connection_time", "started_at", "transaction_start",
                       "start_date_time", "start_date_and_time", "plug_in_date_time"]
SESSION_END_NAMES = ["end_date", "end_time", "end", "session_end", "end_datetime", "plug_out_time",
                     "disconnect_time", "ended_at", "transaction_stop", "end_date_time",
                     "end_date_and_time", "plug_out_date_time"]
SESSION_PORT_NAMES = ["port_number", "port", "port_id", "connector_id", "connector", "evse_port"]
PLUGGED_DURATION_NAMES = ["total_duration_hh_mm_ss", "total_duration", "plugged_duration", "duration"]
CHARGING_DURATION_NAMES = ["charging_time_hh_mm_ss", "charging_time", "charging_duration"]
SESSION_ENERGY_NAMES = ["energy_kwh", "energy", "kwh", "total_energy", "energy_delivered_kwh",
                        "consumed_energy_kwh", "meter_total_kwh"]
SESSION_HINT_NAMES = ["total_duration_hh_mm_ss", "charging_time_hh_mm_ss", "duration", "user_id",
                      "port_type", "plug_type", "session_id"]
VEHICLE_HINT_NAMES = ["vin", "vin_1_10", "make", "model", "model_year", "electric_vehicle_type",
                      "electric_range", "dol_vehicle_id"]
YEAR_NAMES = ["year", "model_year", "registration_year", "yr", "calendar_year"]
# Where the vehicles are: the first of these found is the area (counties pool better than ZIPs).
AREA_NAMES = ["area", "region", "county", "county_name", "district", "municipality", "postal_code",
              "zip", "zip_code", "zipcode", "postcode", "tract", "census_tract", "city"]
STOCK_NAMES = ["vehicles", "electric_vehicles", "electric_vehicle_ev_total", "ev_total", "evs", "ev_count",
               "ev_stock", "stock", "registered", "registrations", "vehicle_count", "count", "n"]
# Counts of the year's new vehicles (added up into a stock when read).
ADDITION_NAMES = ["new_registrations", "new_vehicles", "new_evs", "sales", "additions", "registrations_in_year"]
FLEET_NAMES = ["all_vehicles", "total_vehicles", "fleet", "fleet_size", "vehicles_total", "all_registrations"]
CHARGER_NAMES = ["ports", "chargers", "charger_num", "number_of_points", "num_chargers", "evse_count", "port_count",
                 "number_of_ports"]
POWER_NAMES = ["power_kw", "avg_power", "max_power_kw", "power"]

# Numbers larger than this are refused: no kWh, vehicle count or coordinate is that large, and
# sums of such numbers would overflow to infinity.
MAX_ABS_NUMBER = 1e15
# A time-zone offset after a time of day: "10:00Z", "10:00:00+02:00", "10:00 -0500", "10:00 UTC".
TIME_ZONE_SUFFIX = r"(\d:\d\d(?::\d\d(?:\.\d+)?)?)\s*(Z|UTC|GMT|[+-]\d\d:?\d\d)$"
HAS_TIME_ZONE = re.sub(r"\((?!\?)", "(?:", TIME_ZONE_SUFFIX)  # the same, without groups, for a search


def without_time_zone(values: pd.Series) -> pd.Series:
    # Most files have no offsets: one vectorised search (Arrow's regex) spares a Python-level
    # replace over every row, the slowest step of reading a large session export.
    if not values.astype("string[pyarrow]").str.contains(HAS_TIME_ZONE, regex=True).fillna(False).any():
        return values
    return values.str.replace(TIME_ZONE_SUFFIX, r"\1", regex=True)


WKT_POINT = re.compile(r"^\s*POINT\s*Z?\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)(?:\s+[-+0-9.eE]+)?\s*\)\s*$",
                       re.IGNORECASE)

def normalise(column: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(column).lower()).strip("_")


def find_column(table: pd.DataFrame, names: list[str], exclude=()) -> str | None:
    """The first column whose normalised name is in ``names`` (in the order of ``names``),
    preferring one that has values over one left entirely empty."""
    normalised = {}
    for col in table.columns:
        if col not in exclude:
            normalised.setdefault(normalise(col), col)
    found = [normalised[wanted] for wanted in names if wanted in normalised]
    with_values = [col for col in found if table[col].notna().any()]
    return (with_values or found or [None])[0]


def line_of(table: pd.DataFrame, index) -> int:
    """The file line of a data row: the header is line 1."""
    return int(table.index.get_loc(index)) + 2


def numbers_in(table: pd.DataFrame, column: str, name: str, what: str = "a number") -> pd.Series:
    raw = table[column]
    if raw.isna().all():
        raise InputError(f"{name}: column {column!r} has no values at all: expected {what} on "
                         "each row.")
    cleaned = raw.astype("string").str.replace(r"^\((.*)\)$", r"-\1", regex=True)
    if cleaned.dropna().str.contains(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$").all():
        cleaned = cleaned.str.replace(",", "", regex=False)  # thousands separators
    elif cleaned.dropna().str.contains(r"^-?\d+,\d+$").any() and not cleaned.dropna().str.contains(r"\.").any():
        cleaned = cleaned.str.replace(",", ".", regex=False)  # decimal commas
    values = pd.to_numeric(cleaned, errors="coerce").astype(float)
    bad = values.isna() & raw.notna()
    if bad.any():
        first = bad.idxmax()
        raise InputError(f"{name}: column {column!r}, line {line_of(table, first)}: "
                         f"{str(raw[first])[:40]!r} is not {what}.")
    huge = values.abs() > MAX_ABS_NUMBER  # inf, 1e400 and numbers whose sums would overflow
    if huge.any():
        first = huge.idxmax()
        raise InputError(f"{name}: column {column!r}, line {line_of(table, first)}: "
                         f"{str(raw[first])[:40]!r} is not a finite number of a sensible size: expected "
                         f"{what} smaller than 1e15.")
    return values


def dates_in(table: pd.DataFrame, column: str, name: str, notes: list[str] | None = None) -> pd.Series:
    """The column's dates (local wall-clock time: time-zone offsets are dropped, with a note),
    refusing values that are not dates and a column that mixes date formats."""
    raw = table[column]
    if raw.isna().all():
        raise InputError(f"{name}: column {column!r} has no values at all: expected a date on each row.")
    with_offset = (without_time_zone(raw) != raw) & raw.notna()
    if with_offset.any() and notes is not None:
        offsets = sorted(raw[with_offset].str.extract(TIME_ZONE_SUFFIX)[1].unique())
        notes.append(f"Column {column!r} has time-zone offsets ({', '.join(offsets[:4])}"
                     f"{', ...' if len(offsets) > 4 else ''}): used each time as written (local time), "
                     "without the offset.")
    values = parse_dates(raw)
    bad = values.isna() & raw.notna()
    if bad.any():
        first = bad.idxmax()
        raise InputError(f"{name}: column {column!r}, line {line_of(table, first)}: "
                         f"{str(raw[first])[:40]!r} is not a date (expected e.g. 2024-03-31 or "
                         "2024-03-31 14:00).")
    _check_one_format(raw, column, table, name)
    return values


def _date_shape(values: pd.Series) -> pd.Series:
    """What a date looks like, digits and words aside: '2024-01-05' and '2024-1-5' alike, not
    '01/05/2024'. The time of day and a time-zone offset are left out."""
    date_part = without_time_zone(values)
    date_part = date_part.str.replace(r"[ T]\d{1,2}:\d\d.*$", "", regex=True).str.strip()
    return date_part.str.replace(r"\d+", "9", regex=True).str.replace(r"[^\W\d_]+", "a", regex=True)


def _check_one_format(raw: pd.Series, column: str, table: pd.DataFrame, name: str) -> None:
    present = raw.dropna()
    distinct = pd.Series(present.unique())
    shapes = _date_shape(distinct)
    if shapes.nunique() > 1:
        first, second = distinct[shapes == shapes.iloc[0]].iloc[0], distinct[shapes != shapes.iloc[0]].iloc[0]
        where = [line_of(table, present.index[(present == value).to_numpy().argmax()]) for value in (first, second)]
        raise InputError(f"{name}: column {column!r} mixes date formats ({str(first)[:30]!r} on line {where[0]}, "
                         f"{str(second)[:30]!r} on line {where[1]}): expected one date format throughout.")


def parse_dates(raw: pd.Series) -> pd.Series:
    raw = without_time_zone(raw)
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
        if getattr(parsed.dt, "tz", None) is not None:  # e.g. "UTC" written out: keep the wall time
            parsed = parsed.dt.tz_localize(None)
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


def date_share(raw: pd.Series) -> float:
    present = raw.dropna().head(200)
    if present.empty or present.str.fullmatch(r"-?\d+(\.\d+)?").mean() > 0.5:
        return 0.0
    return float(parse_dates(present).notna().mean())


def number_share(raw: pd.Series) -> float:
    present = raw.dropna().head(500)
    if present.empty:
        return 0.0
    return float(pd.to_numeric(present.str.replace(",", "", regex=False), errors="coerce").notna().mean())
