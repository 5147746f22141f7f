"""``HourlyForecaster``: the global hourly network (``hourly_net``) trained on a whole dataset.

``fit(wide)`` takes the hourly matrix (``hourly_data.hourly_matrix``); ``predict(days)`` gives
the hourly quantiles ``(days x 24, stations, 3)`` and the daily peaks' ``(days, stations, 3)``
(lower, median, upper of an 80% interval) for the days after the data ends. One training serves
every horizon from 1 to ``days`` (30). Runs on a GPU when there is one (``device``), the same
code on the CPU.

The bands are calibrated on the dataset's own last weeks (``calibration_days``, two by default):
the same model fitted without them forecasts the last week from one week before it, two weeks
before it, and so on, and for each week ahead the hourly band and the peak band are each widened
or narrowed halfway (on the log scale) to the factor that puts 80% of that week's values inside
when forecast from that far (``combination.halfway_scale``, split conformal). A later week's
factor is at least an earlier one's; the days past the held-out weeks take the last. A band
learned from the training targets alone is too narrow where the level moves (bench/load_forecast.py:
80% bands held 0.69-0.76 of the hours on windows four weeks before the files' ends), and more so
in the second week ahead than in the first. Measuring every distance on the same, latest week
keeps the first week's factor as fresh as with one week held out.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.forecast.combination import halfway_scale, scaled_interval
from evcore.forecast.hourly_data import HOURS, daily_peaks, decomposition_hours, fill_hours
from evcore.forecast.hourly_net import QUANTILES, DayWindows, build_hourly_network, train_hourly, trend_hours
from evcore.forecast.store import load_networks, networks_state
from evcore.forecast.training import resolve_device, torch_threads

HOURLY_MODEL_VERSION = 7  # bump when the network's inputs, architecture or checkpoint contents change
# The hourly median served is the mean of three forecasts, the band moved with it: the network's,
# its damped-trend candidate (``hourly_net.trend_hours``) and a seasonal decomposition
# (``hourly_data.decomposition_hours``). Averaging a learned forecast with plain statistical ones
# steadies it where one training overfits. Over 12 windows of both cities' files (volume and
# charging hours; 3 folds of 7 days at the end, four and eight weeks before), the hourly WAPE
# against the best peer went from 0.959 (max 1.020) with the first two to 0.945 (max 0.981) with
# all three; it rose on 3 windows, by 0.035 at most (bench/load_forecast.py --offset). The median is
# moved only inside the network's own 80% band: the statistical forecasts estimate a mean, and where
# most hours are empty (about a session a day) they lifted the median and the band above every empty
# hour: with the band, 80% bands hold 0.81-0.82 of such hours, not 0.24-0.29, and the WAPE against
# the best peer is 0.54-0.58, not 0.88-0.90 (bench/load_forecast.py --stress few_sessions). On the
# cities' own 12 windows it moves the WAPE ratio by -0.003 to +0.009 (mean 0.945 -> 0.946, max 0.981
# -> 0.980) and the coverage by at most 0.008.
BLEND = 2 / 3   # how far the median moves from the network's to the two statistical forecasts' mean


class HourlyForecaster:
    """Parameters (the model's identity and its checkpoint's key): ``lookback`` days in (28:
    the four weeks its hour-of-week inputs need); ``days`` the most days ahead (30);
    ``hidden_size``; ``epochs`` of ``per_epoch`` samples in batches of ``batch_size``;
    ``learning_rate``; ``recency_half_life`` days (a sample's weight halves as its origin gets
    that much older); ``average_last`` epochs whose networks are averaged; ``seed``;
    ``calibration_days`` the last whole weeks held out to calibrate the bands, one factor per
    week ahead (0: the bands as trained; fewer weeks, or none, when the data is too short to
    spare them). Not part of the identity: ``device`` (``auto``: a GPU when there is one) and
    ``threads`` (torch threads on the CPU)."""

    def __init__(self, lookback: int = 28, days: int = 30, hidden_size: int = 32, epochs: int = 12,
                 per_epoch: int = 2048, batch_size: int = 64, learning_rate: float = 5e-3,
                 recency_half_life: float = 7.0, average_last: int = 3, seed: int = 0,
                 calibration_days: int = 14, device: str = "auto", threads: int = 1):
        self.lookback, self.days, self.hidden_size = lookback, days, hidden_size
        self.epochs, self.per_epoch, self.batch_size = epochs, per_epoch, batch_size
        self.learning_rate, self.recency_half_life = learning_rate, recency_half_life
        self.average_last, self.seed, self.device, self.threads = average_last, seed, device, threads
        self.calibration_days = calibration_days
        if lookback < 28 or lookback % 7:
            raise InputError(f"The hourly lookback must be whole weeks of at least 28 days; got {lookback!r}.")
        if not 1 <= average_last <= epochs:
            raise InputError("The hourly model's average_last must be from 1 to its epochs.")
        if isinstance(calibration_days, bool) or not isinstance(calibration_days, int) or \
                not 0 <= calibration_days <= days or calibration_days % 7:
            raise InputError(f"The hourly model's calibration_days must be whole weeks (0, 7, 14, ...) of at most "
                             f"{days} days; got {calibration_days!r}.")

    def identity(self) -> dict:
        return {k: getattr(self, k) for k in ("lookback", "days", "hidden_size", "epochs", "per_epoch",
                                                "batch_size", "learning_rate", "recency_half_life",
                                                "average_last", "seed", "calibration_days")}

    def min_days(self) -> int:
        """The least whole days of history it trains on: the lookback and a week to learn from."""
        return self.lookback + 7

    def fit(self, wide: pd.DataFrame, progress=None) -> "HourlyForecaster":
        self._remember(wide)
        n_days = self.n_days_
        if n_days < self.min_days():
            raise InputError(f"The hourly data has {n_days} whole days; the hourly forecast needs at "
                             f"least {self.min_days()} (four weeks to look back on and one to learn from).")
        began = time.perf_counter()
        held = min(self.calibration_days, 7 * ((n_days - self.min_days()) // 7))
        self.scales_ = self._calibration(wide, held // 7, progress) if held else np.ones((2, 1))
        self.networks_ = self._train(wide, None if progress is None or not held else
                                     (lambda f, message: progress(0.5 + 0.5 * f, message)))
        self.training_seconds_ = time.perf_counter() - began
        return self

    def _train(self, wide: pd.DataFrame, progress=None) -> list:
        import torch

        device = self.device_
        windows = DayWindows(self.filled_, wide.to_numpy(np.float32), int(self.start_.day_of_week), self.lookback,
                             device, self.floor_)
        n_stations = len(self.stations_)
        origin_days = torch.arange(self.lookback, self.n_days_, device=device)
        stations = torch.arange(n_stations, device=device).repeat(len(origin_days))
        origins = origin_days.repeat_interleave(n_stations)
        # samples with a silent lookback (before a station opens, an outage) teach nothing
        level = windows.level(stations, origins)
        keep = level > self.floor_
        stations, origins = stations[keep], origins[keep]
        if len(stations) == 0:
            raise InputError("Every station's hourly figures are zero: nothing to learn from.")
        log_level = torch.log(level[keep])
        stats = torch.stack([log_level.mean(), log_level.std().clamp(min=1e-3)]).nan_to_num(0.0, 1.0, 1.0)
        on_gpu = device == "cuda"
        with torch_threads(self.threads):
            return train_hourly(
                windows, stations, origins, hidden_size=self.hidden_size, days=self.days,
                epochs=self.epochs, learning_rate=self.learning_rate,
                batch_size=self.batch_size * (8 if on_gpu else 1), per_epoch=self.per_epoch * (4 if on_gpu else 1),
                seed=self.seed, level_stats=stats, recency_half_life=self.recency_half_life,
                average_last=self.average_last,
                progress=None if progress is None else
                (lambda epoch: progress(epoch / self.epochs, f"epoch {epoch}/{self.epochs}")))

    def _calibration(self, wide: pd.DataFrame, weeks: int, progress=None) -> np.ndarray:
        """The factors for the hourly band (row 0) and the peak band (row 1), one column per week
        ahead: fitted on the data before its last ``weeks`` weeks, the same model forecasts the
        last week from 1, 2, ... ``weeks`` weeks before it, and each factor goes halfway (on the
        log scale) to the one that puts 80% of that week inside. A week's factor is at least the
        week's before (a forecast does not miss less for looking further ahead). Only stations
        open for a whole lookback before the held-out weeks count: a station opened days before
        is forecast from almost nothing, and one pooled factor would widen every station's band
        for it. All ones when the data before them cannot be trained on; a week with no such
        station's figures measures one."""
        n_days = self.n_days_
        cut = (n_days - 7 * weeks) * HOURS
        earlier = HourlyForecaster(**{**self.identity(), "calibration_days": 0}, device=self.device,
                                   threads=self.threads)
        try:
            earlier.fit(wide.iloc[:cut], None if progress is None else
                        (lambda f, message: progress(0.5 * f, f"calibrating the bands: {message}")))
        except InputError:  # e.g. every station silent until the last days
            return np.ones((2, weeks))
        truth = wide.to_numpy(float)
        last_week = truth[(n_days - 7) * HOURS:]
        opened = (np.nan_to_num(truth[:cut - self.lookback * HOURS]) > 0).any(axis=0)
        scales = np.ones((2, weeks))
        for week in range(weeks):
            earlier._remember(wide.iloc[:(n_days - 7 * (week + 1)) * HOURS])  # the same networks, a later origin
            hourly, peaks = earlier.predict(7 * (week + 1))
            for row, (forecast, actual) in enumerate(((hourly[-7 * HOURS:], last_week),
                                                      (peaks[-7:], daily_peaks(last_week)))):
                known = ~np.isnan(actual) & opened[None, :]
                # Half the way to a week's factor: over 24 held-out weeks of both cities' files, the full
                # factor left single weeks further from 80% than no calibration did (mean |coverage - 0.8|
                # 0.073 against 0.058); half of it, 0.053.
                scales[row, week] = halfway_scale(*(forecast[..., i] for i in range(3)), np.nan_to_num(actual),
                                                  known, QUANTILES[2] - QUANTILES[0])
        return np.maximum.accumulate(scales, axis=1)

    def _remember(self, wide: pd.DataFrame) -> None:
        self.__dict__.pop("_cached_windows", None)  # another data's windows
        self.device_ = resolve_device(self.device)
        self.stations_ = list(wide.columns)
        self.n_days_ = len(wide) // HOURS
        self.start_ = wide.index[0]
        self.filled_ = fill_hours(wide)
        means = self.filled_.mean(axis=0)
        self.floor_ = float(0.1 * np.median(means[means > 0])) if (means > 0).any() else 1e-3

    def predict(self, days: int | None = None, chunk: int = 512, blend: float = BLEND):
        """``(hourly, peaks)``: ``(days x 24, stations, 3)`` and ``(days, stations, 3)`` arrays of
        lower, median and upper (clipped at zero), for the ``days`` after the data ends; the
        hourly median moved ``blend`` of the way to the mean of the damped-trend candidate and
        the seasonal decomposition, but not outside the network's band, and the band moved with
        it (0: the network alone; see BLEND); each band scaled by its calibration factor for the
        week ahead that day is in (``scales_``: hourly and peak rows, a column per week; the days
        past them take the last)."""
        days = self.days if days is None else days
        if not 1 <= days <= self.days:
            raise InputError(f"The hourly model forecasts 1 to {self.days} days ahead; asked for {days}.")
        hourly, peaks = self._forecast(days, chunk, blend)
        by_day = self.scales_[:, np.minimum(np.arange(days) // 7, self.scales_.shape[1] - 1)]
        hourly_scale, peak_scale = np.repeat(by_day[0], HOURS)[:, None], by_day[1][:, None]
        return (np.stack(scaled_interval(*np.moveaxis(hourly, -1, 0), hourly_scale), axis=-1),
                np.stack(scaled_interval(*np.moveaxis(peaks, -1, 0), peak_scale), axis=-1))

    def _forecast(self, days: int, chunk: int, blend: float):
        """``predict``'s arrays before the bands are scaled."""
        import torch

        windows = self._windows_
        n = len(self.stations_)
        hourly = np.zeros((days, HOURS, n, 3), np.float32)
        peaks = np.zeros((days, n, 3), np.float32)
        decomposition = torch.tensor(decomposition_hours(self.filled_, days * HOURS).reshape(days, HOURS, n),
                                     dtype=torch.float32, device=self.device_).permute(2, 0, 1)
        with torch.no_grad(), torch_threads(self.threads):
            for start in range(0, n, chunk):
                s = torch.arange(start, min(n, start + chunk), device=self.device_)
                o = torch.full_like(s, self.n_days_)
                history, wd_in, wd_out, log_level, level, day_totals = windows.inputs(s, o, days)
                h_sum, p_sum = 0.0, 0.0
                for net in self.networks_:
                    h, p = net(history, wd_in, wd_out, log_level, day_totals)
                    h_sum, p_sum = h_sum + h, p_sum + p
                h = h_sum / len(self.networks_) * level[:, None, None, None]
                trend = trend_hours(history, day_totals, torch.arange(days, device=self.device_) % 7)
                statistical = (trend * level[:, None, None] + decomposition[start:start + len(s)]) / 2
                moved = h[..., 1] + blend * (statistical - h[..., 1])
                moved = torch.minimum(torch.maximum(moved, h[..., 0]), h[..., 2])  # inside the network's band
                h = h + (moved - h[..., 1])[..., None]
                p = (p_sum / len(self.networks_)) * level[:, None, None]
                hourly[:, :, start:start + len(s)] = h.permute(1, 2, 0, 3).cpu().numpy()
                peaks[:, start:start + len(s)] = p.permute(1, 0, 2).cpu().numpy()
        hourly = np.clip(np.sort(hourly, axis=3), 0, None).reshape(days * HOURS, n, 3)
        return hourly, np.clip(np.sort(peaks, axis=2), 0, None)

    @property
    def _windows_(self) -> DayWindows:
        if not hasattr(self, "_cached_windows"):
            self._cached_windows = DayWindows(self.filled_, self.filled_, int(self.start_.day_of_week),
                                              self.lookback, self.device_, self.floor_)
        return self._cached_windows

    # checkpoints: the averaged networks' weights in one state_dict, keys prefixed by their number,
    # and the bands' calibration factors (hourly and peak rows, a column per week ahead)
    def state_dict(self) -> dict:
        import torch

        state = networks_state(self.networks_)
        state["calibration.scales"] = torch.tensor(self.scales_, dtype=torch.float64)  # (2, weeks)
        return state

    def load_state_dict(self, state: dict, wide: pd.DataFrame) -> "HourlyForecaster":
        self._remember(wide)
        self.scales_ = state["calibration.scales"].numpy()
        self.networks_ = load_networks(
            state, lambda: build_hourly_network(self.hidden_size, self.lookback, self.days, None, self.device_))
        return self

