"""The p-median at state scale (a million demand points, ten thousand candidates) without a
distance matrix: aggregate, search, refine on the full data.

1. Identical demand locations are merged (nothing is lost: a place has one set of distances).
2. Coarse stage: the demand is summed over square cells of the local projection, about
   ``COARSE_CELLS / candidates`` of them, and the dense swap search (greedy, fast interchange,
   VNS; ``search.py``) solves that aggregated problem. Aggregating demand before a p-median
   search is the standard way to large instances (Francis, Lowe, Rayco & Tamir 2009 on the
   error; Irawan & Salhi 2015 and Avella et al. 2012 for aggregate-then-refine heuristics).
3. Refinement on every distinct demand point with limited candidate lists: each open site may
   swap with the ``LIST_SIZE`` candidates nearest to it and the ``LIST_SIZE`` nearest to the
   centre of the demand it serves (the "alternate" move of Cooper/Maranzana is among them). A
   swap is evaluated exactly on the points served by the site and its ``NEIGHBOUR_SITES``
   nearest open sites (nearest and second-nearest distances, as in the fast interchange of
   Whitaker 1983 / Resende & Werneck 2003), which bounds its true gain from below, so every
   accepted swap lowers the true total. Nearest and second-nearest open sites come from a
   KD-tree over the open sites (``spatial.py``), never from a matrix.

The answer is then evaluated exactly: every demand point goes to its nearest open site. There
is no lower bound on this path (the Lagrangian needs the full matrix): ``gap_`` is None.
"""

from __future__ import annotations

import time

import numpy as np

from evcore.geo import pairwise_haversine_km
from evcore.placement.search import _SwapSearch, _single_threaded_blas
from evcore.placement.spatial import distinct_points, grid_cells, nearest, rows_km, tree, unit_vectors

# Cells of the coarse stage's dense matrix (coarse demand points x candidates), about 100 MB.
COARSE_CELLS = 12_000_000
# The coarse stage keeps at least this many demand cells (fewer candidates if need be).
MIN_COARSE_POINTS = 1000
LIST_SIZE = 16
NEIGHBOUR_SITES = 6
# Stands in for "no second open site" (more than half the Earth's circumference).
FAR_KM = 40_000.0


def solve_pmedian_large(demand_ll, weights, column_ll, existing, candidates, k, time_limit, rng,
                        progress=None) -> tuple[np.ndarray, dict]:
    """Column indices of the ``k`` new sites, and what the stages did (for the summary)."""
    report = progress or (lambda fraction, message: None)
    started = time.perf_counter()
    deadline = started + time_limit
    report(0.0, "merging identical demand points")
    points, w, _ = distinct_points(demand_ll, weights)
    info = {"distinct_demand_points": int(len(points))}
    if k == 0:
        return np.array([], dtype=int), info
    report(0.05, f"coarse search on aggregated demand ({len(points):,} distinct points)")
    chosen, info["coarse_points"], info["coarse_candidates"] = _coarse(
        points, w, column_ll, existing, candidates, k, 0.45 * time_limit, rng)
    report(0.5, "refining on every demand point")
    chosen, info["refinement_swaps"] = _refine(points, w, column_ll, existing, candidates, chosen, deadline,
                                               lambda f: report(0.5 + 0.45 * f, "refining on every demand point"))
    return chosen, info


def _coarse(points, w, column_ll, existing, candidates, k, budget, rng):
    target = max(MIN_COARSE_POINTS, COARSE_CELLS // len(column_ll))
    if len(points) <= target:
        coarse, coarse_w = points, w
    else:
        coarse, coarse_w, _, _ = grid_cells(points, w, target)
    columns = candidates
    room = max(k + 1, COARSE_CELLS // len(coarse) - len(existing))
    if len(candidates) > room:  # keep the candidates nearest the demand cells
        cand_xyz, coarse_xyz = unit_vectors(column_ll[candidates]), unit_vectors(coarse)
        size = max(1, room // len(coarse))
        while True:
            _, near = nearest(coarse_xyz, cand_xyz, k=size)
            picked = np.unique(near[near < len(candidates)])
            if len(picked) >= room or size >= len(candidates):
                break
            size *= 2
        columns = candidates[np.sort(picked[:room]) if len(picked) > room else picked]
    columns = np.concatenate([columns, existing]).astype(int)
    cost = pairwise_haversine_km(coarse[:, 0], coarse[:, 1], column_ll[columns, 0], column_ll[columns, 1])
    fixed = np.arange(len(columns) - len(existing), len(columns))
    search = _SwapSearch(cost, coarse_w, fixed, k, rng)
    with _single_threaded_blas():
        chosen, _ = search.run(budget, patience=50)
    return columns[chosen], len(coarse), len(columns) - len(existing)


class _Assignment:
    """Nearest and second-nearest open site of every point (positions in ``open``), kept exact
    after each swap by re-querying only the points the swap can touch."""

    def __init__(self, xyz, open_xyz):
        self.xyz = xyz
        self.d1, self.c1, self.d2, self.c2 = (np.empty(len(xyz)), np.empty(len(xyz), np.int64),
                                              np.empty(len(xyz)), np.empty(len(xyz), np.int64))
        self.update(np.arange(len(xyz)), open_xyz)

    def update(self, rows, open_xyz):
        km, at = nearest(self.xyz[rows], open_xyz, k=2)
        self.d1[rows], self.c1[rows] = km[:, 0], at[:, 0]
        self.d2[rows], self.c2[rows] = np.minimum(km[:, 1], FAR_KM), at[:, 1]


def _refine(points, w, column_ll, existing, candidates, chosen, deadline, report):
    xyz = unit_vectors(points)
    col_xyz = unit_vectors(column_ll)
    candidate_tree = tree(col_xyz[candidates])
    open_cols = np.concatenate([existing, chosen]).astype(int)
    state = _Assignment(xyz, col_xyz[open_cols])
    tol = 1e-9 * max(1.0, float(w @ state.d1))
    swaps, improved = 0, True
    while improved and time.perf_counter() < deadline:
        improved = False
        order = np.argsort(state.c1, kind="stable")
        starts = np.searchsorted(state.c1[order], np.arange(len(open_cols) + 1))
        site_neighbours = nearest(col_xyz[open_cols], col_xyz[open_cols], k=min(NEIGHBOUR_SITES, len(open_cols)))[1]
        for step, position in enumerate(range(len(existing), len(open_cols))):
            if time.perf_counter() > deadline:
                break
            report(step / max(1, len(open_cols) - len(existing)))
            near = site_neighbours[position] if site_neighbours.ndim == 2 else np.array([position])
            # Everything the site serves now, and what its neighbours served at the pass's start.
            members = np.unique(np.concatenate([np.flatnonzero(state.c1 == position)]
                                               + [order[starts[q]:starts[q + 1]] for q in near]))
            own = state.c1[members] == position
            options = _options(candidate_tree, candidates, col_xyz, open_cols[position], xyz[members[own]], w[members[own]])
            options = options[~np.isin(options, open_cols)]
            if len(options) == 0 or len(members) == 0:
                continue
            base = np.where(own, state.d2[members], state.d1[members])
            distance = rows_km(xyz[members], col_xyz[options])
            change = w[members] @ np.minimum(base[:, None], distance) - w[members] @ state.d1[members]
            best = int(np.argmin(change))
            if change[best] >= -tol:
                continue
            j = options[best]
            open_cols[position] = j
            # Points the swap can touch: served by the closed site, had it second, or near j.
            touched = (state.c1 == position) | (state.c2 == position)
            touched |= rows_km(xyz, col_xyz[j:j + 1])[:, 0] < state.d2
            state.update(np.flatnonzero(touched), col_xyz[open_cols])
            swaps += 1
            improved = True
    return open_cols[len(existing):], swaps


def _options(candidate_tree, candidates, col_xyz, site, member_xyz, member_w):
    """Candidate columns a site may swap with: those nearest to it and to its demand's centre."""
    anchors = [col_xyz[site]]
    if len(member_xyz) and member_w.sum() > 0:
        centre = member_w @ member_xyz
        anchors.append(centre / np.linalg.norm(centre))
    size = min(LIST_SIZE, len(candidates))
    _, at = candidate_tree.query(np.array(anchors), k=size)
    return candidates[np.unique(np.asarray(at).ravel())]
