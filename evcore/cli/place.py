"""``place``: where k new stations serve the demand best."""

from __future__ import annotations

from evcore.cli.common import add_json_flag, log, print_json, progress_logger
from evcore.errors import InputError


def add_parser(sub, formatter) -> None:
    p = sub.add_parser("place", help="choose sites for k new stations",
                       description="Choose sites for k new stations: shortest mean distance "
                                   "(p-median) or the most demand within a radius (coverage).",
                       formatter_class=formatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--demand", help="a demand-points file (vehicles by location)")
    src.add_argument("--cost-matrix", help="a demand x candidate cost matrix (.npy, .csv or text)")
    p.add_argument("--weights", help="demand weights for --cost-matrix (.npy, .csv or text); "
                                     "all 1 when left out")
    p.add_argument("--k", type=int, required=True, help="how many new stations")
    p.add_argument("--existing", help="existing stations (a stations file; with --cost-matrix, "
                                      "their column indices), kept open")
    p.add_argument("--candidates", help="candidate sites (a stations file); the distinct demand "
                                        "points when left out")
    p.add_argument("--radius-km", type=float, help="the distance that counts as covered (needed "
                                                   "for --objective coverage)")
    p.add_argument("--objective", choices=["distance", "coverage"], default="distance",
                   help="distance: p-median; coverage: maximal coverage within --radius-km")
    p.add_argument("--exact", action="store_true", help="solve exactly (HiGHS MILP) where the "
                                                        "problem is small enough")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
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
    result = model.solve(exact=args.exact, progress=progress_logger("place") if model.large else None).summary()
    if args.json:
        print_json(result)
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


