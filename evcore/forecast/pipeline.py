"""A dataset's trained LSTM, its backtest and its forecast table, kept in the model store.

These are the calls the page, the CLI and the REST service make: each takes the long usage
table and ``settings`` (``evcore.config.Settings``: the store's folder, LSTM parameters, the
device; ``None`` means the defaults), trains at most once per data and settings, and keeps the
result in the store. When the store cannot be written (a read-only or full folder), the forecast
is still made; ``store_note`` says the model could not be kept.
"""

from __future__ import annotations

import pandas as pd

from evcore.errors import InputError
from evcore.forecast.backtest import Backtest, backtest
from evcore.forecast.baselines import ExponentialSmoothing, MovingAverage, SeasonalExpSmoothing, SeasonalNaive
from evcore.forecast.data import check_folds, check_horizon, daily_matrix, fill_history, fingerprint
from evcore.forecast.lstm import MODEL_VERSION, LSTMForecaster
from evcore.forecast.store import checkpoint_key, library_versions, load_checkpoint, save_checkpoint

NOTE = "store_note"  # DataFrame.attrs / metadata key: why the model could not be kept


def _settings(settings):
    from evcore.config import Settings

    return Settings() if settings is None else settings


def make_lstm(horizon: int, settings=None) -> LSTMForecaster:
    """The LSTM for ``horizon`` days with ``settings.lstm_params`` on ``settings.device``."""
    settings = _settings(settings)
    params = settings.lstm_params
    try:
        return LSTMForecaster(horizon=horizon, device=settings.device, **params)
    except TypeError as exc:
        raise InputError(f"Unknown LSTM setting in {sorted(params)}: {exc}.") from None


def default_models(horizon: int = 10, settings=None) -> list:
    """The LSTM and the baselines it is compared with, in the order the backtest reports them."""
    return [make_lstm(horizon, settings), SeasonalNaive(), MovingAverage(), ExponentialSmoothing(),
            SeasonalExpSmoothing()]


def checkpoint_path(filled: pd.DataFrame, model: LSTMForecaster, settings=None):
    """Where the model store keeps ``model`` trained on ``filled``."""
    key = checkpoint_key(fingerprint(filled), model.identity(), MODEL_VERSION)
    return _settings(settings).checkpoints / f"lstm-{key}.pt"


def _keep(path, state: dict, metadata: dict) -> str | None:
    """Save to the store; the note to show when that is not possible, else None."""
    try:
        save_checkpoint(path, state, metadata)
    except OSError as exc:
        return (f"The trained model could not be kept in {path.parent} ({exc.strerror or exc}); "
                f"it will be trained again next time.")
    return None


def trained_lstm(usage: pd.DataFrame, horizon: int = 10, settings=None,
                 progress=None) -> tuple[LSTMForecaster, dict]:
    """The LSTM trained on all of ``usage``: loaded from the store when the same data and
    settings were trained before, else trained and saved. Returns ``(model, metadata)``;
    ``metadata[store_note]`` is set when the model could not be saved."""
    horizon = check_horizon(horizon)
    filled = fill_history(daily_matrix(usage))
    model = make_lstm(horizon, settings)
    path = checkpoint_path(filled, model, settings)
    loaded = load_checkpoint(path)
    if loaded is not None:
        state, metadata = loaded
        try:
            model.load_state_dict(state, filled)
            if progress is not None:
                progress(1.0, "loaded from checkpoint")
            return model, metadata
        except Exception:  # weights that do not fit this model: train again
            pass
    model.fit(filled, progress=progress)
    metadata = {"fingerprint": fingerprint(filled), "settings": model.identity(),
                "model_version": MODEL_VERSION, "versions": library_versions(),
                "training_seconds": round(model.training_seconds_, 3),
                "trained_at": pd.Timestamp.now(tz="UTC").isoformat(),
                "stations": len(filled.columns), "days": len(filled),
                "start": filled.index[0].strftime("%Y-%m-%d"), "end": filled.index[-1].strftime("%Y-%m-%d")}
    note = _keep(path, model.state_dict(), metadata)
    if note:
        metadata = {**metadata, NOTE: note}
    return model, metadata


def cached_backtest(usage: pd.DataFrame, horizon: int = 10, folds: int = 3, settings=None,
                    progress=None, n_jobs: int = 1) -> Backtest:
    """The backtest, kept in the metadata of the same data's LSTM checkpoint: computed once."""
    horizon, folds = check_horizon(horizon), check_folds(folds)
    filled = fill_history(daily_matrix(usage))
    path = checkpoint_path(filled, make_lstm(horizon, settings), settings)
    loaded = load_checkpoint(path)
    if loaded is not None and loaded[1].get("backtest", {}).get("folds") == folds:
        return Backtest.from_dict(loaded[1]["backtest"])
    result = backtest(usage, horizon=horizon, folds=folds, settings=settings, progress=progress, n_jobs=n_jobs)
    loaded = load_checkpoint(path)
    if loaded is not None:
        state, metadata = loaded
        metadata["backtest"] = result.to_dict()
        _keep(path, state, metadata)
    return result


def forecast_frame(model, history: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """A fitted model's forecast as the long table ``station_id, date, forecast, lower, upper``."""
    import numpy as np

    lower, point, upper = model.predict(horizon)
    dates = pd.date_range(history.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")
    n = len(history.columns)
    return pd.DataFrame({
        "station_id": np.repeat(np.asarray(history.columns, dtype=object), horizon),
        "date": np.tile(dates.to_numpy(), n),
        "forecast": point.T.ravel(), "lower": lower.T.ravel(), "upper": upper.T.ravel()})


def forecast_table(usage: pd.DataFrame, horizon: int = 10, settings=None, progress=None) -> pd.DataFrame:
    """Each station's LSTM forecast for the ``horizon`` days after the data ends:
    ``station_id, date, forecast, lower, upper`` (an 80% interval by default).

    ``table.attrs["store_note"]`` holds one sentence when the model could not be kept in the
    store (the forecast is right all the same)."""
    model, metadata = trained_lstm(usage, horizon, settings=settings, progress=progress)
    table = forecast_frame(model, fill_history(daily_matrix(usage)), horizon)
    if metadata.get(NOTE):
        table.attrs[NOTE] = metadata[NOTE]
    return table
