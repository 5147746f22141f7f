"""Fetched stations annotated: a k-means cluster each, and the forecast of the dataset's station
that stands where a fetched one stands (within 100 m).

One place for the service's ``GET /fetch-stations?k=&dataset=`` and the dashboard's fetch form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.errors import InputError

MATCH_KM = 0.1  # a fetched station this close to one of the dataset's is the same station


def station_clusters(stations: pd.DataFrame, k: int) -> list[int]:
    """K-means on the stations' locations (the local kilometre projection): a cluster 0..k-1 each."""
    from evcore.services import cluster_points

    if k > len(stations):
        raise InputError(f"k: {k} clusters asked for, but only {len(stations)} stations were fetched: "
                         "expected k no larger than that.")
    _, _, result = cluster_points(stations, "kmeans", k=int(k))
    return [int(label) for label in result["labels"]]


def nearest_within(stations: pd.DataFrame, reference: pd.DataFrame, km: float = MATCH_KM) -> list[str | None]:
    """For each station, the ``station_id`` of the nearest ``reference`` station within ``km``
    (great-circle), else None."""
    from evcore.geo import latlon_arrays, pairwise_haversine_km

    if stations.empty or reference is None or reference.empty:
        return [None] * len(stations)
    lat, lon = latlon_arrays(stations, "fetched stations")
    ref_lat, ref_lon = latlon_arrays(reference, "the dataset's stations")
    distances = pairwise_haversine_km(lat, lon, ref_lat, ref_lon)
    nearest = distances.argmin(axis=1)
    close = distances[np.arange(len(lat)), nearest] <= km
    ids = reference["station_id"].astype(str).to_numpy()
    return [str(ids[j]) if ok else None for j, ok in zip(nearest, close)]


def annotate_stations(stations: pd.DataFrame, k: int | None = None, reference: pd.DataFrame | None = None,
                      forecasts: dict[str, list[dict]] | None = None) -> pd.DataFrame:
    """``stations`` with ``cluster`` (when ``k`` is given) and, when ``reference`` (the dataset's
    stations) is given, ``matched_station_id`` and ``predicted_usage`` (that station's rows of
    ``forecasts``, by station id, without the id; None for a matched station with no usage)."""
    annotated = stations.copy()
    if k is not None:
        annotated["cluster"] = station_clusters(stations, k)
    if reference is not None:
        matched = nearest_within(stations, reference)
        forecasts = forecasts or {}
        annotated["matched_station_id"] = pd.Series(matched, index=annotated.index, dtype=object)
        annotated["predicted_usage"] = pd.Series(
            [None if m is None or m not in forecasts else
             [{key: value for key, value in row.items() if key != "station_id"} for row in forecasts[m]]
             for m in matched], index=annotated.index, dtype=object)
    return annotated
