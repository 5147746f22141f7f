"""The hourly tables: sessions spread over the hours they touch, hourly spans, ports per station
and hour-of-week profiles.

- hourly, long: ``station_id`` (pandas ``str``), ``time`` (datetime64[ns], the hour's start, local time as
  written), ``energy`` (float, kWh in that hour = its mean kW) and ``occupancy`` (float,
  plugged-in port-hours in that hour); a measure the input does not give is NaN throughout;
- sessions, long: ``station_id`` (``str``), ``port`` (``str``, missing where the export has no
  port number), ``start``, ``end`` (datetime64[ns], plug-in and plug-out), ``energy`` (float, kWh).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.data import HOURLY_COLUMNS

HOUR_NS = 3_600 * 10**9
MAX_PORTS = 100_000  # a port count above this (or below 1) is not a count: the next source is used


def _spread(codes: np.ndarray, start: np.ndarray, end: np.ndarray, amount: np.ndarray | None) -> pd.DataFrame:
    """Per (code, hour): the hours of [start, end) inside the hour (``amount`` None), or ``amount``
    shared in proportion to them (all of it in the start hour when the interval is empty)."""
    start_ns, end_ns = start.astype("int64"), end.astype("int64")
    first = start_ns // HOUR_NS
    last = np.maximum((end_ns - 1) // HOUR_NS, first)
    counts = last - first + 1
    row = np.repeat(np.arange(len(codes)), counts)
    offset = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    hour = first[row] + offset
    overlap = np.clip(np.minimum(end_ns[row], (hour + 1) * HOUR_NS) - np.maximum(start_ns[row], hour * HOUR_NS),
                      0, None) / HOUR_NS
    if amount is None:
        value = overlap
    else:
        length = ((end_ns - start_ns) / HOUR_NS)[row]
        share = np.divide(overlap, length, out=np.ones_like(overlap), where=length > 0)
        value = amount[row] * share
    frame = pd.DataFrame({"code": codes[row], "hour": hour, "value": value})
    return frame.groupby(["code", "hour"], as_index=False, sort=False)["value"].sum()


def hourly_from_sessions(sessions: pd.DataFrame, charging_end: pd.Series | None = None,
                         until: pd.Timestamp | None = None) -> pd.DataFrame:
    """The hourly table of a session export: each session's energy spread evenly over its
    charging time (``start`` to ``charging_end`` where given, else to ``end``), its occupancy over
    its plug-in time. Every hour from a station's first session to the export's last hour
    (``until``, else the last hour a session touches) is present: hours without a session are 0,
    not gaps; hours after ``until`` are left out."""
    if sessions.empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in zip(HOURLY_COLUMNS, ("str", "datetime64[ns]", float, float))})
    ids, codes = np.unique(sessions["station_id"].to_numpy(str), return_inverse=True)
    start = sessions["start"].to_numpy("datetime64[ns]")
    end = sessions["end"].to_numpy("datetime64[ns]")
    charged = end if charging_end is None else np.minimum(charging_end.to_numpy("datetime64[ns]"), end)
    energy = _spread(codes, start, charged, sessions["energy"].to_numpy(float)).rename(columns={"value": "energy"})
    occupancy = _spread(codes, start, end, None).rename(columns={"value": "occupancy"})
    first = pd.Series(start.astype("int64") // HOUR_NS).groupby(codes).min()
    last = int(max(energy["hour"].max(), occupancy["hour"].max()) if until is None
               else pd.Timestamp(until).value // HOUR_NS)
    first = first.clip(upper=last)
    counts = last - first.to_numpy() + 1
    grid = pd.DataFrame({"code": np.repeat(first.index.to_numpy(), counts),
                         "hour": np.concatenate([np.arange(f, last + 1) for f in first.to_numpy()])})
    table = (grid.merge(energy, on=["code", "hour"], how="left").merge(occupancy, on=["code", "hour"], how="left")
             .fillna({"energy": 0.0, "occupancy": 0.0}))
    return pd.DataFrame({"station_id": ids[table["code"].to_numpy()],
                         "time": pd.to_datetime(table["hour"].to_numpy() * HOUR_NS),
                         "energy": table["energy"].to_numpy(float),
                         "occupancy": table["occupancy"].to_numpy(float)}).astype({"station_id": "str"})


def hourly_frame(long: pd.DataFrame, measure: str) -> pd.DataFrame:
    """An hourly table from long ``station_id, time, value`` rows of one measure (``energy`` or
    ``occupancy``): summed within each hour, the other measure NaN."""
    frame = long.assign(time=long["time"].dt.floor("h"))
    frame = frame.groupby(["station_id", "time"], as_index=False, sort=True)["value"].sum()
    other = "occupancy" if measure == "energy" else "energy"
    frame = frame.rename(columns={"value": measure}).assign(**{other: np.nan})
    frame["station_id"] = frame["station_id"].astype("str")
    return frame[HOURLY_COLUMNS].reset_index(drop=True)


def hourly_measures(hourly: pd.DataFrame | None) -> list[str]:
    """Which of ``energy`` and ``occupancy`` the hourly table has values for."""
    if hourly is None or hourly.empty:
        return []
    return [m for m in ("energy", "occupancy") if hourly[m].notna().any()]


def hourly_span(hourly: pd.DataFrame | None) -> tuple[pd.Timestamp, pd.Timestamp, int] | None:
    """The first and last hour of an hourly table and the hours they span (None without one)."""
    if hourly is None or hourly.empty:
        return None
    start, end = hourly["time"].min(), hourly["time"].max()
    return start, end, int((end - start) / pd.Timedelta(hours=1)) + 1


def hourly_span_sentence(hourly: pd.DataFrame | None) -> str:
    """What hourly data a dataset has, in one sentence for the user."""
    span = hourly_span(hourly)
    if span is None:
        return "No hourly data: this dataset has daily values only."
    start, end, hours = span
    measures = " and ".join({"energy": "energy (kWh)", "occupancy": "occupancy (plugged-in port-hours)"}[m]
                            for m in hourly_measures(hourly))
    return (f"Hourly {measures} for {hourly['station_id'].nunique():,} stations, {start:%d %b %Y %H:%M} to "
            f"{end:%d %b %Y %H:%M} ({hours:,} hours).")


def most_concurrent(sessions: pd.DataFrame) -> pd.Series:
    """Per station, the most sessions plugged in at once (a lower bound on its ports)."""
    events = pd.concat([sessions[["station_id"]].assign(t=sessions["start"], step=1),
                        sessions[["station_id"]].assign(t=sessions["end"], step=-1)])
    events = events.sort_values(["station_id", "t", "step"], kind="stable")  # a plug-out first at a tie
    return events.groupby("station_id")["step"].cumsum().groupby(events["station_id"]).max().clip(lower=1)


def station_ports(dataset, setting: int | None = None) -> pd.DataFrame:
    """Ports per station (``station_id``, ``ports``, ``ports_source``): the distinct port numbers
    of its sessions, else its station table's port count, else ``setting``, else the most
    sessions at once or the largest hourly occupancy rounded up (both only lower bounds). A
    count below 1 or above ``MAX_PORTS`` (0.3, 1e9, inf) is passed over for the next source."""
    ids = set()
    for table in (dataset.usage, dataset.hourly, dataset.sessions):
        if table is not None:
            ids |= set(table["station_id"].astype(str))
    index = pd.Index(sorted(ids), name="station_id")
    ports = pd.Series(np.nan, index=index)
    source = pd.Series("", index=index, dtype=object)

    def take(values: pd.Series, label: str) -> None:
        values = values.reindex(index)
        fill = ports.isna() & values.notna() & (values >= 1) & (values <= MAX_PORTS)
        ports[fill], source[fill] = values[fill], label

    sessions = dataset.sessions
    if sessions is not None and sessions["port"].notna().any():
        take(sessions.dropna(subset=["port"]).groupby("station_id")["port"].nunique().astype(float),
             "port numbers in the sessions")
    if dataset.stations is not None and "ports" in dataset.stations:
        take(pd.to_numeric(dataset.stations.set_index("station_id")["ports"], errors="coerce"),
             "the station table")
    if setting is not None:
        take(pd.Series(float(setting), index=index), "the ports setting")
    if sessions is not None and not sessions.empty:
        take(most_concurrent(sessions).astype(float), "most sessions at once (a lower bound)")
    if dataset.hourly is not None and dataset.hourly["occupancy"].notna().any():
        take(np.ceil(dataset.hourly.groupby("station_id")["occupancy"].max() - 1e-9),
             "largest hourly occupancy, rounded up (a lower bound)")
    take(pd.Series(1.0, index=index), "no port count in the data: 1 assumed")
    return pd.DataFrame({"station_id": index, "ports": ports.round().astype(int).to_numpy(),
                         "ports_source": source.to_numpy()})


def hour_of_week(hourly: pd.DataFrame, measure: str, station_id: str | None = None) -> pd.DataFrame:
    """Mean ``measure`` per day of week (0 = Monday) and hour of day: one station's, or the
    network's (the stations' sum each hour) when ``station_id`` is None. Long table:
    ``weekday``, ``hour``, ``value``."""
    values = hourly.dropna(subset=[measure])
    if station_id is None:
        series = values.groupby("time")[measure].sum()
    else:
        series = values[values["station_id"] == station_id].set_index("time")[measure]
    frame = pd.DataFrame({"weekday": series.index.day_of_week, "hour": series.index.hour, "value": series.to_numpy()})
    return frame.groupby(["weekday", "hour"], as_index=False)["value"].mean()
