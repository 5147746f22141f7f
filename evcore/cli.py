"""``python -m evcore ...``: the command line (a stable interface; see DESIGN.md).

With ``--json`` the result is one JSON object on stdout; progress and logs go to stderr.
Bad input exits 2 with one line on stderr starting ``error:``, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys

from evcore.errors import InputError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for any other bad input
        raise InputError(f"{self.prog}: {message}")


def _print_json(obj) -> None:
    json.dump(obj, sys.stdout, default=_json_default)
    sys.stdout.write("\n")


def _json_default(value):
    import numpy as np
    import pandas as pd

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- validate ---------------------------------------------------------------------------------

def cmd_validate(args) -> int:
    raise InputError("validate is not built yet")


# --- backtest / forecast ----------------------------------------------------------------------

def cmd_backtest(args) -> int:
    raise InputError("backtest is not built yet")


def cmd_forecast(args) -> int:
    raise InputError("forecast is not built yet")


# --- cluster ----------------------------------------------------------------------------------

def _finite_or_none(value):
    """JSON has no NaN: a figure that cannot be computed (e.g. one cluster's silhouette) is null."""
    import math

    return float(value) if value is not None and math.isfinite(value) else None


def cmd_cluster(args) -> int:
    from evcore.cluster import METHOD_NAMES, cluster_quality, make_clusterer, station_clusters
    from evcore.io import read_points

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
        _print_json(result)
        return 0
    print(f"{METHOD_NAMES[args.method]}: {result['clusters']} clusters, {result['noise']} noise points, "
          f"silhouette {quality['silhouette']:.3f}, mean {quality['mean_km']:.2f} km to the centre")
    for label, (lat, lon) in enumerate(centers):
        print(f"  cluster {label}: {quality['sizes'].get(label, 0)} points, centre {lat:.6f}, {lon:.6f}")
    return 0


# --- place ------------------------------------------------------------------------------------

def cmd_place(args) -> int:
    raise InputError("place is not built yet")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m evcore", description="EV charging analytics from the command line.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("validate", help="detect a file's format and summarise it")
    p.add_argument("path")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("backtest", help="rolling-origin backtest of the LSTM against baselines")
    p.add_argument("--usage", required=True)
    p.add_argument("--horizon", type=int, default=10)
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_backtest)

    p = sub.add_parser("forecast", help="forecast each station's daily usage")
    p.add_argument("--usage", required=True)
    p.add_argument("--horizon", type=int, default=10)
    p.add_argument("--out")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_forecast)

    p = sub.add_parser("cluster", help="cluster points by location")
    p.add_argument("--points", required=True)
    p.add_argument("--method", required=True, choices=["kmeans", "kmedians", "dbscan", "hdbscan"])
    p.add_argument("--k", type=int)
    p.add_argument("--eps-km", type=float)
    p.add_argument("--min-samples", type=int)
    p.add_argument("--out")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_cluster)

    p = sub.add_parser("place", help="choose sites for k new stations")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--demand")
    src.add_argument("--cost-matrix")
    p.add_argument("--weights")
    p.add_argument("--k", type=int, required=True)
    p.add_argument("--existing")
    p.add_argument("--candidates")
    p.add_argument("--radius-km", type=float)
    p.add_argument("--objective", choices=["distance", "coverage"], default="distance")
    p.add_argument("--exact", action="store_true")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_place)
    return parser


def main(argv=None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, but the user still gets one line, not a traceback
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
