"""The endpoints of DESIGN.md: thin wiring from the request to library calls and back to JSON."""

from __future__ import annotations
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool

from evcore.api.deps import CallerDep, DatasetsDep, ForecastsDep, SettingsDep, WorkspaceDep, check_may, needs
from evcore.api.schemas import (ClusterRequest, DatasetDetail, DatasetSummary, Event, Forecast, PlaceRequest,
                                Stations)
from evcore.errors import InputError
from evcore.export import plain_json
from evcore.workspace import DEMO_ID

public = APIRouter()
protected = APIRouter()  # every route here needs a viewer or more (see create_app); writes say so
WRITES = [needs("analyst")]

ERRORS = {status: {"description": text, "content": {"application/json": {"example": {"detail": "..."}}}}
          for status, text in ((400, "bad input, in one sentence"), (401, "a bearer token is needed"),
                               (403, "the caller's role may not do this"),
                               (404, "no such dataset or station"), (413, "the upload is over 200 MB"),
                               (422, "a parameter is not valid"),
                               (503, "the workspace is damaged, read-only or busy"))}


@public.get("/health")
async def health() -> dict:  # on the event loop: answers while every worker thread is busy
    return {"status": "ok"}


@protected.get("/datasets", response_model=list[DatasetSummary], responses=ERRORS)
def list_datasets(workspace: WorkspaceDep):
    return workspace.list()


@protected.post("/datasets", status_code=201, response_model=DatasetDetail, responses=ERRORS, dependencies=WRITES)
def add_dataset(workspace: WorkspaceDep, datasets: DatasetsDep, who: CallerDep,
                files: Annotated[list[UploadFile], File(description="usage, stations or demand files")],
                name: Annotated[str, Form(min_length=1, max_length=200)],
                measure: Annotated[Literal["energy", "occupancy"] | None, Form(
                    description="what usage tables' values are: energy (kWh) or occupancy (plugged-in hours, e.g. "
                                "charging hours per hour); left out: from the column names, else energy")] = None):
    from evcore.uploads import files_on_disk, save_uploads

    with files_on_disk([(upload.filename or "the uploaded file", upload.file) for upload in files]) as on_disk:
        info, _ = save_uploads(workspace, on_disk, name=name, by=who.name,  # a large one: in a worker process
                               measure=measure)
    return dataset_detail(workspace, datasets, info["id"])


def dataset_detail(workspace, datasets, dataset_id: str) -> dict:
    """A dataset's summary with the span and total of its usage, its notes and its history."""
    from evcore import audit
    from evcore.data import usage_span

    dataset, _ = datasets.get(dataset_id)
    detail = {**workspace.info(dataset_id), "notes": dataset.notes, "start": None, "end": None, "usage_total": None,
              "history": audit.history(workspace, dataset_id)}
    if dataset.usage is not None and not dataset.usage.empty:
        start, end, _ = usage_span(dataset.usage)
        detail.update(start=f"{start:%Y-%m-%d}", end=f"{end:%Y-%m-%d}",
                      usage_total=round(float(dataset.usage["usage"].sum()), 3))
    return detail


@protected.get("/datasets/{dataset_id}", response_model=DatasetDetail, responses=ERRORS)
def get_dataset(workspace: WorkspaceDep, datasets: DatasetsDep, dataset_id: str):
    return dataset_detail(workspace, datasets, dataset_id)


@protected.delete("/datasets/{dataset_id}", status_code=204, responses=ERRORS, dependencies=WRITES)
def delete_dataset(workspace: WorkspaceDep, who: CallerDep, dataset_id: str):
    workspace.delete(dataset_id, by=who.name)
    return Response(status_code=204)


@protected.get("/history", response_model=list[Event], responses=ERRORS)
def history(workspace: WorkspaceDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    """Who added, changed, appended to, renamed or deleted which dataset, and when; newest first."""
    from evcore import audit

    return audit.history(workspace, limit=limit)


@protected.get("/predict-usage", response_model=Forecast, responses=ERRORS)
async def predict_usage(datasets: DatasetsDep, forecasts: ForecastsDep, settings: SettingsDep, dataset: str = DEMO_ID,
                        station_id: str | None = None,
                        horizon: Annotated[int, Query(ge=1, le=30, description="days ahead")] = 10):
    from evcore.api.forecasting import answer, cached_answer

    # Warm: bytes joined here, on the event loop; else the disk and any training in a worker thread.
    caches = (datasets, forecasts, settings)
    body = cached_answer(*caches, dataset, station_id, horizon)
    if body is None:
        body = await run_in_threadpool(answer, *caches, dataset, station_id, horizon)
    return Response(body, media_type="application/json")


@protected.get("/fetch-stations", response_model=Stations, responses={
    **ERRORS, 502: {"description": "Open Charge Map cannot be reached or answers nonsense"}})
def fetch_stations(settings: SettingsDep, workspace: WorkspaceDep, datasets: DatasetsDep, forecasts: ForecastsDep,
                   who: CallerDep,
                   latitude: Annotated[float, Query(ge=-90, le=90)],
                   longitude: Annotated[float, Query(ge=-180, le=180)],
                   distance_km: Annotated[float, Query(gt=0, le=500)] = 10.0,
                   max_results: Annotated[int, Query(ge=1, le=5000)] = 100,
                   save: bool = False, name: Annotated[str | None, Query(max_length=200)] = None,
                   k: Annotated[int | None, Query(ge=1, le=1000, description="k-means clusters of the fetched "
                                                                            "stations: each gets cluster 0..k-1")] = None,
                   dataset: Annotated[str | None, Query(description="a dataset whose stations within 100 m are "
                                                                    "matched, with their forecast")] = None,
                   horizon: Annotated[int, Query(ge=1, le=30, description="days of predicted_usage")] = 10):
    from evcore.annotate import annotate_stations
    from evcore.api.forecasting import forecast_rows
    from evcore.openchargemap import OpenChargeMapClient

    if save:
        check_may(who, "analyst", "save fetched stations as a dataset")
    data = None
    if dataset is not None:  # refused before asking Open Charge Map when it cannot be matched
        data, _ = datasets.get(dataset)
        if data.stations is None or data.stations.empty:
            raise InputError(f"The dataset {dataset!r} has no stations with coordinates to match the fetched ones "
                             "against: choose a dataset with a stations table.")
    reading = OpenChargeMapClient(settings).fetch_stations(latitude, longitude, distance_km, max_results)
    rows = None
    if data is not None and data.usage is not None and not data.usage.empty:
        rows = forecast_rows(datasets, forecasts, settings, dataset, horizon)
    annotated = annotate_stations(reading.dataset.stations, k=k, reference=None if data is None else data.stations,
                                  forecasts=rows)
    answer = {"stations": [{key: plain_json(value) for key, value in row.items()}
                           for row in annotated.to_dict(orient="records")]}
    if save:
        answer["dataset"] = workspace.save(reading.dataset, source=f"Open Charge Map: {reading.source}",
                                           name=(name or "").strip() or reading.dataset.name, by=who.name)
    return answer


@protected.post("/cluster", responses=ERRORS, dependencies=WRITES)
def cluster(datasets: DatasetsDep, body: ClusterRequest) -> dict:
    from evcore.services import cluster_points

    data, _ = datasets.get(body.dataset)
    table = data.stations if body.points == "stations" else data.demand
    if table is None or table.empty:
        raise InputError(f"The dataset {body.dataset!r} has no {body.points} table: choose points "
                         f"{'demand' if body.points == 'stations' else 'stations'} or another dataset.")
    _, _, result = cluster_points(table, body.method, k=body.k, eps_km=body.eps_km, min_samples=body.min_samples)
    return plain_json(result)


@protected.post("/place", responses=ERRORS, dependencies=WRITES)
def place(datasets: DatasetsDep, body: PlaceRequest) -> dict:
    from evcore.growth import rate_from_percent
    from evcore.services import place_sites

    data, _ = datasets.get(body.dataset)
    if data.demand is None or data.demand.empty:
        raise InputError(f"The dataset {body.dataset!r} has no demand points: upload a demand file to it.")
    existing = None
    has_stations = data.stations is not None and not data.stations.empty
    if body.existing or (body.existing is None and has_stations):
        if not has_stations:
            raise InputError(f"The dataset {body.dataset!r} has no stations to keep as existing sites.")
        existing = data.stations
    _, result = place_sites(data.demand, body.k, existing=existing, radius_km=body.radius_km,
                            objective=body.objective, exact=body.exact, time_limit=body.time_limit,
                            year=body.year, history=data.history, rate=rate_from_percent(body.rate))
    return plain_json(result)
