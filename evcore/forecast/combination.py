"""Combining forecasts with weights learned on a validation slice, and calibrating the interval.

The weights are the convex combination (a grid over the simplex, step ``1/steps``) with the least
pooled absolute error on the held-out days; the interval is then widened or narrowed around the
point forecast by the one factor that makes the held-out days' coverage what it should be (split
conformal calibration). Both are learned from data the network was not trained on.
"""

from __future__ import annotations

import itertools

import numpy as np


def simplex_grid(k: int, steps: int = 10) -> np.ndarray:
    """Every weight vector of ``k`` non-negative multiples of ``1/steps`` that sum to 1."""
    rows = [c for c in itertools.product(range(steps + 1), repeat=k) if sum(c) == steps]
    return np.array(rows, dtype=float) / steps


def fit_weights(points: np.ndarray, truth: np.ndarray, mask: np.ndarray, steps: int = 10) -> np.ndarray:
    """Weights ``(k,)`` for ``points`` ``(k, days, stations)`` with the least absolute error on
    ``truth`` where ``mask``; ties go to the most even weights (the grid's median-like centre)."""
    grid = simplex_grid(len(points), steps)
    flat = points[:, mask]                                    # (k, n)
    errors = np.abs(truth[mask][None, :] - grid @ flat).sum(axis=1)
    evenness = np.abs(grid - 1 / len(points)).sum(axis=1)
    best = np.lexsort((evenness, np.round(errors, 9)))[0]
    return grid[best]


def interval_scale(lower, point, upper, truth, mask, level: float, bounds=(0.25, 4.0)) -> float:
    """The factor by which to scale the interval's distance from the point so that ``level`` of
    the held-out days fall inside (the ``level`` quantile of the factors each day needs)."""
    below = truth < point
    room = np.where(below, point - lower, upper - point)
    need = np.abs(truth - point) / np.maximum(room, 1e-9)
    need = np.where((room <= 1e-9) & (np.abs(truth - point) <= 1e-9), 0.0, need)[mask]
    if len(need) == 0:
        return 1.0
    return float(np.clip(np.quantile(need, level), *bounds))


def departure_weight(profile: np.ndarray, network: np.ndarray, truth: np.ndarray, steps: int = 10) -> float:
    """The weight ``w`` of the grid ``0, 1/steps, ..., 1`` for which ``profile + w * (network -
    profile)`` has the least absolute error on ``truth`` (flat arrays): how far a network's
    departure from the level x profile it starts from earns trust on days it was not trained
    on. Ties go to the smaller weight (the plainer forecast)."""
    grid = np.linspace(0.0, 1.0, steps + 1)
    if len(truth) == 0:
        return 1.0
    errors = [np.abs(truth - (profile + w * (network - profile))).sum() for w in grid]
    return float(grid[int(np.argmin(np.round(errors, 9)))])


def best_members(candidates: list, forecasts: dict, truth: np.ndarray) -> tuple:
    """The candidate (a tuple of names in ``forecasts``) whose per-day median of those forecasts
    has the least absolute error on ``truth`` (flat arrays); ties go to the earlier candidate."""
    if len(truth) == 0:
        return tuple(candidates[0])
    errors = [np.abs(truth - np.median([forecasts[name] for name in names], axis=0)).sum() for names in candidates]
    return tuple(candidates[int(np.argmin(np.round(errors, 9)))])


def stacked(forecasts: list) -> tuple:
    """``(lower, point, upper)`` forecasts from several origins, each part joined along the days."""
    return tuple(np.concatenate([forecast[i] for forecast in forecasts]) for i in range(3))


def learned_departure_and_members(profile, network, baselines: dict, truth, mask, sets: list,
                                  floor: float) -> tuple[float, tuple]:
    """What held-out days teach a network's median with baselines (point forecasts, arrays like
    ``truth``, scored where ``mask``): the network's ``departure_weight`` from the ``profile`` it
    starts from (at least ``floor``), and with that weight the ``best_members`` of ``sets``."""
    departure = max(floor, departure_weight(profile[mask], network[mask], truth[mask]))
    points = {"network": profile + departure * (network - profile), **baselines}
    # the departure weight was fitted on these same days: a slight edge for the network's sets
    members = best_members(sets, {name: p[mask] for name, p in points.items()}, truth[mask]) if len(sets) > 1 \
        else sets[0]
    return departure, members


def halfway_scale(lower, point, upper, truth, mask, level: float) -> float:
    """The factor a band measured on held-out days takes (the daily and the hourly models'): the
    square root of the ``interval_scale`` that would have put ``level`` of ``truth`` (where
    ``mask``) inside it, i.e. halfway on the log scale, since a factor measured on a few weeks is
    uncertain too."""
    return float(np.sqrt(interval_scale(lower, point, upper, truth, mask, level)))


def median_forecast(forecasts: list) -> tuple:
    """The per-day median of ``forecasts`` (``(lower, point, upper)`` each), bounds likewise: the
    forecast the daily model ships."""
    return tuple(np.median([forecast[i] for forecast in forecasts], axis=0) for i in range(3))


def median_band_scale(forecasts: list, truth, mask, level: float) -> float:
    """The ``halfway_scale`` of the band of the ``median_forecast`` of ``forecasts``."""
    return halfway_scale(*median_forecast(forecasts), truth, mask, level)


def scaled_interval(lower, point, upper, scale) -> tuple:
    """``(lower, point, upper)`` with the interval's distance from the point times ``scale`` (a
    number, or an array that broadcasts against them; bounds clipped at zero)."""
    return (np.clip(point - scale * (point - lower), 0, None), point,
            np.clip(point + scale * (upper - point), 0, None))


def combine(parts: list, weights: np.ndarray, scale: float) -> tuple:
    """``(lower, forecast, upper)`` of the weighted parts, the interval scaled by ``scale``."""
    return scaled_interval(*(sum(w * p[i] for w, p in zip(weights, parts)) for i in range(3)), scale)
