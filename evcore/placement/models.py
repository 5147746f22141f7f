"""The location models: p-median and maximal coverage (MCLP)."""

from __future__ import annotations

import numpy as np

from evcore.errors import InputError
from evcore.placement.base import _LocationModel
from evcore.placement.bounds import lagrangian_lower_bound
from evcore.placement.exact import coverage_lp_bound, solve_coverage_exact, solve_pmedian_exact


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
        from evcore.placement.large_models import LargePMedian

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
        from evcore.placement.large_models import LargeMaxCoverage

        return LargeMaxCoverage(demand_latlon, column_latlon, weights, k, **kwargs)

    def _bound(self, chosen, total, budget):
        return coverage_lp_bound(self, budget)
