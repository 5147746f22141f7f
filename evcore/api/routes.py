"""The endpoints of DESIGN.md: thin wiring from the request to library calls and back to JSON."""

from __future__ import annotations
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import JSONResponse

from evcore.api.schemas import (ClusterRequest, DatasetDetail, DatasetSummary, Forecast, PlaceRequest,
                                Stations)
from evcore.errors import InputError
from evcore.export import plain_json

public = APIRouter()
protected = APIRouter()

ERRORS = {status: {"description": text, "content": {"application/json": {"example": {"detail": "..."}}}}
          for status, text in ((400, "bad input, in one sentence"), (401, "a bearer token is needed"),
                               (404, "no such dataset or station"), (413, "the upload is over 200 MB"),
                               (422, "a parameter is not valid"),
                               (503, "the workspace is damaged, read-only or busy"))}


@public.get("/health")
def health() -> dict:
    return {"status": "ok"}


@protected.get("/datasets", response_model=list[DatasetSummary], responses=ERRORS)
def list_datasets(request: Request):
    return request.app.state.workspace.list()


@protected.post("/datasets", status_code=201, response_model=DatasetDetail, responses=ERRORS)
def add_dataset(request: Request, files: Annotated[list[UploadFile], File(description="usage, stations or demand files")],
                name: Annotated[str, Form(min_length=1, max_length=200)]):
    from evcore.io import combine, read_file

    readings = [read_file(upload.file.read(), name=upload.filename or "the uploaded file") for upload in files]
    dataset = combine(readings, name=name)
    source = "upload: " + ", ".join(r.source for r in readings)
    info = request.app.state.workspace.save(dataset, source=source[:500], name=name)
    return {**info, "notes": dataset.notes}


@protected.get("/datasets/{dataset_id}", response_model=DatasetDetail, responses=ERRORS)
def get_dataset(request: Request, dataset_id: str):
    dataset, _ = request.app.state.datasets.get(dataset_id)
    return {**request.app.state.workspace.info(dataset_id), "notes": dataset.notes}


@protected.delete("/datasets/{dataset_id}", status_code=204, responses=ERRORS)
def delete_dataset(request: Request, dataset_id: str):
    request.app.state.workspace.delete(dataset_id)
    return Response(status_code=204)


@protected.get("/predict-usage", response_model=Forecast, responses=ERRORS)
def predict_usage(request: Request, dataset: str = "demo", station_id: str | None = None,
                  horizon: Annotated[int, Query(ge=1, le=30, description="days ahead")] = 10):
    from evcore.workspace import DatasetNotFound

    data, fingerprint = request.app.state.datasets.get(dataset)
    if data.usage is None or data.usage.empty:
        raise InputError(f"The dataset {dataset!r} has no usage table to forecast from: upload a usage file.")
    rows = request.app.state.forecasts.rows(fingerprint, data.usage, horizon)
    if station_id is None:
        forecast = [row for station_rows in rows.values() for row in station_rows]
    elif station_id in rows:
        forecast = rows[station_id]
    else:
        raise DatasetNotFound(f"The dataset {dataset!r} has no station {station_id!r}: expected one of its "
                              "station ids.")
    # Rows made once per forecast (see ForecastCache): answered as they are, not validated again.
    return JSONResponse({"dataset": dataset, "horizon": horizon, "unit": data.usage_unit, "forecast": forecast})


@protected.get("/fetch-stations", response_model=Stations, responses={
    **ERRORS, 502: {"description": "Open Charge Map cannot be reached or answers nonsense"}})
def fetch_stations(request: Request,
                   latitude: Annotated[float, Query(ge=-90, le=90)],
                   longitude: Annotated[float, Query(ge=-180, le=180)],
                   distance_km: Annotated[float, Query(gt=0, le=500)] = 10.0,
                   max_results: Annotated[int, Query(ge=1, le=5000)] = 100,
                   save: bool = False, name: Annotated[str | None, Query(max_length=200)] = None):
    from evcore.openchargemap import OpenChargeMapClient

    reading = OpenChargeMapClient(request.app.state.settings).fetch_stations(latitude, longitude, distance_km,
                                                                            max_results)
    stations = reading.dataset.stations
    answer = {"stations": [{key: plain_json(value) for key, value in row.items()}
                           for row in stations.to_dict(orient="records")]}
    if save:
        answer["dataset"] = request.app.state.workspace.save(
            reading.dataset, source=f"Open Charge Map: {reading.source}", name=(name or "").strip() or reading.dataset.name)
    return answer


@protected.post("/cluster", responses=ERRORS)
def cluster(request: Request, body: ClusterRequest) -> dict:
    from evcore.services import cluster_points

    data, _ = request.app.state.datasets.get(body.dataset)
    table = data.stations if body.points == "stations" else data.demand
    if table is None or table.empty:
        raise InputError(f"The dataset {body.dataset!r} has no {body.points} table: choose points "
                         f"{'demand' if body.points == 'stations' else 'stations'} or another dataset.")
    _, _, result = cluster_points(table, body.method, k=body.k, eps_km=body.eps_km, min_samples=body.min_samples)
    return plain_json(result)


@protected.post("/place", responses=ERRORS)
def place(request: Request, body: PlaceRequest) -> dict:
    from evcore.services import place_sites

    data, _ = request.app.state.datasets.get(body.dataset)
    if data.demand is None or data.demand.empty:
        raise InputError(f"The dataset {body.dataset!r} has no demand points: upload a demand file to it.")
    existing = None
    if body.existing:
        if data.stations is None or data.stations.empty:
            raise InputError(f"The dataset {body.dataset!r} has no stations to keep as existing sites.")
        existing = data.stations
    _, result = place_sites(data.demand, body.k, existing=existing, radius_km=body.radius_km,
                            objective=body.objective, exact=body.exact, time_limit=body.time_limit)
    return plain_json(result)
