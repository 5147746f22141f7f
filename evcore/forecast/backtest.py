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
from evcore.forecast.data import check_folds, check_horizon, daily_history, fill_history


@dataclass
class Backtest:
    """Backtest figures: ``summary`` (one row a model: wape, mae, coverage, seconds),
    ``per_station`` (model, station_id, wape, mae, coverage) and ``per_fold``, of ``folds``
    folds of ``span`` days each scored on its first ``horizon`` days."""

    summary: pd.DataFrame
    per_station: pd.DataFrame
    per_fold: pd.DataFrame
    horizon: int
    folds: int
    span: int | None = None

    def __post_init__(self):
        if self.span is None:
            self.span = self.horizon

    def to_dict(self) -> dict:
        models = {row.model: {"wape": row.wape, "mae": row.mae, "coverage": row.coverage,
                              "seconds": None if pd.isna(row.seconds) else row.seconds}
                  for row in self.summary.itertuples()}

        def records(table):  # NaN (a station without usage in the folds) as null: strict JSON
            return table.astype(object).where(table.notna(), None).to_dict(orient="records")

        return {"horizon": self.horizon, "folds": self.folds, "span": self.span, "models": models,
                "per_fold": records(self.per_fold), "per_station": records(self.per_station)}


@dataclass
class BacktestErrors:
    """A backtest's errors by day ahead, from which the figures of every horizon up to ``span``
    are read off (``for_horizon``): ``fold_sums`` ``(4, models, folds, span)`` pooled over
    stations and ``station_sums`` ``(4, models, span, stations)`` summed over folds, of
    absolute error, usage, days inside the interval and days scored."""

    models: list
    stations: list
    fold_sums: np.ndarray
    station_sums: np.ndarray
    seconds: dict
    span: int

    @property
    def folds(self) -> int:
        return self.fold_sums.shape[2]

    def for_horizon(self, horizon: int) -> Backtest:
        """The figures of folds scored on their first ``horizon`` days."""
        if horizon > self.span:
            raise InputError(f"This backtest has folds of {self.span} days; asked for {horizon}.")
        err, usage, inside, days = self.fold_sums[:, :, :, :horizon].sum(axis=3)
        rows = [{"model": name, "fold": k + 1, "wape": err[m, k] / max(usage[m, k], 1e-12),
                 "mae": err[m, k] / max(days[m, k], 1), "coverage": inside[m, k] / max(days[m, k], 1)}
                for k in range(self.folds) for m, name in enumerate(self.models)]
        per_fold = pd.DataFrame(rows)
        summary = per_fold.groupby("model", sort=False)[["wape", "mae", "coverage"]].mean().reset_index()
        summary["seconds"] = summary["model"].map(self.seconds).astype(float)
        err, usage, inside, days = self.station_sums[:, :, :horizon].sum(axis=2)  # (models, stations)
        names = np.repeat(np.asarray(self.models, dtype=object), len(self.stations))
        ids = np.tile(np.asarray(self.stations, dtype=object), len(self.models))
        err, usage, inside, days = (a.ravel() for a in (err, usage, inside, days))
        scored = days > 0
        per_station = pd.DataFrame({
            "model": names, "station_id": ids,
            "wape": err / np.where(usage > 0, usage, np.nan), "mae": err / np.maximum(days, 1),
            "coverage": inside / np.maximum(days, 1)})[scored].reset_index(drop=True)
        return Backtest(summary, per_station, per_fold, horizon, self.folds, self.span)

    def to_arrays(self) -> tuple[dict, dict]:
        """Tensors and JSON-able metadata for the model store."""
        import torch

        return ({"backtest.fold_sums": torch.from_numpy(self.fold_sums),
                 "backtest.station_sums": torch.from_numpy(self.station_sums.astype(np.float32))},
                {"models": self.models, "stations": [str(s) for s in self.stations],
                 "seconds": self.seconds, "span": self.span, "folds": self.folds})

    @classmethod
    def from_arrays(cls, arrays: dict, meta: dict) -> "BacktestErrors":
        return cls(meta["models"], meta["stations"], arrays["backtest.fold_sums"].numpy(),
                   arrays["backtest.station_sums"].numpy().astype(float), meta["seconds"], meta["span"])


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


def _before(history, start: int) -> pd.DataFrame:
    """What a fold's models see: the days before ``start``, filled from those days alone (a gap
    or a new station's first days are not filled from what comes after the origin)."""
    train = fill_history(history.observed.iloc[:start])
    train.attrs.update(history.filled.attrs)
    return train


def _run_folds(models, history, starts: list, horizon: int, progress, n_jobs: int) -> list:
    folds = len(starts)
    if n_jobs > 1 and folds > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        results = [None] * folds
        workers = min(n_jobs, folds)
        if progress is not None:
            progress(0.0, f"training {folds} folds in {workers} processes")
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {pool.submit(_fold_predictions, models, _before(history, start), horizon): k
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

        results.append(_fold_predictions(models, _before(history, start), horizon, step))
    return results


def backtest(usage, horizon: int = 10, folds: int = 3, *, models: list, progress=None,
             n_jobs: int = 1) -> Backtest:
    """Rolling-origin backtest (DESIGN.md) of ``models`` (forecasters, such as
    ``pipeline.default_models(settings)``) on ``usage`` (the long usage table or its
    ``DailyHistory``): ``folds`` folds of ``horizon`` days at the end.

    ``progress(fraction, message)`` is called as the work goes on. ``n_jobs`` > 1 runs folds in
    that many worker processes (one torch thread each; same numbers, progress fold by fold).
    """
    horizon = check_horizon(horizon)
    return backtest_errors(usage, horizon, folds, models=models, progress=progress,
                           n_jobs=n_jobs).for_horizon(horizon)


def backtest_errors(usage, span: int = 30, folds: int = 3, *, models: list, progress=None,
                    n_jobs: int = 1) -> BacktestErrors:
    """The errors of ``folds`` folds of ``span`` days at the end, by day ahead: the backtest of
    every horizon up to ``span`` at once (each scores the first days of the same folds)."""
    span = check_horizon(span)
    folds = check_folds(folds)
    history = daily_history(usage)
    need = max(m.min_history(span) for m in models) + folds * span
    if len(history) < need:
        raise InputError(f"The usage data has {len(history)} days; a backtest of {folds} folds of "
                         f"{span} days needs at least {need}.")
    n_days = len(history)
    starts = [n_days - (folds - k) * span for k in range(folds)]
    results = _run_folds(models, history, starts, span, progress, n_jobs)
    if progress is not None:
        progress(1.0, "backtest done")
    return _errors(history.observed, starts, span, results)


def _errors(wide: pd.DataFrame, starts: list, span: int, results: list) -> BacktestErrors:
    actual = wide.to_numpy(float)
    scored = np.nansum(actual, axis=0) > 0  # stations with zero total usage are not scored
    names = list(results[0][0])
    n_stations = actual.shape[1]
    by_fold = np.zeros((4, len(names), len(starts), span, n_stations))
    seconds = {}
    for k, (start, (predictions, fold_seconds)) in enumerate(zip(starts, results)):
        truth = actual[start:start + span]
        mask = scored[None, :] & ~np.isnan(truth)
        truth = np.where(mask, truth, 0.0)
        for m, name in enumerate(names):
            lower, point, upper = (np.clip(a, 0, None) for a in predictions[name])
            by_fold[0, m, k] = np.where(mask, np.abs(truth - point), 0.0)
            by_fold[1, m, k] = truth
            by_fold[2, m, k] = mask & (truth >= lower) & (truth <= upper)
            by_fold[3, m, k] = mask
        for name, value in fold_seconds.items():
            seconds[name] = seconds.get(name, 0.0) + value
    return BacktestErrors(names, list(wide.columns), by_fold.sum(axis=4), by_fold.sum(axis=2), seconds, span)
