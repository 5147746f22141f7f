"""State-scale placement for bench/placement.py: a synthetic state-sized instance and the reference
heuristic the library's large-scale path is compared with.

The instance: demand points spread like a state's population (Washington's box, 300 towns of
Zipf sizes, the largest tens of km across, and 5% rural), 1-5 vehicles each; candidate sites
drawn from the same distribution (parking lots and fuel stations are where people are).

The reference: Cooper's alternating location-allocation (1964), in its discrete form
(Maranzana 1964): allocate every point to its nearest open site, move each site to the best
candidate for its own points (the candidates nearest the Weiszfeld point of its points, and its
current site, evaluated exactly on its points), repeat until nothing moves; from several random
starts, the best kept. It uses the library's KD-tree machinery (evcore.placement.spatial).
"""

from __future__ import annotations

import numpy as np

from evcore.geo import LocalProjection, haversine_km
from evcore.placement.spatial import exact_nearest, nearest, rows_km, tree, unit_vectors

BOX = (45.6, 49.0, -124.7, -117.0)  # Washington State: lat min, lat max, lon min, lon max


def state_points(n: int, seed: int) -> np.ndarray:
    """[lat, lon] of n points spread like a state's population."""
    rng = np.random.default_rng(seed)
    towns = 300
    town_rng = np.random.default_rng(12345)  # the same towns for demand and candidates
    centre = np.column_stack((town_rng.uniform(BOX[0] + 0.3, BOX[1] - 0.3, towns),
                              town_rng.uniform(BOX[2] + 0.5, BOX[3] - 0.5, towns)))
    size = 1.0 / np.arange(1, towns + 1) ** 1.1
    spread_km = 1.5 + 12.0 * np.sqrt(size / size[0])
    rural = rng.random(n) < 0.05
    town = rng.choice(towns, n, p=size / size.sum())
    lat = centre[town, 0] + rng.normal(0, 1, n) * spread_km[town] / 111.0
    lon = centre[town, 1] + rng.normal(0, 1, n) * spread_km[town] / (111.0 * np.cos(np.radians(centre[town, 0])))
    lat[rural] = rng.uniform(BOX[0], BOX[1], rural.sum())
    lon[rural] = rng.uniform(BOX[2], BOX[3], rural.sum())
    return np.column_stack((np.clip(lat, -89.9, 89.9), lon))


def state_instance(n: int, m: int, seed: int = 0):
    """(demand [lat, lon], vehicles, candidate [lat, lon])."""
    demand = state_points(n, seed)
    weights = np.random.default_rng(seed + 1).integers(1, 6, n).astype(float)
    return demand, weights, state_points(m, seed + 2)


def cooper(demand, weights, candidates, k: int, starts: int = 3, seed: int = 0, list_size: int = 16,
           max_iter: int = 50):
    """The best of ``starts`` runs of discrete alternating location-allocation: (mean km, chosen)."""
    rng = np.random.default_rng(seed)
    xyz, cand_xyz = unit_vectors(demand), unit_vectors(candidates)
    cand_tree = tree(cand_xyz)
    projection = LocalProjection.around(demand[:, 0], demand[:, 1])
    xy = projection.to_km(demand[:, 0], demand[:, 1])
    best = (np.inf, None)
    for _ in range(starts):
        chosen = rng.choice(len(candidates), k, replace=False)
        for _ in range(max_iter):
            _, label = nearest(xyz, cand_xyz[chosen])
            order = np.argsort(label, kind="stable")
            bounds = np.searchsorted(label[order], np.arange(k + 1))
            moved = False
            for c in range(k):
                members = order[bounds[c]:bounds[c + 1]]
                if len(members) == 0:
                    continue
                point = projection.to_latlon(_weiszfeld(xy[members], weights[members]))
                _, near = cand_tree.query(unit_vectors(point), k=list_size)
                options = np.unique(np.r_[np.ravel(near), chosen[c]])
                options = options[~np.isin(options, np.delete(chosen, c))]
                cost = weights[members] @ rows_km(xyz[members], cand_xyz[options])
                pick = options[int(np.argmin(cost))]
                if pick != chosen[c] and cost.min() < cost[options == chosen[c]][0] - 1e-9:
                    chosen[c], moved = pick, True
            if not moved:
                break
        distance, _ = exact_nearest(demand, candidates[chosen], xyz)
        mean = float(weights @ distance / weights.sum())
        if mean < best[0]:
            best = (mean, chosen.copy())
    return best


def _weiszfeld(xy: np.ndarray, w: np.ndarray, iterations: int = 30) -> np.ndarray:
    """The weighted geometric median (continuous 1-median) of points in km."""
    point = w @ xy / w.sum()
    for _ in range(iterations):
        d = np.maximum(np.hypot(*(xy - point).T), 1e-9)
        point = (w / d) @ xy / (w / d).sum()
    return point


def mean_km(demand, weights, sites) -> float:
    """Mean km per vehicle to the nearest of ``sites`` ([lat, lon]), by haversine."""
    _, at = nearest(unit_vectors(demand), unit_vectors(sites))
    return float(weights @ haversine_km(demand[:, 0], demand[:, 1], sites[at, 0], sites[at, 1]) / weights.sum())
