"""Where new stations serve EV demand best: p-median and maximal-coverage location models.

spopt-style: one class per model, built ``from_cost_matrix`` or ``from_points`` (great-circle
km), solved with ``solve()``, the solution kept on the object (attributes ending ``_``).

- ``PMedian``: open ``k`` new sites among the candidates so that the demand-weighted distance
  from each demand point to its nearest open site (new or existing) is smallest.
- ``MaxCoverage`` (MCLP): open ``k`` new sites so that the most demand lies within ``radius``
  of an open site.

Existing stations are always open and do not count against ``k``. Two solvers:

- the fast heuristic (default): greedy start, then best-improvement swaps evaluated for all
  pairs at once (fast interchange with nearest and second-nearest distances, Whitaker 1983 /
  Resende & Werneck 2003), then a variable neighbourhood search (random swaps + local search)
  until the time limit or ``patience`` failed shakes. It reports a bound and gap: a Lagrangian
  lower bound for the p-median, the LP relaxation's upper bound for coverage when small;
- the exact solver: a MILP solved by HiGHS (``scipy.optimize.milp``) with a size guard and a
  time limit, which says whether the answer is proven optimal.

Maximal coverage is solved by the same swap search on a 0/1 cost (1 when a demand point is
farther than the radius): fewest uncovered vehicles is most covered vehicles.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from evcore.errors import InputError
from evcore.data import weights_array
from evcore.geo import latlon_arrays, pairwise_haversine_km

# The exact solvers refuse problems with more MILP variables than these (memory and time).
MAX_EXACT_PMEDIAN_VARIABLES = 400_000
MAX_EXACT_COVERAGE_NONZEROS = 2_000_000
# Demand points x sites the models accept: the search holds a few matrices of this size.
MAX_MATRIX_CELLS = 20_000_000
# The LP bound for the coverage heuristic is computed only below this size.
MAX_COVERAGE_BOUND_NONZEROS = 300_000


# --- the swap search (shared by both models) -------------------------------------------------

class _SwapSearch:
    """Minimise ``sum_i w_i min_{j open} cost[i, j]`` over ``k`` free columns, fixed ones open."""

    # The VNS shakes up to this many sites at once: 5 left pmed9 0.48% above its optimum, 10 found it.
    max_shake = 10

    def __init__(self, cost: np.ndarray, weights: np.ndarray, fixed: np.ndarray, k: int, rng):
        self.cost = cost
        self.w = weights
        self.n, self.m = cost.shape
        self.fixed = fixed
        self.k = k
        self.rng = rng
        self.free = np.setdiff1d(np.arange(self.m), fixed)
        # Stands in for "no second facility": finite so that differences stay exact.
        self.big = 2.0 * float(cost.max(initial=0.0)) + 1.0
        self.tol = 1e-9 * max(1.0, float(weights.sum()) * self.big)

    def total(self, chosen: np.ndarray) -> float:
        d1 = self._nearest(chosen)[0]
        return float(self.w @ d1)

    def _nearest(self, chosen):
        """Nearest and second-nearest open distance per row, and the nearest column."""
        open_cols = np.concatenate([self.fixed, chosen]).astype(int)
        sub = self.cost[:, open_cols]
        rows = np.arange(self.n)
        if sub.shape[1] == 0:
            return np.full(self.n, self.big), np.full(self.n, -1), np.full(self.n, self.big)
        if sub.shape[1] == 1:
            return sub[:, 0].copy(), np.full(self.n, open_cols[0]), np.full(self.n, self.big)
        two = np.argpartition(sub, 1, axis=1)[:, :2]
        a, b = sub[rows, two[:, 0]], sub[rows, two[:, 1]]
        first = np.where(a <= b, two[:, 0], two[:, 1])
        return np.minimum(a, b), open_cols[first], np.maximum(a, b)

    def greedy(self, start: np.ndarray | None = None) -> np.ndarray:
        """Add the column that lowers the total most, until ``k`` are chosen."""
        chosen = list(start if start is not None else [])
        d1 = self._nearest(np.asarray(chosen, dtype=int))[0]
        available = np.ones(self.m, dtype=bool)
        available[self.fixed] = False
        available[chosen] = False
        while len(chosen) < self.k:
            gain = self.w @ np.maximum(d1[:, None] - self.cost, 0.0)
            gain[~available] = -np.inf
            j = int(np.argmax(gain))
            chosen.append(j)
            available[j] = False
            d1 = np.minimum(d1, self.cost[:, j])
        return np.array(chosen, dtype=int)

    def local_search(self, chosen: np.ndarray, deadline: float) -> np.ndarray:
        """Best-improvement swaps until none improves (or the deadline passes)."""
        chosen = chosen.copy()
        w, cost = self.w, self.cost
        while len(chosen) and time.perf_counter() < deadline:
            d1, c1, d2 = self._nearest(chosen)
            # Saving from adding j alone, and loss from removing r alone.
            gain = w @ np.maximum(d1[:, None] - cost, 0.0)
            loss = np.bincount(c1, weights=w * (d2 - d1), minlength=self.m)[chosen]
            profit = gain[None, :] - loss[:, None] + self._swap_correction(chosen, d1, c1, d2)
            closed = np.ones(self.m, dtype=bool)
            closed[self.fixed] = False
            closed[chosen] = False
            profit[:, ~closed] = -np.inf
            r, j = np.unravel_index(int(np.argmax(profit)), profit.shape)
            if profit[r, j] <= self.tol:
                break
            chosen[r] = j
        return chosen

    def _swap_correction(self, chosen, d1, c1, d2) -> np.ndarray:
        """``extra[r, j]``: what the rows served by chosen[r] regain when j opens as r closes,
        ``sum w_i (d2_i - max(d_ij, d1_i))`` over those rows with ``d_ij < d2_i``. Summed per
        serving site by sorting the rows (one pass over the matrix, not k)."""
        position = np.full(self.m, -1)
        position[chosen] = np.arange(len(chosen))
        served_position = position[c1]
        rows = np.flatnonzero(served_position >= 0)  # rows served by a fixed site never move
        rows = rows[np.argsort(served_position[rows], kind="stable")]
        extra = np.zeros((len(chosen), self.m))
        if rows.size == 0:
            return extra
        group = served_position[rows]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        d1r, d2r = d1[rows, None], d2[rows, None]
        per_row = self.w[rows, None] * np.maximum(d2r - np.maximum(self.cost[rows], d1r), 0.0)
        extra[group[starts]] = np.add.reduceat(per_row, starts, axis=0)
        return extra

    def shake(self, chosen: np.ndarray, size: int) -> np.ndarray:
        """Replace ``size`` chosen columns by random closed ones."""
        chosen = chosen.copy()
        closed = np.setdiff1d(self.free, chosen)
        size = min(size, len(chosen), len(closed))
        out = self.rng.choice(len(chosen), size=size, replace=False)
        chosen[out] = self.rng.choice(closed, size=size, replace=False)
        return chosen

    def run(self, time_limit: float, patience: int, start=None) -> tuple[np.ndarray, float]:
        """Greedy start, local search, then variable neighbourhood search."""
        deadline = time.perf_counter() + time_limit
        best = self.local_search(self.greedy(start), deadline)
        best_total = self.total(best)
        if self.k == 0 or len(self.free) <= self.k:
            return best, best_total
        max_size = max(1, min(self.k, len(self.free) - self.k, self.max_shake))
        size, failures = 1, 0
        while failures < patience and time.perf_counter() < deadline:
            candidate = self.local_search(self.shake(best, size), deadline)
            total = self.total(candidate)
            if total < best_total - self.tol:
                best, best_total, size, failures = candidate, total, 1, 0
            else:
                size = size % max_size + 1
                failures += 1
        return best, best_total


def _single_threaded_blas():
    """The search makes many small matrix products: threads cost more than they give, badly so
    on a busy machine (measured 4x slower with OpenBLAS threads on 2 shared cores)."""
    try:
        from threadpoolctl import threadpool_limits  # comes with scikit-learn
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


# --- the models ------------------------------------------------------------------------------

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


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value below which at least a share ``q`` of the weight lies."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    position = int(np.searchsorted(cumulative, q * cumulative[-1] - 1e-9 * cumulative[-1]))
    return float(values[order][min(position, len(values) - 1)])


class _LocationModel:
    """Shared by the models: the problem data, construction, figures and the solution."""

    name = ""

    def __init__(self, cost, weights=None, k: int = 1, existing=None, radius: float | None = None,
                 demand_latlon=None, column_latlon=None, random_state: int = 0):
        self.cost = _as_matrix(cost)
        n, m = self.cost.shape
        _check_size(n, m)
        self.weights = weights_array(weights, n, "demand point")
        existing = np.unique(np.asarray([] if existing is None else existing, dtype=int).ravel())
        if existing.size and (existing.min() < 0 or existing.max() >= m):
            raise InputError(f"the existing sites must be column indices between 0 and {m - 1}.")
        self.existing = existing
        self.candidates = np.setdiff1d(np.arange(m), existing)
        if isinstance(k, bool) or int(k) != k or k < 0:
            raise InputError(f"k must be a whole number of new sites, got {k}.")
        self.k = int(k)
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
                    existing: pd.DataFrame | None = None, **kwargs):
        """Great-circle km from demand points (``latitude, longitude, weight``) to sites.

        Candidates default to the distinct demand locations. Existing stations (``latitude,
        longitude``) are appended as columns that stay open. ``selected_`` indexes the
        candidate table's rows.
        """
        demand_ll = _latlon(demand, "demand")
        weights = None
        if "weight" in demand.columns:
            weights = pd.to_numeric(demand["weight"], errors="coerce").to_numpy(float)
            if not np.isfinite(weights).all():
                raise InputError(f"the demand table's weight column is not a number in row "
                                 f"{int(np.argmax(~np.isfinite(weights))) + 1}.")
        if candidates is None:
            candidate_ll = np.unique(demand_ll, axis=0)
        else:
            candidate_ll = _latlon(candidates, "candidates")
        existing_ll = np.empty((0, 2)) if existing is None else _latlon(existing, "existing stations")
        column_ll = np.vstack([candidate_ll, existing_ll])
        _check_size(len(demand_ll), len(column_ll))
        if len(column_ll) == 0:
            raise InputError("there are no candidate sites.")
        cost = pairwise_haversine_km(demand_ll[:, 0], demand_ll[:, 1], column_ll[:, 0], column_ll[:, 1])
        fixed = np.arange(len(candidate_ll), len(column_ll))
        return cls(cost, weights, k, existing=fixed, demand_latlon=demand_ll, column_latlon=column_ll, **kwargs)

    # -- solving --------------------------------------------------------------------------

    def _search_cost(self) -> np.ndarray:
        raise NotImplementedError

    def solve(self, exact: bool = False, time_limit: float | None = None, patience: int = 100):
        """Solve and keep the solution on the object; returns ``self``.

        The heuristic stops at ``time_limit`` seconds (default 10) or after ``patience`` shakes
        in a row that found nothing better; the exact solver stops at ``time_limit`` (default
        120) and then reports the best answer found, not proven optimal.
        """
        started = time.perf_counter()
        self.lower_bound_ = self.upper_bound_ = None
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

    def _keep_solution(self, chosen: np.ndarray) -> None:
        self.selected_ = chosen.astype(int)
        self.open_ = np.concatenate([self.existing, self.selected_]).astype(int)
        sub = self.cost[:, self.open_]
        nearest = np.argmin(sub, axis=1)
        self.assignment_ = self.open_[nearest]
        self.distance_ = sub[np.arange(len(sub)), nearest]
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
            alone = self.cost[:, self.existing].min(axis=1)
            baseline = _distance_figures(alone, self.weights, radius)
            out["existing_only"] = baseline
            out["mean_km_saved"] = baseline["mean_km"] - out["mean_km"]
            if radius is not None:
                out["share_within_radius_gained"] = out["share_within_radius"] - baseline["share_within_radius"]
        return out

    def sites_table(self) -> pd.DataFrame:
        """One row a proposed site: candidate index, position, demand served and its distances."""
        rows = []
        for j in self.selected_:
            served = self.assignment_ == j
            weight = float(self.weights[served].sum())
            rows.append({
                "candidate": int(j),
                "latitude": None if self.column_latlon is None else float(self.column_latlon[j, 0]),
                "longitude": None if self.column_latlon is None else float(self.column_latlon[j, 1]),
                "served": weight,
                "served_share": weight / float(self.weights.sum()),
                "mean_km_served": float(self.weights[served] @ self.distance_[served] / weight) if weight else None,
            })
        return pd.DataFrame(rows, columns=["candidate", "latitude", "longitude", "served", "served_share",
                                           "mean_km_served"])

    def served_by_existing(self) -> np.ndarray:
        """Demand served by each existing station (in ``existing`` order) in the solution."""
        return np.array([self.weights[self.assignment_ == j].sum() for j in self.existing])

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
        return out


def _distance_figures(distance: np.ndarray, weights: np.ndarray, radius: float | None) -> dict:
    out = {
        "mean_km": float(weights @ distance / weights.sum()),
        "p90_km": weighted_quantile(distance, weights, 0.9),
    }
    if radius is not None:
        out["radius_km"] = float(radius)
        out["share_within_radius"] = float(weights[distance <= radius].sum() / weights.sum())
    return out


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
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import coo_matrix, csr_matrix

        n, m = self.cost.shape
        keep = np.ones((n, m), dtype=bool)
        if self.existing.size:
            # A site farther than the nearest existing station never serves that point.
            keep &= self.cost <= self.cost[:, self.existing].min(axis=1, keepdims=True)
        rows, cols = np.nonzero(keep)
        nx = rows.size
        if nx > MAX_EXACT_PMEDIAN_VARIABLES:
            raise InputError(f"the problem is too big for the exact solver ({n} demand points x {m} sites = "
                             f"{nx:,} assignment variables, at most {MAX_EXACT_PMEDIAN_VARIABLES:,}); "
                             "use the fast solver.")
        c = np.concatenate([self.weights[rows] * self.cost[rows, cols], np.zeros(m)])
        ids = np.arange(nx)
        assign = coo_matrix((np.ones(nx), (rows, ids)), shape=(n, nx + m))
        link = coo_matrix((np.r_[np.ones(nx), -np.ones(nx)], (np.r_[ids, ids], np.r_[ids, nx + cols])),
                          shape=(nx, nx + m))
        count = csr_matrix((np.ones(len(self.candidates)), (np.zeros(len(self.candidates), int),
                                                            nx + self.candidates)), shape=(1, nx + m))
        constraints = [
            LinearConstraint(assign.tocsr(), 1, 1),
            LinearConstraint(link.tocsr(), -np.inf, 0),
            LinearConstraint(count, self.k, self.k),
        ]
        lower = np.zeros(nx + m)
        lower[nx + self.existing] = 1
        integrality = np.r_[np.zeros(nx), np.ones(m)]
        res = milp(c, constraints=constraints, bounds=Bounds(lower, np.ones(nx + m)), integrality=integrality,
                   options={"time_limit": float(time_limit), "mip_rel_gap": 1e-7})
        return _milp_choice(res, nx + self.candidates, self.candidates, self.k), res.status == 0, \
            getattr(res, "mip_dual_bound", None)


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

    @property
    def coverage_(self) -> float:
        return self.objective_ / float(self.weights.sum())

    def _coverage_program(self):
        """Variables: y (one per column) then z (one per demand point not covered by existing)."""
        from scipy.optimize import LinearConstraint
        from scipy.sparse import coo_matrix, csr_matrix

        n, m = self.cost.shape
        within = self.cost <= self.radius
        open_anyway = within[:, self.existing].any(axis=1) if self.existing.size else np.zeros(n, bool)
        points = np.flatnonzero(~open_anyway & within.any(axis=1))
        rows, cols = np.nonzero(within[points])
        nz = len(points)
        c = np.concatenate([np.zeros(m), -self.weights[points]])
        cover = coo_matrix((np.r_[np.ones(nz), -np.ones(rows.size)], (np.r_[np.arange(nz), rows], np.r_[m + np.arange(nz), cols])),
                           shape=(nz, m + nz))
        count = csr_matrix((np.ones(len(self.candidates)), (np.zeros(len(self.candidates), int), self.candidates)),
                           shape=(1, m + nz))
        constraints = [LinearConstraint(cover.tocsr(), -np.inf, 0), LinearConstraint(count, self.k, self.k)]
        lower = np.zeros(m + nz)
        lower[self.existing] = 1
        already = float(self.weights[open_anyway].sum())
        return c, constraints, lower, nz, already, rows.size

    def _solve_exact(self, time_limit):
        from scipy.optimize import Bounds, milp

        m = self.cost.shape[1]
        c, constraints, lower, nz, already, nonzeros = self._coverage_program()
        if nonzeros > MAX_EXACT_COVERAGE_NONZEROS:
            raise InputError(f"the problem is too big for the exact solver ({nonzeros:,} point-site pairs within "
                             f"the radius, at most {MAX_EXACT_COVERAGE_NONZEROS:,}); use the fast solver.")
        res = milp(c, constraints=constraints, bounds=Bounds(lower, np.ones(m + nz)),
                   integrality=np.r_[np.ones(m), np.zeros(nz)],
                   options={"time_limit": float(time_limit), "mip_rel_gap": 1e-7})
        bound = getattr(res, "mip_dual_bound", None)
        bound = None if bound is None or not np.isfinite(bound) else already - bound
        return _milp_choice(res, self.candidates, self.candidates, self.k), res.status == 0, bound

    def _bound(self, chosen, total, budget):
        from scipy.optimize import Bounds, milp

        m = self.cost.shape[1]
        c, constraints, lower, nz, already, nonzeros = self._coverage_program()
        if nonzeros > MAX_COVERAGE_BOUND_NONZEROS:
            return None
        res = milp(c, constraints=constraints, bounds=Bounds(lower, np.ones(m + nz)),
                   options={"time_limit": max(1.0, 0.25 * budget)})
        return None if res.status != 0 else already - res.fun


def _milp_choice(res, y_positions, columns, k) -> np.ndarray:
    if res.x is None:
        raise InputError(f"the exact solver found no solution within its time limit ({res.message}); "
                         "use the fast solver or a longer time limit.")
    y = res.x[y_positions]
    return columns[np.argsort(-y, kind="stable")[:k]]


# --- bounds ------------------------------------------------------------------------------------

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


# --- the coverage curve ---------------------------------------------------------------------

def coverage_curve(model: _LocationModel, radius: float, k_max: int, time_limit: float = 0.3) -> pd.DataFrame:
    """Share of demand within ``radius`` of a station as the number of new sites grows.

    Row ``k`` holds the best share the coverage heuristic finds with ``k`` new sites (on top of
    the existing stations; ``k = 0`` is the existing stations alone, when there are any).
    """
    if radius is None or not np.isfinite(radius) or radius <= 0:
        raise InputError(f"the coverage curve needs a positive radius, got {radius}.")
    k_max = int(min(k_max, len(model.candidates)))
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
    curve = pd.DataFrame(rows, columns=["k", "share_within_radius"])
    curve["share_within_radius"] = curve["share_within_radius"].cummax()  # more sites never cover less
    curve["radius_km"] = float(radius)
    return curve


def sites_needed(curve: pd.DataFrame, share: float = 0.9) -> int | None:
    """The fewest new sites that bring ``share`` of the demand within the curve's radius."""
    reached = curve[curve["share_within_radius"] >= share - 1e-12]
    return None if reached.empty else int(reached["k"].min())
