"""The hourly network and its training loop.

One sample is a station at a midnight (the origin): in, the ``lookback`` days before it, each
day's 24 hours divided by the station's level (its mean hour over those days); out, for each of
the ``days`` after it, three quantiles of every hour and three quantiles of the day's largest
hour, on the same scale. An LSTM reads the lookback day by day (24 hours + the weekday); a small
network shared by every target hour maps that state, the hour's calendar (hour of day, weekday,
days ahead) and its candidates (the same hour of the week in each of the last four weeks, of the
last day, the last week's mean of that hour, the four-week hour-of-week mean moved to the
last two days' level, multiplied and added, and the day's total from a damped-trend smoothing
of the last TREND_DAYS daily totals spread over the hours by the weekday's four-week shape and
by its mean with last week's) to weights over the candidates and a factor: the median is their
weighted mean times the factor (an untrained network gives their plain mean); a second one
does the same for each day's peak from the peaks of the same history and from the trend's day
total times the share of a day's total its peak took. The day's total matters most: with the
true totals the hourly error falls by a third to two thirds on both cities' files, so the
network is given a level that follows a trend, not only the last weeks' means. The lower and upper quantiles
are the median minus and plus a positive width, so an interval is never upside down. The
peak's quantiles are learned from each day's real largest hour, not from the hourly medians.
"""

from __future__ import annotations

import copy

from evcore.forecast.training import _initialise

HOURS = 24
QUANTILES = (0.1, 0.5, 0.9)
CANDIDATES = 10
TREND_DAYS = 56  # the daily totals a damped-trend level is fitted on (more than the lookback)
# the damped trend's grid (smoothing of the level and of the trend, damping): each sample takes
# the point with the least one-day-ahead absolute error over its own TREND_DAYS
TREND_GRID = [(a, b, phi) for a in (0.1, 0.2, 0.3, 0.5, 0.7, 0.9) for b in (0.0, 0.05, 0.15, 0.3)
              for phi in (0.8, 0.9, 0.98)]
HOUR_FEATURES = CANDIDATES + HOURS + 7 + 6 + 2   # + the LSTM state
PEAK_FEATURES = CANDIDATES + 7 + 6 + 2


def build_hourly_network(hidden_size: int, lookback: int, days: int, generator=None, device: str = "cpu"):
    """A ``HourlyNet``: weights drawn from ``generator`` (torch's default initialisation), or
    left empty for loading a checkpoint when ``generator`` is None."""
    import torch
    from torch import nn
    from torch.nn import functional as F

    class HourlyNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(HOURS + 7, hidden_size, batch_first=True)
            self.hour_head = nn.Sequential(nn.Linear(HOUR_FEATURES + hidden_size, hidden_size), nn.ReLU(),
                                           nn.Linear(hidden_size, CANDIDATES + 3))
            self.peak_head = nn.Sequential(nn.Linear(PEAK_FEATURES + hidden_size, hidden_size), nn.ReLU(),
                                           nn.Linear(hidden_size, CANDIDATES + 3))
            self.register_buffer("level_stats", torch.zeros(2))  # mean, std of log level
            self.register_buffer("shape", torch.tensor([float(lookback), float(days)]))

        def forward(self, history, weekday_in, weekday_out, log_level, day_totals):
            """``history`` (B, lookback, 24) scaled; ``weekday_in`` (B, lookback) and
            ``weekday_out`` (B, days) ints; ``log_level`` (B,); ``day_totals`` (B, days) the
            damped trend's daily totals (``DayWindows.inputs``), scaled. Returns hourly (B, days,
            24, 3) and peak (B, days, 3) quantiles, scaled."""
            if history.is_cuda:
                self.lstm.flatten_parameters()
            b, n_days = history.shape[0], weekday_out.shape[1]
            x = torch.cat([history, F.one_hot(weekday_in, 7).to(history.dtype)], dim=2)
            _, (state, _) = self.lstm(x)
            state = state[-1]                                                    # (B, H)
            weeks = history[:, -28:].reshape(b, 4, 7, HOURS)
            position = torch.arange(n_days, device=history.device) % 7
            lags = weeks[:, :, position, :]                                      # (B, 4, D, 24)
            last_day = history[:, -1, None, :].expand(b, n_days, HOURS)
            week_mean = history[:, -7:].mean(dim=1)[:, None, :].expand(b, n_days, HOURS)
            trend = history[:, -7:].mean(dim=(1, 2)) / history[:, -28:].mean(dim=(1, 2)).clamp(min=1e-3)
            level = (log_level - self.level_stats[0]) / self.level_stats[1]
            day = torch.arange(n_days, device=history.device)
            ahead = torch.cat([(day / 30.0)[:, None], F.one_hot((day // 7).clamp(max=4), 5)], dim=1).to(history.dtype)
            wd = F.one_hot(weekday_out, 7).to(history.dtype)                     # (B, D, 7)
            scalars = torch.stack([trend.clamp(max=10.0), level], dim=1)         # (B, 2)

            # the candidates a forecast is weighed from: the same hour of the week in each of the
            # last four weeks, of the last day, and the last week's mean of that hour
            # and the four weeks' hour-of-week mean moved to the last two days' level, as a
            # seasonal decomposition with a trend would (multiplied, and added)
            profile = lags.mean(dim=1)
            recent = history[:, -2:].mean(dim=(1, 2)) - history[:, -28:].mean(dim=(1, 2))
            ratio = (history[:, -2:].mean(dim=(1, 2)) / history[:, -28:].mean(dim=(1, 2)).clamp(min=1e-3)).clamp(max=5.0)
            weekday_shape = weekday_shares(history, position)                     # (B, D, 24)
            candidates = torch.cat([lags.permute(0, 2, 3, 1), last_day[..., None], week_mean[..., None],
                                    (profile * ratio[:, None, None])[..., None],
                                    (profile + recent[:, None, None]).clamp(min=0.0)[..., None],
                                    (day_totals[..., None] * weekday_shape)[..., None],
                                    trend_hours(history, day_totals, position)[..., None]], dim=3)
            hour_of_day = torch.eye(HOURS, device=history.device, dtype=history.dtype)
            per_hour = torch.cat([
                candidates, hour_of_day.expand(b, n_days, HOURS, HOURS),
                wd[:, :, None, :].expand(b, n_days, HOURS, 7),
                ahead[None, :, None, :].expand(b, n_days, HOURS, ahead.shape[1]),
                scalars[:, None, None, :].expand(b, n_days, HOURS, 2),
                state[:, None, None, :].expand(b, n_days, HOURS, state.shape[1])], dim=3)
            hourly = self._quantiles(self.hour_head(per_hour), candidates)

            daily_peak = history[:, -7:].amax(dim=2)
            # a day's peak as a share of its total, in the last week and in the four weeks' same weekday
            peak_share = daily_peak.sum(dim=1) / history[:, -7:].sum(dim=(1, 2)).clamp(min=1e-3)
            weekday_peak_share = lags.amax(dim=3).sum(dim=1) / lags.sum(dim=(1, 3)).clamp(min=1e-3)
            peak_candidates = torch.cat([
                lags.amax(dim=3).permute(0, 2, 1), history[:, -1].amax(dim=1)[:, None, None].expand(b, n_days, 1),
                daily_peak.mean(dim=1)[:, None, None].expand(b, n_days, 1),
                (daily_peak.mean(dim=1) * ratio)[:, None, None].expand(b, n_days, 1),
                (daily_peak.mean(dim=1) + recent).clamp(min=0.0)[:, None, None].expand(b, n_days, 1),
                (day_totals * weekday_peak_share)[..., None], (day_totals * peak_share[:, None])[..., None]], dim=2)
            per_day = torch.cat([
                peak_candidates, wd, ahead[None].expand(b, n_days, ahead.shape[1]),
                scalars[:, None, :].expand(b, n_days, 2),
                state[:, None, :].expand(b, n_days, state.shape[1])], dim=2)
            peak = self._quantiles(self.peak_head(per_day), peak_candidates)
            return hourly, peak

        @staticmethod
        def _quantiles(out, candidates):
            """The median is a weighted mean of the candidates (weights from a softmax; equal
            when untrained) times a learned factor; the bounds lie a learned width below and
            above it."""
            k = candidates.shape[-1]
            weights = torch.softmax(out[..., :k], dim=-1)
            scale = torch.exp(out[..., k].clamp(-2.0, 2.0))
            median = (weights * candidates).sum(dim=-1) * scale
            low, high = out[..., k + 1], out[..., k + 2]
            return torch.stack([median - F.softplus(low), median, median + F.softplus(high)], dim=-1)

    with torch.device("meta"):
        net = HourlyNet()
    if generator is None:
        return net.to_empty(device=device)
    net = net.to_empty(device="cpu")
    net.level_stats.zero_()
    net.shape.copy_(torch.tensor([float(lookback), float(days)]))
    _initialise(net, generator)
    with torch.no_grad():  # an untrained network forecasts the structure's base (see module doc)
        for head in (net.hour_head, net.peak_head):
            head[2].weight.zero_()
            head[2].bias.zero_()
    return net.to(device)


def _shares(days):
    """Each day's hours as shares of its total (``(..., 24)``); a silent day is flat."""
    import torch

    total = days.sum(dim=-1, keepdim=True)
    return torch.where(total > 1e-6, days / total.clamp(min=1e-6), torch.full_like(days, 1.0 / HOURS))


def trend_hours(history, day_totals, position):
    """The damped trend's ``day_totals`` ``(B, D)`` (``damped_trend_days`` at ``position``)
    spread over the hours by the mean of two shapes, the same weekday's over the last four weeks
    and the last week's: ``(B, D, 24)`` on the scale of ``history`` ``(B, lookback, 24)``."""
    week_shape = _shares(history[:, -7:].sum(dim=1))[:, None, :]
    return day_totals[..., None] * (weekday_shares(history, position) + week_shape) / 2


def weekday_shares(history, position):
    """Each target day's hours as shares of the day, summed over the same weekday of the last
    four weeks of ``history`` (``(B, D, 24)``; ``position``: each day's weekday phase)."""
    b = history.shape[0]
    return _shares(history[:, -28:].reshape(b, 4, 7, HOURS)[:, :, position, :].sum(dim=1))


def damped_trend_days(daily, position):
    """Each sample's forecast daily totals ``(B, D)`` for the days at ``position`` (weekday
    phase, day number mod 7, ``(D,)``) from ``daily`` ``(B, TREND_DAYS)``: the totals divided by
    their weekday's factor (the last four weeks', shrunk halfway to flat), a damped-trend
    exponential smoothing with the grid point of least one-day-ahead absolute error after the
    first week, and the weekday factor put back."""
    import torch

    with torch.no_grad():
        b, n = daily.shape
        weeks = daily[:, -28:].reshape(b, 4, 7).mean(dim=1)
        factor = 0.5 + 0.5 * weeks / weeks.mean(dim=1, keepdim=True).clamp(min=1e-6)
        factor = torch.where(weeks.mean(dim=1, keepdim=True) > 1e-6, factor, torch.ones_like(factor))
        x = daily / factor.repeat(1, n // 7)
        grid = torch.tensor(TREND_GRID, dtype=daily.dtype, device=daily.device)
        alpha, beta, phi = grid[:, 0], grid[:, 1], grid[:, 2]
        level = x[:, :7].mean(dim=1, keepdim=True).expand(b, len(grid)).clone()
        trend = torch.zeros_like(level)
        error = torch.zeros_like(level)
        for t in range(7, n):
            guess = level + phi * trend
            error += (x[:, t, None] - guess).abs()
            previous = level
            level = alpha * x[:, t, None] + (1 - alpha) * guess
            trend = beta * (level - previous) + (1 - beta) * phi * trend
        best = error.argmin(dim=1)
        level, trend = level.gather(1, best[:, None]), trend.gather(1, best[:, None])
        steps = torch.arange(1, len(position) + 1, device=daily.device, dtype=daily.dtype)
        damping = phi[best][:, None]
        total_damping = damping * (1 - damping ** steps) / (1 - damping)         # phi + ... + phi^h
        return (level + trend * total_damping).clamp(min=0.0) * factor[:, position]


class DayWindows:
    """Samples cut from the filled hourly matrix on the device: ``(days, 24, stations)`` values,
    the weekday of each day, the level of each (station, origin), and the true values (NaN where
    the data had none) for the targets."""

    def __init__(self, filled, truth, first_weekday: int, lookback: int, device: str, floor: float = 1e-3):
        import torch

        n_days = filled.shape[0] // HOURS
        self.device = device
        self.lookback = lookback
        self.n_days = n_days
        self.floor = floor  # the least level: a nearly silent window is not blown up to huge ratios
        self.values = torch.tensor(filled.reshape(n_days, HOURS, -1), device=device)
        self.truth = torch.tensor(truth.reshape(n_days, HOURS, -1), device=device)
        self.totals = self.values.sum(dim=1)                                      # (days, stations)
        self.weekday = torch.as_tensor((first_weekday + torch.arange(n_days + 60).numpy()) % 7, device=device)

    def level(self, stations, origins):
        """Each sample's level: the station's mean hour over the lookback days before the origin,
        at least ``floor``."""
        import torch

        rows = origins[:, None] + torch.arange(-self.lookback, 0, device=self.device)[None, :]
        return (self.totals[rows, stations[:, None]].sum(dim=1) / (self.lookback * HOURS)).clamp(min=self.floor)

    def inputs(self, stations, origins, days: int):
        """``(history, weekday_in, weekday_out, log_level, level, day_totals)`` for forecasts of
        ``days`` from day ``origins`` (the first target day) of ``stations``; ``day_totals``
        ``(B, days)``: the damped trend (``damped_trend_days``) of the TREND_DAYS daily totals
        before the origin, divided by the level (days before the data: the first week's same
        weekday). Computed once here for every network that reads these inputs."""
        import torch

        rows = origins[:, None] + torch.arange(-self.lookback, 0, device=self.device)[None, :]  # (B, L)
        level = self.level(stations, origins)
        history = self.values[rows, :, stations[:, None]] / level[:, None, None]  # (B, L, 24)
        ahead = origins[:, None] + torch.arange(days, device=self.device)[None, :]
        trend_rows = origins[:, None] + torch.arange(-TREND_DAYS, 0, device=self.device)[None, :]
        trend_rows = torch.where(trend_rows < 0, torch.remainder(trend_rows, 7), trend_rows)
        daily = self.totals[trend_rows, stations[:, None]] / level[:, None]
        day_totals = damped_trend_days(daily, torch.arange(days, device=self.device) % 7)
        return history, self.weekday[rows], self.weekday[ahead], torch.log(level), level, day_totals

    def targets(self, stations, origins, days: int):
        """True hours ``(B, days, 24)`` and peaks ``(B, days)``, NaN past the data's end."""
        import torch

        ahead = origins[:, None] + torch.arange(days, device=self.device)[None, :]
        inside = ahead < self.n_days
        hours = self.truth[ahead.clamp(max=self.n_days - 1), :, stations[:, None]]
        hours = torch.where(inside[..., None], hours, torch.nan)
        peaks = torch.where(torch.isnan(hours).all(dim=2), torch.nan, torch.nan_to_num(hours, nan=-1.0).amax(dim=2))
        return hours, peaks


def pinball(predicted, target, q, weights):
    """Mean pinball loss of ``predicted`` (..., 3) against ``target`` (...) (NaN not scored),
    each sample (first axis) weighted by ``weights``."""
    import torch

    shape = (-1,) + (1,) * (target.dim() - 1)
    weight = (~torch.isnan(target)) * weights.view(shape)
    error = torch.nan_to_num(target)[..., None] - predicted
    loss = torch.maximum(q * error, (q - 1) * error) * weight[..., None]
    return loss.sum() / (weight.sum().clamp(min=1e-9) * len(q))


def train_hourly(windows: DayWindows, stations, origins, *, hidden_size: int, days: int, epochs: int,
                 learning_rate: float, batch_size: int, per_epoch: int, seed: int, level_stats,
                 recency_half_life: float, average_last: int, progress=None) -> list:
    """Train one network on the (station, origin) samples by the pinball loss of its hourly and
    peak quantiles (each sample weighted by recency: 1 for the newest origin, halving every
    ``recency_half_life`` days back); return copies kept at each of the last ``average_last``
    epochs (their forecasts are averaged)."""
    import torch

    device = windows.device
    generator = torch.Generator().manual_seed(seed)
    shuffle = torch.Generator().manual_seed(seed + 1)
    net = build_hourly_network(hidden_size, windows.lookback, days, generator, device)
    net.level_stats.copy_(level_stats)
    q = torch.tensor(QUANTILES, device=device)
    age = (origins.max() - origins).to(torch.float32)
    recency = torch.pow(0.5, age / recency_half_life) if recency_half_life > 0 else torch.ones_like(age)
    optimizer = torch.optim.AdamW(net.parameters(), lr=learning_rate, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, epochs))
    kept = []
    for epoch in range(epochs):
        net.train()
        order = torch.randperm(len(stations), generator=shuffle)[:per_epoch].to(device)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            s, o = stations[idx], origins[idx]
            history, wd_in, wd_out, log_level, level, day_totals = windows.inputs(s, o, days)
            hours, peaks = windows.targets(s, o, days)
            hourly, peak = net(history, wd_in, wd_out, log_level, day_totals)
            w = recency[idx] * level / level.mean()  # pooled WAPE weighs a station by its size
            loss = pinball(hourly, hours / level[:, None, None], q, w) + pinball(peak, peaks / level[:, None], q, w)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        schedule.step()
        if epoch >= epochs - average_last:
            kept.append(copy.deepcopy(net).eval())
        if progress is not None:
            progress(epoch + 1)
    return kept
