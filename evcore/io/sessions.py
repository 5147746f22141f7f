"""Session exports (one row per charging session, ChargePoint's and city portals' spellings):
daily energy with days without sessions as 0, the sessions themselves, their hourly energy and
occupancy, and the stations where the export has coordinates."""

from __future__ import annotations

import pandas as pd

from evcore.data import SESSION_COLUMNS, Dataset
from evcore.errors import InputError
from evcore.hourly import hourly_from_sessions
from evcore.io.places import check_coordinates
from evcore.io.reading import Reading
from evcore.io.usage import clean_usage, partial_last_day
from evcore.io.tables import (CHARGING_DURATION_NAMES, LAT_NAMES, LON_NAMES, PLUGGED_DURATION_NAMES,
                              SESSION_END_NAMES, SESSION_PORT_NAMES, dates_in, find_column, numbers_in)

# A session plugged in longer than this is a bad row (a missed plug-out), not a session to spread.
MAX_SESSION = pd.Timedelta(days=14)


def durations_in(table: pd.DataFrame, column: str | None) -> pd.Series:
    """A duration column (``h:mm:ss``, as ChargePoint writes them) as timedeltas; NaT where absent."""
    if column is None:
        return pd.Series(pd.NaT, index=table.index, dtype="timedelta64[ns]")
    text = table[column].astype("string").str.strip()
    clock = text.str.fullmatch(r"\d{1,4}:\d\d(:\d\d(\.\d+)?)?").fillna(False).astype(bool)
    text = text.where(clock).str.replace(r"^(\d+:\d\d)$", r"\1:00", regex=True)
    return pd.to_timedelta(text, errors="coerce")


def read_sessions(table, name, station, start, energy, fmt_prefix) -> Reading:
    notes: list[str] = []
    ids = table[station]
    if ids.isna().all():
        raise InputError(f"{name}: column {station!r} has no values at all: expected a station on each session.")
    starts = dates_in(table, start, name, notes)
    kwh = numbers_in(table, energy, name, "an energy number (kWh)")
    end_column = find_column(table, SESSION_END_NAMES)
    ends = dates_in(table, end_column, name, notes) if end_column else pd.Series(pd.NaT, index=table.index)
    plugged = durations_in(table, find_column(table, PLUGGED_DURATION_NAMES))
    charging = durations_in(table, find_column(table, CHARGING_DURATION_NAMES))
    port_column = find_column(table, SESSION_PORT_NAMES)
    sessions = pd.DataFrame({
        "station_id": ids.astype("str"),
        "port": (table[port_column].astype("str").str.strip() if port_column
                 else pd.Series(None, index=table.index, dtype="str")),
        "start": starts,
        "end": ends.fillna(starts + plugged),
        "energy": kwh,
    })
    keep = ids.notna() & starts.notna()
    if (~keep).any():
        notes.append(f"Dropped {int((~keep).sum())} sessions without a station or start time.")
    sessions, charging = sessions[keep], charging[keep]
    partial = partial_last_day(sessions["start"])
    if partial is not None:
        notes.append(f"The export ends at {sessions['start'].max():%Y-%m-%d %H:%M}, part-way through its last day: "
                     f"left {partial:%Y-%m-%d} out (a partial day would show as a sudden drop).")
        whole = sessions["start"].dt.normalize() != partial
        sessions, charging = sessions[whole], charging[whole]
    no_energy = sessions["energy"].isna()
    if no_energy.any():
        notes.append(f"Counted {int(no_energy.sum())} sessions with no energy value as 0 kWh.")
        sessions = sessions.assign(energy=sessions["energy"].fillna(0.0))
    negative = sessions["energy"] < 0
    if negative.any():
        notes.append(f"Dropped {int(negative.sum())} sessions with negative energy.")
        sessions, charging = sessions[~negative], charging[~negative]
    last_day = sessions["start"].max().normalize()

    daily = sessions.assign(date=sessions["start"].dt.normalize()).groupby(
        ["station_id", "date"], as_index=False)["energy"].sum().rename(columns={"energy": "usage"})
    daily, zeros = with_zero_days(daily, last_day)
    notes.insert(0, f"Aggregated {len(sessions):,} sessions to daily energy (kWh).")
    if zeros:
        notes.append(f"Counted {zeros:,} station-days without sessions, between a station's first session and "
                     f"the export's last day ({last_day:%Y-%m-%d}), as 0 kWh.")
    usage = clean_usage(daily, name, notes, already_aggregated=True)

    timed, charging = _sessions_with_times(sessions, charging, notes)
    hourly = None
    if not timed.empty:
        charging_end = timed["start"] + charging.where(charging.notna() & (charging >= pd.Timedelta(0)))
        hourly = hourly_from_sessions(timed, charging_end.fillna(timed["end"]),
                                      until=last_day + pd.Timedelta(hours=23))
        how = "charging time" if charging.notna().any() else "plug-in time"
        notes.append(f"Kept {len(timed):,} sessions with start and end times, and their hourly energy (spread over "
                     f"each session's {how}) and occupancy (plugged-in port-hours).")
    stations, located_note = _stations_of(table, ids, name, usage)
    if located_note:
        notes.append(located_note)
    fmt = f"{fmt_prefix}session export (one row per charging session)"
    dataset = Dataset(name=name, usage=usage, stations=stations, usage_unit="kWh", hourly=hourly,
                      sessions=timed if not timed.empty else None, notes=notes)
    return Reading(name, "usage", fmt, dataset, points=stations)


def with_zero_days(daily: pd.DataFrame, last_day: pd.Timestamp) -> tuple[pd.DataFrame, int]:
    """Daily energy with every day from a station's first session to ``last_day``: days without
    sessions are 0 (the export would have listed a session). Returns the table and the zeros added."""
    first = daily.groupby("station_id")["date"].min()
    full = pd.concat([pd.DataFrame({"station_id": sid, "date": pd.date_range(day, last_day, freq="D")})
                      for sid, day in first.items()], ignore_index=True)
    filled = full.merge(daily, on=["station_id", "date"], how="left")
    zeros = int(filled["usage"].isna().sum())
    return filled.fillna({"usage": 0.0}), zeros


def _sessions_with_times(sessions: pd.DataFrame, charging: pd.Series, notes: list[str]):
    """The sessions that can be placed in time: an end (or a duration), not before the start,
    and at most ``MAX_SESSION`` long."""
    no_end = sessions["end"].isna()
    backwards = sessions["end"] < sessions["start"]
    too_long = (sessions["end"] - sessions["start"]) > MAX_SESSION
    if no_end.all():
        notes.append("The sessions have no end time or duration: kept daily energy only (no hourly data, "
                     "no occupancy).")
    elif no_end.any():
        notes.append(f"Left {int(no_end.sum())} sessions without an end time or duration out of the hourly data.")
    if backwards.any():
        notes.append(f"Left {int(backwards.sum())} sessions that end before they start out of the hourly data.")
    if too_long.any():
        notes.append(f"Left {int(too_long.sum())} sessions plugged in longer than {MAX_SESSION.days} days out of "
                     "the hourly data.")
    good = ~(no_end | backwards | too_long)
    return sessions[good][SESSION_COLUMNS].reset_index(drop=True), charging[good].reset_index(drop=True)


def _stations_of(table, ids, name, usage) -> tuple[pd.DataFrame | None, str | None]:
    """The stations located by the sessions' coordinates, and a sentence on those without any."""
    lat, lon = find_column(table, LAT_NAMES), find_column(table, LON_NAMES)
    total = usage["station_id"].nunique()
    if not (lat and lon):
        return None, (f"The export has no coordinates: the {total} stations are forecast, but the maps cannot "
                      "show them (add a stations file with latitude and longitude).")
    located = pd.DataFrame({"station_id": ids.astype(str),
                            "latitude": pd.to_numeric(table[lat], errors="coerce"),
                            "longitude": pd.to_numeric(table[lon], errors="coerce")})[ids.notna()]
    located = located.dropna()
    check_coordinates(located["latitude"], located["longitude"], table, name, lat, lon)
    if located.empty:
        return None, (f"No session has coordinates: the {total} stations are forecast, but the maps cannot "
                      "show them.")
    stations = located.groupby("station_id", as_index=False)[["latitude", "longitude"]].median()
    stations.insert(1, "name", stations["station_id"])
    city = find_column(table, ["city"])
    if city:
        first_city = table[ids.notna()].assign(station_id=ids.astype(str)).groupby("station_id")[city].first()
        stations["city"] = stations["station_id"].map(first_city)
    missing = total - len(stations)
    sentence = f"Located {len(stations)} of {total} stations from the sessions' coordinates."
    if missing > 0:
        sentence += f" The other {missing} are forecast, but the maps cannot show them."
    return stations, sentence
