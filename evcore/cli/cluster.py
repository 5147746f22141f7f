"""``cluster``: group points by location."""

from __future__ import annotations

from evcore.cli.common import add_json_flag, log, print_json
from evcore.errors import InputError


def add_parser(sub, formatter) -> None:
    p = sub.add_parser("cluster", help="cluster points by location",
                       description="Cluster stations (or any points) by location; labels one per "
                                   "input row, -1 for noise.",
                       formatter_class=formatter)
    p.add_argument("--points", required=True, help="a stations or demand file")
    p.add_argument("--method", required=True, choices=["kmeans", "kmedians", "dbscan", "hdbscan"],
                   help="kmeans and kmedians need --k; dbscan uses --eps-km and --min-samples; "
                        "hdbscan uses --min-samples as the least cluster size")
    p.add_argument("--k", type=int, help="number of clusters (kmeans, kmedians)")
    p.add_argument("--eps-km", type=float, help="neighbourhood radius in km (dbscan; hdbscan's "
                                                "cluster_selection_epsilon)")
    p.add_argument("--min-samples", type=int, help="points that make a dense neighbourhood (dbscan) "
                                                    "or the least cluster size (hdbscan)")
    p.add_argument("--out", help="write the station-to-cluster table to this CSV file")
    add_json_flag(p)
    p.set_defaults(func=run)


def _finite_or_none(value):
    """JSON has no NaN: a figure that cannot be computed (e.g. one cluster's silhouette) is null."""
    import math

    return float(value) if value is not None and math.isfinite(value) else None


def run(args) -> int:
    from evcore.cluster import METHOD_NAMES, cluster_quality, make_clusterer, station_clusters
    from evcore.fast_points import read_points_fast as read_points

    clusterer = make_clusterer(args.method, k=args.k, eps_km=args.eps_km, min_samples=args.min_samples)
    points = read_points(args.points)
    # Weights (e.g. vehicles at a demand point) pull k-means and k-medians centres; the density
    # methods count points, so their partition is the plain one.
    weight = points["weight"] if "weight" in points.columns and args.method in ("kmeans", "kmedians") else None
    log(f"clustering {len(points)} points with {METHOD_NAMES[args.method]}"
        + (" weighted by their 'weight' column" if weight is not None else ""))
    model = clusterer.fit(points, sample_weight=weight)
    labels, centers = model.labels_, model.cluster_centers_
    if args.out:
        try:
            station_clusters(points, labels).to_csv(args.out, index=False)
        except OSError as exc:
            raise InputError(f"{args.out}: cannot write the station-to-cluster table ({exc.strerror}).") from exc
        log(f"wrote {args.out}")
    quality = cluster_quality(points, labels, centers)
    result = {
        "method": args.method,
        "labels": labels.tolist(),
        "centers": centers.tolist(),
        "center_kind": {"kmeans": "mean", "kmedians": "median"}.get(args.method, "medoid"),
        "clusters": quality["clusters"],
        "noise": quality["noise"],
        "sizes": {str(k): v for k, v in quality["sizes"].items()},
        "silhouette": _finite_or_none(quality["silhouette"]),
        "mean_km": _finite_or_none(quality["mean_km"]),
    }
    if hasattr(model, "objective_"):
        result["objective"] = model.objective_
    if args.json:
        print_json(result)
        return 0
    print(f"{METHOD_NAMES[args.method]}: {result['clusters']} clusters, {result['noise']} noise points, "
          f"silhouette {quality['silhouette']:.3f}, mean {quality['mean_km']:.2f} km to the centre")
    for label, (lat, lon) in enumerate(centers):
        print(f"  cluster {label}: {quality['sizes'].get(label, 0)} points, centre {lat:.6f}, {lon:.6f}")
    return 0


