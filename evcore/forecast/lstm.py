"""The global LSTM forecaster: one network trained across all stations, quantile outputs.

It predicts all ``horizon`` days at once (no feeding back) as three quantiles of the ratio to
each station's level and weekly profile (``evcore.forecast.features``), which are multiplied
back: the median is the forecast and the outer two give the prediction interval. The networks
of several seeds, each kept at a few of its last epochs, are averaged, which steadies the
forecasts of such small data sets. The forecast the app ships (the ``lstm`` model) is, per
station and day, the median of four forecasts: that network, seasonal exponential smoothing,
exponential smoothing and the weekly seasonal naive (likewise for the interval bounds); the
backtest also scores the network alone as ``lstm_network``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.forecast.baselines import BASELINES, Forecaster
from evcore.forecast.data import LEVEL_DAYS, MAX_HORIZON, weekdays
from evcore.forecast.features import N_INPUTS, Windows
from evcore.forecast.training import build_network, resolve_device, torch_threads, train_network

GPU_BATCH = 8192           # on a GPU, big batches keep it busy
GPU_WINDOWS = 2 ** 21      # and an epoch is every window up to 2 million (about 6,000 stations x a year)
MODEL_VERSION = 3  # bump when the LSTM's inputs or architecture change (old checkpoints retrain)


class LSTMForecaster(Forecaster):
    """A global LSTM over all stations, with per-station scaling and quantile outputs.

    Parameters are the settings that identify a trained model (and its checkpoint): ``lookback``
    days in; ``horizon`` the most days out it is trained for (one training serves every shorter
    horizon; shorter data trains for what it allows); ``seeds`` networks, each kept every
    ``snapshot_every``-th of its last ``average_last`` epochs, all averaged; ``level`` the
    interval's coverage; ``season_weeks`` and ``season_shrink`` the weekly profile the inputs are
    divided by; ``combine`` the baselines whose forecasts are combined with the network's by the
    median (empty: the network alone); ``max_windows_per_epoch`` the samples an epoch sees
    (``auto``: 8192 on a CPU; on a GPU all of them, up to ``GPU_WINDOWS``) and ``batch_size``
    (``auto``: 256 on a CPU; on a GPU 1/64 of an epoch, from 256 to ``GPU_BATCH``). Not part of
    the identity: ``threads`` (torch threads while training) and
    ``device`` (``auto``: a GPU when there is one).
    ``fit(history)`` takes the filled wide daily matrix; ``predict(horizon)`` returns
    ``(lower, forecast, upper)`` arrays of shape ``(horizon, stations)``.
    """

    name = "lstm"

    def __init__(self, horizon: int = MAX_HORIZON, lookback: int = 30, hidden_size: int = 32,
                 epochs: int = 20, average_last: int = 10, snapshot_every: int = 2,
                 learning_rate: float = 3e-3, batch_size="auto", max_windows_per_epoch="auto",
                 seeds: int = 3, level: float = 0.8,
                 combine: tuple = ("seasonal_exp_smoothing", "exp_smoothing", "seasonal_naive"),
                 season_weeks: int = 4, season_shrink: float = 0.3,
                 random_state: int = 0, threads: int = 1, device: str = "cpu"):
        self.horizon = horizon
        self.lookback = lookback
        self.hidden_size = hidden_size
        self.epochs = epochs
        self.average_last = average_last
        self.snapshot_every = snapshot_every
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_windows_per_epoch = max_windows_per_epoch
        self.seeds = seeds
        self.level = level
        self.combine = tuple(combine)
        self.season_weeks = season_weeks
        self.season_shrink = season_shrink
        self.random_state = random_state
        self.threads = threads
        self.device = device

    IDENTITY = ("horizon", "lookback", "hidden_size", "epochs", "average_last", "snapshot_every",
                "learning_rate", "batch_size", "max_windows_per_epoch", "seeds", "level", "combine",
                "season_weeks", "season_shrink", "random_state")

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in (*self.IDENTITY, "threads", "device")}

    def identity(self) -> dict:
        """The parameters that make a trained model what it is (its checkpoint's key): all but
        where and on how many threads it runs."""
        return {k: getattr(self, k) for k in self.IDENTITY}

    @property
    def quantiles(self):
        return [(1 - self.level) / 2, 0.5, (1 + self.level) / 2]

    def min_history(self, horizon: int | None = None) -> int:
        """Days of history needed to forecast ``horizon`` days: a lookback, the horizon and a week."""
        return self.lookback + (self.horizon if horizon is None else horizon) + LEVEL_DAYS

    def trained_horizon(self, n_days: int) -> int:
        """The horizon a history of ``n_days`` trains for: ``horizon``, or less when short."""
        return min(self.horizon, n_days - self.lookback - LEVEL_DAYS)

    def fit(self, history: pd.DataFrame, progress=None):
        import torch

        y = history.to_numpy(float)
        if self.trained_horizon(len(y)) < 1:
            raise InputError(f"The usage data has {len(y)} days; the LSTM needs at least "
                             f"{self.min_history(1)} (lookback {self.lookback} days).")
        self._remember(history)
        started = time.perf_counter()
        device = resolve_device(self.device)
        windows = self._windows(device)
        samples = windows.training_samples()
        if len(samples[0]) == 0:
            raise InputError("The usage data has no station with usage in a full training window.")
        log_level = np.log1p(windows.level_[samples[1].numpy(), samples[0].numpy()])
        stats = torch.tensor([log_level.mean(), max(log_level.std(), 1e-3)])
        on_gpu = device != "cpu"
        per_epoch = (GPU_WINDOWS if on_gpu else 8192) if self.max_windows_per_epoch == "auto" else self.max_windows_per_epoch
        seen = min(len(samples[0]), per_epoch or len(samples[0]))
        batch_size = ((min(GPU_BATCH, max(256, seen // 64)) if on_gpu else 256) if self.batch_size == "auto"
                      else self.batch_size)
        self.networks_ = []
        with torch_threads(self.threads):
            for seed in range(self.seeds):
                def step(epoch, seed=seed):
                    if progress is not None:
                        progress((seed * self.epochs + epoch) / (self.seeds * self.epochs),
                                 f"training the LSTM: seed {seed + 1}/{self.seeds}, epoch {epoch}/{self.epochs}")

                kept = train_network(
                    windows, samples, self.quantiles, hidden_size=self.hidden_size, horizon=self.horizon_,
                    epochs=self.epochs, learning_rate=self.learning_rate, batch_size=batch_size,
                    windows_per_epoch=per_epoch, seed=self.random_state + seed,
                    keep_epoch=self._is_snapshot, level_stats=stats, progress=step)
                self.networks_.extend(kept)
        self.training_seconds_ = time.perf_counter() - started
        return self

    def _windows(self, device: str) -> Windows:
        return Windows(self.history_, self.weekdays_, self.lookback, min(self.season_weeks, self.lookback // 7),
                       self.season_shrink, device)

    def _is_snapshot(self, epoch: int) -> bool:
        """Keep the weights of every ``snapshot_every``-th of the last ``average_last`` epochs."""
        left = self.epochs - 1 - epoch
        return left < max(self.average_last, 1) and left % self.snapshot_every == 0

    def _remember(self, history: pd.DataFrame) -> None:
        self.history_ = history.to_numpy(float)
        self.stations_ = list(history.columns)
        self.dates_ = history.index
        self.weekdays_ = weekdays(history.index)
        self.horizon_ = self.trained_horizon(len(history))

    def predict(self, horizon: int | None = None):
        """``(lower, forecast, upper)``: per station and day, the median of the network's and the
        ``combine`` baselines' forecasts (and of their lower and of their upper bounds)."""
        return self.predictions(horizon)[self.name]

    def predictions(self, horizon: int | None = None) -> dict:
        """The shipped forecast (``lstm``) and, when it combines baselines, the network alone
        (``lstm_network``)."""
        horizon = self.horizon_ if horizon is None else horizon
        network = self.predict_network(horizon)
        if not self.combine:
            return {self.name: network}
        parts = [network]
        history = pd.DataFrame(self.history_, index=self.dates_)
        for name in self.combine:  # at the full horizon, so a day's forecast is the same whatever the horizon
            parts.append(tuple(a[:horizon] for a in BASELINES[name]().fit(history).predict(self.horizon_)))
        combined = tuple(np.median([p[i] for p in parts], axis=0) for i in range(3))
        return {self.name: combined, self.name + "_network": network}

    def predict_network(self, horizon: int | None = None, chunk: int = 16384):
        """``(lower, forecast, upper)`` from the network alone (stations ``chunk`` at a time)."""
        import torch

        horizon = self.horizon_ if horizon is None else horizon
        if horizon > self.horizon_:
            raise InputError(f"This model was trained for {self.horizon_} days ahead; asked for {horizon}.")
        device = str(next(self.networks_[0].parameters()).device)
        windows = self._windows(device)
        n_stations = self.history_.shape[1]
        parts = []
        with torch.no_grad(), torch_threads(self.threads):
            for start in range(0, n_stations, chunk):
                stations = torch.arange(start, min(start + chunk, n_stations))
                origins = torch.full_like(stations, len(self.history_))
                x, first, log_level, season, _ = windows.batch(stations, origins, self.horizon_)
                ratios = torch.stack([net(x, first, log_level) for net in self.networks_]).mean(dim=0)
                ratios = ratios.sort(dim=2).values  # quantiles never cross
                level = torch.expm1(log_level)
                parts.append((ratios * (level[:, None] * season)[:, :, None]).clamp(min=0).cpu().numpy())
        values = np.concatenate(parts).astype(float)[:, :horizon]      # (stations, h, q)
        values[self.history_.sum(axis=0) <= 0] = 0.0
        lower, point, upper = (values[:, :, i].T for i in range(3))
        return lower, point, upper

    # checkpoints: all snapshots' weights in one state_dict, keys prefixed by the snapshot's number
    def state_dict(self) -> dict:
        return {f"{i}.{k}": v for i, net in enumerate(self.networks_) for k, v in net.state_dict().items()}

    def load_state_dict(self, state: dict, history: pd.DataFrame):
        """Weights saved by ``state_dict`` (from either device) onto ``device``."""
        self._remember(history)
        device = resolve_device(self.device)
        self.networks_ = []
        for i in range(len({k.split(".", 1)[0] for k in state})):
            prefix = f"{i}."
            own = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
            net = build_network(N_INPUTS, self.hidden_size, self.horizon_, 3, device=device)
            net.load_state_dict(own)
            net.eval()
            self.networks_.append(net)
        return self
