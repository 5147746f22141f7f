"""A dataset's trained LSTM, its backtest and its forecast table, kept in the model store.

These are the calls the page, the CLI and the REST service make: each takes the long usage
table (or its ``DailyHistory``, prepared once by ``daily_history``) and ``settings``
(``evcore.config.Settings``: the store's folder, LSTM parameters, the device; ``None`` means the
defaults). One training serves every horizon from 1 to 30 days, and
one backtest (folds of up to 30 days, scored on their first H days) every horizon too; both are
kept in the store, and a second process asking for a model being trained waits for it and loads
it. When the store cannot be written (a read-only or full folder), the forecast is still made;
``store_note`` says the model could not be kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.forecast.backtest import Backtest, BacktestErrors, backtest_errors
from evcore.forecast.baselines import ExponentialSmoothing, MovingAverage, SeasonalExpSmoothing, SeasonalNaive
from evcore.forecast.data import (LEVEL_DAYS, MAX_HORIZON, check_folds, check_horizon,
                                  daily_history, fingerprint)
from evcore.forecast.lstm import MODEL_VERSION, LSTMForecaster
from evcore.forecast.training import resolve_device
from evcore.forecast.store import (FOREIGN, NOTE, checkpoint_key, library_versions, model_lock,
                                   save_checkpoint, stored_checkpoint, with_store_note)

MEMBERS = "members"    # DataFrame.attrs key: the forecasts whose median the table is (LSTMForecaster.members_)


def _settings(settings):
    from evcore.config import Settings

    return Settings() if settings is None else settings


def prepared(usage, stations=None, settings=None):
    """The usage table as a ``DailyHistory`` with the holidays ``settings.holidays`` names (by
    default those of the ``stations``' country); a ``DailyHistory`` as it is."""
    return daily_history(usage, stations, _settings(settings).holidays)


def make_lstm(settings=None) -> LSTMForecaster:
    """The LSTM with ``settings.lstm_params`` on ``settings.device`` (trained for 30 days ahead
    unless the parameters say otherwise)."""
    settings = _settings(settings)
    resolve_device(settings.device)  # a cuda setting without a GPU is refused before any work
    params = settings.lstm_params
    try:
        return LSTMForecaster(**{"device": settings.device, **params})
    except TypeError as exc:
        raise InputError(f"Unknown LSTM setting in {sorted(params)}: {exc}.") from None


def default_models(settings=None) -> list:
    """The LSTM and the baselines it is compared with, in the order the backtest reports them."""
    return [make_lstm(settings), SeasonalNaive(), MovingAverage(), ExponentialSmoothing(), SeasonalExpSmoothing()]


def checkpoint_path(filled: pd.DataFrame, model: LSTMForecaster, settings=None):
    """Where the model store keeps ``model`` trained on ``filled``."""
    key = checkpoint_key(fingerprint(filled), model.identity(), MODEL_VERSION)
    return _settings(settings).checkpoints / f"lstm-{key}.pt"


def _keep(path, state: dict, metadata: dict, arrays: dict | None = None) -> str | None:
    """Save to the store; the note to show when that is not possible, else None (the store's
    folder is a server path: never in the note)."""
    try:
        save_checkpoint(path, state, metadata, arrays)
    except OSError as exc:
        return (f"The trained model could not be kept in the model store ({exc.strerror or type(exc).__name__}); "
                f"it will be trained again next time.")
    return None


def _checkpoint_for(path, filled: pd.DataFrame, model: LSTMForecaster):
    """The checkpoint at ``path`` if made from ``filled`` with ``model``'s settings (see
    ``stored_checkpoint``): None when missing or damaged, ``FOREIGN`` when it is another's."""
    return stored_checkpoint(path, {"fingerprint": fingerprint(filled), "model_version": MODEL_VERSION,
                                    "settings": model.identity()})


def _check_history(n_days: int, horizon: int, model: LSTMForecaster) -> None:
    if n_days < model.min_history(horizon):
        raise InputError(f"The usage data has {n_days} days; the LSTM needs at least "
                         f"{model.min_history(horizon)} to forecast {horizon} days ahead "
                         f"(lookback {model.shortest_lookback} days).")


def _loaded(model: LSTMForecaster, path, filled: pd.DataFrame):
    """The checkpoint's metadata once its weights are in ``model``; None when there is none to
    use, ``FOREIGN`` when the file there belongs to other data or settings."""
    checkpoint = _checkpoint_for(path, filled, model)
    if checkpoint is None or checkpoint is FOREIGN:
        return checkpoint
    try:
        model.load_state_dict(checkpoint.state_dict, filled)
    except Exception:  # weights that do not fit this model: train again
        return None
    return checkpoint.metadata


def trained_lstm(usage, horizon: int = 10, settings=None,
                 progress=None, stations=None) -> tuple[LSTMForecaster, dict]:
    """The LSTM trained on all of ``usage``, for every horizon up to 30 days (or what the data
    allows, at least ``horizon``): loaded from the store when the same data and settings were
    trained before (or while we waited for another process training it), else trained and saved.
    Returns ``(model, metadata)``; ``metadata[store_note]`` is set when it could not be saved."""
    horizon = check_horizon(horizon)
    if progress is not None:
        progress(0.0, "preparing the data")
    return _trained_on(prepared(usage, stations, settings).filled, horizon, settings, progress)


def _trained_on(filled: pd.DataFrame, horizon: int, settings, progress) -> tuple[LSTMForecaster, dict]:
    model = make_lstm(settings)
    _check_history(len(filled), horizon, model)
    path = checkpoint_path(filled, model, settings)
    metadata = _loaded(model, path, filled)
    if metadata is None or metadata is FOREIGN:
        with model_lock(path, progress):
            metadata = _loaded(model, path, filled)  # trained by whoever held the lock
            if metadata is None or metadata is FOREIGN:
                foreign = metadata is FOREIGN
                metadata = _train(model, filled, path, progress, _predecessor(filled, model, settings))
                if foreign:
                    metadata = {**metadata, NOTE: " ".join(filter(None, (FOREIGN, metadata.get(NOTE))))}
    if progress is not None:
        progress(1.0, "model ready")
    return model, metadata


# After usage is appended (a few days more, the days before unchanged), the model of the shorter
# data is fine-tuned rather than trained afresh: bench/append_forecast.py measured the same WAPE
# at a fraction of the time (Johannesburg, 3 origins: 0.2893 both, 0.13 of the time; Melbourne,
# 2 origins: 0.2646 vs 0.2661, 0.22 of the time). After FINE_TUNES_IN_A_ROW
# fine-tunes the model is trained afresh, so small drifts cannot pile up.
APPENDED_DAYS = 7
FINE_TUNE_EPOCHS = 4
FINE_TUNE_RATE = 1e-3
FINE_TUNES_IN_A_ROW = 7


def _predecessor(filled: pd.DataFrame, model: LSTMForecaster, settings):
    """The stored model of ``filled`` less its last 1 to ``APPENDED_DAYS`` days (same stations,
    same values before), as ``(checkpoint, that shorter matrix)``; None when there is none."""
    for days in range(1, APPENDED_DAYS + 1):
        shorter = filled.iloc[:-days]
        if len(shorter) < model.min_history(1):
            return None
        checkpoint = _checkpoint_for(checkpoint_path(shorter, model, settings), shorter, model)
        if checkpoint is not None and checkpoint is not FOREIGN:
            if checkpoint.metadata.get("fine_tunes", 0) >= FINE_TUNES_IN_A_ROW:
                return None
            return checkpoint, shorter
    return None


def _fine_tune(model: LSTMForecaster, filled: pd.DataFrame, predecessor, progress) -> bool:
    """Train ``model`` from each seed's last network of the predecessor for a few epochs; False
    when its networks do not fit (the model is then trained afresh)."""
    checkpoint, shorter = predecessor
    previous = LSTMForecaster(**model.get_params())
    try:
        previous.load_state_dict(checkpoint.state_dict, shorter)
    except Exception:  # another network shape (e.g. a longer lookback now fits): train afresh
        return False
    per_seed = len(previous.networks_) // model.seeds
    if per_seed < 1 or len(previous.networks_) % model.seeds:
        return False
    starts = [previous.networks_[(seed + 1) * per_seed - 1] for seed in range(model.seeds)]
    saved = model.epochs, model.average_last, model.learning_rate
    epochs = min(FINE_TUNE_EPOCHS, model.epochs)
    model.epochs, model.average_last, model.learning_rate = epochs, min(model.average_last, epochs), FINE_TUNE_RATE
    try:
        model.fit(filled, progress=progress, start_from=starts, departure=previous.departure_,
                  members=previous.members_, band_scale=previous.band_scale_)
    finally:  # its identity (the store's key) stays the settings asked for
        model.epochs, model.average_last, model.learning_rate = saved
    return True


def _train(model: LSTMForecaster, filled: pd.DataFrame, path, progress, predecessor=None) -> dict:
    tuned = predecessor is not None and _fine_tune(model, filled, predecessor, progress)
    if not tuned:
        model.fit(filled, progress=progress)
    metadata = {"fingerprint": fingerprint(filled), "settings": model.identity(),
                "model_version": MODEL_VERSION, "versions": library_versions(),
                "horizon": model.horizon_, "training_seconds": round(model.training_seconds_, 3),
                "trained_at": pd.Timestamp.now(tz="UTC").isoformat(),
                "stations": len(filled.columns), "days": len(filled),
                "start": filled.index[0].strftime("%Y-%m-%d"), "end": filled.index[-1].strftime("%Y-%m-%d")}
    if tuned:
        metadata.update(fine_tuned_from=predecessor[0].metadata["fingerprint"],
                        fine_tunes=predecessor[0].metadata.get("fine_tunes", 0) + 1)
    note = _keep(path, model.state_dict(), metadata)
    return {**metadata, NOTE: note} if note else metadata


def backtest_span(n_days: int, folds: int, model: LSTMForecaster) -> int:
    """The fold length of the stored backtest: 30 days, or less when the data is short."""
    return max(1, min(MAX_HORIZON, (n_days - model.shortest_lookback - LEVEL_DAYS) // (folds + 1)))


def cached_backtest_errors(usage, folds: int = 3, settings=None, progress=None,
                           n_jobs: int = 1, span: int | None = None, stations=None) -> BacktestErrors:
    """The backtest of every horizon at once (``BacktestErrors``: folds of ``span`` days, 30 or
    what the data allows) of ``default_models(settings)``, kept with the data's LSTM in the
    store: computed once."""
    folds = check_folds(folds)
    history = prepared(usage, stations, settings)
    filled = history.filled
    model = make_lstm(settings)
    span = backtest_span(len(filled), folds, model) if span is None else check_horizon(span)
    path = checkpoint_path(filled, model, settings)
    stored = _stored_backtest(path, folds, span, filled, model)
    if stored is not None:
        return stored
    with model_lock(f"{path}.backtest", progress):
        stored = _stored_backtest(path, folds, span, filled, model)
        if stored is not None:
            return stored
        errors = backtest_errors(history, span, folds, models=default_models(settings), progress=progress,
                                 n_jobs=n_jobs)
        with model_lock(path):
            checkpoint = _checkpoint_for(path, filled, model)
            if checkpoint is not None and checkpoint is not FOREIGN:
                arrays, meta = errors.to_arrays()
                _keep(path, checkpoint.state_dict, {**checkpoint.metadata, "backtest": meta},
                      {**checkpoint.arrays, **arrays})
    return errors


def _stored_backtest(path, folds: int, span: int, filled: pd.DataFrame, model) -> BacktestErrors | None:
    checkpoint = _checkpoint_for(path, filled, model)
    if checkpoint is None or checkpoint is FOREIGN:
        return None
    meta = checkpoint.metadata.get("backtest", {})
    if meta.get("folds") != folds or meta.get("span") != span:
        return None
    return BacktestErrors.from_arrays(checkpoint.arrays, meta)


def cached_backtest(usage, horizon: int = 10, folds: int = 3, settings=None,
                    progress=None, n_jobs: int = 1, stations=None) -> Backtest:
    """The backtest for ``horizon``, read off the stored backtest of every horizon (folds of 30
    days, or what the data allows, each scored on its first ``horizon`` days)."""
    horizon = check_horizon(horizon)
    history = prepared(usage, stations, settings)
    span = max(horizon, backtest_span(len(history), check_folds(folds), make_lstm(settings)))
    errors = cached_backtest_errors(history, folds, settings, progress, n_jobs, span=span)
    return errors.for_horizon(horizon)


def forecast_frame(model, history: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """A fitted model's forecast as the long table ``station_id, date, forecast, lower, upper``."""
    lower, point, upper = model.predict(horizon)
    dates = pd.date_range(history.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")
    n = len(history.columns)
    return pd.DataFrame({
        "station_id": np.repeat(np.asarray(history.columns, dtype=object), horizon),
        "date": np.tile(dates.to_numpy(), n),
        "forecast": point.T.ravel(), "lower": lower.T.ravel(), "upper": upper.T.ravel()})


def forecast_table(usage, horizon: int = 10, settings=None, progress=None, stations=None) -> pd.DataFrame:
    """Each station's LSTM forecast for the ``horizon`` days after the data ends:
    ``station_id, date, forecast, lower, upper`` (an 80% interval by default).

    ``table.attrs["store_note"]`` holds one sentence when the model could not be kept in the
    store (the forecast is right all the same)."""
    horizon = check_horizon(horizon)
    if progress is not None:
        progress(0.0, "preparing the data")
    filled = prepared(usage, stations, settings).filled
    model, metadata = _trained_on(filled, horizon, settings, progress)
    table = forecast_frame(model, filled, horizon)
    _refuse_non_finite(table)
    table.attrs[MEMBERS] = list(model.shipped_members())
    return with_store_note(metadata, table)[0]


def _refuse_non_finite(table: pd.DataFrame) -> None:
    """A forecast with NaN or infinity is never shown or written: one sentence naming the first
    bad row (the page, the CLI and the service all come through here)."""
    for column in ("forecast", "lower", "upper"):
        bad = ~np.isfinite(table[column].to_numpy(float))
        if bad.any():
            row = table.iloc[int(bad.argmax())]
            raise InputError(f"The {column} for station {row['station_id']} on {row['date']:%Y-%m-%d} is not a "
                             "finite number: expected usage the model can follow.")
