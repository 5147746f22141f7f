"""The canonical tables and the dataset that carries them between pages.

- usage, long: ``station_id`` (str), ``date`` (datetime64, daily), ``usage`` (float);
- hourly, long: ``station_id``, ``time`` (the hour), ``energy`` (kWh), ``occupancy`` (plugged-in
  port-hours), when the input has times (see ``evcore.hourly``);
- sessions: ``station_id``, ``port``, ``start``, ``end``, ``energy``, from a session export;
- stations: ``station_id`` (str), ``name``, ``latitude``, ``longitude`` (+ optional
  ``ports``, ``power_kw``);
- demand points: ``latitude``, ``longitude``, ``weight`` (vehicles at that point) + optional
  ``area`` (county, ZIP) where the input names one;
- adoption history: ``year`` (int), ``area`` (str), ``vehicles`` (EVs registered in the area that
  year, a stock, not the year's additions) + optional ``all_vehicles`` (the area's whole fleet).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

USAGE_COLUMNS = ["station_id", "date", "usage"]
HOURLY_COLUMNS = ["station_id", "time", "energy", "occupancy"]
SESSION_COLUMNS = ["station_id", "port", "start", "end", "energy"]
STATION_COLUMNS = ["station_id", "name", "latitude", "longitude"]
DEMAND_COLUMNS = ["latitude", "longitude", "weight"]
HISTORY_COLUMNS = ["year", "area", "vehicles"]
# The kinds of data a file holds and a dataset lists, in the order they are listed (the Dataset
# fields of the same names; hourly values and sessions come with usage).
KINDS = ("usage", "stations", "demand", "history")


@dataclass
class Dataset:
    """What the user picked: any of usage, stations and demand, with what was noticed on reading.

    ``usage_unit`` is ``"kWh"``, ``"sessions"`` or ``"hours"`` (plugged-in hours). ``hourly``
    keeps the input's hourly resolution where it has one, ``sessions`` a session export's
    sessions (columns in ``HOURLY_COLUMNS`` and ``SESSION_COLUMNS``).
    ``history`` is the adoption history (EVs by area and year), the input of growth scenarios.
    ``notes`` are sentences for the user: what was detected, dropped or repaired.
    """

    name: str
    usage: pd.DataFrame | None = None
    stations: pd.DataFrame | None = None
    demand: pd.DataFrame | None = None
    usage_unit: str = "kWh"
    hourly: pd.DataFrame | None = None
    sessions: pd.DataFrame | None = None
    history: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        """A short hash of the tables' contents: equal data, equal fingerprint."""
        import hashlib

        h = hashlib.sha256()
        # the history only where there is one: fingerprints of datasets without it stay as they were
        tables = (self.usage, self.stations, self.demand, self.hourly, self.sessions)
        for table in tables + ((self.history,) if self.history is not None else ()):
            if table is None:
                h.update(b"-")
            else:
                h.update(pd.util.hash_pandas_object(table, index=False).values.tobytes())
                h.update(",".join(map(str, table.columns)).encode())
        h.update(self.usage_unit.encode())
        return h.hexdigest()[:16]


def usage_span(usage: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp, int]:
    """The first and last day of a usage table and the days they span, both counted."""
    start, end = usage["date"].min(), usage["date"].max()
    return start, end, int((end - start).days) + 1


def daily_session_counts(sessions: pd.DataFrame) -> pd.DataFrame:
    """Sessions starting each day per station (``station_id``, ``date``, ``sessions``)."""
    days = sessions.assign(date=sessions["start"].dt.normalize())
    return days.groupby(["station_id", "date"], as_index=False).size().rename(columns={"size": "sessions"})


def sessions_per_day(sessions: pd.DataFrame) -> float:
    """The network's mean sessions a day from the first session's day to the last's (days without
    a session count as 0)."""
    days = sessions["start"].dt.normalize()
    return len(sessions) / ((days.max() - days.min()).days + 1)


def unlocated_stations(dataset: Dataset) -> list[str]:
    """Stations with usage but no coordinates: forecast like the others, missing from the maps."""
    if dataset.usage is None:
        return []
    located = set() if dataset.stations is None else set(dataset.stations["station_id"].astype(str))
    return sorted(set(dataset.usage["station_id"].astype(str)) - located)


def history_figures(history: pd.DataFrame) -> dict:
    """An adoption history's areas, first and last year and vehicles in the last year."""
    last = int(history["year"].max())
    return {"areas": int(history["area"].nunique()), "first_year": int(history["year"].min()), "last_year": last,
            "vehicles": int(round(float(history.loc[history["year"] == last, "vehicles"].sum())))}


# The largest weight accepted: more vehicles than exist, yet far from sums that overflow.
MAX_WEIGHT = 1e15


def weights_array(weights, n: int, what: str = "point") -> np.ndarray:
    """One finite, non-negative weight per point (ones when ``weights`` is None), not all zero."""
    from evcore.errors import InputError

    if weights is None:
        return np.ones(n)
    if np.iscomplexobj(weights):
        raise InputError("weights: expected real numbers, got complex ones.")
    try:
        w = np.asarray(weights, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError("weights: expected numbers.") from None
    if len(w) != n:
        raise InputError(f"weights: expected one value per {what} ({n}), got {len(w)}.")
    usable = np.isfinite(w) & (w >= 0) & (w <= MAX_WEIGHT)
    if not usable.all():
        row = int(np.flatnonzero(~usable)[0])
        raise InputError(f"weights: row {row + 1} has weight {w[row]}; expected a finite number from 0 to {MAX_WEIGHT:g}.")
    if w.sum() <= 0:
        raise InputError("weights: all weights are zero; expected some positive weight.")
    return w


def usage_matrix(usage: pd.DataFrame) -> pd.DataFrame:
    """Wide daily matrix (date index, one column per station), missing days as NaN."""
    wide = usage.pivot_table(index="date", columns="station_id", values="usage", aggfunc="sum")
    full = pd.date_range(wide.index.min(), wide.index.max(), freq="D")
    return wide.reindex(full).rename_axis("date")


def recent_daily_usage(usage: pd.DataFrame | None, days: int = 28) -> pd.Series:
    """Each station's mean daily usage over the dataset's last ``days`` days (by station_id)."""
    if usage is None or usage.empty:
        return pd.Series(dtype=float, name="recent_daily_usage")
    since = usage["date"].max() - pd.Timedelta(days=days - 1)
    recent = usage[usage["date"] >= since]
    return recent.groupby("station_id")["usage"].mean().rename("recent_daily_usage")


def station_summary(usage: pd.DataFrame, stations: pd.DataFrame | None = None, recent_days: int = 28) -> pd.DataFrame:
    """Per station: days with data, total, mean daily usage overall and over the last
    ``recent_days`` days of the data, with the station's name and coordinates where known."""
    summary = usage.groupby("station_id").agg(days=("usage", "size"), total=("usage", "sum"),
                                              mean_daily=("usage", "mean"))
    summary["recent_daily"] = recent_daily_usage(usage, recent_days).reindex(summary.index).fillna(0.0)
    summary = summary.reset_index()
    if stations is not None:
        summary = summary.merge(stations[["station_id", "name", "latitude", "longitude"]],
                                on="station_id", how="left")
    else:
        summary["name"] = summary["station_id"]
    summary["name"] = summary["name"].fillna(summary["station_id"])
    return summary.sort_values("total", ascending=False, ignore_index=True)


def network_daily(usage: pd.DataFrame) -> pd.DataFrame:
    """The whole network's daily total, with the number of stations reporting each day."""
    return usage.groupby("date").agg(usage=("usage", "sum"), stations=("station_id", "nunique")).reset_index()
