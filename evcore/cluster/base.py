"""What the clusterers share: the checked k and the k-centre projection on local kilometres."""

from __future__ import annotations

import numpy as np

from evcore.checks import whole_number
from evcore.data import weights_array
from evcore.errors import InputError
from evcore.geo import LocalProjection, latlon_arrays


def _check_k(k, n: int) -> int:
    k = whole_number(k, "k")  # the number of clusters
    if k > n:
        raise InputError(f"the number of clusters k ({int(k)}) is more than the {n} points given.")
    return int(k)


def distinct_locations(lat, lon, enough: int | None = None) -> int:
    """How many distinct (lat, lon) pairs there are; with ``enough``, counting may stop early
    once that many are found (a quick answer for large inputs)."""
    if enough is not None and len(lat) > 100_000:
        head = distinct_locations(lat[:100_000], lon[:100_000])
        if head >= enough:
            return head
    return len(np.unique(np.column_stack((lat, lon)), axis=0))


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
        distinct = distinct_locations(lat, lon, enough=k)
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
