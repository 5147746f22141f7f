"""A dataset's hourly model, its forecast tables and its backtest: the calls the page, the CLI
and the REST service make.

Each takes the long hourly table (``Dataset.hourly``: ``station_id, time, energy,
occupancy``) and ``settings`` (``evcore.config.Settings``: the store's folder, the hourly
model's parameters, the device; None means the defaults). The model is trained once per data
and settings and kept in the model store (``store``: atomic writes, ``weights_only`` loads, a
lock so one process trains and the others wait and load); one training serves every horizon
from 1 to 30 days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.forecast.data import check_folds, check_horizon
from evcore.forecast.hourly_backtest import PEERS, hourly_backtest, network_models
from evcore.forecast.hourly_data import HOURS, UNITS, hourly_fingerprint, hourly_matrix
from evcore.forecast.hourly_model import HOURLY_MODEL_VERSION, HourlyForecaster
from evcore.forecast.store import (FOREIGN, NOTE, checkpoint_key, library_versions, model_lock, save_checkpoint,
                                   stored_checkpoint, with_store_note)
from evcore.forecast.training import resolve_device

HOURLY_COLUMNS = ["station_id", "time", "forecast", "lower", "upper", "unit"]
PEAK_COLUMNS = ["station_id", "date", "peak", "lower", "upper", "unit"]


def _settings(settings):
    from evcore.config import Settings

    return Settings() if settings is None else settings


def load_measure(hourly: pd.DataFrame | None) -> str:
    """The measure an hourly forecast is of: ``energy`` where the table has it, else ``occupancy``."""
    if hourly is None or getattr(hourly, "empty", True):
        raise InputError("The dataset has no hourly table to forecast from: upload an hourly table or a "
                         "session export.")
    for measure in UNITS:
        if measure in hourly.columns and pd.to_numeric(hourly[measure], errors="coerce").notna().any():
            return measure
    raise InputError("The hourly table has neither energy nor occupancy figures to forecast from.")


def make_hourly(settings=None) -> HourlyForecaster:
    """The hourly model with ``settings.hourly`` parameters on ``settings.device``."""
    settings = _settings(settings)
    resolve_device(settings.device)
    params = dict(settings.hourly)
    try:
        return HourlyForecaster(**{"device": settings.device, **params})
    except TypeError as exc:
        raise InputError(f"Unknown hourly model setting in {sorted(params)}: {exc}.") from None


class HourlyData:
    """The hourly matrix of one measure of a dataset's hourly table, with its fingerprint."""

    def __init__(self, hourly: pd.DataFrame, measure: str | None = None):
        self.measure = measure or load_measure(hourly)
        self.wide = hourly_matrix(hourly, self.measure)
        self.fingerprint = hourly_fingerprint(self.wide)
        self.unit = UNITS[self.measure]


def hourly_checkpoint_path(data: HourlyData, model: HourlyForecaster, settings=None):
    key = checkpoint_key(data.fingerprint, model.identity(), HOURLY_MODEL_VERSION, "hourly")
    return _settings(settings).checkpoints / f"hourly-{key}.pt"


def _expected(data: HourlyData, model: HourlyForecaster) -> dict:
    return {"fingerprint": data.fingerprint, "model_version": HOURLY_MODEL_VERSION,
            "settings": model.identity(), "kind": "hourly"}


def _loaded(model: HourlyForecaster, path, data: HourlyData):
    checkpoint = stored_checkpoint(path, _expected(data, model))
    if checkpoint is None or checkpoint is FOREIGN:
        return checkpoint
    try:
        model.load_state_dict(checkpoint.state_dict, data.wide)
    except Exception:  # weights that do not fit this model: train again
        return None
    return checkpoint.metadata


def stored_hourly(data: HourlyData, settings=None) -> HourlyForecaster | None:
    """The dataset's hourly model when the store has it, else None (nothing is trained)."""
    model = make_hourly(settings)
    metadata = _loaded(model, hourly_checkpoint_path(data, model, settings), data)
    return None if metadata is None or metadata is FOREIGN else model


def trained_hourly(data: HourlyData, settings=None, progress=None) -> tuple[HourlyForecaster, dict]:
    """The hourly model trained on all of ``data``: loaded from the store when the same data and
    settings were trained before (or while we waited for whoever was training it), else trained
    and saved. ``metadata[store_note]`` says when it could not be kept."""
    model = make_hourly(settings)
    path = hourly_checkpoint_path(data, model, settings)
    metadata = _loaded(model, path, data)
    if metadata is None or metadata is FOREIGN:
        with model_lock(path, progress):
            metadata = _loaded(model, path, data)
            if metadata is None or metadata is FOREIGN:
                foreign = metadata is FOREIGN
                metadata = _train(model, data, path, progress)
                if foreign:
                    metadata = {**metadata, NOTE: " ".join(filter(None, (FOREIGN, metadata.get(NOTE))))}
    if progress is not None:
        progress(1.0, "model ready")
    return model, metadata


def _train(model: HourlyForecaster, data: HourlyData, path, progress) -> dict:
    model.fit(data.wide, progress=progress)
    metadata = {**_expected(data, model), "versions": library_versions(), "measure": data.measure,
                "training_seconds": round(model.training_seconds_, 3),
                "trained_at": pd.Timestamp.now(tz="UTC").isoformat(), "stations": len(data.wide.columns),
                "days": model.n_days_}
    try:
        save_checkpoint(path, model.state_dict(), metadata)
    except OSError as exc:
        return {**metadata, NOTE: f"The trained hourly model could not be kept in the model store "
                                  f"({exc.strerror or exc}); it will be trained again next time."}
    return metadata


def forecast_tables(model: HourlyForecaster, data: HourlyData, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(hourly, peaks)`` long tables (``HOURLY_COLUMNS``, ``PEAK_COLUMNS``) for ``horizon``
    days after the data's last whole day."""
    horizon = check_horizon(horizon)
    hourly, peaks = model.predict(horizon)
    stations = np.asarray(data.wide.columns, dtype=object)
    start = data.wide.index[-1] + pd.Timedelta(hours=1)
    times = pd.date_range(start, periods=horizon * HOURS, freq="h")
    dates = pd.date_range(start, periods=horizon, freq="D")
    n = len(stations)
    hourly_table = pd.DataFrame({
        "station_id": np.repeat(stations, len(times)), "time": np.tile(times.to_numpy(), n),
        "forecast": hourly[:, :, 1].T.ravel(), "lower": hourly[:, :, 0].T.ravel(),
        "upper": hourly[:, :, 2].T.ravel(), "unit": data.unit})
    peak_table = pd.DataFrame({
        "station_id": np.repeat(stations, horizon), "date": np.tile(dates.to_numpy(), n),
        "peak": peaks[:, :, 1].T.ravel(), "lower": peaks[:, :, 0].T.ravel(),
        "upper": peaks[:, :, 2].T.ravel(), "unit": data.unit})
    for table in (hourly_table, peak_table):
        figures = table.select_dtypes("number").to_numpy(float)
        if not np.isfinite(figures).all():
            raise InputError("The hourly forecast has a figure that is not a finite number: expected hourly "
                             "values the model can follow.")
    return hourly_table, peak_table


def load_forecast(hourly: pd.DataFrame, horizon: int = 7, settings=None, progress=None,
                  measure: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each station's hourly forecast and daily peaks for ``horizon`` days (80% intervals),
    training the model first when the store does not have it. The tables' ``attrs`` carry the
    store note, where there is one."""
    horizon = check_horizon(horizon)
    data = HourlyData(hourly, measure)
    model, metadata = trained_hourly(data, settings, progress)
    return with_store_note(metadata, *forecast_tables(model, data, horizon))


def load_backtest(hourly: pd.DataFrame, days: int = 7, folds: int = 3, settings=None, progress=None,
                  measure: str | None = None, peers: dict | None = None) -> dict:
    """The hourly backtest (DESIGN.md) of the forecast served (``lstm``, trained afresh on each
    fold's history) and of its network alone (``lstm_network``) against the seasonal naive of
    a week and the four-week hour-of-week mean (and any ``peers``: name -> ``model(train_wide,
    days)``)."""
    data = HourlyData(hourly, measure)
    models = {**network_models(lambda: make_hourly(settings)), **PEERS, **(peers or {})}
    result = hourly_backtest(data.wide, models, check_horizon(days), check_folds(folds), progress)
    return {**result, "measure": data.measure, "unit": data.unit}
