"""The swap search shared by both models on a dense cost matrix: greedy start, best-improvement
swaps evaluated for all pairs at once (fast interchange with nearest and second-nearest
distances, Whitaker 1983 / Resende & Werneck 2003), then a variable neighbourhood search."""

from __future__ import annotations

import time

import numpy as np


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
