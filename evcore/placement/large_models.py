"""The state-scale location models (a million demand points, ten thousand candidates): p-median
and maximal coverage built from coordinates, with no distance matrix, as spopt's
``KNearestPMedian`` is a model of its own beside ``PMedian``.

Nearest sites come from a KD-tree (``spatial.py``); the p-median is searched on aggregated demand
and refined on every point (``large.py``), coverage on the pairs within the radius
(``large_coverage.py``). Their figures are exact (each point to its nearest open site); they have
no bound (``gap_`` None) and no exact solver. ``PMedian.from_points`` and
``MaxCoverage.from_points`` build these when a problem is too big for a matrix."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.placement import base
from evcore.placement.large import solve_pmedian_large
from evcore.placement.large_coverage import solve_coverage_large
from evcore.placement.models import MaxCoverage, PMedian
from evcore.placement.spatial import exact_nearest


class _LargeModel:
    """What the state-scale models share: coordinates instead of a cost matrix, nearest sites by
    KD-tree, the large-scale search as the only solver. Mixed in before the model it scales."""

    large = True

    def __init__(self, demand_latlon, column_latlon, weights=None, k: int = 1, existing=None,
                 radius: float | None = None, random_state: int = 0):
        demand_latlon = np.asarray(demand_latlon, dtype=float).reshape(-1, 2)
        column_latlon = np.asarray(column_latlon, dtype=float).reshape(-1, 2)
        self.cost = None
        self._setup(len(demand_latlon), len(column_latlon), weights, k, existing, radius, demand_latlon,
                    column_latlon, random_state)

    @classmethod
    def from_points(cls, demand: pd.DataFrame, k: int = 1, candidates: pd.DataFrame | None = None,
                    existing: pd.DataFrame | None = None, **kwargs):
        """As ``PMedian.from_points``, always without a matrix."""
        demand_ll, weights, column_ll, fixed = base.points_problem(demand, candidates, existing)
        return cls(demand_ll, column_ll, weights, k, existing=fixed, **kwargs)

    def solve(self, exact: bool = False, time_limit: float | None = None, patience: int = 100, progress=None):
        """The large-scale search until ``time_limit`` seconds (default ``LARGE_TIME_LIMIT``);
        ``progress(fraction, message)`` hears how it gets on. Returns ``self``."""
        if exact:
            n, m = len(self.demand_latlon), len(self.column_latlon)
            raise InputError(f"the problem is too big for the exact solver ({n:,} demand points x {m:,} sites); "
                             "use the fast solver.")
        started = time.perf_counter()
        budget = base.LARGE_TIME_LIMIT if time_limit is None else float(time_limit)
        chosen, self.large_info_ = self._search(budget, np.random.default_rng(self.random_state), progress)
        self.lower_bound_ = self.upper_bound_ = self.gap_ = None
        self.optimal_ = False
        self.solver_ = "large-scale heuristic (aggregated search, then swaps on every point)"
        self._keep_solution(np.sort(chosen))
        self.seconds_ = time.perf_counter() - started
        return self

    def _nearest_of(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        distance, at = exact_nearest(self.demand_latlon, self.column_latlon[columns])
        return distance, columns[at]


class LargePMedian(_LargeModel, PMedian):
    """The weighted p-median at state scale (see the module)."""

    def _search(self, time_limit, rng, progress):
        return solve_pmedian_large(self.demand_latlon, self.weights, self.column_latlon, self.existing,
                                   self.candidates, self.k, time_limit, rng, progress)


class LargeMaxCoverage(_LargeModel, MaxCoverage):
    """Maximal coverage at state scale (see the module)."""

    def __init__(self, demand_latlon, column_latlon, weights=None, k: int = 1, existing=None,
                 radius: float | None = None, random_state: int = 0):
        if radius is None:
            raise InputError("the coverage objective needs a radius (for instance --radius-km 5).")
        super().__init__(demand_latlon, column_latlon, weights, k, existing=existing, radius=radius,
                         random_state=random_state)

    def _search(self, time_limit, rng, progress):
        return solve_coverage_large(self.demand_latlon, self.weights, self.column_latlon, self.existing,
                                    self.candidates, self.k, self.radius, time_limit, progress)
