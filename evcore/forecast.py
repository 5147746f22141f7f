"""Daily usage forecasts per station: a global LSTM, statistical baselines and the backtest.

Data in and out are long tables (``station_id, date, usage`` in; ``station_id, date, forecast,
lower, upper`` out). Inside, every model works on the wide daily matrix (one column a station)
and returns three arrays ``(lower, forecast, upper)`` of shape ``(horizon, stations)``.

The LSTM is one model trained across all stations, normalised as in Smyl's ES-RNN: each window
is divided by its station's weekly profile (the seasonal index of each weekday over the last 4
weeks, shrunk towards flat) and by its level (exponential smoothing of the deseasonalised
history), so stations of any size and rhythm share what they have in common. It predicts all
``horizon`` days at once (no feeding back) as three quantiles of the ratio to that level and
profile, which are multiplied back: the median is the forecast and the outer two give the
prediction interval. The networks of several seeds, each kept at a few of its last epochs, are
averaged, which steadies the forecasts of such small data sets. The forecast the app ships (the
``lstm`` model) is, per station and day, the median of four forecasts: that network, seasonal
exponential smoothing, exponential smoothing and the weekly seasonal naive (likewise for the
interval bounds). On the real cities this measured better than any of the four alone; the
backtest also reports the network alone as ``lstm_network``.

Backtest (DESIGN.md): F folds of H days at the end, rolling origin; WAPE pooled over stations
and days within a fold, then averaged over folds; stations with zero total usage are not scored;
forecasts are clipped at zero.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from evcore.data import usage_matrix
from evcore.errors import InputError

MIN_HORIZON, MAX_HORIZON = 1, 30
LEVEL_DAYS = 7          # a week: the least history a baseline needs; a new station's padding
SMOOTHING_WEIGHTS = np.linspace(0.05, 0.95, 19)  # exponential smoothing's grid
MAX_RATIO = 50.0        # caps a day's value relative to the level (outliers, restarts)
SETTINGS_ENV = "EVCORE_LSTM_SETTINGS"  # JSON of LSTMForecaster parameters, e.g. '{"epochs": 2}' for tests
N_INPUTS = 10          # per day: scaled usage, scaled network total, log seasonal index, weekday one-hot
MODEL_VERSION = 2       # bump when the LSTM's inputs or architecture change (old checkpoints retrain)


# --- data ------------------------------------------------------------------------------------

def check_horizon(horizon) -> int:
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or not (
            MIN_HORIZON <= horizon <= MAX_HORIZON):
        raise InputError(f"The horizon must be a whole number of days from {MIN_HORIZON} to "
                         f"{MAX_HORIZON}; got {horizon!r}.")
    return int(horizon)


def daily_matrix(usage: pd.DataFrame) -> pd.DataFrame:
    """Wide daily matrix of the usage table (date index, one column a station), NaN where a
    day is missing."""
    missing = [c for c in ("station_id", "date", "usage") if c not in getattr(usage, "columns", [])]
    if missing:
        raise InputError(f"The usage table needs the columns station_id, date and usage; "
                         f"{', '.join(missing)} missing.")
    if usage.empty:
        raise InputError("The usage table has no rows.")
    usage = usage.assign(station_id=usage["station_id"].astype(str),
                         date=pd.to_datetime(usage["date"]).dt.normalize(),
                         usage=pd.to_numeric(usage["usage"], errors="coerce"))
    wide = usage_matrix(usage)
    return wide.reindex(sorted(wide.columns), axis=1)


def fill_history(wide: pd.DataFrame) -> pd.DataFrame:
    """Fill missing days so every model sees a full matrix.

    Gaps inside a station's history are interpolated; days after its last record repeat the
    last value; days before its first record (a new station) take the mean of its first week,
    so a short history is padded to the lookback rather than refused. A station with no value
    at all is zero.
    """
    filled = wide.interpolate(limit_area="inside").ffill()
    first_week = wide.apply(lambda col: col.dropna().iloc[:LEVEL_DAYS].mean())
    return filled.fillna(first_week).fillna(0.0).clip(lower=0.0)


def _fingerprint(wide: pd.DataFrame) -> str:
    import hashlib

    h = hashlib.sha256()
    h.update(np.ascontiguousarray(wide.to_numpy(float)).tobytes())
    h.update(",".join(map(str, wide.columns)).encode())
    h.update(",".join(wide.index.strftime("%Y-%m-%d")).encode())
    return h.hexdigest()[:16]


# --- baselines -------------------------------------------------------------------------------

class _Baseline:
    """A statistical baseline: a point forecast rule plus an interval from its own past errors.

    The interval takes, per station, the (1-level)/2 and (1+level)/2 quantiles of the errors
    the rule made at the last ``calibration_origins`` forecast origins of the training data.
    """

    name = "baseline"

    def __init__(self, level: float = 0.8, calibration_origins: int = 20):
        self.level = level
        self.calibration_origins = calibration_origins

    def fit(self, history: pd.DataFrame, progress=None):
        self.history_ = history.to_numpy(float)
        return self

    def predict(self, horizon: int):
        y = self.history_
        point = np.clip(self._point(y, horizon), 0, None)
        errors = []
        last_origin = len(y) - horizon
        for origin in range(max(LEVEL_DAYS + 1, last_origin - self.calibration_origins + 1), last_origin + 1):
            errors.append(y[origin:origin + horizon] - self._point(y[:origin], horizon))
        if errors:
            errors = np.concatenate(errors)  # (origins * horizon, stations)
            lo, hi = np.quantile(errors, [(1 - self.level) / 2, (1 + self.level) / 2], axis=0)
        else:
            lo = hi = np.zeros(y.shape[1])
        return np.clip(point + lo, 0, None), point, np.clip(point + hi, 0, None)

    def _point(self, y: np.ndarray, horizon: int) -> np.ndarray:
        raise NotImplementedError


class SeasonalNaive(_Baseline):
    """Each day repeats the same weekday of the last week."""

    name = "seasonal_naive"

    def __init__(self, season_length: int = 7, **kwargs):
        super().__init__(**kwargs)
        self.season_length = season_length

    def _point(self, y, horizon):
        last = y[-self.season_length:]
        return last[np.arange(horizon) % len(last)]


class SeasonalExpSmoothing(_Baseline):
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
        self.weekdays_ = _weekdays(history.index)
        return self

    def _point(self, y, horizon):
        weekdays = self.weekdays_
        index = _seasonal_index(y, weekdays[:len(y)], min(self.season_weeks, len(y) // 7), self.season_shrink)
        level = smoothed_level(y / index[weekdays[:len(y)]])
        return level[None] * index[weekdays[len(y):len(y) + horizon]]


class MovingAverage(_Baseline):
    """Every day is the mean of the last ``window`` days."""

    name = "moving_average"

    def __init__(self, window: int = 7, **kwargs):
        super().__init__(**kwargs)
        self.window = window

    def _point(self, y, horizon):
        return np.repeat(y[-self.window:].mean(axis=0, keepdims=True), horizon, axis=0)


class ExponentialSmoothing(_Baseline):
    """Simple exponential smoothing (see ``smoothed_level``)."""

    name = "exp_smoothing"

    def _point(self, y, horizon):
        return np.repeat(smoothed_level(y)[None], horizon, axis=0)


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


# --- the LSTM ---------------------------------------------------------------------------------

@contextmanager
def _torch_threads(n: int):
    """Run torch on ``n`` threads with deterministic algorithms, then restore both settings.

    One thread is the default: these networks are small, and a second thread on a busy
    two-core machine slows each step down many times over.
    """
    import torch

    threads, deterministic = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(n)
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(deterministic)


def _build_network(n_inputs: int, hidden_size: int, horizon: int, n_quantiles: int):
    import torch
    from torch import nn

    class QuantileLSTM(nn.Module):
        """LSTM over the lookback window divided by level and weekly profile; a small head maps
        its last state, the weekday of the first target day and the station's level to
        ``horizon x quantiles`` ratios to the level and profile of the target days."""

        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(n_inputs, hidden_size, batch_first=True)
            self.head = nn.Sequential(nn.Linear(hidden_size + 7 + 1, hidden_size), nn.ReLU(),
                                      nn.Linear(hidden_size, horizon * n_quantiles))
            self.register_buffer("level_stats", torch.zeros(2))  # mean, std of log level

        def forward(self, x, first_weekday, log_level):
            _, (state, _) = self.lstm(x)
            level = (log_level - self.level_stats[0]) / self.level_stats[1]
            out = self.head(torch.cat([state[-1], first_weekday, level[:, None]], dim=1))
            return out.view(-1, horizon, n_quantiles)

    return QuantileLSTM()


def _weekdays(index: pd.DatetimeIndex) -> np.ndarray:
    """The weekday (0 Monday) of each day of a daily history and of the ``MAX_HORIZON`` days after."""
    return pd.date_range(index[0], index[-1] + pd.Timedelta(days=MAX_HORIZON), freq="D").day_of_week.to_numpy()


def _seasonal_index(window: np.ndarray, weekdays: np.ndarray, weeks: int, shrink: float) -> np.ndarray:
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


def _windows(y: np.ndarray, weekdays: np.ndarray, lookback: int, horizon: int, origins: np.ndarray,
             season_weeks: int, season_shrink: float):
    """Model inputs for the given origins (a window ends the day before its origin), per station.

    Each day is divided by its station's level (``smoothed_level`` of the deseasonalised history
    up to the origin) and by the station's seasonal index of that weekday (``_seasonal_index``
    of the window), so the network sees and predicts what is left after level and weekly profile
    (level x index is the ``seasonal_exp_smoothing`` forecast). Returns x (samples, lookback, 10), first weekday one-hot
    (samples, 7), level (samples,), the target days' seasonal index (samples, horizon), targets
    (samples, horizon) or None when the origins have no full target, and the station index of
    each sample. Sample order: origin-major, then station.
    """
    n_days, n_stations = y.shape
    total = y.sum(axis=1)
    eye = np.eye(7, dtype=np.float32)
    xs, firsts, levels, seasons, targets = [], [], [], [], []
    for t in origins:
        window = y[t - lookback:t]                                  # (lookback, stations)
        index = _seasonal_index(window, weekdays[t - lookback:t], season_weeks, season_shrink)
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


class LSTMForecaster:
    """A global LSTM over all stations, with per-station scaling and quantile outputs.

    Parameters are the settings that identify a trained model (and its checkpoint): ``lookback``
    days in, ``horizon`` days out; ``seeds`` networks, each kept every ``snapshot_every``-th of
    its last ``average_last`` epochs, all averaged; ``level`` the interval's coverage;
    ``season_weeks`` and ``season_shrink`` the weekly profile the inputs are divided by
    (``_seasonal_index``); ``combine`` the baselines whose forecasts are combined with the
    network's by the median (empty: the network alone);
    ``threads`` torch threads while training.
    ``fit(history)`` takes the filled wide daily matrix; ``predict(horizon)`` returns
    ``(lower, forecast, upper)`` arrays of shape ``(horizon, stations)``.
    """

    name = "lstm"

    def __init__(self, horizon: int = 10, lookback: int = 30, hidden_size: int = 32,
                 epochs: int = 20, average_last: int = 10, snapshot_every: int = 2,
                 learning_rate: float = 3e-3,
                 batch_size: int = 256, max_windows_per_epoch: int = 8192, seeds: int = 3,
                 level: float = 0.8,
                 combine: tuple = ("seasonal_exp_smoothing", "exp_smoothing", "seasonal_naive"),
                 season_weeks: int = 4, season_shrink: float = 0.3,
                 random_state: int = 0, threads: int = 1):
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

    def get_params(self) -> dict:
        return {k: getattr(self, k) for k in (
            "horizon", "lookback", "hidden_size", "epochs", "average_last", "snapshot_every", "learning_rate",
            "batch_size", "max_windows_per_epoch", "seeds", "level", "combine", "season_weeks", "season_shrink",
            "random_state", "threads")}

    @property
    def quantiles(self):
        return [(1 - self.level) / 2, 0.5, (1 + self.level) / 2]

    def min_history(self) -> int:
        """Days of history needed to train: one lookback plus one horizon and a week more."""
        return self.lookback + self.horizon + LEVEL_DAYS

    def fit(self, history: pd.DataFrame, progress=None):
        import torch

        y = history.to_numpy(float)
        if len(y) < self.min_history():
            raise InputError(f"The usage data has {len(y)} days; the LSTM needs at least "
                             f"{self.min_history()} to forecast {self.horizon} days ahead "
                             f"(lookback {self.lookback} days).")
        self._remember(history)
        started = time.perf_counter()
        origins = np.arange(self.lookback, len(y) - self.horizon + 1)
        x, first, level, _, target, station = self._windows(y, origins)
        keep = (level > 0) & (y.sum(axis=0) > 0)[station]  # skip dead stations and silent weeks
        x, first, level, target = x[keep], first[keep], level[keep], target[keep]
        if len(x) == 0:
            raise InputError("The usage data has no station with usage in a full training window.")
        log_level = np.log1p(level)
        stats = torch.tensor([log_level.mean(), max(log_level.std(), 1e-3)])
        tensors = [torch.from_numpy(a) for a in (x, first, log_level.astype(np.float32), target)]
        q = torch.tensor(self.quantiles)
        self.networks_ = []
        steps_total = self.seeds * self.epochs
        with _torch_threads(self.threads):
            for seed in range(self.seeds):
                torch.manual_seed(self.random_state + seed)
                generator = torch.Generator().manual_seed(self.random_state + seed)
                net = _build_network(x.shape[2], self.hidden_size, self.horizon, len(q))
                net.level_stats.copy_(stats)
                optimizer = torch.optim.Adam(net.parameters(), lr=self.learning_rate)
                for epoch in range(self.epochs):
                    net.train()
                    order = torch.randperm(len(x), generator=generator)[:self.max_windows_per_epoch]
                    for start in range(0, len(order), self.batch_size):
                        idx = order[start:start + self.batch_size]
                        xb, fb, lb, tb = (t[idx] for t in tensors)
                        error = tb[:, :, None] - net(xb, fb, lb)
                        loss = torch.maximum(q * error, (q - 1) * error).mean()
                        optimizer.zero_grad()
                        loss.backward()
                        optimizer.step()
                    if self._is_snapshot(epoch):
                        snapshot = _build_network(x.shape[2], self.hidden_size, self.horizon, len(q))
                        snapshot.load_state_dict(net.state_dict())
                        self.networks_.append(snapshot.eval())
                    if progress is not None:
                        progress((seed * self.epochs + epoch + 1) / steps_total,
                                 f"training the LSTM: seed {seed + 1}/{self.seeds}, epoch {epoch + 1}/{self.epochs}")
        self.training_seconds_ = time.perf_counter() - started
        return self

    def _windows(self, y: np.ndarray, origins: np.ndarray):
        return _windows(y, self.weekdays_, self.lookback, self.horizon, origins,
                        min(self.season_weeks, self.lookback // 7), self.season_shrink)

    def _is_snapshot(self, epoch: int) -> bool:
        """Keep the weights of every ``snapshot_every``-th of the last ``average_last`` epochs."""
        left = self.epochs - 1 - epoch
        return left < max(self.average_last, 1) and left % self.snapshot_every == 0

    def _remember(self, history: pd.DataFrame) -> None:
        self.history_ = history.to_numpy(float)
        self.stations_ = list(history.columns)
        self.dates_ = history.index
        self.weekdays_ = _weekdays(history.index)

    def predict(self, horizon: int | None = None):
        """``(lower, forecast, upper)``: per station and day, the median of the network's and the
        ``combine`` baselines' forecasts (and of their lower and of their upper bounds)."""
        parts = [self.predict_network(horizon)]
        history = pd.DataFrame(self.history_, index=self.dates_)
        for name in self.combine:
            parts.append(BASELINES[name]().fit(history).predict(parts[0][1].shape[0]))
        return tuple(np.median([p[i] for p in parts], axis=0) for i in range(3))

    def predict_network(self, horizon: int | None = None):
        """``(lower, forecast, upper)`` from the network alone."""
        import torch

        horizon = self.horizon if horizon is None else horizon
        if horizon > self.horizon:
            raise InputError(f"This model was trained for {self.horizon} days ahead; asked for {horizon}.")
        y = self.history_
        n_days = len(y)
        x, first, level, season, _, _ = self._windows(y, np.array([n_days]))
        with torch.no_grad(), _torch_threads(self.threads):
            inputs = (torch.from_numpy(x), torch.from_numpy(first),
                      torch.from_numpy(np.log1p(level).astype(np.float32)))
            ratios = np.mean([net(*inputs).numpy() for net in self.networks_], axis=0)
        ratios = np.sort(ratios, axis=2)  # quantiles never cross
        values = np.clip(ratios * (level[:, None] * season)[:, :, None], 0, None)[:, :horizon]  # (stations, h, q)
        values[y.sum(axis=0) <= 0] = 0.0
        lower, point, upper = (values[:, :, i].T for i in range(3))
        return lower, point, upper

    # checkpoints: all snapshots' weights in one state_dict, keys prefixed by the snapshot's number
    def state_dict(self) -> dict:
        return {f"{i}.{k}": v for i, net in enumerate(self.networks_) for k, v in net.state_dict().items()}

    def load_state_dict(self, state: dict, history: pd.DataFrame):
        self._remember(history)
        self.networks_ = []
        for i in range(len({k.split(".", 1)[0] for k in state})):
            prefix = f"{i}."
            own = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
            net = _build_network(N_INPUTS, self.hidden_size, self.horizon, 3)
            net.load_state_dict(own)
            net.eval()
            self.networks_.append(net)
        return self


BASELINES = {m.name: m for m in (SeasonalNaive, MovingAverage, ExponentialSmoothing, SeasonalExpSmoothing)}


def lstm_settings(lstm: dict | None = None) -> dict:
    """LSTM parameters: ``$EVCORE_LSTM_SETTINGS`` (JSON) overridden by ``lstm``."""
    import json
    import os

    text = os.environ.get(SETTINGS_ENV, "").strip()
    try:
        settings = json.loads(text) if text else {}
    except json.JSONDecodeError:
        raise InputError(f"{SETTINGS_ENV} must be a JSON object of LSTM settings; got {text!r}.") from None
    if not isinstance(settings, dict):
        raise InputError(f"{SETTINGS_ENV} must be a JSON object of LSTM settings; got {text!r}.")
    return {**settings, **(lstm or {})}


def make_lstm(horizon: int, lstm: dict | None = None) -> LSTMForecaster:
    settings = lstm_settings(lstm)
    try:
        return LSTMForecaster(horizon=horizon, **settings)
    except TypeError as exc:
        raise InputError(f"Unknown LSTM setting in {sorted(settings)}: {exc}.") from None


def default_models(horizon: int = 10, lstm: dict | None = None) -> list:
    """The LSTM and the baselines it is compared with, in the order the backtest reports them."""
    return [make_lstm(horizon, lstm), SeasonalNaive(), MovingAverage(), ExponentialSmoothing(),
            SeasonalExpSmoothing()]


# --- backtest ----------------------------------------------------------------------------------

def _fold_score(name, fold, station_errors: pd.DataFrame) -> dict:
    """One fold's pooled figures from its per-station errors (DESIGN.md: pooled over stations
    and days)."""
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
        return cls(summary, pd.DataFrame(d["per_station"]), pd.DataFrame(d["per_fold"]),
                   d["horizon"], d["folds"])


def _fold_predictions(models, train: pd.DataFrame, horizon: int, progress=None):
    """Fit each model on ``train``; return ``({name: (lower, forecast, upper)}, {model: seconds})``."""
    predictions, seconds = {}, {}
    for j, model in enumerate(models):
        def step(fraction, message, j=j):
            if progress is not None:
                progress((j + fraction) / len(models), message)

        step(0.0, model.name)
        began = time.perf_counter()
        model.fit(train, progress=step)
        predictions[model.name] = model.predict(horizon)
        if isinstance(model, LSTMForecaster) and model.combine:  # also score the network alone
            predictions[model.name + "_network"] = model.predict_network(horizon)
        seconds[model.name] = time.perf_counter() - began
    return predictions, seconds


def backtest(usage: pd.DataFrame, horizon: int = 10, folds: int = 3, models=None,
             lstm: dict | None = None, progress=None, n_jobs: int = 1) -> Backtest:
    """Rolling-origin backtest (DESIGN.md) of ``models`` (default: LSTM and baselines).

    ``progress(fraction, message)`` is called as the work goes on. ``n_jobs`` > 1 runs folds in
    that many worker processes (one torch thread each; same numbers, progress fold by fold).
    """
    horizon = check_horizon(horizon)
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)) or folds < 1:
        raise InputError(f"The number of folds must be a whole number of at least 1; got {folds!r}.")
    wide = daily_matrix(usage)
    filled = fill_history(wide)
    models = models if models is not None else default_models(horizon, lstm)
    need = max(getattr(m, "min_history", lambda: LEVEL_DAYS + horizon)() for m in models) + folds * horizon
    if len(wide) < need:
        raise InputError(f"The usage data has {len(wide)} days; a backtest of {folds} folds of "
                         f"{horizon} days needs at least {need}.")
    n_days = len(wide)
    starts = [n_days - (folds - k) * horizon for k in range(folds)]
    results = [None] * folds
    if n_jobs > 1 and folds > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

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
    else:
        for k, start in enumerate(starts):
            def step(fraction, message, k=k):
                if progress is not None:
                    progress((k + fraction) / folds, f"fold {k + 1}/{folds}: {message}")

            results[k] = _fold_predictions(models, filled.iloc[:start], horizon, step)

    actual = wide.to_numpy(float)
    scored = np.nansum(actual, axis=0) > 0  # stations with zero total usage are not scored
    fold_rows, station_errors = [], []
    seconds = {m.name: 0.0 for m in models}
    for k, (start, (predictions, fold_seconds)) in enumerate(zip(starts, results)):
        truth = actual[start:start + horizon]
        mask = scored[None, :] & ~np.isnan(truth)
        truth0 = np.where(mask, truth, 0.0)
        for name, prediction in predictions.items():
            errors = _station_errors(name, wide.columns, prediction, truth0, mask)
            fold_rows.append(_fold_score(name, k, errors))
            station_errors.append(errors)
        for name, value in fold_seconds.items():
            seconds[name] += value
    if progress is not None:
        progress(1.0, "backtest done")
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


# --- trained models, checkpoints and the forecast table -----------------------------------------

def _checkpoint_path(filled: pd.DataFrame, model: LSTMForecaster, directory=None):
    from evcore.checkpoints import checkpoint_dir, checkpoint_key

    key = checkpoint_key(_fingerprint(filled), model.get_params(), MODEL_VERSION)
    return checkpoint_dir(directory) / f"lstm-{key}.pt"


def trained_lstm(usage: pd.DataFrame, horizon: int = 10, lstm: dict | None = None,
                 checkpoint_dir=None, progress=None) -> tuple[LSTMForecaster, dict]:
    """The LSTM trained on all of ``usage``: loaded from its checkpoint when the same data and
    settings were trained before, else trained and saved. Returns ``(model, metadata)``."""
    from evcore.checkpoints import library_versions, load_checkpoint, save_checkpoint

    horizon = check_horizon(horizon)
    filled = fill_history(daily_matrix(usage))
    model = make_lstm(horizon, lstm)
    path = _checkpoint_path(filled, model, checkpoint_dir)
    loaded = load_checkpoint(path)
    if loaded is not None:
        state, metadata = loaded
        try:
            model.load_state_dict(state, filled)
            if progress is not None:
                progress(1.0, "loaded from checkpoint")
            return model, metadata
        except Exception:  # weights that do not fit this model: train again
            pass
    model.fit(filled, progress=progress)
    metadata = {"fingerprint": _fingerprint(filled), "settings": model.get_params(),
                "model_version": MODEL_VERSION, "versions": library_versions(),
                "training_seconds": round(model.training_seconds_, 3),
                "trained_at": pd.Timestamp.now(tz="UTC").isoformat(),
                "stations": len(filled.columns), "days": len(filled),
                "start": filled.index[0].strftime("%Y-%m-%d"), "end": filled.index[-1].strftime("%Y-%m-%d")}
    save_checkpoint(path, model.state_dict(), metadata)
    return model, metadata


def cached_backtest(usage: pd.DataFrame, horizon: int = 10, folds: int = 3, lstm: dict | None = None,
                    checkpoint_dir=None, progress=None) -> Backtest:
    """The backtest, kept in the metadata of the same data's LSTM checkpoint: computed once."""
    from evcore.checkpoints import load_checkpoint, save_checkpoint

    horizon = check_horizon(horizon)
    filled = fill_history(daily_matrix(usage))
    path = _checkpoint_path(filled, make_lstm(horizon, lstm), checkpoint_dir)
    loaded = load_checkpoint(path)
    if loaded is not None and loaded[1].get("backtest", {}).get("folds") == folds:
        return Backtest.from_dict(loaded[1]["backtest"])
    result = backtest(usage, horizon=horizon, folds=folds, lstm=lstm, progress=progress)
    loaded = load_checkpoint(path)
    if loaded is not None:
        state, metadata = loaded
        metadata["backtest"] = result.to_dict()
        save_checkpoint(path, state, metadata)
    return result


def forecast_frame(model, history: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """A fitted model's forecast as the long table ``station_id, date, forecast, lower, upper``."""
    lower, point, upper = model.predict(horizon)
    dates = pd.date_range(history.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")
    n = len(history.columns)
    return pd.DataFrame({
        "station_id": np.repeat(np.asarray(history.columns, dtype=object), horizon),
        "date": np.tile(dates.to_numpy(), n),
        "forecast": point.T.ravel(), "lower": lower.T.ravel(), "upper": upper.T.ravel()})


def forecast_table(usage: pd.DataFrame, horizon: int = 10, lstm: dict | None = None,
                   checkpoint_dir=None, progress=None) -> pd.DataFrame:
    """Each station's LSTM forecast for the ``horizon`` days after the data ends:
    ``station_id, date, forecast, lower, upper`` (an 80% interval by default)."""
    model, _ = trained_lstm(usage, horizon, lstm=lstm, checkpoint_dir=checkpoint_dir, progress=progress)
    return forecast_frame(model, fill_history(daily_matrix(usage)), horizon)
