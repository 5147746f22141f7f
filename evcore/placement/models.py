"""The location models: p-median and maximal coverage (MCLP) on a cost matrix, and their
state-scale twins (a million demand points, ten thousand candidates) built from coordinates with
no matrix, as spopt's ``KNearestPMedian`` is a model of its own beside ``PMedian``.

The twins' nearest sites come from a KD-tree (``spatial.py``); the p-median is searched on
aggregated demand and refined on every point (``large.py``), coverage on the pairs within the
radius (``large_coverage.py``). Their figures are exact (each point to its nearest open site); they
have no bound (``gap_`` None) and no exact solver. ``PMedian.from_points`` and
``MaxCoverage.from_points`` build them when a problem is too big for a matrix."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.placement import base
from evcore.placement.base import _LocationModel
from evcore.placement.bounds import lagrangian_lower_bound
from evcore.placement.exact import coverage_lp_bound, solve_coverage_exact, solve_pmedian_exact
from evcore.placement.large import solve_pmedian_large
from evcore.placement.large_coverage import solve_coverage_large
from evcore.placement.spatial import exact_nearest


class PMedian(_LocationModel):
    """Weighted p-median: least total demand-weighted distance to the nearest open site.

    After ``solve()``: ``selected_`` (candidate columns opened), ``sites_`` ([lat, lon] or None
    for a cost matrix), ``assignment_`` (column serving each demand point), ``distance_``,
    ``objective_`` (total weighted cost), ``mean_km_``, ``optimal_``, ``lower_bound_``,
    ``gap_`` (relative to the objective; None when no bound is known).
    """

    name = "p-median"
    minimise = True

    def _search_cost(self):
        return self.cost

    def _objective_value(self, distance):
        return float(self.weights @ distance)

    def _bound(self, chosen, total, budget):
        return lagrangian_lower_bound(self.cost, self.weights, self.existing, self.k, total,
                                      time_limit=max(0.2, 0.25 * budget))
    def _solve_exact(self, time_limit):
        return solve_pmedian_exact(self, time_limit)

    @classmethod
    def _large_model(cls, demand_latlon, column_latlon, weights, k, **kwargs):
        return LargePMedian(demand_latlon, column_latlon, weights, k, **kwargs)


class MaxCoverage(_LocationModel):
    """Maximal covering location (MCLP): the most demand within ``radius`` of an open site.

    After ``solve()`` as for ``PMedian``; ``objective_`` is the covered demand, ``coverage_``
    its share, and ``upper_bound_``/``gap_`` bound it from above when known.
    """

    name = "max-coverage"
    minimise = False

    def __init__(self, cost, weights=None, k=1, existing=None, radius=None, **kwargs):
        if radius is None:
            raise InputError("the coverage objective needs a radius (for instance --radius-km 5).")
        super().__init__(cost, weights, k, existing=existing, radius=radius, **kwargs)

    def _search_cost(self):
        return (self.cost > self.radius).astype(float)

    def _objective_value(self, distance):
        return float(self.weights[distance <= self.radius].sum())

    def _served_weights(self):
        return np.where(self.distance_ <= self.radius, self.weights, 0.0)

    @property
    def coverage_(self) -> float:
        return self.objective_ / float(self.weights.sum())

    def _solve_exact(self, time_limit):
        return solve_coverage_exact(self, time_limit)

    @classmethod
    def _large_model(cls, demand_latlon, column_latlon, weights, k, **kwargs):
        return LargeMaxCoverage(demand_latlon, column_latlon, weights, k, **kwargs)

    def _bound(self, chosen, total, budget):
        return coverage_lp_bound(self, budget)


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
