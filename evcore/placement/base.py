"""What both location models share: the problem data, construction (from a cost matrix or from
points), solving, the solution and its figures."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from evcore.checks import whole_number
from evcore.data import weights_array
from evcore.errors import InputError
from evcore.geo import latlon_arrays, pairwise_haversine_km
from evcore.placement.figures import _distance_figures
from evcore.placement.search import _SwapSearch, _single_threaded_blas

# Demand points x sites the dense search accepts (it holds a few matrices of this size); bigger
# problems built from points take the large-scale path (large.py, large_coverage.py).
MAX_MATRIX_CELLS = 20_000_000
# The state-scale models' default time limit (seconds), search and refinement together.
LARGE_TIME_LIMIT = 40.0


def _as_matrix(cost, name: str = "the cost matrix") -> np.ndarray:
    if np.iscomplexobj(cost):
        raise InputError(f"{name} holds complex numbers: expected real, non-negative costs.")
    try:
        cost = np.asarray(cost, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"{name} must hold numbers only.") from None
    if cost.ndim != 2 or cost.shape[0] == 0 or cost.shape[1] == 0:
        raise InputError(f"{name} must be a 2-D array (demand points x candidate sites), got shape {cost.shape}.")
    if not np.isfinite(cost).all() or (cost < 0).any():
        raise InputError(f"{name} must hold finite, non-negative costs only.")
    return cost


def _latlon(table: pd.DataFrame, what: str) -> np.ndarray:
    """(n, 2) [lat, lon] from a table, checked as everywhere else (``geo.latlon_arrays``)."""
    if not isinstance(table, pd.DataFrame):
        raise InputError(f"the {what} must be a table with latitude and longitude columns.")
    return np.column_stack(latlon_arrays(table, what))


def _check_size(n: int, m: int) -> None:
    if n * m > MAX_MATRIX_CELLS:
        raise InputError(f"{n:,} demand points x {m:,} sites is too many to place stations over (at most "
                         f"{MAX_MATRIX_CELLS:,} pairs); aggregate the demand to fewer points or give fewer candidates.")

def points_problem(demand: pd.DataFrame, candidates: pd.DataFrame | None, existing: pd.DataFrame | None):
    """[lat, lon] of the demand points, their weights, [lat, lon] of the sites (candidates, then
    existing stations) and the existing stations' column indices. Candidates default to the
    distinct demand locations."""
    demand_ll = _latlon(demand, "demand")
    weights = None
    if "weight" in demand.columns:
        weights = pd.to_numeric(demand["weight"], errors="coerce").to_numpy(float)
        if not np.isfinite(weights).all():
            raise InputError(f"the demand table's weight column is not a number in row "
                             f"{int(np.argmax(~np.isfinite(weights))) + 1}.")
    candidate_ll = np.unique(demand_ll, axis=0) if candidates is None else _latlon(candidates, "candidates")
    existing_ll = np.empty((0, 2)) if existing is None else _latlon(existing, "existing stations")
    column_ll = np.vstack([candidate_ll, existing_ll])
    if len(column_ll) == 0:
        raise InputError("there are no candidate sites.")
    return demand_ll, weights, column_ll, np.arange(len(candidate_ll), len(column_ll))


class _LocationModel:
    """Shared by the models: the problem data, construction, figures and the solution."""

    name = ""

    large = False  # the state-scale models (``LargePMedian``, ``LargeMaxCoverage`` in models.py) hold no matrix

    def __init__(self, cost, weights=None, k: int = 1, existing=None, radius: float | None = None,
                 demand_latlon=None, column_latlon=None, random_state: int = 0):
        self.cost = _as_matrix(cost)
        n, m = self.cost.shape
        _check_size(n, m)
        self._setup(n, m, weights, k, existing, radius, demand_latlon, column_latlon, random_state)

    def _setup(self, n, m, weights, k, existing, radius, demand_latlon, column_latlon, random_state) -> None:
        """Check and keep what every model holds besides its costs: ``n`` demand points, ``m`` sites."""
        self.weights = weights_array(weights, n, "demand point")
        existing = np.unique(np.asarray([] if existing is None else existing, dtype=int).ravel())
        if existing.size and (existing.min() < 0 or existing.max() >= m):
            raise InputError(f"the existing sites must be column indices between 0 and {m - 1}.")
        self.existing = existing
        self.candidates = np.setdiff1d(np.arange(m), existing)
        self.k = whole_number(k, "k", least=0, what="new sites")
        if self.k == 0 and existing.size == 0:
            raise InputError("k must be at least 1 when there are no existing stations.")
        if self.k > len(self.candidates):
            raise InputError(f"k = {self.k} is more than the {len(self.candidates)} candidate sites.")
        if radius is not None and (not np.isfinite(radius) or radius <= 0):
            raise InputError(f"the radius must be a positive number, got {radius}.")
        self.radius = None if radius is None else float(radius)
        self.demand_latlon = demand_latlon
        self.column_latlon = column_latlon
        self.random_state = random_state

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_cost_matrix(cls, cost, weights=None, k: int = 1, existing=None, **kwargs):
        """``cost[i, j]``: cost from demand point i to site j; ``existing``: columns already open."""
        return cls(cost, weights, k, existing=existing, **kwargs)

    @classmethod
    def from_points(cls, demand: pd.DataFrame, k: int = 1, candidates: pd.DataFrame | None = None,
                    existing: pd.DataFrame | None = None, large: bool | None = None, **kwargs):
        """Great-circle km from demand points (``latitude, longitude, weight``) to sites.

        Candidates default to the distinct demand locations. Existing stations (``latitude,
        longitude``) are appended as columns that stay open. ``selected_`` indexes the
        candidate table's rows. A problem of more than ``MAX_MATRIX_CELLS`` demand x site pairs
        is built as the model's state-scale twin (``LargePMedian``, ``LargeMaxCoverage``: no
        matrix); ``large=True`` asks for it, ``large=False`` refuses such problems, None decides
        by size.
        """
        demand_ll, weights, column_ll, fixed = points_problem(demand, candidates, existing)
        if large is None:
            large = len(demand_ll) * len(column_ll) > MAX_MATRIX_CELLS
        if large:
            return cls._large_model(demand_ll, column_ll, weights, k, existing=fixed, **kwargs)
        _check_size(len(demand_ll), len(column_ll))
        cost = pairwise_haversine_km(demand_ll[:, 0], demand_ll[:, 1], column_ll[:, 0], column_ll[:, 1])
        return cls(cost, weights, k, existing=fixed, demand_latlon=demand_ll, column_latlon=column_ll, **kwargs)

    # -- solving --------------------------------------------------------------------------

    def _search_cost(self) -> np.ndarray:
        raise NotImplementedError

    def solve(self, exact: bool = False, time_limit: float | None = None, patience: int = 100, progress=None):
        """Solve and keep the solution on the object; returns ``self``.

        The heuristic stops at ``time_limit`` seconds (default 10) or after ``patience`` shakes in a row that found nothing better; the
        exact solver stops at ``time_limit`` (default 120) and then reports the best answer
        found, not proven optimal. ``progress`` is for the state-scale models (``LargePMedian``, ``LargeMaxCoverage``).
        """
        started = time.perf_counter()
        self.lower_bound_ = self.upper_bound_ = None
        self.large_info_ = None
        if exact:
            chosen, self.optimal_, bound = self._solve_exact(120.0 if time_limit is None else time_limit)
            self.solver_ = "exact (HiGHS MILP)"
        else:
            budget = 10.0 if time_limit is None else float(time_limit)
            search = _SwapSearch(self._search_cost(), self.weights, self.existing, self.k,
                                 np.random.default_rng(self.random_state))
            with _single_threaded_blas():
                chosen, total = search.run(budget, patience)
                bound = self._bound(chosen, total, budget)
            self.optimal_ = False
            self.solver_ = "heuristic (greedy + swaps + VNS)"
        self._keep_solution(np.sort(chosen))
        self._set_bound(bound)
        if self.gap_ is not None and self.gap_ <= 1e-9:
            self.optimal_ = True  # the bound meets the answer: proven optimal
        self.seconds_ = time.perf_counter() - started
        return self

    def _set_bound(self, bound) -> None:
        """Keep the bound (lower when minimising, upper when maximising) and the relative gap."""
        self.gap_ = None
        if bound is None:
            return
        best = min(bound, self.objective_) if self.minimise else max(bound, self.objective_)
        setattr(self, "lower_bound_" if self.minimise else "upper_bound_", float(best))
        scale = max(abs(self.objective_), abs(best))
        self.gap_ = float(abs(self.objective_ - best) / scale) if scale > 0 else 0.0

    @property
    def mean_km_(self) -> float:
        """Mean distance (or cost) from a unit of demand to its nearest open site."""
        return float(self.weights @ self.distance_ / self.weights.sum())

    def _nearest_of(self, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance from every demand point to the nearest of ``columns``, and that column."""
        sub = self.cost[:, columns]
        at = np.argmin(sub, axis=1)
        return sub[np.arange(len(sub)), at], columns[at]

    def _keep_solution(self, chosen: np.ndarray) -> None:
        self.selected_ = chosen.astype(int)
        self.open_ = np.concatenate([self.existing, self.selected_]).astype(int)
        self.distance_, self.assignment_ = self._nearest_of(self.open_)
        self.sites_ = None if self.column_latlon is None else self.column_latlon[self.selected_]
        self.objective_ = self._objective_value(self.distance_)

    # -- figures --------------------------------------------------------------------------

    def figures(self, radius: float | None = None) -> dict:
        """What a planner reads: mean and 90th-percentile distance per unit of demand, the
        share within ``radius`` (the model's own by default), and the same for the existing
        stations alone when there are any."""
        radius = self.radius if radius is None else radius
        out = {"k": self.k, **_distance_figures(self.distance_, self.weights, radius)}
        out["existing_stations"] = int(self.existing.size)
        if self.existing.size:
            alone = self._nearest_of(self.existing)[0]
            baseline = _distance_figures(alone, self.weights, radius)
            out["existing_only"] = baseline
            out["mean_km_saved"] = baseline["mean_km"] - out["mean_km"]
            if radius is not None:
                out["share_within_radius_gained"] = out["share_within_radius"] - baseline["share_within_radius"]
        return out

    def _served_weights(self) -> np.ndarray:
        """The demand each point brings to the site it goes to: all of it (a p-median serves every
        point); the coverage model counts only what lies within its radius."""
        return self.weights

    def sites_table(self) -> pd.DataFrame:
        """One row a proposed site: candidate index, position, the demand it serves (for coverage:
        within the radius) and that demand's mean distance."""
        rows = []
        served_weights = self._served_weights()
        for j in self.selected_:
            served = (self.assignment_ == j) & (served_weights > 0)
            weight = float(served_weights[served].sum())
            rows.append({
                "candidate": int(j),
                "latitude": None if self.column_latlon is None else float(self.column_latlon[j, 0]),
                "longitude": None if self.column_latlon is None else float(self.column_latlon[j, 1]),
                "served": weight,
                "served_share": weight / float(self.weights.sum()),
                "mean_km_served": float(served_weights[served] @ self.distance_[served] / weight) if weight else None,
            })
        return pd.DataFrame(rows, columns=["candidate", "latitude", "longitude", "served", "served_share",
                                           "mean_km_served"])

    def served_by_existing(self) -> np.ndarray:
        """Demand served by each existing station (in ``existing`` order) in the solution (for
        coverage: within the radius)."""
        served = np.bincount(self.assignment_, weights=self._served_weights(),
                             minlength=len(self.candidates) + len(self.existing))
        return served[self.existing]

    def view(self, radius: float | None = None) -> "SolutionView":
        """The solution as a map or a report reads it (``SolutionView``); ``radius`` (the model's
        own by default) is the distance drawn around the sites. Needs a model built from points."""
        from evcore.placement.view import SolutionView

        if self.demand_latlon is None or self.column_latlon is None:
            raise InputError("a map needs a placement built from points (coordinates), not from a cost matrix.")
        existing = pd.DataFrame({"latitude": self.column_latlon[self.existing, 0],
                                 "longitude": self.column_latlon[self.existing, 1],
                                 "served": self.served_by_existing()})
        return SolutionView(demand=self.demand_latlon, weights=self.weights, distance_km=self.distance_,
                            sites=self.sites_table().drop(columns="candidate"), existing=existing,
                            radius_km=self.radius if radius is None else float(radius),
                            covers=not self.minimise)

    def summary(self) -> dict:
        """The solution and its figures as plain values (the CLI's JSON)."""
        out = {
            "model": self.name,
            "solver": self.solver_,
            "selected": [int(j) for j in self.selected_],
            "sites": None if self.sites_ is None else [[float(a), float(b)] for a, b in self.sites_],
            "objective": float(self.objective_),
            "optimal": bool(self.optimal_),
            "lower_bound": self.lower_bound_,
            "upper_bound": self.upper_bound_,
            "gap": self.gap_,
            "seconds": round(self.seconds_, 3),
        }
        figures = self.figures()
        out.update({key: value for key, value in figures.items() if key != "k"})
        out["served"] = [float(v) for v in self.sites_table()["served"]]
        if self.large_info_:
            out["large_scale"] = dict(self.large_info_)
        return out
