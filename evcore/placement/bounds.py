"""Lower bounds for the p-median (Lagrangian relaxation)."""

from __future__ import annotations

import time

import numpy as np


def lagrangian_lower_bound(cost, weights, fixed, k, upper, time_limit=2.0, iterations=600) -> float | None:
    """Lower bound on the weighted p-median total by Lagrangian relaxation of the assignment
    constraints, optimised by subgradient steps (Beasley 1993). None when it has no time."""
    weighted = weights[:, None] * cost
    n, m = cost.shape
    free = np.setdiff1d(np.arange(m), fixed)
    multipliers = np.partition(weighted, min(1, m - 1), axis=1)[:, min(1, m - 1)].copy()
    best, theta, stall = -np.inf, 2.0, 0
    deadline = time.perf_counter() + time_limit
    for _ in range(iterations):
        if time.perf_counter() > deadline:
            break
        reduced = np.minimum(weighted - multipliers[:, None], 0.0)
        rho = reduced.sum(axis=0)
        chosen = free[np.argsort(rho[free], kind="stable")[:k]] if k else np.array([], int)
        open_cols = np.concatenate([fixed, chosen]).astype(int)
        value = float(multipliers.sum() + rho[open_cols].sum())
        if value > best + 1e-12 * abs(value):
            best, stall = value, 0
        else:
            stall += 1
            if stall >= 20:
                theta, stall = theta / 2, 0
                if theta < 1e-4:
                    break
        subgradient = 1.0 - (reduced[:, open_cols] < 0).sum(axis=1)
        norm = float(subgradient @ subgradient)
        if norm == 0:  # the relaxation's solution is feasible: the bound is tight
            break
        multipliers = np.maximum(multipliers + theta * (upper - value) / norm * subgradient, 0.0)
    return None if not np.isfinite(best) else best
