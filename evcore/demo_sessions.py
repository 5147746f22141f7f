"""The demo's charging sessions: its last weeks of daily energy split into sessions that queue
for each station's ports, so the Load & capacity page has sessions and hours to show."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.data import SESSION_COLUMNS
from evcore.hourly import hourly_from_sessions

SESSION_WEEKS = 8
# When drivers plug in, by hour of the day: commuters in the morning and after work on weekdays,
# a broad midday hump at weekends.
WEEKDAY_ARRIVALS = np.array([1, 1, 1, 1, 2, 4, 8, 12, 14, 11, 8, 7, 8, 7, 6, 7, 9, 11, 12, 10, 7, 5, 3, 2], float)
WEEKEND_ARRIVALS = np.array([1, 1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 11, 12, 12, 11, 10, 9, 8, 7, 6, 4, 3, 2, 1], float)


def demo_sessions(stations: pd.DataFrame, usage: pd.DataFrame, rng: np.random.Generator,
                  weeks: int = SESSION_WEEKS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sessions (``SESSION_COLUMNS``) for the last ``weeks`` weeks of ``usage`` and their hourly
    table: each station-day's energy split into sessions of about an hour and a half at the
    station's power, each waiting for a free port when every port is busy."""
    last = usage["date"].max()
    recent = usage[usage["date"] > last - pd.Timedelta(weeks=weeks)]
    by_id = stations.set_index("station_id")
    frames, charging_ends = [], []
    for station_id, days in recent.groupby("station_id", sort=True):
        power, ports = float(by_id.at[station_id, "power_kw"]), int(by_id.at[station_id, "ports"])
        per_session = float(np.clip(power * 1.5, 8.0, 35.0))
        counts = np.where(days["usage"] > 0, np.maximum(1, rng.poisson(days["usage"] / per_session)), 0)
        day = np.repeat(days["date"].to_numpy(), counts)
        if not len(day):
            continue
        weekend = pd.DatetimeIndex(day).day_of_week >= 5
        hour = np.where(weekend, rng.choice(24, len(day), p=WEEKEND_ARRIVALS / WEEKEND_ARRIVALS.sum()),
                        rng.choice(24, len(day), p=WEEKDAY_ARRIVALS / WEEKDAY_ARRIVALS.sum()))
        start = day + pd.to_timedelta(hour * 60 + rng.integers(0, 60, len(day)), unit="min").to_numpy()
        draws = rng.gamma(4.0, size=len(day))  # a Dirichlet split of each day's energy
        group = np.repeat(np.arange(len(counts)), counts)
        shares = draws / np.bincount(group, weights=draws, minlength=len(counts))[group]
        energy = np.repeat(days["usage"].to_numpy(), counts) * shares
        charging = energy / power
        plugged = charging + rng.lognormal(np.log(0.4 if power >= 50 else 1.0), 0.6, len(day))
        start, port = _queue(start, plugged, ports)
        to_ns = 3_600 * 10**9
        frames.append(pd.DataFrame({"station_id": station_id, "port": port.astype(str), "start": start,
                                    "end": start + (plugged * to_ns).astype("timedelta64[ns]"), "energy": energy.round(3)}))
        charging_ends.append(pd.Series(start + (charging * to_ns).astype("timedelta64[ns]")))
    sessions = pd.concat(frames, ignore_index=True)[SESSION_COLUMNS].astype({"station_id": "str", "port": "str"})
    hourly = hourly_from_sessions(sessions, pd.concat(charging_ends, ignore_index=True),
                                  until=last + pd.Timedelta(hours=23))
    return sessions, hourly


def _queue(start: np.ndarray, plugged_hours: np.ndarray, ports: int) -> tuple[np.ndarray, np.ndarray]:
    """Each session on the port that frees first (ports numbered from 1), starting late when every
    port is busy. Returns the start times and the ports."""
    order = np.argsort(start, kind="stable").tolist()
    starts = start.astype("datetime64[ns]").astype("int64").tolist()
    lengths = (plugged_hours * 3_600 * 10**9).astype("int64").tolist()
    free = [0] * ports
    port = [0] * len(starts)
    for i in order:
        p = free.index(min(free))
        starts[i] = max(starts[i], free[p])
        free[p] = starts[i] + lengths[i]
        port[i] = p + 1
    return np.array(starts, dtype="int64").astype("datetime64[ns]"), np.array(port)
