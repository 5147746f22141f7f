"""Great-circle neighbours without a distance matrix, for problems too big for one.

Points become 3-D unit vectors in a KD-tree (scipy's ``cKDTree``). The straight-line chord
between two unit vectors grows with the great-circle distance, so the nearest by chord is the
nearest on the sphere, and ``km = 2 R asin(chord / 2)`` is exactly the haversine distance.
Distances we report are recomputed with ``geo.haversine_km``, the dense path's formula.
"""

from __future__ import annotations

import numpy as np

from evcore.errors import InputError
from evcore.geo import EARTH_RADIUS_KM, LocalProjection, haversine_km

# Points per block in the chunked queries: keeps every temporary array a few tens of MB.
CHUNK = 200_000


def unit_vectors(latlon: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors of [lat, lon] rows in degrees."""
    lat, lon = np.radians(latlon[:, 0]), np.radians(latlon[:, 1])
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))


def chord_to_km(chord):
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord, dtype=float) / 2, 0.0, 1.0))


def km_to_chord(km: float) -> float:
    return float(2 * np.sin(min(km / (2 * EARTH_RADIUS_KM), np.pi / 2)))


def tree(xyz: np.ndarray):
    from scipy.spatial import cKDTree

    return cKDTree(xyz, balanced_tree=False, compact_nodes=False)


def nearest(points_xyz: np.ndarray, sites_xyz: np.ndarray, k: int = 1, workers: int = -1):
    """The ``k`` nearest sites of every point: (km, site index), each (n,) for k = 1 or (n, k).
    Missing neighbours (fewer sites than k) have km = inf and index len(sites)."""
    index = tree(sites_xyz)
    k_eff = min(k, len(sites_xyz))
    shape = (len(points_xyz),) if k == 1 else (len(points_xyz), k)
    km = np.full(shape, np.inf)
    ids = np.full(shape, len(sites_xyz), dtype=np.int64)
    for s in range(0, len(points_xyz), CHUNK):
        chord, at = index.query(points_xyz[s:s + CHUNK], k=k_eff, workers=workers)
        if k == 1:
            km[s:s + CHUNK], ids[s:s + CHUNK] = chord_to_km(chord), at
        else:
            chord, at = chord.reshape(len(chord), k_eff), at.reshape(len(at), k_eff)
            km[s:s + CHUNK, :k_eff], ids[s:s + CHUNK, :k_eff] = chord_to_km(chord), at
    return km, ids


def exact_nearest(latlon: np.ndarray, sites_latlon: np.ndarray, xyz: np.ndarray | None = None):
    """(km, index) of every point's nearest site, the km by haversine as on the dense path."""
    xyz = unit_vectors(latlon) if xyz is None else xyz
    _, ids = nearest(xyz, unit_vectors(sites_latlon))
    site = sites_latlon[ids]
    return haversine_km(latlon[:, 0], latlon[:, 1], site[:, 0], site[:, 1]), ids


def rows_km(a_xyz: np.ndarray, b_xyz: np.ndarray) -> np.ndarray:
    """(len(a), len(b)) great-circle km from chords computed from coordinate differences (exact
    for short distances, unlike 2 - 2 a.b)."""
    chord2 = np.zeros((len(a_xyz), len(b_xyz)))
    for d in range(3):
        chord2 += (a_xyz[:, d:d + 1] - b_xyz[None, :, d]) ** 2
    return chord_to_km(np.sqrt(chord2))


def pairs_within(points_xyz: np.ndarray, sites_xyz: np.ndarray, radius_km: float, limit: int | None = None):
    """Every (point, site) pair within ``radius_km``, as two int32 arrays: the radius prunes all
    the others (one KD-tree per block of points against the sites' tree). Refuses more than
    ``limit`` pairs with one sentence."""
    sites = tree(sites_xyz)
    radius = km_to_chord(radius_km)
    rows, cols, count = [], [], 0
    for s in range(0, len(points_xyz), CHUNK // 4):
        block = tree(points_xyz[s:s + CHUNK // 4])
        found = block.sparse_distance_matrix(sites, radius, output_type="ndarray")
        count += len(found)
        if limit is not None and count > limit:
            raise InputError(f"more than {limit:,} demand point-site pairs lie within {radius_km:g} km (after "
                             f"{s + CHUNK // 4:,} of {len(points_xyz):,} points); give fewer candidate sites or a "
                             "smaller radius.")
        rows.append((found["i"] + s).astype(np.int32))
        cols.append(found["j"].astype(np.int32))
    return np.concatenate(rows), np.concatenate(cols)


def distinct_points(latlon: np.ndarray, weights: np.ndarray):
    """Exact duplicates merged (nothing lost: the same place has the same distances): the distinct
    [lat, lon] rows, their summed weights, and each input row's distinct index."""
    key = np.ascontiguousarray(latlon).view(np.dtype((np.void, 16))).ravel()
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return latlon[first], np.bincount(inverse, weights=weights, minlength=len(first)), inverse


def grid_cells(latlon: np.ndarray, weights: np.ndarray, target: int):
    """Demand summed over square cells of the local km projection, the cell side chosen so that
    about ``target`` cells hold demand: the weighted centroid of each cell, its weight, each
    point's cell, and the cell side in km. For the coarse stage of the search only."""
    projection = LocalProjection.around(latlon[:, 0], latlon[:, 1])
    xy = projection.to_km(latlon[:, 0], latlon[:, 1])
    span = float(np.ptp(xy, axis=0).max()) or 1.0
    low, high = span / (4 * np.sqrt(target) + 1) / 64, span  # cell sides: too many cells .. one cell
    for _ in range(30):
        side = np.sqrt(low * high)
        cells = _cells(xy, side)
        count = len(np.unique(cells))
        if count > target:
            low = side
        else:
            high = side
        if high / low < 1.05:
            break
    side = high
    _, labels = np.unique(_cells(xy, side), return_inverse=True)
    total = np.bincount(labels, weights=weights)
    safe = np.where(total > 0, total, 1.0)
    centroid = np.column_stack([np.bincount(labels, weights=weights * xy[:, d]) / safe for d in range(2)])
    return projection.to_latlon(centroid), total, labels, side


def _cells(xy: np.ndarray, side: float) -> np.ndarray:
    ij = np.floor((xy - xy.min(axis=0)) / side).astype(np.int64)
    return ij[:, 0] * (int(ij[:, 1].max()) + 1) + ij[:, 1]
