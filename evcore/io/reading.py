"""What a reader returns: one file's kind, detected format and tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from evcore.data import KINDS, Dataset, history_figures, usage_span
from evcore.hourly import hourly_measures, hourly_span

__all__ = ["KINDS", "Reading"]


@dataclass
class Reading:
    """One file, read: its kind (usage, stations, demand or history), the format detected, the tables."""

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
            start, end, out["days"] = usage_span(d.usage)
            out["start"] = start.strftime("%Y-%m-%d")
            out["end"] = end.strftime("%Y-%m-%d")
            out["unit"] = d.usage_unit
            out["total_usage"] = round(float(d.usage["usage"].sum()), 3)
            if d.sessions is not None:
                out["sessions"] = int(len(d.sessions))
            span = hourly_span(d.hourly)
            if span is not None:
                out["hourly_start"] = span[0].strftime("%Y-%m-%d %H:%M")
                out["hourly_end"] = span[1].strftime("%Y-%m-%d %H:%M")
                out["hours"] = span[2]
                out["hourly_measures"] = hourly_measures(d.hourly)
            if d.stations is not None:
                out["located_stations"] = int(len(d.stations))
        elif self.kind == "stations":
            out["stations"] = int(len(d.stations))
        elif self.kind == "history":
            out.update(history_figures(d.history))
        else:
            out["points"] = int(len(d.demand))
            out["weight"] = int(round(float(d.demand["weight"].sum())))
        out["notes"] = list(d.notes)
        return out
