"""Quality figures of a clustering: sizes, distances to the centre, silhouette, the elbow."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.cluster.base import distinct_locations
from evcore.cluster.estimators import _THREADED_KMEANS_MIN_POINTS
from evcore.cluster.kmedians import KMedians, _ProjectedPoints
from evcore.data import weights_array
from evcore.errors import InputError
from evcore.geo import LocalProjection, haversine_km, latlon_arrays, pairwise_haversine_km


def cluster_sizes(labels) -> pd.Series:
    """Members per label (noise as -1), by label."""
    labels = np.asarray(labels, dtype=np.int64)
    counts = np.bincount(labels + 1) if len(labels) else np.zeros(0, dtype=np.int64)
    present = np.flatnonzero(counts)
    return pd.Series(counts[present], index=pd.Index(present - 1, dtype=np.int64), name="size")


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
        "clusters": int(np.count_nonzero(np.bincount(labels[clustered]))) if clustered.any() else 0,
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
    ks = [int(k) for k in ks]
    distinct = distinct_locations(lat, lon, enough=max(ks, default=1))
    ks = [k for k in ks if 1 <= k <= distinct]
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
