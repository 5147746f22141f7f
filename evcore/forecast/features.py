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


def smoothed_level(y: np.ndarray, weights=SMOOTHING_WEIGHTS, start: int = 1) -> np.ndarray:
    """Each station's last level under simple exponential smoothing of ``y`` (steps, stations),
    starting from the mean of its first ``start`` steps; each station's smoothing weight (of
    ``weights``) minimises its one-step-ahead absolute error over the steps after them (a grid
    search)."""
    alphas = np.asarray(weights)[:, None]
    level = np.repeat(y[:start].mean(axis=0, keepdims=True), len(alphas), axis=0)  # (alphas, stations)
    error = np.zeros_like(level)
    for row in y[start:]:
        error += np.abs(row - level)
        level = alphas * row + (1 - alphas) * level
    best = error.argmin(axis=0)
    return level[best, np.arange(y.shape[1])]


def spread_live(y: np.ndarray, most: int):
    """Which stations (columns of ``y``) a pooled figure is measured on: all of them (a slice) when
    there are no more than ``most``, else ``most`` of those with usage in ``y``, spread evenly."""
    if y.shape[1] <= most:
        return slice(None)
    used = np.flatnonzero(y.sum(axis=0) > 0)
    return used[np.unique(np.linspace(0, len(used) - 1, min(len(used), most)).round().astype(int))]


def live_from(y: np.ndarray) -> np.ndarray:
    """Each station's first day whose value differs from its first day's: before it the history
    is one repeated value, the padding of a station not yet open (``data.fill_history``) or the
    zeros of one not yet in use. ``len(y)`` for a station that never changes."""
    changed = np.abs(y - y[:1]) > 1e-9
    return np.where(changed.any(axis=0), changed.argmax(axis=0), len(y))


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


def level_components(y: np.ndarray, weeks: int, shrink: float) -> np.ndarray:
    """What each origin's level is made of, in one pass forward (linear in days x stations).

    The level at origin ``t`` is simple exponential smoothing of the days before ``t``, each
    divided by the origin's weekly profile (as ``seasonal_exp_smoothing`` does). Smoothing is
    linear, so that level is ``sum_p components[t, p] / profile[p]`` where ``components[t, p]``
    smooths the days of phase ``p`` (day number mod 7) alone: one pass gives every origin's
    components, whatever profile it then uses. Each station's smoothing weight is the one of the
    grid with the least one-day-ahead absolute error so far on the days divided by their own
    profile of the weeks before them (``causal_index``). Returns ``(days + 1, 7, stations)``.
    """
    z = y / causal_index(y, weeks, shrink)
    alphas = SMOOTHING_WEIGHTS[:, None]
    level = np.repeat(z[:1], len(alphas), axis=0)                      # (alphas, stations)
    error = np.zeros_like(level)
    components = np.zeros((len(alphas), 7, y.shape[1]))
    components[:, 0] = y[0]
    out = np.empty((len(y) + 1, 7, y.shape[1]), dtype=np.float32)
    out[0] = out[1] = components[0]
    columns = np.arange(y.shape[1])
    for t in range(1, len(y)):
        error += np.abs(z[t] - level)
        level = alphas * z[t] + (1 - alphas) * level
        components *= (1 - alphas)[:, :, None]
        components[:, t % 7] += alphas * y[t]
        out[t + 1] = components[error.argmin(axis=0), :, columns].T
    return out


class Windows:
    """The LSTM's samples, cut from a daily matrix batch by batch (never all at once).

    A sample is a station and an origin (a window ends the day before its origin). Its days are
    divided by the station's weekly profile over the last weeks of the window (as
    ``seasonal_index``) and by its level at the origin (``level_components`` deseasonalised by
    that profile), so the network sees and
    predicts what is left after level and weekly profile. The arrays live on ``device`` as torch
    tensors, so batches are made where the network runs.
    """

    def __init__(self, y: np.ndarray, weekdays: np.ndarray, lookback: int, season_weeks: int,
                 season_shrink: float, device: str = "cpu"):
        import torch

        self.lookback, self.weeks, self.shrink = lookback, season_weeks, season_shrink
        self.n_days, self.n_stations = y.shape
        components = level_components(y, season_weeks, season_shrink)
        self.level_ = components.sum(axis=1)  # the level of the days as they are (no profile)
        self.active_ = y.sum(axis=0) > 0
        self.y = torch.from_numpy(y.astype(np.float32)).to(device)
        self.components = torch.from_numpy(components).to(device)
        self.total = self.y.sum(dim=1)
        self.weekdays = torch.from_numpy(weekdays.astype(np.int64)).to(device)
        self.eye = torch.eye(7, device=device)
        self.device = device
        self.target_end = self.n_days  # days from here on are not targets (a validation slice)

    def training_samples(self):
        """``(stations, origins)`` of every sample with at least one target day, a live station
        and a positive level (CPU tensors)."""
        import torch

        origins = np.arange(self.lookback, self.target_end)
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
        valid = days < self.target_end
        values = self.y[days.clamp(max=self.n_days - 1), stations[:, None]]
        window, future = values[:, :lookback], values[:, lookback:]
        index = self._profile(window)                                   # (B, 7) by day class
        window_index = index[:, (torch.arange(lookback, device=self.device) - lookback) % 7]
        season = index[:, torch.arange(horizon, device=self.device) % 7]
        phases = (origins[:, None] + torch.arange(7, device=self.device)) % 7  # of each day class
        parts = self.components[origins, :, stations].gather(1, phases)
        level = (parts / index).sum(dim=1)
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
