"""What the models see: exponential smoothing's level, the weekly profile, and the LSTM's windows.

Every window is divided by its station's weekly profile (the seasonal index of each weekday,
shrunk towards flat) and by its level (exponential smoothing of the deseasonalised history),
as in Smyl's ES-RNN, so that stations of any size and rhythm share what they have in common.
"""

from __future__ import annotations

import numpy as np

from evcore.forecast.data import LEVEL_DAYS

SMOOTHING_WEIGHTS = np.linspace(0.05, 0.95, 19)  # exponential smoothing's grid
MAX_RATIO = 50.0  # caps a day's value relative to the level (outliers, restarts)
N_INPUTS = 10     # per day: scaled usage, scaled network total, log seasonal index, weekday one-hot


def smoothed_level(y: np.ndarray) -> np.ndarray:
    """Each station's last level under simple exponential smoothing of ``y`` (days, stations);
    each station's smoothing weight minimises its one-day-ahead absolute error over ``y``
    (a grid search)."""
    alphas = SMOOTHING_WEIGHTS[:, None]
    level = np.repeat(y[:1], len(alphas), axis=0)  # (alphas, stations)
    error = np.zeros_like(level)
    for row in y[1:]:
        error += np.abs(row - level)
        level = alphas * row + (1 - alphas) * level
    best = error.argmin(axis=0)
    return level[best, np.arange(y.shape[1])]


def seasonal_index(window: np.ndarray, weekdays: np.ndarray, weeks: int, shrink: float) -> np.ndarray:
    """Each station's weekly profile ``(7, stations)``: the mean of each weekday over the last
    ``weeks`` weeks of the window divided by the mean of those weeks, shrunk towards 1 by
    ``shrink`` (so one odd week does not make a weekday look dead). Ones when ``weeks`` is 0."""
    index = np.ones((7, window.shape[1]))
    if weeks <= 0:
        return index
    recent, days = window[-7 * weeks:], weekdays[-7 * weeks:]
    mean = recent.mean(axis=0)
    for d in range(7):
        index[d] = np.where(mean > 0, recent[days == d].mean(axis=0) / np.maximum(mean, 1e-9), 1.0)
    return shrink + (1 - shrink) * index


def windows(y: np.ndarray, weekdays: np.ndarray, lookback: int, horizon: int, origins: np.ndarray,
            season_weeks: int, season_shrink: float):
    """Model inputs for the given origins (a window ends the day before its origin), per station.

    Each day is divided by its station's level (``smoothed_level`` of the deseasonalised history
    up to the origin) and by the station's seasonal index of that weekday (``seasonal_index``
    of the window), so the network sees and predicts what is left after level and weekly profile
    (level x index is the ``seasonal_exp_smoothing`` forecast). Returns x (samples, lookback, 10),
    first weekday one-hot (samples, 7), level (samples,), the target days' seasonal index
    (samples, horizon), targets (samples, horizon) or None when the origins have no full target,
    and the station index of each sample. Sample order: origin-major, then station.
    """
    n_days, n_stations = y.shape
    total = y.sum(axis=1)
    eye = np.eye(7, dtype=np.float32)
    xs, firsts, levels, seasons, targets = [], [], [], [], []
    for t in origins:
        window = y[t - lookback:t]                                  # (lookback, stations)
        index = seasonal_index(window, weekdays[t - lookback:t], season_weeks, season_shrink)
        level = smoothed_level(y[:t] / index[weekdays[:t]])
        base = np.maximum(level, 1e-9)
        ratio = np.clip(window / (base * index[weekdays[t - lookback:t]]), 0, MAX_RATIO)
        net = total[t - lookback:t] / max(total[t - LEVEL_DAYS:t].mean(), 1e-9)
        net = np.clip(net, 0, MAX_RATIO)
        x = np.empty((n_stations, lookback, N_INPUTS), dtype=np.float32)
        x[:, :, 0] = np.log1p(ratio.T)
        x[:, :, 1] = np.log1p(net)[None]
        x[:, :, 2] = np.log(index[weekdays[t - lookback:t]]).T
        x[:, :, 3:] = eye[weekdays[t - lookback:t]][None]
        xs.append(x)
        firsts.append(np.repeat(eye[weekdays[t]][None], n_stations, axis=0))
        levels.append(level)
        target_index = index[weekdays[t:t + horizon]]               # (horizon, stations)
        seasons.append(target_index.T)
        if t + horizon <= n_days:
            targets.append(np.clip(y[t:t + horizon] / (base * target_index), 0, MAX_RATIO).T)
    stations = np.tile(np.arange(n_stations), len(origins))
    return (np.concatenate(xs), np.concatenate(firsts), np.concatenate(levels).astype(np.float32),
            np.concatenate(seasons).astype(np.float32),
            np.concatenate(targets).astype(np.float32) if len(targets) == len(origins) else None,
            stations)
