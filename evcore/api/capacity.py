"""``GET /capacity``: the CLI's ``capacity`` on a saved dataset."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from evcore.api.deps import DatasetsDep
from evcore.api.routes import ERRORS
from evcore.errors import InputError
from evcore.workspace import DEMO_ID

router = APIRouter()


class CapacityRow(BaseModel):
    station_id: str
    ports: int = Field(description="ports at the station")
    utilisation: float | None = Field(description="plugged-in hours / (ports x 24 x 28) in the window")
    arrivals_per_hour: float | None = Field(description="sessions starting in the busiest hour of the week / 4")
    mean_plugged_hours: float | None = Field(description="mean plugged-in hours of the sessions starting in the window")
    blocking: float | None = Field(description="Erlang-B: the chance a driver finds every port busy")
    ports_needed: int | None = Field(description="the least ports with blocking at most the target")
    observed_all_busy: float | None = Field(description="share of the window's minutes (hours, from occupancy) "
                                                        "with every port busy")
    ports_source: str = Field(description="where the port count came from")


class Capacity(BaseModel):
    dataset: str
    window_start: str = Field(description="first day of the 28-day window")
    window_end: str = Field(description="the data's last day (not in the window)")
    target: float
    growth: float = Field(description="the growth factor used (from the scenario year where one was given)")
    year: int | None = Field(None, description="the scenario year, where one was given")
    stations: list[CapacityRow]


@router.get("/capacity", response_model=Capacity, responses=ERRORS)
def capacity(datasets: DatasetsDep, dataset: str = DEMO_ID,
             target: Annotated[float, Query(gt=0, lt=1, description="blocking probability to size for")] = 0.1,
             growth: Annotated[float, Query(gt=0, le=1000, description="demand growth factor")] = 1.0,
             ports: Annotated[int | None, Query(ge=1, le=100_000, description="ports where the data has no "
                                                                               "count")] = None,
             year: Annotated[int | None, Query(ge=1900, le=2300, description="instead of growth: the growth of "
                                                                             "the dataset's EVs to this year")] = None,
             rate: Annotated[float | None, Query(gt=-100, le=1000, description="with year: percent a year "
                                                                               "instead of the fitted model")] = None):
    """Port utilisation, Erlang-B blocking and ports needed per station, busiest first (DESIGN.md)."""
    from evcore.capacity import capacity_records, capacity_table, capacity_window

    data, _ = datasets.get(dataset)
    if year is not None:
        from evcore.growth import growth_for_year, rate_from_percent

        if growth != 1.0:
            raise InputError("Give growth or year, not both: year sets the growth.")
        growth, _ = growth_for_year(data.history, year, rate_from_percent(rate))
    elif rate is not None:
        raise InputError("A growth rate needs a year to grow to: give year too.")
    table = capacity_table(data, target=target, growth=growth, ports=ports)
    start, end = capacity_window(data)
    return {"dataset": dataset, "window_start": f"{start:%Y-%m-%d}", "window_end": f"{end:%Y-%m-%d}",
            "target": target, "growth": growth, "year": year, "stations": capacity_records(table)}
