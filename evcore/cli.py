"""``python -m evcore ...``: the command line (a stable interface; see DESIGN.md).

With ``--json`` the result is one JSON object on stdout; progress and logs go to stderr.
Bad input exits 2 with one line on stderr starting ``error:``, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
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
    from evcore.io import read_file

    summary = read_file(args.path).summary()
    if args.json:
        _print_json(summary)
        return 0
    notes = summary.pop("notes")
    for key, value in summary.items():
        print(f"{key}: {value}")
    for note in notes:
        print(f"note: {note}")
    return 0


# --- backtest / forecast ----------------------------------------------------------------------

def _progress_logger(prefix: str):
    """A progress callback that logs to stderr when the message or the tenth changes."""
    last = {"message": None, "tenth": -1}

    def progress(fraction: float, message: str) -> None:
        head = message.split(",")[0]
        tenth = int(fraction * 10)
        if head != last["message"] or tenth != last["tenth"]:
            last.update(message=head, tenth=tenth)
            log(f"{prefix}: {fraction:4.0%} {message}")

    return progress


def cmd_backtest(args) -> int:
    from evcore.forecast import backtest, check_horizon
    from evcore.io import read_usage

    horizon = check_horizon(args.horizon)
    usage = read_usage(args.usage)
    # folds in two processes (one torch thread each): same numbers, about half the time on 2 cores
    result = backtest(usage, horizon=horizon, folds=args.folds, progress=_progress_logger("backtest"),
                      n_jobs=min(2, os.cpu_count() or 1))
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.summary.round(4).to_string(index=False))
    return 0


def cmd_forecast(args) -> int:
    from evcore.forecast import check_horizon, forecast_table
    from evcore.io import read_usage

    horizon = check_horizon(args.horizon)
    usage = read_usage(args.usage)
    table = forecast_table(usage, horizon=horizon, progress=_progress_logger("forecast"))
    if args.out:
        table.to_csv(args.out, index=False)
        log(f"forecast: wrote {len(table)} rows to {args.out}")
    if args.json:
        _print_json({"horizon": horizon, "stations": table["station_id"].nunique(),
                     "start": table["date"].min(), "end": table["date"].max(),
                     "rows": table.assign(date=table["date"].dt.strftime("%Y-%m-%d")).to_dict(orient="records")})
    elif not args.out:
        print(table.to_csv(index=False), end="")
    return 0


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
    import numpy as np

    from evcore.placement import MaxCoverage, PMedian

    model_class = MaxCoverage if args.objective == "coverage" else PMedian
    if args.objective == "coverage" and args.radius_km is None:
        raise InputError("--objective coverage needs --radius-km (the distance that counts as covered).")
    if args.cost_matrix:
        if args.candidates:
            raise InputError("--candidates applies to --demand; with --cost-matrix the columns are the candidates.")
        cost = _load_array(args.cost_matrix, "cost matrix")
        weights = _load_array(args.weights, "weights") if args.weights else None
        existing = _load_array(args.existing, "existing site indices") if args.existing else None
        if existing is not None and (not np.all(np.isfinite(existing)) or np.any(existing != np.round(existing))):
            raise InputError(f"{args.existing}: expected whole-number column indices of the existing sites.")
        model = model_class.from_cost_matrix(cost, weights, k=args.k, existing=existing, radius=args.radius_km)
    else:
        from evcore.io import read_demand, read_points

        if args.weights:
            raise InputError("--weights applies to --cost-matrix; with --demand the weights are in the demand file.")
        demand = read_demand(args.demand)
        candidates = read_points(args.candidates) if args.candidates else None
        existing = read_points(args.existing) if args.existing else None
        model = model_class.from_points(demand, k=args.k, candidates=candidates, existing=existing,
                                        radius=args.radius_km)
    log(f"solving {model.name} for k = {args.k} with the {'exact' if args.exact else 'fast'} solver ...")
    result = model.solve(exact=args.exact).summary()
    if args.json:
        _print_json(result)
        return 0
    if result["optimal"]:
        proof = "proven optimal"
    elif result["gap"] is None:
        proof = "not proven optimal"
    else:
        proof = f"not proven optimal (at most {100 * result['gap']:.2f}% from optimal)"
    print(f"{model.name}: {args.k} new site(s), solver {result['solver']}, {proof}")
    print(f"mean distance {result['mean_km']:.3f}, 90th percentile {result['p90_km']:.3f}"
          + ("" if args.radius_km is None else f", {100 * result['share_within_radius']:.1f}% within {args.radius_km:g}"))
    if "existing_only" in result:
        print(f"existing stations alone: mean {result['existing_only']['mean_km']:.3f}")
    for j, site, served in zip(result["selected"], result["sites"] or [None] * len(result["selected"]),
                               result["served"]):
        where = "" if site is None else f" at {site[0]:.5f}, {site[1]:.5f}"
        print(f"  candidate {j}{where}: serves {served:g}")
    return 0


def _load_array(path: str, what: str):
    import numpy as np

    try:
        if path.endswith(".npy"):
            return np.load(path, allow_pickle=False)
        return np.loadtxt(path, delimiter="," if path.endswith(".csv") else None, ndmin=1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (expected the {what}).") from None
    except (ValueError, OSError) as exc:
        raise InputError(f"{path}: cannot read the {what} as numbers ({exc}).") from None


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
