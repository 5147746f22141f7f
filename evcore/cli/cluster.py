"""``cluster``: group points by location."""

from __future__ import annotations

from evcore.cli.common import add_json_flag, log, print_json
from evcore.export import check_writable, write_csv, write_text


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
    p.add_argument("--map", help="write the cluster map to this HTML file (draws with no network, "
                                 "as the dashboard's download)")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from evcore.cluster import METHOD_NAMES, station_clusters
    from evcore.io.fast_points import read_points_fast as read_points
    from evcore.services import cluster_points

    for path, what in ((args.out, "the station-to-cluster table"), (args.map, "the cluster map")):
        if path is not None:
            check_writable(path, what)
    points = read_points(args.points)
    weighted = "weight" in points.columns and args.method in ("kmeans", "kmedians")
    log(f"clustering {len(points)} points with {METHOD_NAMES.get(args.method, args.method)}"
        + (" weighted by their 'weight' column" if weighted else ""))
    model, quality, result = cluster_points(points, args.method, k=args.k, eps_km=args.eps_km,
                                            min_samples=args.min_samples)
    labels, centers = model.labels_, model.cluster_centers_
    table = station_clusters(points, labels) if args.out or args.map else None
    if args.out:
        write_csv(table, args.out, "the station-to-cluster table")
        log(f"wrote {args.out}")
    if args.map:
        from evcore.viz.clusters import cluster_map
        from evcore.viz.maps import standalone_html

        write_text(standalone_html(cluster_map(table, centers)), args.map, "the cluster map")
        log(f"wrote {args.map}")
    if args.json:
        print_json(result)
        return 0
    silhouette = "n/a" if result["silhouette"] is None else f"{result['silhouette']:.3f}"
    mean_km = "n/a" if result["mean_km"] is None else f"{result['mean_km']:.2f} km"
    print(f"{METHOD_NAMES[args.method]}: {result['clusters']} clusters, {result['noise']} noise points, "
          f"silhouette {silhouette}, mean {mean_km} to the centre")
    for label, (lat, lon) in enumerate(centers):
        print(f"  cluster {label}: {quality['sizes'].get(label, 0)} points, centre {lat:.6f}, {lon:.6f}")
    return 0
