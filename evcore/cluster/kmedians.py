"""k-medians: Manhattan km on the local projection, centres at the coordinate-wise weighted
medians (greedy k-means++ seeding, Lloyd steps with Hamerly's bounds)."""

from __future__ import annotations

import numpy as np

from evcore.cluster.base import _ProjectedClusterer
from evcore.geo import latlon_arrays

# Rows per block when computing point-to-centre distances: keeps each (rows, k) block a few MB.
_BLOCK_CELLS = 1 << 20
# Relative objective gain below which the k-medians restarts being ranked stop.
_RANKING_TOL = 1e-4


def _l1_km(xy: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """(n, m) Manhattan km from each point to each centre."""
    d = np.abs(xy[:, 0:1] - centers[None, :, 0])
    d += np.abs(xy[:, 1:2] - centers[None, :, 1])
    return d


class _ProjectedPoints:
    """Points in km with what every k-medians iteration reuses: a float32 copy for distances and,
    per coordinate, the order that sorts it (so medians need no sort per iteration)."""

    def __init__(self, xy: np.ndarray, w: np.ndarray):
        self.xy = xy
        self.w = w
        self.unit_weights = bool(np.all(w == 1))
        self.xy32 = xy.astype(np.float32)
        self.x32, self.y32 = np.ascontiguousarray(self.xy32[:, 0]), np.ascontiguousarray(self.xy32[:, 1])
        self.order = [np.argsort(xy[:, d], kind="stable") for d in range(2)]
        self.sorted_xy = [xy[o, d] for d, o in enumerate(self.order)]
        self.sorted_w = [w[o] for o in self.order]

    def total(self, distance: np.ndarray) -> float:
        """Weighted sum of per-point distances, accumulated in float64."""
        return float(distance.sum(dtype=np.float64) if self.unit_weights else distance @ self.w)

    def __len__(self):
        return len(self.xy)

    def assign(self, centers: np.ndarray, rows: np.ndarray | None = None):
        """Nearest centre (Manhattan) of each point, or of ``rows`` only, with the distances to the
        nearest and to the second nearest centre (float32)."""
        xy = self.xy32 if rows is None else self.xy32[rows]
        n, k = len(xy), len(centers)
        labels = np.empty(n, dtype=np.uint8 if k <= 255 else np.int32)  # uint8: radix-sorted fast
        nearest = np.empty(n, dtype=np.float32)
        second = np.full(n, np.inf, dtype=np.float32)
        c32 = centers.astype(np.float32)
        block = max(1, _BLOCK_CELLS // k)
        for s in range(0, n, block):
            d = _l1_km(xy[s:s + block], c32)
            lab = d.argmin(axis=1)
            at = (np.arange(len(d)), lab)
            labels[s:s + block] = lab
            nearest[s:s + block] = d[at]
            if k > 1:
                d[at] = np.inf
                second[s:s + block] = d.min(axis=1)
        return labels, nearest, second

    def distance_to(self, labels: np.ndarray, centers: np.ndarray) -> np.ndarray:
        """Manhattan km (float32) from each point to the centre of its label."""
        c32 = centers.astype(np.float32)
        d = np.abs(self.x32 - c32[:, 0][labels])
        d += np.abs(self.y32 - c32[:, 1][labels])
        return d

    def medians(self, labels: np.ndarray, centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Coordinate-wise weighted medians of each cluster's members (as np.median does for
        equal weights: the mean of the two middle values when the halves balance exactly).
        Empty clusters keep their previous centre. Returns (centers, member counts)."""
        new = centers.copy()
        counts = np.bincount(labels, minlength=len(centers))
        nonempty = counts > 0
        ends = np.cumsum(counts)[nonempty]
        starts = ends - counts[nonempty]
        for d in range(2):
            # Members of each cluster together, in ascending order of the coordinate.
            grouped = np.argsort(labels[self.order[d]], kind="stable")
            if self.unit_weights:
                low, high = starts + (ends - starts - 1) // 2, starts + (ends - starts) // 2
            else:
                cw = np.cumsum(self.sorted_w[d][grouped])
                before = np.where(starts > 0, cw[np.maximum(starts - 1, 0)], 0.0)
                half = before + (cw[ends - 1] - before) / 2
                low = np.clip(np.searchsorted(cw, half, side="left"), starts, ends - 1)
                balanced = (np.abs(cw[low] - half) <= 1e-12 * cw[-1]) & (low + 1 < ends)
                high = np.where(balanced, low + 1, low)
            values = self.sorted_xy[d]
            new[nonempty, d] = (values[grouped[low]] + values[grouped[high]]) / 2
        return new, counts

    def objective(self, labels: np.ndarray, centers: np.ndarray) -> float:
        """Weighted sum of Manhattan km from each point to its cluster's centre (float64)."""
        return float(np.abs(self.xy - centers[labels]).sum(axis=1) @ self.w)


def _sample_index(weights: np.ndarray, rng: np.random.Generator, size: int) -> np.ndarray:
    """Indices drawn with probability proportional to ``weights`` (uniform if all are zero)."""
    cum = np.cumsum(weights)
    if cum[-1] <= 0:
        return rng.integers(len(weights), size=size)
    return np.minimum(np.searchsorted(cum, rng.random(size) * cum[-1]), len(weights) - 1)


def _seed_l1(points: _ProjectedPoints, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeding with Manhattan distances: each new centre is the best of a few
    candidates drawn in proportion to their weighted distance to the nearest chosen centre."""
    xy, w = points.xy, points.w
    trials = 2 + int(np.log(k))
    centers = np.empty((k, 2))
    centers[0] = xy[_sample_index(w, rng, 1)[0]]
    closest = _l1_km(xy, centers[:1])[:, 0]
    for i in range(1, k):
        candidates = _sample_index(w * closest, rng, trials)
        d = np.minimum(_l1_km(xy, xy[candidates]), closest[:, None])
        best = int(np.argmin(w @ d))
        closest = d[:, best]
        centers[i] = xy[candidates[best]]
    return centers


def _lloyd_l1(points: _ProjectedPoints, centers: np.ndarray, max_iter: int, tol: float):
    """Alternate nearest-centre assignment and median updates until no point moves or the
    objective improves by less than ``tol`` (relative). Ends with the centres at the medians of
    the final members. Returns (centers, labels, objective, iterations).

    Hamerly's bounds spare most distance computations: a point keeps its centre while its
    distance to it is at most a lower bound on its distance to every other centre (the bound
    falls by the most any other centre moved, the triangle inequality holding for Manhattan km).
    """
    labels, upper, lower = points.assign(centers)
    objective = points.total(upper)
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        new_centers, counts = points.medians(labels, centers)
        for c in np.flatnonzero(counts == 0):  # an empty cluster restarts at the worst-served point
            worst = int(np.argmax(upper * points.w))
            new_centers[c] = points.xy[worst]
            upper[worst] = 0
        shift = np.abs(new_centers - centers).sum(axis=1)
        centers = new_centers
        upper = points.distance_to(labels, centers)
        if len(centers) > 1:
            top = np.argsort(shift)[-2:]  # the largest shift, and the next for its own members
            lower -= np.where(labels == top[1], shift[top[0]], shift[top[1]]).astype(np.float32)
        stale = np.flatnonzero(upper > lower)
        moved = 0
        if len(stale):
            new_labels, upper[stale], lower[stale] = points.assign(centers, stale)
            moved = np.count_nonzero(new_labels != labels[stale])
            labels[stale] = new_labels
        new_objective = points.total(upper)
        if moved == 0 or objective - new_objective <= tol * objective:
            break
        objective = new_objective
    centers, _ = points.medians(labels, centers)
    return centers, labels, points.objective(labels, centers), n_iter

class KMedians(_ProjectedClusterer):
    """k-medians: Manhattan distance in km on the local projection, centres at the coordinate-wise
    (weighted) medians of their members.

    Seeds with greedy k-means++ (Manhattan distances) and keeps the best of ``n_init`` runs. The
    runs are ranked at a loose tolerance, on a random sample of ``sample_size`` points when there
    are more, and only the best is then run to ``tol`` on all the points (the costly part runs
    once; the full data mostly moves the centres by little).

    Learned: ``labels_``, ``cluster_centers_`` ([lat, lon]), ``cluster_centers_km_`` (x, y),
    ``objective_`` (weighted sum of Manhattan km to the centre; ``inertia_`` is the same),
    ``projection_``, ``n_iter_``. The centres are exactly the medians of the members in
    ``labels_``.
    """

    def __init__(self, n_clusters: int = 8, n_init: int = 5, max_iter: int = 300, tol: float = 1e-6,
                 sample_size: int = 100_000, random_state=None):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.sample_size = sample_size
        self.random_state = random_state

    def fit(self, points, sample_weight=None):
        xy, w, k = self._project(points, sample_weight)
        self._set_result(*self._solve(_ProjectedPoints(xy, w), k, np.random.default_rng(self.random_state)))
        return self

    def _solve(self, projected: _ProjectedPoints, k: int, rng: np.random.Generator):
        """(centers, labels, objective, iterations) of the best run on projected points."""
        if self.n_init <= 1:
            return self._best_run(projected, k, rng)
        # Ranking the restarts needs no tight convergence (nor, on big inputs, all the points):
        # only the winner is run to convergence on all the points.
        ranked = projected
        if len(projected) > self.sample_size:
            sample = rng.choice(len(projected), self.sample_size, replace=False)
            ranked = _ProjectedPoints(projected.xy[sample], projected.w[sample])
        start = self._best_run(ranked, k, rng, tol=max(self.tol, _RANKING_TOL))[0]
        return _lloyd_l1(projected, start, self.max_iter, self.tol)

    def _best_run(self, points: _ProjectedPoints, k: int, rng: np.random.Generator, tol: float | None = None):
        best = None
        for _ in range(max(1, self.n_init)):
            run = _lloyd_l1(points, _seed_l1(points, k, rng), self.max_iter, self.tol if tol is None else tol)
            if best is None or run[2] < best[2]:
                best = run
        return best

    def predict(self, points) -> np.ndarray:
        """Nearest centre (Manhattan km on the fitted projection) of each point."""
        lat, lon = latlon_arrays(points)
        xy = self.projection_.to_km(lat, lon)
        return _l1_km(xy, self.cluster_centers_km_).argmin(axis=1)
