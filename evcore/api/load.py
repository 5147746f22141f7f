"""``GET /predict-load``: a saved dataset's hourly forecast and daily peaks (the CLI's ``forecast
--resolution hourly``).

A request never holds a worker for a training: when the dataset's hourly model is neither in
memory nor in the model store, a background thread trains it (one per model; the store's lock
also keeps a CLI or dashboard training the same model from training it twice) and the request
answers 202 with where to poll (the same URL, ``Location``, ``Retry-After``). Once the model is
ready, the same request answers 200. A training that failed on the data answers its one
sentence (400) to the next poll, and the one after that tries again.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from evcore.api.deps import DatasetsDep, SettingsDep
from evcore.recent import RecentResults
from evcore.api.routes import ERRORS
from evcore.errors import InputError
from evcore.workspace import DEMO_ID

router = APIRouter()
RETRY_SECONDS = 10


class LoadRow(BaseModel):
    station_id: str
    time: str = Field(description="hour start, local time as in the data (YYYY-MM-DD HH:MM)")
    forecast: float
    lower: float = Field(description="80% interval")
    upper: float


class PeakRow(BaseModel):
    station_id: str
    date: str
    peak: float = Field(description="the day's largest hourly value, with its own 80% interval")
    lower: float
    upper: float


class LoadForecast(BaseModel):
    dataset: str
    horizon: int
    measure: str = Field(description="energy (kWh in the hour) or occupancy (plugged-in port-hours)")
    unit: str
    forecast: list[LoadRow]
    peaks: list[PeakRow]


class Training(BaseModel):
    status: str = Field(description="training")
    detail: str
    poll: str = Field(description="ask this URL again; 200 once the model is ready")


class LoadModels:
    """The service's hourly models: in memory (the last few), in training (one thread each), or
    failed (the sentence to answer once)."""

    def __init__(self, size: int = 8):
        self.size = size
        self.data = RecentResults(size)  # dataset fingerprint -> HourlyData
        self._ready: OrderedDict = OrderedDict()
        self._training: dict = {}
        self._failed: dict = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        _open_models.add(self)

    def ready(self, key, data, settings):
        """The model when it is ready (in memory or in the store), else None after making sure
        it is being trained; raises the failed training's ``InputError`` once."""
        from evcore.forecast.hourly_pipeline import stored_hourly

        with self._lock:
            if key in self._failed:
                raise self._failed.pop(key)
            if key in self._training:
                return None
            if key in self._ready:
                self._ready.move_to_end(key)
                return self._ready[key]
        model = stored_hourly(data, settings)
        with self._lock:
            if model is not None:
                self._ready[key] = model
                while len(self._ready) > self.size:
                    self._ready.popitem(last=False)
                return model
            if key not in self._training:
                thread = threading.Thread(target=self._train, args=(key, data, settings), daemon=True,
                                          name="evcore-hourly-training")
                self._training[key] = thread
                thread.start()
        return None

    def _train(self, key, data, settings) -> None:
        from evcore.forecast.hourly_pipeline import trained_hourly

        def stop_when_closing(fraction, text) -> None:
            if self._stopping.is_set():
                raise _Stopped

        try:
            trained_hourly(data, settings, progress=stop_when_closing)
        except _Stopped:
            pass
        except InputError as exc:
            with self._lock:
                self._failed[key] = exc
        except Exception as exc:  # a bug: still one sentence for the next poll
            with self._lock:
                self._failed[key] = InputError(f"The hourly model could not be trained ({type(exc).__name__}).")
        finally:
            with self._lock:
                self._training.pop(key, None)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the trainings running now (tests, shutdown)."""
        with self._lock:
            threads = list(self._training.values())
        for thread in threads:
            thread.join(timeout)

    def close(self, timeout: float = 30.0) -> None:
        """Stop the trainings at their next epoch and wait for them: a training thread still
        inside torch when the interpreter finalises aborts the process ("terminate called
        without an active exception")."""
        self._stopping.set()
        self.wait(timeout)


class _Stopped(Exception):
    """Raised in a training's progress callback when the service is closing."""


_open_models: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    for models in list(_open_models):
        models.close()


_models_lock = threading.Lock()


def load_models(request: Request) -> LoadModels:
    with _models_lock:
        if not hasattr(request.app.state, "load_models"):
            request.app.state.load_models = LoadModels()
        return request.app.state.load_models


@router.get("/predict-load", response_model=LoadForecast, responses={
    **ERRORS, 202: {"model": Training, "description": "the model is being trained: ask the same URL again"}})
def predict_load(request: Request, datasets: DatasetsDep, settings: SettingsDep,
                 models: Annotated[LoadModels, Depends(load_models)], dataset: str = DEMO_ID,
                 station_id: str | None = None,
                 horizon: Annotated[int, Query(ge=1, le=30, description="days ahead")] = 7):
    """Hourly forecast rows (80% intervals) and each day's peak with its own interval; 202 while
    the dataset's hourly model is trained in the background."""
    from evcore.forecast.hourly_pipeline import HourlyData, forecast_tables
    from evcore.workspace import DatasetNotFound

    data, fingerprint = datasets.get(dataset)
    hourly = models.data.get(fingerprint, lambda: HourlyData(data.hourly))
    if station_id is not None and station_id not in hourly.wide.columns:
        raise DatasetNotFound(f"The dataset {dataset!r} has no hourly values for station {station_id!r}: "
                              "expected one of its station ids.")
    model = models.ready((hourly.fingerprint, settings), hourly, settings)
    if model is None:
        poll = str(request.url)
        return JSONResponse({"status": "training", "poll": poll,
                             "detail": "The hourly model of this dataset is being trained; ask again in a "
                                       f"little while (about {RETRY_SECONDS} s or more)."},
                            status_code=202, headers={"Location": poll, "Retry-After": str(RETRY_SECONDS)})
    rows, peaks = forecast_tables(model, hourly, horizon)
    if station_id is not None:
        rows, peaks = rows[rows["station_id"] == station_id], peaks[peaks["station_id"] == station_id]
    figures = ["forecast", "lower", "upper"]
    rows = rows.assign(time=rows["time"].dt.strftime("%Y-%m-%d %H:%M"), **rows[figures].round(3))
    peaks = peaks.assign(date=peaks["date"].dt.strftime("%Y-%m-%d"), **peaks[["peak", "lower", "upper"]].round(3))
    return JSONResponse({"dataset": dataset, "horizon": horizon, "measure": hourly.measure, "unit": hourly.unit,
                         "forecast": rows[["station_id", "time", *figures]].to_dict(orient="records"),
                         "peaks": peaks[["station_id", "date", "peak", "lower", "upper"]].to_dict(orient="records")})
