"""Maximal coverage at state scale: only the (demand point, candidate) pairs within the radius.

The radius prunes the problem: a KD-tree over the candidates gives every pair within R
(``spatial.pairs_within``), kept as a sparse 0/1 matrix. Identical demand locations are merged
first, and points that an existing station already covers, or that no candidate can reach, are
set aside (their coverage cannot change). The search is the fast interchange of Resende &
Werneck (2003) written for coverage on the sparse matrix: with ``covers[i]`` the number of open
sites within R of point i, adding site j gains the uncovered weight in its column, closing r
loses the weight that only r covers, and a swap (r out, j in) gets back the weight that only r
covers and j covers too, all as sparse products. A lazy greedy start (Minoux's accelerated
greedy: gains only shrink as sites open), then best-improvement swaps until none helps or time
runs out. No bound is computed at this size: ``gap_`` is None.
"""

from __future__ import annotations

import time

import numpy as np

from evcore.placement.spatial import distinct_points, pairs_within, unit_vectors

# Pairs within the radius the coverage search holds (about 40 bytes each, all copies counted).
MAX_COVERAGE_PAIRS = 60_000_000


class SparseCoverage:
    """The coverage problem of the candidates (columns ``candidates``) over demand points, held as
    one column-wise list of the points within the radius of each candidate."""

    def __init__(self, demand_ll, weights, column_ll, existing, candidates, radius):
        from scipy.sparse import csc_matrix

        points, w, _ = distinct_points(demand_ll, weights)
        rows, cols = pairs_within(unit_vectors(points), unit_vectors(column_ll), radius, MAX_COVERAGE_PAIRS)
        self.pairs = int(len(rows))
        self.distinct_points = int(len(points))
        is_existing = np.zeros(len(column_ll), dtype=bool)
        is_existing[existing] = True
        already = np.zeros(len(points), dtype=bool)
        already[rows[is_existing[cols]]] = True
        self.already = float(w[already].sum())
        # Points an existing station covers cannot gain: leave their pairs out.
        keep = ~is_existing[cols] & ~already[rows]
        rows, cols = rows[keep], cols[keep]
        position = np.full(len(column_ll), -1, dtype=np.int64)
        position[candidates] = np.arange(len(candidates))
        cols = position[cols].astype(np.uint16 if len(candidates) < 65536 else np.int64)
        order = np.argsort(cols, kind="stable")  # a radix sort for 16-bit column ids
        self.indices = rows[order]
        self.indptr = np.r_[0, np.cumsum(np.bincount(cols, minlength=len(candidates)))]
        del rows, cols, order
        self.columns = csc_matrix((np.ones(len(self.indices)), self.indices, self.indptr),
                                  shape=(len(points), len(candidates)))
        self.rows = self.columns.tocsr()
        self.w = w
        self.candidates = np.asarray(candidates)
        self.m = len(candidates)

    def _column(self, j):
        return self.indices[self.indptr[j]:self.indptr[j + 1]]

    def _covers(self, chosen):
        covers = np.zeros(len(self.w), dtype=np.int32)
        for j in chosen:
            covers[self._column(j)] += 1
        return covers

    def greedy(self, k, start=()):
        """Add the site that covers the most uncovered weight until ``k`` are open (lazy gains)."""
        chosen = [int(j) for j in start]
        covers = self._covers(chosen)
        bound = self._gains(covers)
        bound[chosen] = -np.inf
        while len(chosen) < k:
            while True:
                j = int(np.argmax(bound))
                rows = self._column(j)
                gain = float(self.w[rows][covers[rows] == 0].sum())
                bound[j] = -np.inf
                if gain >= bound.max():
                    break
                bound[j] = gain
            chosen.append(j)
            covers[self._column(j)] += 1
        return np.array(chosen, dtype=int)

    def _gains(self, covers):
        """Uncovered weight within the radius of each candidate."""
        return self.rows.T @ (self.w * (covers == 0))

    def local_search(self, chosen, deadline):
        """Best-improvement swaps (fast interchange on the sparse pairs)."""
        from scipy.sparse import csr_matrix

        chosen = np.array(chosen, dtype=int)
        tol = 1e-9 * max(1.0, float(self.w.sum()))
        while len(chosen) and time.perf_counter() < deadline:
            covers = self._covers(chosen)
            gain = self._gains(covers)
            # The one open site covering each point covered once (-1 elsewhere).
            sole = np.full(len(self.w), -1, dtype=np.int64)
            for r, j in enumerate(chosen):
                rows = self._column(j)
                sole[rows[covers[rows] == 1]] = r
            alone = sole >= 0
            loss = np.bincount(sole[alone], weights=self.w[alone], minlength=len(chosen))
            # What a swap gets back: weight covered only by r that j covers too.
            only = csr_matrix((self.w[alone], (sole[alone], np.flatnonzero(alone))), shape=(len(chosen), len(self.w)))
            regained = (only @ self.rows).toarray()
            profit = gain[None, :] - loss[:, None] + regained
            profit[:, chosen] = -np.inf
            r, j = np.unravel_index(int(np.argmax(profit)), profit.shape)
            if profit[r, j] <= tol:
                break
            chosen[r] = j
        return chosen

    def solve(self, k, deadline, start=()):
        """Positions among the candidates of the ``k`` sites, and the covered weight."""
        if k == 0:
            chosen = np.array([], dtype=int)
        else:
            chosen = self.local_search(self.greedy(k, start), deadline)
        covered = self.already + float(self.w[self._covers(chosen) > 0].sum())
        return chosen, covered


def solve_coverage_large(demand_ll, weights, column_ll, existing, candidates, k, radius, time_limit,
                         progress=None) -> tuple[np.ndarray, dict]:
    report = progress or (lambda fraction, message: None)
    deadline = time.perf_counter() + time_limit
    report(0.0, f"finding the point-site pairs within {radius:g} km")
    problem = SparseCoverage(demand_ll, weights, column_ll, existing, candidates, radius)
    report(0.4, f"swap search on {problem.pairs:,} pairs within the radius")
    chosen, _ = problem.solve(k, deadline)
    info = {"distinct_demand_points": problem.distinct_points, "pairs_within_radius": problem.pairs}
    return problem.candidates[chosen], info
