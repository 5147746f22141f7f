"""The coverage curve: share of demand within a radius as the number of new sites grows."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.placement.large_coverage import SparseCoverage
from evcore.placement.search import _SwapSearch, _single_threaded_blas


def coverage_curve(model, radius: float, k_max: int, time_limit: float = 0.3) -> pd.DataFrame:
    """Share of demand within ``radius`` of a station as the number of new sites grows.

    Row ``k`` holds the best share the coverage heuristic finds with ``k`` new sites (on top of
    the existing stations; ``k = 0`` is the existing stations alone, when there are any).
    """
    if radius is None or not np.isfinite(radius) or radius <= 0:
        raise InputError(f"the coverage curve needs a positive radius, got {radius}.")
    k_max = int(min(k_max, len(model.candidates)))
    if model.cost is None:
        return _large_curve(model, float(radius), k_max, time_limit)
    covered = (model.cost > radius).astype(float)
    total = float(model.weights.sum())
    rows = []
    if model.existing.size:
        alone = model.cost[:, model.existing].min(axis=1) <= radius
        rows.append({"k": 0, "share_within_radius": float(model.weights[alone].sum() / total)})
    chosen = np.array([], dtype=int)
    for k in range(1, k_max + 1):
        search = _SwapSearch(covered, model.weights, model.existing, k, np.random.default_rng(model.random_state))
        with _single_threaded_blas():
            chosen, uncovered = search.run(time_limit, patience=5, start=chosen)
        rows.append({"k": k, "share_within_radius": 1.0 - uncovered / total})
        if uncovered <= 0:
            break
    return _curve_table(rows, radius)


def _curve_table(rows, radius) -> pd.DataFrame:
    curve = pd.DataFrame(rows, columns=["k", "share_within_radius"])
    curve["share_within_radius"] = curve["share_within_radius"].cummax()  # more sites never cover less
    curve["radius_km"] = float(radius)
    return curve


def _large_curve(model, radius: float, k_max: int, time_limit: float) -> pd.DataFrame:
    """The same curve on the large-scale path: one sparse coverage problem (pairs within the
    radius), each k started from the sites of k - 1."""
    problem = SparseCoverage(model.demand_latlon, model.weights, model.column_latlon, model.existing,
                             model.candidates, radius)
    total = float(model.weights.sum())
    rows = [{"k": 0, "share_within_radius": problem.already / total}] if model.existing.size else []
    chosen = np.array([], dtype=int)
    for k in range(1, k_max + 1):
        chosen, covered = problem.solve(k, time.perf_counter() + time_limit, start=chosen)
        rows.append({"k": k, "share_within_radius": covered / total})
        if covered >= total:
            break
    return _curve_table(rows, radius)


def sites_needed(curve: pd.DataFrame, share: float = 0.9) -> int | None:
    """The fewest new sites that bring ``share`` of the demand within the curve's radius."""
    reached = curve[curve["share_within_radius"] >= share - 1e-12]
    return None if reached.empty else int(reached["k"].min())
