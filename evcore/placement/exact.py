"""The exact solvers: MILPs solved by HiGHS (``scipy.optimize.milp``) with size guards, and the
LP relaxation that bounds the coverage heuristic."""

from __future__ import annotations

import numpy as np

from evcore.errors import InputError

# The exact solvers refuse problems with more MILP variables than these (memory and time).
MAX_EXACT_PMEDIAN_VARIABLES = 400_000
MAX_EXACT_COVERAGE_NONZEROS = 2_000_000
# The LP bound for the coverage heuristic is computed only below this size.
MAX_COVERAGE_BOUND_NONZEROS = 300_000


def solve_pmedian_exact(model, time_limit):
    """(chosen columns, proven optimal, dual bound) of the p-median MILP."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix, csr_matrix

    n, m = model.cost.shape
    keep = np.ones((n, m), dtype=bool)
    if model.existing.size:
        # A site farther than the nearest existing station never serves that point.
        keep &= model.cost <= model.cost[:, model.existing].min(axis=1, keepdims=True)
    rows, cols = np.nonzero(keep)
    nx = rows.size
    if nx > MAX_EXACT_PMEDIAN_VARIABLES:
        raise InputError(f"the problem is too big for the exact solver ({n} demand points x {m} sites = "
                         f"{nx:,} assignment variables, at most {MAX_EXACT_PMEDIAN_VARIABLES:,}); "
                         "use the fast solver.")
    c = np.concatenate([model.weights[rows] * model.cost[rows, cols], np.zeros(m)])
    ids = np.arange(nx)
    assign = coo_matrix((np.ones(nx), (rows, ids)), shape=(n, nx + m))
    link = coo_matrix((np.r_[np.ones(nx), -np.ones(nx)], (np.r_[ids, ids], np.r_[ids, nx + cols])),
                      shape=(nx, nx + m))
    count = csr_matrix((np.ones(len(model.candidates)), (np.zeros(len(model.candidates), int),
                                                        nx + model.candidates)), shape=(1, nx + m))
    constraints = [
        LinearConstraint(assign.tocsr(), 1, 1),
        LinearConstraint(link.tocsr(), -np.inf, 0),
        LinearConstraint(count, model.k, model.k),
    ]
    lower = np.zeros(nx + m)
    lower[nx + model.existing] = 1
    integrality = np.r_[np.zeros(nx), np.ones(m)]
    res = milp(c, constraints=constraints, bounds=Bounds(lower, np.ones(nx + m)), integrality=integrality,
               options={"time_limit": float(time_limit), "mip_rel_gap": 1e-7})
    return _milp_choice(res, nx + model.candidates, model.candidates, model.k), res.status == 0, \
        getattr(res, "mip_dual_bound", None)


def coverage_program(model):
    """The MCLP as a MILP. Variables: y (one per column) then z (one per demand point not covered
    by an existing station). Returns (c, constraints, lower bounds, len(z), demand already
    covered, nonzeros)."""
    from scipy.optimize import LinearConstraint
    from scipy.sparse import coo_matrix, csr_matrix

    n, m = model.cost.shape
    within = model.cost <= model.radius
    open_anyway = within[:, model.existing].any(axis=1) if model.existing.size else np.zeros(n, bool)
    points = np.flatnonzero(~open_anyway & within.any(axis=1))
    rows, cols = np.nonzero(within[points])
    nz = len(points)
    c = np.concatenate([np.zeros(m), -model.weights[points]])
    cover = coo_matrix((np.r_[np.ones(nz), -np.ones(rows.size)], (np.r_[np.arange(nz), rows], np.r_[m + np.arange(nz), cols])),
                       shape=(nz, m + nz))
    count = csr_matrix((np.ones(len(model.candidates)), (np.zeros(len(model.candidates), int), model.candidates)),
                       shape=(1, m + nz))
    constraints = [LinearConstraint(cover.tocsr(), -np.inf, 0), LinearConstraint(count, model.k, model.k)]
    lower = np.zeros(m + nz)
    lower[model.existing] = 1
    already = float(model.weights[open_anyway].sum())
    return c, constraints, lower, nz, already, rows.size


def solve_coverage_exact(model, time_limit):
    """(chosen columns, proven optimal, upper bound on covered demand) of the MCLP MILP."""
    from scipy.optimize import Bounds, milp

    m = model.cost.shape[1]
    c, constraints, lower, nz, already, nonzeros = coverage_program(model)
    if nonzeros > MAX_EXACT_COVERAGE_NONZEROS:
        raise InputError(f"the problem is too big for the exact solver ({nonzeros:,} point-site pairs within "
                         f"the radius, at most {MAX_EXACT_COVERAGE_NONZEROS:,}); use the fast solver.")
    res = milp(c, constraints=constraints, bounds=Bounds(lower, np.ones(m + nz)),
               integrality=np.r_[np.ones(m), np.zeros(nz)],
               options={"time_limit": float(time_limit), "mip_rel_gap": 1e-7})
    bound = getattr(res, "mip_dual_bound", None)
    bound = None if bound is None or not np.isfinite(bound) else already - bound
    return _milp_choice(res, model.candidates, model.candidates, model.k), res.status == 0, bound


def coverage_lp_bound(model, budget):
    """Upper bound on the covered demand from the LP relaxation; None when too big or unsolved."""
    from scipy.optimize import Bounds, milp

    m = model.cost.shape[1]
    c, constraints, lower, nz, already, nonzeros = coverage_program(model)
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
