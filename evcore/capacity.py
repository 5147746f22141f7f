"""How busy every port is and how many ports each station needs (DESIGN.md, "Capacity").

Over the 28 days before the data's last day (the last day may be cut short), per station:
``ports`` (and ``ports_source``, where the count came from); ``utilisation`` = plugged-in hours in the window / (ports x 24 x 28);
``arrivals_per_hour`` = sessions starting in the busiest hour of the week / 4;
``mean_plugged_hours``; ``blocking`` = Erlang-B(ports, arrivals x mean hours x growth);
``ports_needed`` = the least c with Erlang-B(c, same load) <= target; ``observed_all_busy`` = the
share of the window's minutes with every port busy (a replay of the sessions). From hourly
occupancy without sessions: utilisation and the share of hours with every port busy; the
arrival figures are None.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.hourly import MAX_PORTS, station_ports

WINDOW_DAYS = 28
CAPACITY_COLUMNS = ["station_id", "ports", "utilisation", "arrivals_per_hour", "mean_plugged_hours", "blocking",
                    "ports_needed", "observed_all_busy", "ports_source"]
MAX_GROWTH = 1_000.0


def erlang_b(servers: int, load: float) -> float:
    """The Erlang-B blocking probability: ``servers`` ports, ``load`` Erlangs offered. The
    recursion B(0) = 1, B(c) = a B(c-1) / (c + a B(c-1)) stays in [0, 1] (no factorials)."""
    if servers < 0 or not math.isfinite(load) or load < 0:
        raise InputError(f"Erlang-B needs a port count of 0 or more and a finite load of 0 or more, got "
                         f"{servers} ports and load {load}.")
    blocking = 1.0
    for c in range(1, int(servers) + 1):
        blocking = load * blocking / (c + load * blocking)
    return blocking


def ports_for_target(load: float, target: float) -> int | None:
    """The least port count whose Erlang-B blocking at ``load`` is at most ``target``."""
    blocking, c = 1.0, 0
    while blocking > target:
        c += 1
        if c > MAX_PORTS:  # no site is that large: reported as None
            return None
        blocking = load * blocking / (c + load * blocking)
    return c


def check_settings(target: float, growth: float) -> None:
    """One sentence for a target or growth factor that cannot be used."""
    if not (isinstance(target, (int, float)) and math.isfinite(target) and 0 < target < 1):
        raise InputError(f"target {target}: expected a blocking probability between 0 and 1 (e.g. 0.1).")
    if not (isinstance(growth, (int, float)) and math.isfinite(growth) and 0 < growth <= MAX_GROWTH):
        raise InputError(f"growth {growth}: expected a factor above 0 and at most {MAX_GROWTH:g} (1.0 = today's "
                         "demand).")


def capacity_window(dataset) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The 28 days before the data's last day: [start, end), end the midnight that starts the last day."""
    if dataset.sessions is not None and not dataset.sessions.empty:
        last = dataset.sessions["start"].max()
    elif has_occupancy(dataset):
        last = dataset.hourly.dropna(subset=["occupancy"])["time"].max()
    else:
        raise InputError(f"{dataset.name} has neither charging sessions nor hourly occupancy: capacity needs a "
                         "session export (start and end times) or an hourly table of plugged-in hours.")
    end = last.normalize()
    return end - pd.Timedelta(days=WINDOW_DAYS), end


def has_occupancy(dataset) -> bool:
    return dataset.hourly is not None and dataset.hourly["occupancy"].notna().any()


def capacity_table(dataset, target: float = 0.1, growth: float = 1.0, ports: int | None = None) -> pd.DataFrame:
    """One row per station (``CAPACITY_COLUMNS``), busiest (highest utilisation) first.
    ``ports`` is the setting for stations whose data gives no port count."""
    check_settings(target, growth)
    start, end = capacity_window(dataset)
    known = station_ports(dataset, ports).set_index("station_id")
    counts = known["ports"]
    if dataset.sessions is not None and not dataset.sessions.empty:
        table = _from_sessions(dataset.sessions, counts, start, end, target, growth)
    else:
        table = _from_occupancy(dataset.hourly, counts, start, end)
    table["ports_source"] = table["station_id"].map(known["ports_source"])
    table = table.sort_values(["utilisation", "station_id"], ascending=[False, True], na_position="last")
    table["ports_needed"] = table["ports_needed"].astype("Int64")  # a count, 3 not 3.0, beside unknowns
    return table[CAPACITY_COLUMNS].reset_index(drop=True)


def _from_sessions(sessions, counts, start, end, target, growth) -> pd.DataFrame:
    hours = WINDOW_DAYS * 24
    clipped = (sessions["end"].clip(upper=end) - sessions["start"].clip(lower=start)).clip(lower=pd.Timedelta(0))
    plugged = (clipped / pd.Timedelta(hours=1)).groupby(sessions["station_id"]).sum()
    starting = sessions[(sessions["start"] >= start) & (sessions["start"] < end)]
    hour_of_week = starting["start"].dt.day_of_week * 24 + starting["start"].dt.hour
    busiest = hour_of_week.groupby([starting["station_id"], hour_of_week]).size().groupby(level=0).max()
    mean_hours = ((starting["end"] - starting["start"]) / pd.Timedelta(hours=1)).groupby(starting["station_id"]).mean()
    touching = sessions[(sessions["end"] > start) & (sessions["start"] < end)]
    by_station = dict(tuple(touching.groupby("station_id", sort=False)))
    timed = set(sessions["station_id"])
    rows = []
    for station_id, port_count in counts.items():
        if station_id not in timed:  # no session with times (daily energy only): unknown, not idle
            rows.append({"station_id": station_id, "ports": int(port_count), "utilisation": None,
                         "arrivals_per_hour": None, "mean_plugged_hours": None, "blocking": None,
                         "ports_needed": None, "observed_all_busy": None})
            continue
        arrivals = float(busiest.get(station_id, 0)) / (WINDOW_DAYS / 7)
        mean = mean_hours.get(station_id, np.nan)
        load = arrivals * (0.0 if np.isnan(mean) else mean) * growth
        rows.append({"station_id": station_id, "ports": int(port_count),
                     "utilisation": float(plugged.get(station_id, 0.0)) / (port_count * hours),
                     "arrivals_per_hour": arrivals, "mean_plugged_hours": None if np.isnan(mean) else float(mean),
                     "blocking": erlang_b(int(port_count), load), "ports_needed": ports_for_target(load, target),
                     "observed_all_busy": all_busy_share(by_station.get(station_id, touching.iloc[:0]),
                                                         int(port_count), start, end)})
    return pd.DataFrame(rows)


def all_busy_share(sessions: pd.DataFrame, ports: int, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """The share of the window's minutes in which at least ``ports`` sessions were plugged in: a
    session holds a port at every minute mark from its start (inclusive) to its end (exclusive)."""
    minutes = int((end - start) / pd.Timedelta(minutes=1))
    if sessions.empty:
        return 0.0
    first = np.ceil((sessions["start"] - start) / pd.Timedelta(minutes=1)).to_numpy(float)
    last = np.ceil((sessions["end"] - start) / pd.Timedelta(minutes=1)).to_numpy(float)
    first, last = np.clip(first, 0, minutes).astype(int), np.clip(last, 0, minutes).astype(int)
    steps = np.zeros(minutes + 1)
    np.add.at(steps, first, 1)
    np.add.at(steps, last, -1)
    plugged_in = np.cumsum(steps[:-1])
    return float((plugged_in >= ports).mean())


def _from_occupancy(hourly, counts, start, end) -> pd.DataFrame:
    inside = hourly[(hourly["time"] >= start) & (hourly["time"] < end)].dropna(subset=["occupancy"])
    ports = counts.reindex(inside["station_id"]).to_numpy()
    full = inside["occupancy"].to_numpy() >= ports - 1e-9
    by_station = pd.DataFrame({"station_id": inside["station_id"].to_numpy(), "occupancy": inside["occupancy"].to_numpy(),
                               "full": full}).groupby("station_id").agg(plugged=("occupancy", "sum"), full=("full", "mean"))
    rows = []
    for station_id, port_count in counts.items():
        seen = station_id in by_station.index
        rows.append({"station_id": station_id, "ports": int(port_count),
                     "utilisation": by_station.at[station_id, "plugged"] / (port_count * WINDOW_DAYS * 24) if seen else None,
                     "arrivals_per_hour": None, "mean_plugged_hours": None, "blocking": None, "ports_needed": None,
                     "observed_all_busy": float(by_station.at[station_id, "full"]) if seen else None})
    return pd.DataFrame(rows)


def capacity_records(table: pd.DataFrame, digits: int = 4) -> list[dict]:
    """The table as JSON-ready rows: numbers rounded, missing values None (never NaN)."""
    records = []
    for row in table.to_dict("records"):
        out = {}
        for key, value in row.items():
            if isinstance(value, (float, np.floating)):
                out[key] = None if not math.isfinite(value) else round(float(value), digits)
            elif isinstance(value, (np.integer,)):
                out[key] = int(value)
            elif value is pd.NA:
                out[key] = None
            else:
                out[key] = value
        records.append(out)
    return records
