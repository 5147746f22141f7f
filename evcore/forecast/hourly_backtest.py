"""The hourly backtest (DESIGN.md "Backtest protocol (hourly)") of any hourly models.

F folds of H days (24 x H hours) at the end; each fold's models see only the hours before it
(the file cut there); WAPE pooled over stations and hours within a fold, then averaged over
folds; the daily-peak WAPE likewise on each day's largest hour; stations whose total is zero
are not scored; forecasts are clipped at zero. A model is a callable
``model(train_wide, days) -> (hourly, peaks)``: ``hourly`` ``(days x 24, stations, 3)`` lower,
median, upper (or ``(days x 24, stations)`` for a point forecast) and ``peaks`` ``(days,
stations, 3)``, or None where the model has no peak forecast of its own (the largest hourly
median is scored then).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.forecast.data import check_folds, check_horizon
from evcore.forecast.hourly_data import HOURS, daily_peaks, fill_hours, hour_of_week_mean, seasonal_naive_hours


def seasonal_naive_model(train: pd.DataFrame, days: int):
    return seasonal_naive_hours(fill_hours(train), days * HOURS), None


def hour_of_week_mean_model(train: pd.DataFrame, days: int):
    return hour_of_week_mean(fill_hours(train), days * HOURS), None


def network_models(make) -> dict:
    """``lstm``, the hourly forecast served, and ``lstm_network``, the network alone
    (``predict(blend=0)``), of one network made by ``make()`` and trained afresh on each fold's
    history (once a fold: the second reuses the first's training)."""
    trained = {}

    def fitted(train: pd.DataFrame):
        if len(train) not in trained:
            trained.clear()
            trained[len(train)] = make().fit(train)
        return trained[len(train)]

    return {"lstm": lambda train, days: fitted(train).predict(days),
            "lstm_network": lambda train, days: fitted(train).predict(days, blend=0.0)}


PEERS = {"seasonal_naive": seasonal_naive_model, "hour_of_week_mean": hour_of_week_mean_model}


def hourly_backtest(wide: pd.DataFrame, models: dict, days: int = 7, folds: int = 3, progress=None) -> dict:
    """``{"days", "folds", "models": {name: {wape, peak_wape, coverage, peak_coverage,
    seconds}}, "per_fold": [...]}`` for the hourly matrix ``wide`` (``hourly_matrix``)."""
    days, folds = check_horizon(days), check_folds(folds)
    n_days = len(wide) // HOURS
    truth_all = wide.to_numpy(float)
    scored = np.nansum(truth_all, axis=0) > 0
    if n_days < (folds * days) + 35:
        raise InputError(f"The hourly data has {n_days} whole days; a backtest of {folds} folds of {days} "
                         f"days needs at least {folds * days + 35}.")
    rows = []
    for k in range(folds):
        start = (n_days - (folds - k) * days) * HOURS
        train = wide.iloc[:start]
        truth = truth_all[start:start + days * HOURS][:, scored]
        for j, (name, model) in enumerate(models.items()):
            if progress is not None:
                progress((k * len(models) + j) / (folds * len(models)), f"fold {k + 1}/{folds}: {name}")
            began = time.perf_counter()
            hourly, peaks = model(train, days)
            peaks = None if peaks is None else np.asarray(peaks)[:, scored]
            rows.append({"model": name, "fold": k + 1, "seconds": time.perf_counter() - began,
                         **score(truth, np.asarray(hourly)[:, scored], peaks)})
    per_fold = pd.DataFrame(rows)
    summary = per_fold.groupby("model", sort=False).agg(
        {"wape": "mean", "peak_wape": "mean", "coverage": "mean", "peak_coverage": "mean", "seconds": "sum"})
    models_out = {name: {key: (None if pd.isna(value) else float(value)) for key, value in row.items()}
                  for name, row in summary.iterrows()}
    return {"resolution": "hourly", "days": days, "folds": folds, "models": models_out,
            "per_fold": per_fold.astype(object).where(per_fold.notna(), None).to_dict(orient="records")}


def score(truth: np.ndarray, hourly: np.ndarray, peaks: np.ndarray | None) -> dict:
    """Pooled WAPE and interval coverage of hourly and peak forecasts against ``truth``."""
    hourly = np.clip(hourly, 0, None)
    point = hourly[..., 1] if hourly.ndim == 3 else hourly
    known = ~np.isnan(truth)
    y = np.where(known, truth, 0.0)
    result = {"wape": _wape(y, point, known), "coverage": np.nan, "peak_coverage": np.nan}
    if hourly.ndim == 3:
        result["coverage"] = _inside(y, hourly, known)
    true_peaks = daily_peaks(truth)
    peak_known = ~np.isnan(true_peaks)
    true_peaks = np.where(peak_known, true_peaks, 0.0)
    if peaks is None:
        peak_point = point.reshape(-1, HOURS, point.shape[1]).max(axis=1)
    else:
        peaks = np.clip(peaks, 0, None)
        peak_point = peaks[..., 1]
        result["peak_coverage"] = _inside(true_peaks, peaks, peak_known)
    result["peak_wape"] = _wape(true_peaks, peak_point, peak_known)
    return result


def _wape(y, point, known) -> float:
    return float(np.where(known, np.abs(y - point), 0.0).sum() / max(y.sum(), 1e-12))


def _inside(y, bands, known) -> float:
    inside = known & (y >= bands[..., 0]) & (y <= bands[..., 2])
    return float(inside.sum() / max(known.sum(), 1))
