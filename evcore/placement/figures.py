"""The figures a planner reads off a solution: weighted mean and quantiles of distance."""

from __future__ import annotations

import numpy as np


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value below which at least a share ``q`` of the weight lies."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    position = int(np.searchsorted(cumulative, q * cumulative[-1] - 1e-9 * cumulative[-1]))
    return float(values[order][min(position, len(values) - 1)])

def _distance_figures(distance: np.ndarray, weights: np.ndarray, radius: float | None) -> dict:
    out = {
        "mean_km": float(weights @ distance / weights.sum()),
        "p90_km": weighted_quantile(distance, weights, 0.9),
    }
    if radius is not None:
        out["radius_km"] = float(radius)
        out["share_within_radius"] = float(weights[distance <= radius].sum() / weights.sum())
    return out
