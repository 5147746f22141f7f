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


class SparseCoverage:
    """The coverage problem of the candidates (columns ``candidates``) over demand points."""

    def __init__(self, demand_ll, weights, column_ll, existing, candidates, radius):
        from scipy.sparse import csr_matrix

        points, w, _ = distinct_points(demand_ll, weights)
        rows, cols = pairs_within(unit_vectors(points), unit_vectors(column_ll), radius)
        self.pairs = int(len(rows))
        column_kind = np.zeros(len(column_ll), dtype=np.int8)  # 1: candidate, 2: existing
        column_kind[candidates], column_kind[existing] = 1, 2
        already = np.zeros(len(points), dtype=bool)
        already[rows[column_kind[cols] == 2]] = True
        reachable = np.zeros(len(points), dtype=bool)
        reachable[rows[column_kind[cols] == 1]] = True
        self.already = float(w[already].sum())
        keep = ~already & reachable
        new_row = np.cumsum(keep) - 1
        at = keep[rows] & (column_kind[cols] == 1)
        position = np.full(len(column_ll), -1)
        position[candidates] = np.arange(len(candidates))
        self.candidates = np.asarray(candidates)
        self.w = w[keep]
        self.matrix = csr_matrix((np.ones(int(at.sum()), dtype=np.float32), (new_row[rows[at]], position[cols[at]])),
                                 shape=(int(keep.sum()), len(candidates)))
        self.columns = self.matrix.tocsc()
        self.distinct_points = int(len(points))

    def _covers(self, chosen):
        covers = np.zeros(self.matrix.shape[0], dtype=np.int32)
        for j in chosen:
            covers[self.columns.indices[self.columns.indptr[j]:self.columns.indptr[j + 1]]] += 1
        return covers

    def _column(self, j):
        return self.columns.indices[self.columns.indptr[j]:self.columns.indptr[j + 1]]

    def greedy(self, k, start=()):
        """Add the site that covers the most uncovered weight until ``k`` are open (lazy gains)."""
        chosen = [int(j) for j in start]
        covers = self._covers(chosen)
        bound = self.matrix.T @ (self.w * (covers == 0))
        bound[chosen] = -np.inf
        while len(chosen) < k:
            while True:
                j = int(np.argmax(bound))
                rows = self._column(j)
                gain = float(self.w[rows][covers[rows] == 0].sum())
                bound[j] = gain
                if gain >= np.max(np.delete(bound, j), initial=-np.inf):
                    break
            chosen.append(j)
            bound[j] = -np.inf
            covers[self._column(j)] += 1
        return np.array(chosen, dtype=int)

    def local_search(self, chosen, deadline):
        """Best-improvement swaps (fast interchange on the sparse matrix)."""
        from scipy.sparse import csr_matrix

        chosen = np.array(chosen, dtype=int)
        n, m = self.matrix.shape
        tol = 1e-9 * max(1.0, float(self.w.sum()))
        position = np.full(m, -1)
        while len(chosen) and time.perf_counter() < deadline:
            covers = self._covers(chosen)
            gain = self.matrix.T @ (self.w * (covers == 0))
            position[:] = -1
            position[chosen] = np.arange(len(chosen))
            sole_rows = np.flatnonzero(covers == 1)
            sole_site = self._sole_site(sole_rows, position)
            loss = np.bincount(sole_site, weights=self.w[sole_rows], minlength=len(chosen))
            only = csr_matrix((self.w[sole_rows], (sole_site, sole_rows)), shape=(len(chosen), n))
            regained = (only @ self.matrix).toarray()
            profit = gain[None, :] - loss[:, None] + regained
            profit[:, chosen] = -np.inf
            r, j = np.unravel_index(int(np.argmax(profit)), profit.shape)
            if profit[r, j] <= tol:
                break
            chosen[r] = j
        return chosen

    def _sole_site(self, rows, position):
        """For points covered by exactly one open site: that site's place in ``chosen``."""
        sub = self.matrix[rows]
        hit = position[sub.indices]
        found = np.full(len(rows), -1)
        row_of = np.repeat(np.arange(len(rows)), np.diff(sub.indptr))
        found[row_of[hit >= 0]] = hit[hit >= 0]
        return found

    def solve(self, k, deadline, start=()):
        """Column indices (into the model's columns) of the ``k`` sites, and the covered weight."""
        if self.matrix.shape[0] == 0 or k == 0:
            chosen = np.arange(k)
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
