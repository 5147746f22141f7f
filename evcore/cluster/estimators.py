"""k-means, DBSCAN and HDBSCAN (scikit-learn underneath, on kilometres), medoid centres, and
the estimator for a method name."""

from __future__ import annotations

import math

import numpy as np

from evcore.checks import whole_number
from evcore.cluster.base import _LocationClusterer, _ProjectedClusterer
from evcore.cluster.kmedians import KMedians
from evcore.data import weights_array
from evcore.errors import InputError
from evcore.geo import EARTH_RADIUS_KM, haversine_km, latlon_arrays, pairwise_haversine_km

METHODS = ("kmeans", "kmedians", "dbscan", "hdbscan")
METHOD_NAMES = {"kmeans": "k-means", "kmedians": "k-medians", "dbscan": "DBSCAN", "hdbscan": "HDBSCAN"}
# Medoids need all pairwise distances inside a cluster; above this size use the member nearest the mean.
_MEDOID_MAX_MEMBERS = 2000
# Below this many points scikit-learn's KMeans runs on one thread.
_THREADED_KMEANS_MIN_POINTS = 50_000
MIN_EPS_KM = 0.001         # a metre: a DBSCAN radius below it vanishes in radians
MAX_EPS_KM = 20038.0       # half the Earth's circumference


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

        eps_km = _check_radius("the DBSCAN radius eps_km", self.eps_km, least=MIN_EPS_KM)
        _check_min(self.min_samples, "min_samples", 1)
        lat, lon = latlon_arrays(points)
        w = None if sample_weight is None else weights_array(sample_weight, len(lat))
        model = SklearnDBSCAN(eps=eps_km / EARTH_RADIUS_KM, min_samples=int(self.min_samples),
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
        eps_km = _check_radius("the HDBSCAN merge radius eps_km", self.eps_km, least=0.0)
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
                self.labels_ = fit_labels(eps_km)
            except TypeError:  # scikit-learn fails when the merge radius joins every cluster into one:
                self.labels_ = np.where(fit_labels(0.0) >= 0, 0, -1)  # so be it, noise aside
        self.cluster_centers_ = medoid_centers(lat, lon, self.labels_)
        self.n_clusters_ = len(self.cluster_centers_)
        return self


def _check_radius(what: str, eps_km, least: float) -> float:
    """A radius the haversine ball tree can use: a finite number of km, at least ``least`` (a
    metre for DBSCAN: less vanishes in radians); beyond half the Earth's circumference it is
    the whole Earth, so it is capped there."""
    number = isinstance(eps_km, (int, float, np.integer, np.floating)) and not isinstance(eps_km, bool)
    if not (number and math.isfinite(eps_km) and eps_km >= least):
        raise InputError(f"{what} must be a finite number of km, at least {least:g}; got {eps_km!r}.")
    return min(float(eps_km), MAX_EPS_KM)


def _check_min(value, name: str, least: int) -> None:
    whole_number(value, name, least)


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
