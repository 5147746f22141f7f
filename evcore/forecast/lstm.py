"""The global LSTM forecaster: one network trained across all stations, quantile outputs.

It predicts all ``horizon`` days at once (no feeding back) as three quantiles of the ratio to
each station's level and weekly profile (``evcore.forecast.features``), which are multiplied
back: the median is the forecast and the outer two give the prediction interval. The networks
of several seeds, each kept at a few of its last epochs, are averaged, which steadies the
forecasts of such small data sets. How far the forecast may depart from the level x profile
it starts from is learned per dataset from its own last weeks (``last_weeks``, ``departure_days``: a second
training without them forecasts them from rolling origins), so a network that does not beat
that plain seasonal forecast on a dataset's own recent past stays closer to it. The forecast
the app ships (the ``lstm`` model) is, per station and day, the median of the network's and
the baselines' forecasts (likewise for the interval bounds): by default the network, seasonal
exponential smoothing, exponential smoothing and the weekly seasonal naive. Which of
``member_sets`` it is (with the network, the baselines alone, or both with the moving average
too) is chosen on the same last weeks, so a dataset whose recent past the network does not
help keeps to the baselines; its interval is sized on them too (``calibrate_band``). The backtest
also scores the network alone as ``lstm_network``, with the band the network gives it.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.forecast.baselines import BASELINES, Forecaster
from evcore.forecast.cleaning import cleaned, weekday_holidays
from evcore.forecast.combination import combine, fit_weights, interval_scale, median_forecast, scaled_interval
from evcore.forecast.data import HOLIDAYS, LEVEL_DAYS, MAX_HORIZON, is_whole, weekdays
from evcore.forecast.features import N_INPUTS, Windows
from evcore.forecast.last_weeks import learn_from_last_weeks, member_sets
from evcore.forecast.store import load_networks, networks_state
from evcore.forecast.training import (TrainingSettings, build_network, resolve_device, seed_workers, snapshots,
                                      torch_threads, train_seeds)

GPU_BATCH = 8192           # on a GPU, big batches keep it busy
GPU_WINDOWS = 2 ** 21      # and an epoch is every window up to 2 million (about 6,000 stations x a year)
SHORT_LOOKBACK = 28        # four weeks: the least lookback used when the data is short
MODEL_VERSION = 8  # bump when the LSTM's inputs, architecture or checkpoint contents change (old ones retrain)


class LSTMForecaster(Forecaster):
    """A global LSTM over all stations, with per-station scaling and quantile outputs.

    Parameters are the settings that identify a trained model (and its checkpoint): ``lookback``
    days in (fewer, down to four weeks, when the data is short); ``horizon`` the most days out it is trained for (one training serves every shorter
    horizon; shorter data trains for what it allows); ``seeds`` networks, each kept every
    ``snapshot_every``-th of its last ``average_last`` epochs, all averaged; ``level`` the
    interval's coverage; ``weight_decay`` (AdamW) and ``dropout`` (on the head's inputs) regularise;
    ``recency_half_life`` days halve a training window's weight in the loss as its origin gets
    older (charging networks change: new stations, growth, outages; 0 weighs all alike);
    ``season_weeks`` and ``season_shrink`` the weekly profile the inputs are
    divided by; ``combine`` the baselines whose forecasts are combined with the network's by the
    median, or, with ``validation_days`` > 0, by weights learned on that many last days held out
    from the network's training (``combination``), which also calibrate the interval (empty:
    the network alone); ``departure_days`` the last days on which the departure weight and the
    members are learned (0: the network as trained, with the first of ``member_sets``);
    ``calibrate_band`` (on by default) sizes the shipped median's interval on those days too;
    ``max_windows_per_epoch`` the samples an epoch sees
    (``auto``: 8192 on a CPU; on a GPU all of them, up to ``GPU_WINDOWS``) and ``batch_size``
    (``auto``: 256 on a CPU; on a GPU 1/64 of an epoch, from 256 to ``GPU_BATCH``). Not part of
    the identity: ``threads`` (torch threads while training), ``workers`` (seeds trained at once,
    in threads; ``auto``: one a CPU core on a CPU, one on a GPU; the networks are the same
    whatever it is) and ``device`` (``auto``: a GPU when there is one).
    ``fit(history)`` takes the filled wide daily matrix; ``predict(horizon)`` returns
    ``(lower, forecast, upper)`` arrays of shape ``(horizon, stations)``.
    """

    name = "lstm"

    def __init__(self, horizon: int = MAX_HORIZON, lookback: int = 56, hidden_size: int = 32,
                 epochs: int = 16, average_last: int = 8, snapshot_every: int = 2,
                 learning_rate: float = 3e-3, weight_decay: float = 0.0, dropout: float = 0.0,
                 recency_half_life: float = 28.0, batch_size="auto", max_windows_per_epoch="auto",
                 seeds: int = 2, level: float = 0.8,
                 combine: tuple = ("seasonal_exp_smoothing", "exp_smoothing", "seasonal_naive"),
                 season_weeks: int = 4, season_shrink: float = 0.3, validation_days: int = 0,
                 departure_days: int = 20, choose_members: bool = True, calibrate_band: bool = True,
                 random_state: int = 0, threads: int = 1, workers="auto", device: str = "cpu"):
        self.horizon = horizon
        self.lookback = lookback
        self.hidden_size = hidden_size
        self.epochs = epochs
        self.average_last = average_last
        self.snapshot_every = snapshot_every
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.dropout = dropout
        self.recency_half_life = recency_half_life
        self.batch_size = batch_size
        self.max_windows_per_epoch = max_windows_per_epoch
        self.seeds = seeds
        self.level = level
        self.combine = tuple(combine)
        self.season_weeks = season_weeks
        self.season_shrink = season_shrink
        self.validation_days = validation_days
        self.departure_days = departure_days
        self.choose_members = choose_members
        self.calibrate_band = calibrate_band
        self.random_state = random_state
        self.threads = threads
        self.workers = workers
        self.device = device

    IDENTITY = ("horizon", "lookback", "hidden_size", "epochs", "average_last", "snapshot_every",
                "learning_rate", "weight_decay", "dropout", "recency_half_life", "batch_size", "max_windows_per_epoch", "seeds", "level", "combine",
                "season_weeks", "season_shrink", "validation_days", "departure_days", "choose_members", "calibrate_band",
                "random_state")

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in (*self.IDENTITY, "threads", "workers", "device")}

    def identity(self) -> dict:
        """The parameters that make a trained model what it is (its checkpoint's key): all but
        where and on how many threads it runs."""
        return {k: getattr(self, k) for k in self.IDENTITY}

    @property
    def quantiles(self):
        return [(1 - self.level) / 2, 0.5, (1 + self.level) / 2]

    @property
    def shortest_lookback(self) -> int:
        return min(self.lookback, SHORT_LOOKBACK)

    def min_history(self, horizon: int | None = None) -> int:
        """Days of history needed to forecast ``horizon`` days: the shortest lookback, the
        horizon and a week."""
        return self.shortest_lookback + (self.horizon if horizon is None else horizon) + LEVEL_DAYS

    def lookback_for(self, n_days: int) -> int:
        """The lookback a history of ``n_days`` uses: ``lookback``, shortened (not below four
        weeks) where the data would not leave a full horizon of targets after it."""
        return int(np.clip(n_days - self.horizon - LEVEL_DAYS, self.shortest_lookback, self.lookback))

    def trained_horizon(self, n_days: int) -> int:
        """The horizon a history of ``n_days`` trains for: ``horizon``, or less when short."""
        return min(self.horizon, n_days - self.lookback_for(n_days) - LEVEL_DAYS)

    def _check_settings(self) -> None:
        """Settings that would fail deep inside training, refused in one sentence first."""
        for name in ("seeds", "epochs", "hidden_size", "lookback"):
            if not is_whole(getattr(self, name)):
                raise InputError(f"The LSTM setting {name} must be a whole number of at least 1; "
                                 f"got {getattr(self, name)!r}.")
        if not (self.workers == "auto" or is_whole(self.workers)):
            raise InputError(f"The LSTM setting workers must be auto or a whole number of at least 1; "
                             f"got {self.workers!r}.")
        half_life = self.recency_half_life
        if isinstance(half_life, bool) or not isinstance(half_life, (int, float)) or not half_life >= 0:
            raise InputError(f"The LSTM setting recency_half_life must be a number of days, 0 or more; "
                             f"got {half_life!r}.")

    def fit(self, history: pd.DataFrame, progress=None, start_from=None, departure=None, members=None,
            band_scale=None):
        """Train on the filled wide daily matrix ``history``; ``start_from``: one network a seed to
        start from, ``departure`` the weight, ``members`` the member set and ``band_scale`` the
        interval's factor to keep (``pipeline`` fine-tunes appended usage)."""
        self._check_settings()
        y = history.to_numpy(float)
        if self.trained_horizon(len(y)) < 1:
            raise InputError(f"The usage data has {len(y)} days; the LSTM needs at least "
                             f"{self.min_history(1)} (lookback {self.shortest_lookback} days).")
        self._remember(history)
        started = time.perf_counter()
        end = len(y) - self._spare(self.validation_days if self.combine else 0, len(y))
        days = 0 if start_from is not None else self._spare(self.departure_days, end)
        self.departure_ = 1.0 if departure is None else float(departure)
        sets = self.member_sets()
        self.members_ = tuple(members) if members is not None and tuple(members) in sets else sets[0]
        self.band_scale_ = 1.0 if band_scale is None else float(band_scale)
        def part(first: float, share: float):  # the progress of one training of the fit's
            return None if progress is None else (lambda f, message: progress(first + share * f, message))

        if days:
            self.departure_, self.members_, self.band_scale_ = learn_from_last_weeks(
                self, self._train(end - days, part(0, 0.5)), end - days, end)
        self.networks_ = self._train(end, part(0.5, 0.5) if days else progress, start_from)
        self.weights_, self.scale_ = None, 1.0
        if end < len(y):  # weights learned on the days held out (``validation_days``)
            self._learn_combination(end, len(y) - end)
        self.training_seconds_ = time.perf_counter() - started
        return self

    def _train(self, target_end: int, progress=None, start_from=None) -> list:
        """The networks of every seed, trained on the targets before day ``target_end``."""
        import torch

        device = resolve_device(self.device)
        windows = self._windows(device)
        windows.target_end = target_end
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
        training = TrainingSettings(
            hidden_size=self.hidden_size, horizon=self.horizon_, epochs=self.epochs,
            learning_rate=self.learning_rate, batch_size=batch_size, windows_per_epoch=per_epoch,
            weight_decay=self.weight_decay, dropout=self.dropout, recency_half_life=self.recency_half_life)
        with torch_threads(self.threads):
            return train_seeds(windows, samples, self.quantiles, training, self.seeds, self.random_state,
                               keep_epoch=snapshots(self.epochs, self.average_last, self.snapshot_every),
                               level_stats=stats, workers=seed_workers(self.workers, self.seeds, self.threads, on_gpu),
                               progress=progress, start_from=start_from)

    def _spare(self, days: int, n_days: int) -> int:
        """``days`` (at most the horizon) at the end of ``n_days`` to learn on; 0 if they cannot be spared."""
        days = min(days, self.horizon_)
        return days if days > 0 and n_days - days >= self.min_history(days) else 0

    def member_sets(self) -> list:
        """The member sets the shipped median may take (``last_weeks.member_sets``)."""
        return member_sets(self.combine, self.choose_members, self.validation_days)

    def shipped_members(self) -> tuple:
        """The forecasts whose per-day median is shipped (``members_``); empty when the network
        is shipped alone or in a weighted combination (``validation_days``)."""
        if not self.combine or getattr(self, "weights_", None) is not None:
            return ()
        return getattr(self, "members_", self.member_sets()[0])

    def _learn_combination(self, cut: int, days: int) -> None:
        fitted = self.fitted_baselines(cut, self.combine)
        parts = [self._network(cut, days)] + [fitted[name].predict(days) for name in self.combine]
        truth = self.history_[cut:cut + days]
        mask = np.broadcast_to(self.history_.sum(axis=0) > 0, truth.shape)
        self.weights_ = fit_weights(np.array([p[1] for p in parts]), truth, mask)
        lower, point, upper = (sum(w * p[i] for w, p in zip(self.weights_, parts)) for i in range(3))
        self.scale_ = interval_scale(lower, point, upper, truth, mask, self.level)

    def fitted_baselines(self, origin: int, names, stations=slice(None)) -> dict:
        """The baselines ``names`` fitted on the days before ``origin`` (of ``stations``), by name."""
        history = pd.DataFrame(self.history_[:origin, stations], index=self.dates_[:origin])
        return {name: BASELINES[name]().fit(history) for name in names}

    def _windows(self, device: str) -> Windows:
        return Windows(self.history_, self.weekdays_, self.lookback_, min(self.season_weeks, self.lookback_ // 7),
                       self.season_shrink, device)

    def _remember(self, history: pd.DataFrame) -> None:
        """The history the model fits on: holidays and outages replaced by normal days
        (``cleaning``), and the holiday effect and holidays of the forecast window."""
        days = pd.date_range(history.index[0], periods=len(history) + MAX_HORIZON, freq="D")
        self.holidays_ = weekday_holidays(days, history.attrs.get(HOLIDAYS, pd.DatetimeIndex([])))
        self.history_, self.holiday_effect_ = cleaned(history.to_numpy(float), self.holidays_)
        self.stations_ = list(history.columns)
        self.dates_ = history.index
        self.weekdays_ = weekdays(history.index)
        self.lookback_ = self.lookback_for(len(history))
        self.horizon_ = self.trained_horizon(len(history))

    def predict(self, horizon: int | None = None):
        """``(lower, forecast, upper)``: per station and day, the median of the forecasts of the
        ``shipped_members`` (and of their lower and upper bounds, the interval then times the
        factor learned with them), or with ``validation_days`` the weighted combination of the
        network and the ``combine`` baselines."""
        return self.predictions(horizon)[self.name]

    def predictions(self, horizon: int | None = None) -> dict:
        """The shipped forecast (``lstm``) and, when it combines baselines, the network alone
        (``lstm_network``)."""
        horizon = self.horizon_ if horizon is None else horizon
        network = self._on_holidays(self.predict_network(horizon))
        if not self.combine:
            return {self.name: network}
        weighted = getattr(self, "weights_", None) is not None
        members = ("network", *self.combine) if weighted else self.shipped_members()
        fitted = self.fitted_baselines(len(self.history_), [name for name in members if name != "network"])
        # the baselines at the full horizon, so a day's forecast is the same whatever the horizon
        parts = [network if name == "network" else
                 self._on_holidays(tuple(a[:horizon] for a in fitted[name].predict(self.horizon_)))
                 for name in members]
        if weighted:
            combined = combine(parts, self.weights_, self.scale_)
        else:
            combined = scaled_interval(*median_forecast(parts), getattr(self, "band_scale_", 1.0))
        return {self.name: combined, self.name + "_network": network}

    def _on_holidays(self, forecast: tuple) -> tuple:
        """``(lower, forecast, upper)`` with the forecast window's holidays times the holiday effect."""
        start = len(self.history_)
        factor = np.where(self.holidays_[start:start + len(forecast[0])], self.holiday_effect_, 1.0)[:, None]
        return tuple(a * factor for a in forecast)

    def predict_network(self, horizon: int | None = None, chunk: int = 16384):
        """``(lower, forecast, upper)`` from the network alone (stations ``chunk`` at a time)."""
        horizon = self.horizon_ if horizon is None else horizon
        if horizon > self.horizon_:
            raise InputError(f"This model was trained for {self.horizon_} days ahead; asked for {horizon}.")
        return self._network(len(self.history_), horizon, chunk)

    def _network(self, origin: int, horizon: int, chunk: int = 16384):
        """The network's ``(lower, forecast, upper)`` from ``origin`` (the days before it as input)
        at the learned departure weight (``departure_``)."""
        return self.from_ratios(*self.network_ratios(origin, chunk=chunk), origin, horizon,
                                getattr(self, "departure_", 1.0))

    def network_ratios(self, origin: int, networks=None, stations=slice(None), chunk: int = 16384) -> tuple:
        """What ``networks`` (by default ``networks_``) forecast from ``origin`` for ``stations``: their mean
        quantile ratios ``(stations, horizon_, 3)`` and the level x profile they multiply ``(stations, horizon_)``."""
        import torch

        networks = self.networks_ if networks is None else networks
        device = str(next(networks[0].parameters()).device)
        windows = self._windows(device)
        chosen = np.arange(self.history_.shape[1])[stations]
        ratios, bases = [], []
        with torch.no_grad(), torch_threads(self.threads):
            for start in range(0, len(chosen), chunk):
                batch = torch.as_tensor(chosen[start:start + chunk])
                x, first, log_level, season, _ = windows.batch(batch, torch.full_like(batch, origin), self.horizon_)
                mean = torch.stack([net(x, first, log_level) for net in networks]).mean(dim=0)
                ratios.append(mean.sort(dim=2).values.cpu().numpy())  # quantiles never cross
                bases.append((torch.expm1(log_level)[:, None] * season).cpu().numpy())
        return np.concatenate(ratios), np.concatenate(bases)

    def from_ratios(self, ratios, base, origin: int, horizon: int, departure: float, stations=slice(None)) -> tuple:
        """``(lower, forecast, upper)`` ``(horizon, stations)`` of ``network_ratios``: the median ratio's
        departure from 1 (the level x profile) times ``departure``, the outer ratios moved with it;
        0 for stations without usage before ``origin`` (``stations``: those ``network_ratios`` was given)."""
        moved = ratios + np.float32(departure - 1.0) * (ratios[:, :, 1:2] - np.float32(1.0))
        values = np.maximum(moved * base[:, :, None], np.float32(0.0)).astype(float)[:, :horizon]
        values[self.history_[:origin, stations].sum(axis=0) <= 0] = 0.0
        return tuple(values[:, :, i].T for i in range(3))

    # checkpoints: all snapshots' weights in one state_dict, keys prefixed by the snapshot's number
    def state_dict(self) -> dict:
        import torch

        state = networks_state(self.networks_)
        state["departure.weight"] = torch.tensor(getattr(self, "departure_", 1.0), dtype=torch.float64)
        sets, members = self.member_sets(), getattr(self, "members_", None)
        state["members.choice"] = torch.tensor(sets.index(members) if members in sets else 0)
        state["band.scale"] = torch.tensor(getattr(self, "band_scale_", 1.0), dtype=torch.float64)
        if getattr(self, "weights_", None) is not None:
            state["combination.weights"] = torch.tensor(self.weights_)
            state["combination.scale"] = torch.tensor(self.scale_, dtype=torch.float64)
        return state

    def load_state_dict(self, state: dict, history: pd.DataFrame):
        """Weights saved by ``state_dict`` (from either device) onto ``device``."""
        self._remember(history)
        device = resolve_device(self.device)
        self.weights_, self.scale_ = None, 1.0
        self.departure_ = float(state["departure.weight"]) if "departure.weight" in state else 1.0
        sets = self.member_sets()
        choice = int(state["members.choice"]) if "members.choice" in state else 0
        self.members_ = sets[choice] if 0 <= choice < len(sets) else sets[0]
        self.band_scale_ = float(state["band.scale"]) if "band.scale" in state else 1.0
        if "combination.weights" in state:
            self.weights_ = state["combination.weights"].numpy()
            self.scale_ = float(state["combination.scale"])
        self.networks_ = load_networks(state, lambda: build_network(N_INPUTS, self.hidden_size, self.horizon_, 3,
                                                                      device=device))
        return self
