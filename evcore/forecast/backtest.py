"""The rolling-origin backtest (DESIGN.md) of any list of forecasters.

F folds of H days at the end, rolling origin; WAPE pooled over stations and days within a fold,
then averaged over folds; stations with zero total usage are not scored; forecasts are clipped
at zero. Every model is scored on each forecast its ``predictions(horizon)`` names.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.forecast.data import check_folds, check_horizon, daily_matrix, fill_history


def _fold_score(name, fold, station_errors: pd.DataFrame) -> dict:
    """One fold's pooled figures from its per-station errors (pooled over stations and days)."""
    total = station_errors[["abs_error", "usage", "inside", "days"]].sum()
    return {"model": name, "fold": fold + 1, "wape": total["abs_error"] / max(total["usage"], 1e-12),
            "mae": total["abs_error"] / max(total["days"], 1), "coverage": total["inside"] / max(total["days"], 1)}


def _station_errors(name, stations, prediction, truth, mask) -> pd.DataFrame:
    lower, point, upper = (np.clip(a, 0, None) for a in prediction)
    return pd.DataFrame({
        "model": name, "station_id": stations,
        "abs_error": np.where(mask, np.abs(truth - point), 0.0).sum(axis=0),
        "usage": truth.sum(axis=0), "inside": (mask & (truth >= lower) & (truth <= upper)).sum(axis=0),
        "days": mask.sum(axis=0)})


@dataclass
class Backtest:
    """Backtest figures: ``summary`` (one row a model: wape, mae, coverage, seconds),
    ``per_station`` (model, station_id, wape, mae, coverage) and ``per_fold``."""

    summary: pd.DataFrame
    per_station: pd.DataFrame
    per_fold: pd.DataFrame
    horizon: int
    folds: int

    def to_dict(self) -> dict:
        models = {row.model: {"wape": row.wape, "mae": row.mae, "coverage": row.coverage,
                              "seconds": None if pd.isna(row.seconds) else row.seconds}
                  for row in self.summary.itertuples()}

        def records(table):  # NaN (a station without usage in the folds) as null: strict JSON
            return table.astype(object).where(table.notna(), None).to_dict(orient="records")

        return {"horizon": self.horizon, "folds": self.folds, "models": models,
                "per_fold": records(self.per_fold), "per_station": records(self.per_station)}

    @classmethod
    def from_dict(cls, d: dict) -> "Backtest":
        summary = pd.DataFrame([{"model": name, **figures} for name, figures in d["models"].items()])
        summary["seconds"] = pd.to_numeric(summary["seconds"])
        return cls(summary, pd.DataFrame(d["per_station"]), pd.DataFrame(d["per_fold"]),
                   d["horizon"], d["folds"])


def _fold_predictions(models, train: pd.DataFrame, horizon: int, progress=None):
    """Fit each model on ``train``; return ``({name: (lower, forecast, upper)}, {name: seconds})``
    (a forecast's seconds are those of the model that made it)."""
    predictions, seconds = {}, {}
    for j, model in enumerate(models):
        def step(fraction, message, j=j):
            if progress is not None:
                progress((j + fraction) / len(models), message)

        step(0.0, model.name)
        began = time.perf_counter()
        model.fit(train, progress=step)
        made = model.predictions(horizon)
        took = time.perf_counter() - began
        predictions.update(made)
        seconds.update({name: took for name in made})
    return predictions, seconds


def _run_folds(models, filled: pd.DataFrame, starts: list, horizon: int, progress, n_jobs: int) -> list:
    folds = len(starts)
    if n_jobs > 1 and folds > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        results = [None] * folds
        workers = min(n_jobs, folds)
        if progress is not None:
            progress(0.0, f"training {folds} folds in {workers} processes")
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_fold_predictions, models, filled.iloc[:start], horizon): k
                       for k, start in enumerate(starts)}
            for done, future in enumerate(as_completed(futures)):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress((done + 1) / folds, f"{done + 1} of {folds} folds done")
        return results
    results = []
    for k, start in enumerate(starts):
        def step(fraction, message, k=k):
            if progress is not None:
                progress((k + fraction) / folds, f"fold {k + 1}/{folds}: {message}")

        results.append(_fold_predictions(models, filled.iloc[:start], horizon, step))
    return results


def backtest(usage: pd.DataFrame, horizon: int = 10, folds: int = 3, models=None, settings=None,
             progress=None, n_jobs: int = 1) -> Backtest:
    """Rolling-origin backtest (DESIGN.md) of ``models`` (default: the LSTM made from
    ``settings`` and the baselines).

    ``progress(fraction, message)`` is called as the work goes on. ``n_jobs`` > 1 runs folds in
    that many worker processes (one torch thread each; same numbers, progress fold by fold).
    """
    from evcore.forecast.pipeline import default_models

    horizon = check_horizon(horizon)
    folds = check_folds(folds)
    wide = daily_matrix(usage)
    filled = fill_history(wide)
    models = models if models is not None else default_models(horizon, settings)
    need = max(m.min_history(horizon) for m in models) + folds * horizon
    if len(wide) < need:
        raise InputError(f"The usage data has {len(wide)} days; a backtest of {folds} folds of "
                         f"{horizon} days needs at least {need}.")
    n_days = len(wide)
    starts = [n_days - (folds - k) * horizon for k in range(folds)]
    results = _run_folds(models, filled, starts, horizon, progress, n_jobs)
    if progress is not None:
        progress(1.0, "backtest done")
    return _score(wide, starts, horizon, folds, results)


def _score(wide: pd.DataFrame, starts: list, horizon: int, folds: int, results: list) -> Backtest:
    actual = wide.to_numpy(float)
    scored = np.nansum(actual, axis=0) > 0  # stations with zero total usage are not scored
    fold_rows, station_errors, seconds = [], [], {}
    for k, (start, (predictions, fold_seconds)) in enumerate(zip(starts, results)):
        truth = actual[start:start + horizon]
        mask = scored[None, :] & ~np.isnan(truth)
        truth0 = np.where(mask, truth, 0.0)
        for name, prediction in predictions.items():
            errors = _station_errors(name, wide.columns, prediction, truth0, mask)
            fold_rows.append(_fold_score(name, k, errors))
            station_errors.append(errors)
        for name, value in fold_seconds.items():
            seconds[name] = seconds.get(name, 0.0) + value
    per_fold = pd.DataFrame(fold_rows)
    summary = per_fold.groupby("model", sort=False)[["wape", "mae", "coverage"]].mean().reset_index()
    summary["seconds"] = summary["model"].map(seconds)
    per_station = pd.concat(station_errors).groupby(["model", "station_id"], sort=False).sum().reset_index()
    per_station = per_station[per_station["days"] > 0]
    per_station = pd.DataFrame({
        "model": per_station["model"], "station_id": per_station["station_id"],
        "wape": per_station["abs_error"] / per_station["usage"].where(per_station["usage"] > 0),
        "mae": per_station["abs_error"] / per_station["days"],
        "coverage": per_station["inside"] / per_station["days"]}).reset_index(drop=True)
    return Backtest(summary, per_station, per_fold, horizon, folds)
