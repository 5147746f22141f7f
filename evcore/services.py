"""What the CLI's ``cluster`` and ``place`` commands compute, as plain JSON-ready results: one
place for the command line and the REST service, so both give the same keys and figures."""

from __future__ import annotations

import math

import pandas as pd

from evcore.errors import InputError

CENTER_KINDS = {"kmeans": "mean", "kmedians": "median"}


def _finite_or_none(value):
    """JSON has no NaN: a figure that cannot be computed (e.g. one cluster's silhouette) is null."""
    return float(value) if value is not None and math.isfinite(value) else None


def cluster_points(points: pd.DataFrame, method: str, k: int | None = None, eps_km: float | None = None,
                   min_samples: int | None = None):
    """Cluster located points (``latitude``, ``longitude``, optional ``weight``).

    Weights (e.g. vehicles at a demand point) pull k-means and k-medians centres; the density
    methods count points. Returns ``(model, quality, result)``: the fitted clusterer, the
    quality figures and the CLI's ``--json`` object (``labels``, ``centers`` as ``[lat, lon]``,
    ``clusters``, ``noise``, ``sizes``, ``silhouette``, ``mean_km``, ...).
    """
    from evcore.cluster import cluster_quality, make_clusterer

    clusterer = make_clusterer(method, k=k, eps_km=eps_km, min_samples=min_samples)
    weight = points["weight"] if "weight" in points.columns and method in ("kmeans", "kmedians") else None
    model = clusterer.fit(points, sample_weight=weight)
    labels, centers = model.labels_, model.cluster_centers_
    quality = cluster_quality(points, labels, centers)
    result = {
        "method": method,
        "labels": labels.tolist(),
        "centers": centers.tolist(),
        "center_kind": CENTER_KINDS.get(method, "medoid"),
        "clusters": quality["clusters"],
        "noise": quality["noise"],
        "sizes": {str(k): v for k, v in quality["sizes"].items()},
        "silhouette": _finite_or_none(quality["silhouette"]),
        "mean_km": _finite_or_none(quality["mean_km"]),
    }
    if "station_id" in points.columns:  # parallel to labels: which station each label belongs to
        result["station_ids"] = points["station_id"].astype(str).tolist()
    if hasattr(model, "objective_"):
        result["objective"] = _finite_or_none(model.objective_)
    return model, quality, result


def location_model(objective: str, radius_km, radius_name: str = "radius_km"):
    """The location model for an objective: ``PMedian`` for ``distance``, ``MaxCoverage`` for
    ``coverage`` (which needs a radius; ``radius_name`` is how the caller spells it)."""
    from evcore.placement import MaxCoverage, PMedian

    if objective not in ("distance", "coverage"):
        raise InputError(f"objective: expected 'distance' or 'coverage', got {objective!r}.")
    if objective == "coverage" and radius_km is None:
        raise InputError(f"The coverage objective needs {radius_name} (the distance that counts as covered).")
    return MaxCoverage if objective == "coverage" else PMedian


def place_sites(demand: pd.DataFrame, k: int, candidates: pd.DataFrame | None = None,
                existing: pd.DataFrame | None = None, radius_km: float | None = None,
                objective: str = "distance", exact: bool = False, time_limit: float | None = None,
                progress=None, year: int | None = None, history: pd.DataFrame | None = None,
                rate: float | None = None):
    """Choose ``k`` new sites for the demand points: p-median (``objective="distance"``) or
    maximal coverage within ``radius_km``, solved within ``time_limit`` seconds (the library's
    defaults when None: 10 for the search, 120 for the exact solver). Returns ``(model, result)``:
    the solved model and the CLI's ``--json`` object (``sites``, ``selected``, ``objective``,
    ``mean_km``, ..., and ``notes``, e.g. when the existing stations lie far from the demand).
    With ``year``, each demand point first grows by its area's projected growth to that year
    (``history``, the adoption history; ``rate`` a year instead of the fitted model)."""
    from evcore.geo import separation_note

    model_class = location_model(objective, radius_km)
    notes = []
    if rate is not None and year is None:
        raise InputError("A growth rate needs a year to grow to: give year too.")
    if year is not None:
        from evcore.growth import demand_in_year

        demand, notes = demand_in_year(demand, history, year, rate=rate)
    model = model_class.from_points(demand, k=k, candidates=candidates, existing=existing, radius=radius_km)
    if existing is not None:
        note = separation_note(existing["latitude"], existing["longitude"], demand["latitude"], demand["longitude"])
        notes += [note] if note else []
    result = model.solve(exact=exact, time_limit=time_limit, progress=progress).summary()
    result["notes"] = notes
    result["year"] = year
    return model, result
