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


def causal_index(y: np.ndarray, weeks: int, shrink: float) -> np.ndarray:
    """Each day's seasonal index of its own weekday from the ``weeks`` weeks before it (as
    ``seasonal_index``; 1 while there are not yet ``weeks`` weeks): ``(days, stations)``."""
    index = np.ones_like(y)
    span = 7 * weeks
    if weeks <= 0 or len(y) <= span:
        return index
    cumulative = np.concatenate([np.zeros((1, y.shape[1])), np.cumsum(y, axis=0)])
    mean = (cumulative[span:-1] - cumulative[:-span - 1]) / span          # days span.. (stations)
    same_weekday = sum(y[span - 7 * k:len(y) - 7 * k] for k in range(1, weeks + 1)) / weeks
    ratio = np.where(mean > 0, same_weekday / np.maximum(mean, 1e-9), 1.0)
    index[span:] = shrink + (1 - shrink) * ratio
    return index


def forward_level(y: np.ndarray, weeks: int, shrink: float) -> np.ndarray:
    """The level known at each origin, in one pass forward: row ``t`` of the ``(days + 1,
    stations)`` result is the simple-exponential-smoothing level of the deseasonalised days
    before ``t`` (``causal_index``), with each station's smoothing weight the one of the grid
    with the least one-day-ahead absolute error so far. Linear in days x stations."""
    z = y / causal_index(y, weeks, shrink)
    alphas = SMOOTHING_WEIGHTS[:, None]
    level = np.repeat(z[:1], len(alphas), axis=0)  # (alphas, stations)
    error = np.zeros_like(level)
    out = np.empty((len(y) + 1, y.shape[1]), dtype=np.float32)
    out[0] = out[1] = z[0]
    columns = np.arange(y.shape[1])
    for t in range(1, len(y)):
        error += np.abs(z[t] - level)
        level = alphas * z[t] + (1 - alphas) * level
        out[t + 1] = level[error.argmin(axis=0), columns]
    return out


class Windows:
    """The LSTM's samples, cut from a daily matrix batch by batch (never all at once).

    A sample is a station and an origin (a window ends the day before its origin). Its days are
    divided by the station's level at the origin (``forward_level``) and by the station's weekly
    profile over the last weeks of the window (as ``seasonal_index``), so the network sees and
    predicts what is left after level and weekly profile. The arrays live on ``device`` as torch
    tensors, so batches are made where the network runs.
    """

    def __init__(self, y: np.ndarray, weekdays: np.ndarray, lookback: int, season_weeks: int,
                 season_shrink: float, device: str = "cpu"):
        import torch

        self.lookback, self.weeks, self.shrink = lookback, season_weeks, season_shrink
        self.n_days, self.n_stations = y.shape
        self.level_ = forward_level(y, season_weeks, season_shrink)
        self.active_ = y.sum(axis=0) > 0
        self.y = torch.from_numpy(y.astype(np.float32)).to(device)
        self.level = torch.from_numpy(self.level_).to(device)
        self.total = self.y.sum(dim=1)
        self.weekdays = torch.from_numpy(weekdays.astype(np.int64)).to(device)
        self.eye = torch.eye(7, device=device)
        self.device = device

    def training_samples(self):
        """``(stations, origins)`` of every sample with at least one target day, a live station
        and a positive level (CPU tensors)."""
        import torch

        origins = np.arange(self.lookback, self.n_days)
        keep = (self.level_[origins] > 0) & self.active_[None, :]
        t, s = np.nonzero(keep)
        return torch.from_numpy(s.astype(np.int64)), torch.from_numpy(origins[t].astype(np.int64))

    def batch(self, stations, origins, horizon: int):
        """Inputs for the samples: x ``(B, lookback, 10)``, first target weekday one-hot ``(B, 7)``,
        log level ``(B,)``, the target days' seasonal index ``(B, horizon)`` and the targets
        ``(B, horizon)`` (NaN after the data ends)."""
        import torch

        stations, origins = stations.to(self.device), origins.to(self.device)
        lookback = self.lookback
        offsets = torch.arange(-lookback, horizon, device=self.device)
        days = origins[:, None] + offsets[None, :]                      # (B, lookback + horizon)
        valid = days < self.n_days
        values = self.y[days.clamp(max=self.n_days - 1), stations[:, None]]
        window, future = values[:, :lookback], values[:, lookback:]
        index = self._profile(window)                                   # (B, 7) by day class
        window_index = index[:, (torch.arange(lookback, device=self.device) - lookback) % 7]
        season = index[:, torch.arange(horizon, device=self.device) % 7]
        level = self.level[origins, stations]
        base = level.clamp(min=1e-9)[:, None]
        ratio = (window / (base * window_index)).clamp(0, MAX_RATIO)
        window_days = days[:, :lookback]
        totals = self.total[window_days]
        recent = totals[:, -LEVEL_DAYS:].mean(dim=1, keepdim=True).clamp(min=1e-9)
        net = (totals / recent).clamp(0, MAX_RATIO)
        x = torch.cat([torch.log1p(ratio)[:, :, None], torch.log1p(net)[:, :, None],
                       torch.log(window_index)[:, :, None], self.eye[self.weekdays[window_days]]], dim=2)
        first = self.eye[self.weekdays[origins]]
        target = torch.where(valid[:, lookback:], (future / (base * season)).clamp(0, MAX_RATIO),
                             torch.full_like(future, float("nan")))
        return x, first, torch.log1p(level), season, target

    def _profile(self, window):
        """Each sample's weekly profile over the last ``weeks`` weeks of its window, by day class
        (class ``c`` is every day ``u`` with ``(u - origin) % 7 == c``), shrunk towards 1."""
        import torch

        if self.weeks <= 0:
            return torch.ones(window.shape[0], 7, device=window.device)
        recent = window[:, -7 * self.weeks:]
        mean = recent.mean(dim=1, keepdim=True)
        by_class = recent.reshape(len(window), self.weeks, 7).mean(dim=1)
        index = torch.where(mean > 0, by_class / mean.clamp(min=1e-9), torch.ones_like(by_class))
        return self.shrink + (1 - self.shrink) * index
