"""Clustering points by location: k-means, k-medians, DBSCAN and HDBSCAN, with quality figures.

Every estimator follows scikit-learn's style: parameters in ``__init__``, ``fit(points,
sample_weight=None)``, learned state in attributes ending ``_``: ``labels_`` (one per point, -1
for noise), ``cluster_centers_`` as ``[lat, lon]`` rows indexed by label, ``n_clusters_``.
``points`` is a table with ``latitude`` and ``longitude`` columns or an ``(n, 2)`` array of
``[lat, lon]`` in degrees. Distances come from ``evcore.geo``: k-means and k-medians work on the
local kilometre projection (DESIGN.md), DBSCAN and HDBSCAN on great-circle kilometres.
"""

from evcore.cluster.estimators import DBSCAN, HDBSCAN, METHOD_NAMES, METHODS, KMeans, make_clusterer, medoid_centers
from evcore.cluster.kmedians import KMedians
from evcore.cluster.quality import cluster_quality, cluster_sizes, distance_to_center_km, elbow, silhouette_km
from evcore.cluster.tables import add_usage, cluster_table, predicted_daily_usage, station_clusters

__all__ = [
    "METHODS", "METHOD_NAMES", "KMeans", "KMedians", "DBSCAN", "HDBSCAN", "make_clusterer", "medoid_centers",
    "cluster_quality", "cluster_sizes", "distance_to_center_km", "elbow", "silhouette_km",
    "add_usage", "cluster_table", "predicted_daily_usage", "station_clusters",
]
