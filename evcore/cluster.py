"""Clustering points by location: k-means, k-medians, DBSCAN and HDBSCAN, with quality figures.

Every estimator follows scikit-learn's style: parameters in ``__init__``, ``fit(points,
sample_weight=None)``, learned state in attributes ending ``_``: ``labels_`` (one per point, -1
for noise), ``cluster_centers_`` as ``[lat, lon]`` rows indexed by label, ``n_clusters_``.
``points`` is a table with ``latitude`` and ``longitude`` columns or an ``(n, 2)`` array of
``[lat, lon]`` in degrees. Distances come from ``evcore.geo``: k-means and k-medians work on the
local kilometre projection (DESIGN.md), DBSCAN and HDBSCAN on great-circle kilometres.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.data import weights_array
from evcore.errors import InputError
from evcore.geo import EARTH_RADIUS_KM, LocalProjection, haversine_km, latlon_arrays, pairwise_haversine_km

METHODS = ("kmeans", "kmedians", "dbscan", "hdbscan")
METHOD_NAMES = {"kmeans": "k-means", "kmedians": "k-medians", "dbscan": "DBSCAN", "hdbscan": "HDBSCAN"}

# Rows per block when computing point-to-centre distances: keeps each (rows, k) block a few MB.
_BLOCK_CELLS = 1 << 20
# Medoids need all pairwise distances inside a cluster; above this size use the member nearest the mean.
_MEDOID_MAX_MEMBERS = 2000
# Below this many points scikit-learn's KMeans runs on one thread.
_THREADED_KMEANS_MIN_POINTS = 50_000
# Relative objective gain below which the k-medians restarts being ranked stop.
_RANKING_TOL = 1e-4


# --- input ------------------------------------------------------------------------------------

def _check_k(k, n: int) -> int:
    if k is None or int(k) != k or k < 1:
        raise InputError(f"the number of clusters k must be a whole number of at least 1, got {k}.")
    if k > n:
        raise InputError(f"the number of clusters k ({int(k)}) is more than the {n} points given.")
    return int(k)


def _distinct_locations(lat, lon) -> int:
    return len(np.unique(np.column_stack((lat, lon)), axis=0))


# --- k-medians core ---------------------------------------------------------------------------

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


# --- estimators -------------------------------------------------------------------------------

class _LocationClusterer:
    """What every clusterer here shares: ``fit_predict`` and the projection used."""

    labels_: np.ndarray
    cluster_centers_: np.ndarray

    def fit(self, points, sample_weight=None):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit_predict(self, points, sample_weight=None) -> np.ndarray:
        return self.fit(points, sample_weight).labels_


class _ProjectedClusterer(_LocationClusterer):
    """k-means and k-medians: k centres on the local kilometre projection around the points."""

    def _project(self, points, sample_weight) -> tuple[np.ndarray, np.ndarray, int]:
        """The points in km (setting ``projection_``), their weights and the checked k."""
        lat, lon = latlon_arrays(points)
        w = weights_array(sample_weight, len(lat))
        k = _check_k(self.n_clusters, len(lat))
        distinct = _distinct_locations(lat, lon)
        if k > distinct:  # k-means would warn and return fewer clusters than asked
            raise InputError(f"the number of clusters k ({k}) is more than the {distinct} distinct locations "
                             f"among the {len(lat)} points.")
        self.projection_ = LocalProjection.around(lat, lon)
        return self.projection_.to_km(lat, lon), w, k

    def _set_result(self, centers_km, labels, objective, n_iter):
        self.cluster_centers_km_ = np.asarray(centers_km, dtype=float)
        self.cluster_centers_ = self.projection_.to_latlon(centers_km)
        self.labels_ = np.asarray(labels).astype(np.int64)
        self.objective_ = self.inertia_ = float(objective)
        self.n_iter_ = int(n_iter)
        self.n_clusters_ = len(centers_km)


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


class KMeans(_ProjectedClusterer):
    """k-means on the local kilometre projection (scikit-learn's KMeans underneath).

    Learned: ``labels_``, ``cluster_centers_`` ([lat, lon]), ``cluster_centers_km_``,
    ``inertia_`` (weighted sum of squared km; ``objective_`` is the same), ``projection_``.
    """

    def __init__(self, n_clusters: int = 8, n_init: int = 5, max_iter: int = 300, random_state=None):
        self.n_clusters = n_clusters
        self.n_init = n_init
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, points, sample_weight=None):
        from sklearn.cluster import KMeans as SklearnKMeans

        from threadpoolctl import threadpool_limits

        xy, w, k = self._project(points, sample_weight)
        model = SklearnKMeans(n_clusters=k, n_init=self.n_init, max_iter=self.max_iter,
                              random_state=self.random_state)
        # Small inputs gain nothing from threads, and on a busy machine waiting for them costs
        # ten times the work (a page's k slider would lag).
        with threadpool_limits(limits=1 if len(xy) < _THREADED_KMEANS_MIN_POINTS else None):
            model.fit(xy, sample_weight=w)
        self._set_result(model.cluster_centers_, model.labels_, model.inertia_, model.n_iter_)
        return self

    def predict(self, points) -> np.ndarray:
        lat, lon = latlon_arrays(points)
        xy = self.projection_.to_km(lat, lon)
        d2 = ((xy[:, None, :] - self.cluster_centers_km_[None, :, :]) ** 2).sum(axis=2)
        return d2.argmin(axis=1)


def _radians(lat, lon) -> np.ndarray:
    """[lat, lon] in radians, as scikit-learn's haversine metric expects."""
    return np.radians(np.column_stack((lat, lon)))


def medoid_centers(lat, lon, labels) -> np.ndarray:
    """Each cluster's medoid (the member with the least total great-circle km to the others) as
    [lat, lon] rows indexed by label; for very large clusters the member nearest their mean."""
    labels = np.asarray(labels)
    n_clusters = int(labels.max()) + 1 if len(labels) and labels.max() >= 0 else 0
    centers = np.empty((n_clusters, 2))
    for c in range(n_clusters):
        members = np.flatnonzero(labels == c)
        la, lo = lat[members], lon[members]
        if len(members) <= _MEDOID_MAX_MEMBERS:
            best = np.argmin(pairwise_haversine_km(la, lo, la, lo).sum(axis=1))
        else:
            best = np.argmin(haversine_km(la, lo, la.mean(), lo.mean()))
        centers[c] = la[best], lo[best]
    return centers


class DBSCAN(_LocationClusterer):
    """DBSCAN with the radius ``eps_km`` in great-circle kilometres (scikit-learn's DBSCAN with
    the haversine metric underneath). Noise is labelled -1; ``cluster_centers_`` are medoids.
    ``sample_weight`` counts a point that many times towards ``min_samples``."""

    def __init__(self, eps_km: float = 1.0, min_samples: int = 5):
        self.eps_km = eps_km
        self.min_samples = min_samples

    def fit(self, points, sample_weight=None):
        from sklearn.cluster import DBSCAN as SklearnDBSCAN

        if not (self.eps_km and np.isfinite(self.eps_km) and self.eps_km > 0):
            raise InputError(f"the DBSCAN radius eps_km must be a positive number of km, got {self.eps_km}.")
        _check_min(self.min_samples, "min_samples", 1)
        lat, lon = latlon_arrays(points)
        w = None if sample_weight is None else weights_array(sample_weight, len(lat))
        model = SklearnDBSCAN(eps=self.eps_km / EARTH_RADIUS_KM, min_samples=int(self.min_samples),
                              metric="haversine", algorithm="ball_tree")
        model.fit(_radians(lat, lon), sample_weight=w)
        self.labels_ = model.labels_.astype(np.int64)
        self.core_sample_indices_ = model.core_sample_indices_
        self.cluster_centers_ = medoid_centers(lat, lon, self.labels_)
        self.n_clusters_ = len(self.cluster_centers_)
        return self


class HDBSCAN(_LocationClusterer):
    """HDBSCAN on great-circle distances (scikit-learn's HDBSCAN with the haversine metric).
    Clusters have at least ``min_cluster_size`` points; clusters closer than ``eps_km`` are
    merged. Noise is labelled -1; ``cluster_centers_`` are medoids. Weights are not used."""

    def __init__(self, min_cluster_size: int = 5, min_samples: int | None = None, eps_km: float = 0.0):
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.eps_km = eps_km

    def fit(self, points, sample_weight=None):
        from sklearn.cluster import HDBSCAN as SklearnHDBSCAN

        _check_min(self.min_cluster_size, "min_cluster_size", 2)
        if self.min_samples is not None:
            _check_min(self.min_samples, "min_samples", 1)
        if self.eps_km is None or not np.isfinite(self.eps_km) or self.eps_km < 0:
            raise InputError(f"the HDBSCAN merge radius eps_km must be 0 or more km, got {self.eps_km}.")
        lat, lon = latlon_arrays(points)
        if len(lat) < self.min_cluster_size:  # no cluster can be that large: all noise
            self.labels_ = np.full(len(lat), -1, dtype=np.int64)
        else:
            min_samples = None if self.min_samples is None else min(int(self.min_samples), len(lat))
            def fit_labels(eps_km: float) -> np.ndarray:
                model = SklearnHDBSCAN(min_cluster_size=int(self.min_cluster_size), min_samples=min_samples,
                                       cluster_selection_epsilon=eps_km / EARTH_RADIUS_KM,
                                       metric="haversine", copy=True)
                return model.fit(_radians(lat, lon)).labels_.astype(np.int64)

            try:
                self.labels_ = fit_labels(float(self.eps_km))
            except TypeError:  # scikit-learn fails when the merge radius joins every cluster into one:
                self.labels_ = np.where(fit_labels(0.0) >= 0, 0, -1)  # so be it, noise aside
        self.cluster_centers_ = medoid_centers(lat, lon, self.labels_)
        self.n_clusters_ = len(self.cluster_centers_)
        return self


def _check_min(value, name: str, least: int) -> None:
    if value is None or int(value) != value or value < least:
        raise InputError(f"{name} must be a whole number of at least {least}, got {value}.")


def make_clusterer(method: str, k: int | None = None, eps_km: float | None = None,
                   min_samples: int | None = None, random_state=0) -> _LocationClusterer:
    """The estimator for a method name in ``METHODS``, checking that its settings are given.

    ``k`` is for k-means and k-medians; ``eps_km`` and ``min_samples`` for DBSCAN (both needed
    but ``min_samples`` defaults to 5) and HDBSCAN (``min_samples`` is the smallest cluster
    size, default 5; ``eps_km`` merges clusters closer than that, default 0).
    """
    if method not in METHODS:
        raise InputError(f"unknown clustering method {method!r}; expected one of {', '.join(METHODS)}.")
    name = METHOD_NAMES[method]
    if method in ("kmeans", "kmedians"):
        if k is None:
            raise InputError(f"{name} needs the number of clusters k (--k).")
        if eps_km is not None or min_samples is not None:
            raise InputError(f"{name} takes k only; the radius and minimum size are for DBSCAN and HDBSCAN.")
        cls = KMeans if method == "kmeans" else KMedians
        return cls(n_clusters=k, random_state=random_state)
    if k is not None:
        raise InputError(f"{name} finds the number of clusters itself; k is for k-means and k-medians.")
    if method == "dbscan":
        if eps_km is None:
            raise InputError("DBSCAN needs the radius in km (--eps-km).")
        return DBSCAN(eps_km=eps_km, min_samples=5 if min_samples is None else min_samples)
    return HDBSCAN(min_cluster_size=5 if min_samples is None else min_samples,
                   eps_km=0.0 if eps_km is None else eps_km)


# --- quality ----------------------------------------------------------------------------------

def cluster_sizes(labels) -> pd.Series:
    """Members per label (noise as -1), by label."""
    return pd.Series(np.asarray(labels)).value_counts().sort_index().rename("size")


def distance_to_center_km(points, labels, centers) -> np.ndarray:
    """Great-circle km from each point to its cluster's centre (NaN for noise)."""
    lat, lon = latlon_arrays(points)
    labels = np.asarray(labels)
    centers = np.asarray(centers, dtype=float).reshape(-1, 2)
    out = np.full(len(lat), np.nan)
    member = labels >= 0
    c = centers[labels[member]]
    out[member] = haversine_km(lat[member], lon[member], c[:, 0], c[:, 1])
    return out


def silhouette_km(points, labels, sample_size: int = 3000, random_state=0) -> float:
    """Mean silhouette on great-circle km, noise left out; NaN when there are fewer than two
    clusters. Above ``sample_size`` clustered points, computed on a random sample of them."""
    from sklearn.metrics import silhouette_score

    lat, lon = latlon_arrays(points)
    labels = np.asarray(labels)
    keep = np.flatnonzero(labels >= 0)
    if len(keep) > sample_size:
        keep = np.sort(np.random.default_rng(random_state).choice(keep, sample_size, replace=False))
    n_labels = len(np.unique(labels[keep]))
    if n_labels < 2 or n_labels > len(keep) - 1:
        return float("nan")
    distances = pairwise_haversine_km(lat[keep], lon[keep], lat[keep], lon[keep])
    np.fill_diagonal(distances, 0.0)
    return float(silhouette_score(distances, labels[keep], metric="precomputed"))


def cluster_quality(points, labels, centers) -> dict:
    """The quality figures: ``silhouette`` (great-circle km), ``mean_km`` (mean great-circle km
    from a clustered point to its centre), ``sizes`` (members per label), ``clusters``, ``noise``."""
    labels = np.asarray(labels)
    distance = distance_to_center_km(points, labels, centers)
    clustered = labels >= 0
    return {
        "clusters": int(len(np.unique(labels[clustered]))),
        "noise": int((~clustered).sum()),
        "silhouette": silhouette_km(points, labels),
        "mean_km": float(np.nanmean(distance)) if clustered.any() else float("nan"),
        "sizes": {int(k): int(v) for k, v in cluster_sizes(labels).items()},
    }


def elbow(points, ks=range(2, 31), method: str = "kmedians", sample_weight=None, n_init: int = 3,
          random_state=0) -> pd.DataFrame:
    """The objective against k for each k in ``ks`` (those above the number of points are left
    out), computed in one go on one projection: ``k, objective`` (Manhattan km for k-medians,
    squared km for k-means)."""
    lat, lon = latlon_arrays(points)
    w = weights_array(sample_weight, len(lat))
    ks = [int(k) for k in ks if 1 <= k <= _distinct_locations(lat, lon)]
    rows = []
    if method == "kmedians":
        projected = _ProjectedPoints(LocalProjection.around(lat, lon).to_km(lat, lon), w)
        rng = np.random.default_rng(random_state)
        for k in ks:
            rows.append((k, KMedians(n_clusters=k, n_init=n_init)._solve(projected, k, rng)[2]))
    elif method == "kmeans":
        from sklearn.cluster import KMeans as SklearnKMeans
        from threadpoolctl import threadpool_limits

        xy = LocalProjection.around(lat, lon).to_km(lat, lon)
        with threadpool_limits(limits=1 if len(xy) < _THREADED_KMEANS_MIN_POINTS else None):
            for k in ks:
                model = SklearnKMeans(n_clusters=k, n_init=n_init, random_state=random_state)
                rows.append((k, model.fit(xy, sample_weight=w).inertia_))
    else:
        raise InputError(f"the elbow chart is for kmeans and kmedians, not {method!r}.")
    return pd.DataFrame(rows, columns=["k", "objective"])


# --- stations and clusters as tables ----------------------------------------------------------

def station_clusters(points: pd.DataFrame, labels) -> pd.DataFrame:
    """The station-to-cluster table: identifying columns present in ``points`` (``station_id``,
    ``name``), ``latitude``, ``longitude`` and ``cluster`` (-1 for noise), one row per point."""
    columns = [c for c in ("station_id", "name", "latitude", "longitude") if c in points.columns]
    table = points[columns].reset_index(drop=True).copy()
    table["cluster"] = np.asarray(labels, dtype=np.int64)
    return table


def predicted_daily_usage(forecast: pd.DataFrame | None) -> pd.Series:
    """Each station's mean forecast per day over the forecast horizon (by station_id)."""
    if forecast is None or forecast.empty:
        return pd.Series(dtype=float, name="predicted_daily_usage")
    return forecast.groupby("station_id")["forecast"].mean().rename("predicted_daily_usage")


def add_usage(table: pd.DataFrame, recent: pd.Series, predicted: pd.Series) -> pd.DataFrame:
    """The station-to-cluster table with ``recent_daily_usage`` and ``predicted_daily_usage``
    (NaN where unknown) joined on ``station_id``."""
    out = table.copy()
    ids = out["station_id"].astype(str) if "station_id" in out.columns else pd.Series(index=out.index, dtype=str)
    out["recent_daily_usage"] = ids.map(recent.rename(index=str)).astype(float)
    out["predicted_daily_usage"] = ids.map(predicted.rename(index=str)).astype(float)
    return out


def cluster_table(stations: pd.DataFrame, centers) -> pd.DataFrame:
    """One row per cluster (noise last, as -1): ``cluster, stations, recent_daily_usage,
    predicted_daily_usage`` (sums over members, NaN when unknown), ``change_pct``,
    ``center_lat, center_lon``, ``spread_km`` (mean great-circle km from members to the centre)
    and ``max_km``. ``stations`` is a station-to-cluster table (optionally with usage columns)."""
    centers = np.asarray(centers, dtype=float).reshape(-1, 2)
    data = stations.copy()
    for column in ("recent_daily_usage", "predicted_daily_usage"):
        if column not in data.columns:
            data[column] = np.nan
    data["km"] = distance_to_center_km(data, data["cluster"], centers)
    grouped = data.groupby("cluster")
    table = pd.DataFrame({
        "stations": grouped.size(),
        "recent_daily_usage": grouped["recent_daily_usage"].sum(min_count=1),
        "predicted_daily_usage": grouped["predicted_daily_usage"].sum(min_count=1),
        "spread_km": grouped["km"].mean(),
        "max_km": grouped["km"].max(),
    }).reset_index()
    table["change_pct"] = 100 * (table["predicted_daily_usage"] / table["recent_daily_usage"] - 1)
    centre = pd.DataFrame(centers, columns=["center_lat", "center_lon"]).rename_axis("cluster").reset_index()
    table = table.merge(centre, on="cluster", how="left")
    table = table.sort_values("cluster", key=lambda s: s.where(s >= 0, np.iinfo(np.int64).max))
    return table[["cluster", "stations", "recent_daily_usage", "predicted_daily_usage", "change_pct",
                  "center_lat", "center_lon", "spread_km", "max_km"]].reset_index(drop=True)
