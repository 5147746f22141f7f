"""The forecaster protocol and the statistical baselines the LSTM is compared with (and combined with).

Every model works on the filled wide daily matrix (one column a station): ``fit(history)``,
then ``predict(horizon)`` gives three arrays ``(lower, forecast, upper)`` of shape
``(horizon, stations)``, and ``predictions(horizon)`` gives every forecast the model can be
scored on by name (usually just its own; a combination also its parts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.forecast.data import LEVEL_DAYS, weekdays
from evcore.forecast.features import live_from, seasonal_index, smoothed_level


class Forecaster:
    """What the backtest and the forecast table need of a model."""

    name = "forecaster"

    def fit(self, history: pd.DataFrame, progress=None):
        raise NotImplementedError

    def predict(self, horizon: int):
        raise NotImplementedError

    def predictions(self, horizon: int) -> dict:
        """``{name: (lower, forecast, upper)}`` for every forecast this model is scored on."""
        return {self.name: self.predict(horizon)}

    def min_history(self, horizon: int) -> int:
        """Days of history the model needs to fit and forecast ``horizon`` days."""
        return LEVEL_DAYS + horizon


class Baseline(Forecaster):
    """A statistical baseline: a point forecast rule plus an interval from its own past errors.

    The interval takes, per station, the (1-level)/2 and (1+level)/2 quantiles of the errors
    the rule made at the last ``calibration_origins`` forecast origins of the training data,
    times the square root of (the mean forecast now / the mean forecast at those origins): a
    station whose level has changed gets a band that has grown or shrunk with it (count-like
    usage: errors grow about as the root of the level). Only origins a week or more after a
    station went live count (``live_from``: days before it are padding or not yet in use); a
    station with fewer than ``MIN_ORIGINS`` of them takes the median live station's band
    relative to its forecast (a young station is as uncertain as the others, not certain)."""

    name = "baseline"
    MIN_ORIGINS = 5

    def __init__(self, level: float = 0.8, calibration_origins: int = 20):
        self.level = level
        self.calibration_origins = calibration_origins

    def fit(self, history: pd.DataFrame, progress=None):
        self.history_ = history.to_numpy(float)
        return self

    def point(self, horizon: int) -> np.ndarray:
        """The point forecast alone ``(horizon, stations)``, without its interval."""
        return np.clip(self._point(self.history_, horizon), 0, None)

    def predict(self, horizon: int, earlier: dict | None = None):
        """``(lower, point, upper)``; ``earlier``, a dict shared by fits of this baseline (with the
        same settings) on prefixes of one history (the same stations), keeps the point forecasts
        of the calibration origins for them all."""
        y = self.history_
        point = self.point(horizon)
        last_origin = len(y) - horizon
        live = live_from(y) + LEVEL_DAYS
        errors, scales = [], []
        earlier = {} if earlier is None else earlier
        for origin in range(max(LEVEL_DAYS + 1, last_origin - self.calibration_origins + 1), last_origin + 1):
            if (origin, horizon) not in earlier:
                earlier[origin, horizon] = np.clip(self._point(y[:origin], horizon), 0, None)
            past = earlier[origin, horizon]
            errors.append(np.where(origin >= live, y[origin:origin + horizon] - past, np.nan))
            scales.append(np.broadcast_to(past.mean(axis=0), past.shape))
        if not errors:
            return point, point, point
        errors, scales = np.concatenate(errors), np.concatenate(scales)   # (origins * horizon, stations)
        scale = point.mean(axis=0)
        own = (~np.isnan(errors)).sum(axis=0) >= self.MIN_ORIGINS * horizon
        lo, hi = np.zeros(y.shape[1]), np.zeros(y.shape[1])
        if own.any():
            lo[own], hi[own] = np.nanquantile(errors[:, own], [(1 - self.level) / 2, (1 + self.level) / 2], axis=0)
            then = np.nanmean(np.where(np.isnan(errors[:, own]), np.nan, scales[:, own]), axis=0)
            grow = np.ones(y.shape[1])
            grow[own] = np.sqrt(np.where(then > 0, scale[own] / np.where(then > 0, then, 1.0), 1.0))
            lo, hi = lo * grow, hi * grow
            typical = own & (scale > 0)
            if typical.any() and not own.all():
                lo[~own] = np.median(lo[typical] / scale[typical]) * scale[~own]
                hi[~own] = np.median(hi[typical] / scale[typical]) * scale[~own]
        return np.clip(point + lo, 0, None), point, np.clip(point + hi, 0, None)

    def _point(self, y: np.ndarray, horizon: int) -> np.ndarray:
        raise NotImplementedError


class SeasonalNaive(Baseline):
    """Each day repeats the same weekday of the last week."""

    name = "seasonal_naive"

    def __init__(self, season_length: int = 7, **kwargs):
        super().__init__(**kwargs)
        self.season_length = season_length

    def _point(self, y, horizon):
        last = y[-self.season_length:]
        return last[np.arange(horizon) % len(last)]


class SeasonalExpSmoothing(Baseline):
    """Exponential smoothing of the deseasonalised series, times each weekday's seasonal index:
    the weekly profile of the last ``season_weeks`` weeks (shrunk towards flat by
    ``season_shrink``) divides the history, simple exponential smoothing (as ``exp_smoothing``)
    gives the level, and the target weekdays' indices put the profile back."""

    name = "seasonal_exp_smoothing"

    def __init__(self, season_weeks: int = 4, season_shrink: float = 0.3, **kwargs):
        super().__init__(**kwargs)
        self.season_weeks = season_weeks
        self.season_shrink = season_shrink

    def fit(self, history: pd.DataFrame, progress=None):
        super().fit(history)
        self.weekdays_ = weekdays(history.index)
        return self

    def _point(self, y, horizon):
        days = self.weekdays_
        index = seasonal_index(y, days[:len(y)], min(self.season_weeks, len(y) // 7), self.season_shrink)
        level = smoothed_level(y / index[days[:len(y)]])
        return level[None] * index[days[len(y):len(y) + horizon]]


class MovingAverage(Baseline):
    """Every day is the mean of the last ``window`` days."""

    name = "moving_average"

    def __init__(self, window: int = 7, **kwargs):
        super().__init__(**kwargs)
        self.window = window

    def _point(self, y, horizon):
        return np.repeat(y[-self.window:].mean(axis=0, keepdims=True), horizon, axis=0)


class ExponentialSmoothing(Baseline):
    """Simple exponential smoothing (see ``smoothed_level``)."""

    name = "exp_smoothing"

    def _point(self, y, horizon):
        return np.repeat(smoothed_level(y)[None], horizon, axis=0)


BASELINES = {m.name: m for m in (SeasonalNaive, MovingAverage, ExponentialSmoothing, SeasonalExpSmoothing)}
