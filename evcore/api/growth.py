"""GET /growth: the CLI's ``growth`` on a saved dataset's adoption history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from evcore.api.deps import DatasetsDep
from evcore.api.routes import ERRORS
from evcore.errors import InputError
from evcore.export import plain_json
from evcore.workspace import DEMO_ID

router = APIRouter()


@router.get("/growth", responses=ERRORS)
def growth(datasets: DatasetsDep, dataset: str = DEMO_ID,
           until: Annotated[int, Query(ge=1900, le=2300, description="the last year to project")] = 2030,
           rate: Annotated[float | None, Query(gt=-100, le=1000, description="percent a year for every area "
                                                                              "instead of the fitted model")] = None
           ) -> dict:
    """EVs per area and year up to ``until`` with an 80% interval (``areas``: ``area, year,
    vehicles, lower, upper``), and the ``total`` per year."""
    from evcore.growth import growth_answer, rate_from_percent

    data, _ = datasets.get(dataset)
    if data.history is None or data.history.empty:
        raise InputError(f"The dataset {dataset!r} has no adoption history: upload EVs by year and area (or a "
                         "vehicle list with a year and an area column) to it.")
    answer = growth_answer(data.history, until, rate=rate_from_percent(rate))
    return plain_json({"dataset": dataset, **answer})
