"""``place``: where k new stations serve the demand best."""

from __future__ import annotations

from evcore.cli.common import add_json_flag, log, print_json, progress_logger
from evcore.errors import InputError
from evcore.export import check_writable, write_csv, write_text


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
    p.add_argument("--out", help="write the proposed sites (one row each: candidate, latitude, "
                                 "longitude, served, ...) to this CSV file")
    p.add_argument("--map", help="write the placement map to this HTML file (with --demand; draws "
                                 "with no network, as the dashboard's download)")
    p.add_argument("--year", type=int, help="place for this year: each demand point grows by its area's "
                                            "projected growth (needs an adoption history)")
    p.add_argument("--history", help="the adoption history for --year (by default the demand file's own, "
                                     "where it is a vehicle list with a year and an area column)")
    p.add_argument("--rate", type=float, help="with --year: every area grows by this percent a year instead "
                                              "of the fitted model")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    import numpy as np

    from evcore.services import location_model, place_sites

    for path, what in ((args.out, "the proposed sites"), (args.map, "the placement map")):
        if path is not None:
            check_writable(path, what)
    model_class = location_model(args.objective, args.radius_km, radius_name="--radius-km")
    existing_table = None
    unit = "km" if args.demand else "(cost units)"
    solver = f"the {'exact' if args.exact else 'fast'} solver"
    if args.cost_matrix:
        if args.candidates:
            raise InputError("--candidates applies to --demand; with --cost-matrix the columns are the candidates.")
        if args.map:
            raise InputError("--map needs --demand (a cost matrix has no coordinates to draw).")
        if args.year is not None or args.history or args.rate is not None:
            raise InputError("--year, --history and --rate apply to --demand (a cost matrix names no areas).")
        cost = _load_array(args.cost_matrix, "cost matrix")
        weights = _load_array(args.weights, "weights") if args.weights else None
        existing = _load_array(args.existing, "existing site indices") if args.existing else None
        if existing is not None and (not np.all(np.isfinite(existing)) or np.any(existing != np.round(existing))
                                     or np.any(np.abs(existing) > 2 ** 31)):
            raise InputError(f"{args.existing}: expected whole-number column indices of the existing sites.")
        model = model_class.from_cost_matrix(cost, weights, k=args.k, existing=existing, radius=args.radius_km)
        log(f"solving {model.name} for k = {args.k} with {solver} ...")
        result = model.solve(exact=args.exact).summary()
        result["notes"] = []
    else:
        from evcore.growth import rate_from_percent
        from evcore.io import read_demand, read_points

        if args.weights:
            raise InputError("--weights applies to --cost-matrix; with --demand the weights are in the demand file.")
        demand, history = _demand_and_history(args)
        candidates = read_points(args.candidates) if args.candidates else None
        existing_table = read_points(args.existing) if args.existing else None
        log(f"solving {model_class.name} for k = {args.k} with {solver} ...")
        model, result = place_sites(demand, args.k, candidates=candidates, existing=existing_table,
                                    radius_km=args.radius_km, objective=args.objective, exact=args.exact,
                                    progress=progress_logger("place"), year=args.year, history=history,
                                    rate=rate_from_percent(args.rate, "--rate"))
    notes = result["notes"]
    for note in notes:
        log(f"note: {note}")
    if args.out:
        write_csv(model.sites_table(), args.out, "the proposed sites")
        log(f"wrote {args.out}")
    if args.map:
        from evcore.viz.maps import standalone_html
        from evcore.viz.placement import placement_map

        write_text(standalone_html(placement_map(model.view(), stations=existing_table)), args.map, "the placement map")
        log(f"wrote {args.map}")
    if args.json:
        print_json(result)
        return 0
    _print_plain(model, result, args, unit)
    return 0


def _print_plain(model, result: dict, args, unit: str) -> None:
    if result["optimal"]:
        proof = "proven optimal"
    elif result["gap"] is None:
        proof = "not proven optimal"
    else:
        proof = f"not proven optimal (at most {100 * result['gap']:.2f}% from optimal)"
    print(f"{model.name}: {args.k} new site(s), solver {result['solver']}, {proof}")
    within = "" if args.radius_km is None else f", {100 * result['share_within_radius']:.1f}% of demand within {args.radius_km:g} {unit}"
    print(f"mean distance {result['mean_km']:.3f} {unit}, 90th percentile {result['p90_km']:.3f} {unit}{within}")
    if "existing_only" in result:
        print(f"existing stations alone: mean {result['existing_only']['mean_km']:.3f} {unit}")
    served_unit = "vehicles" if args.demand else "demand weight"
    for j, site, served in zip(result["selected"], result["sites"] or [None] * len(result["selected"]),
                               result["served"]):
        where = "" if site is None else f" at {site[0]:.5f}, {site[1]:.5f}"
        print(f"  candidate {j}{where}: serves {served:,.0f} {served_unit}")


def _demand_and_history(args):
    """The demand points, and the adoption history where --year asks for one."""
    from evcore.io import read_demand, read_file, read_history

    if args.year is None:
        if args.history or args.rate is not None:
            raise InputError("--history and --rate need --year (the year to place for).")
        return read_demand(args.demand), None
    reading = read_file(args.demand)
    demand = reading.dataset.demand if reading.kind == "demand" else read_demand(args.demand)
    if args.history:
        return demand, read_history(args.history)
    if reading.dataset.history is None:
        raise InputError(f"--year needs an adoption history: {args.demand} has none (give --history PATH).")
    return demand, reading.dataset.history


def _load_array(path: str, what: str):
    import numpy as np

    try:
        if path.endswith(".npy"):
            array = np.load(path, allow_pickle=False)
        else:
            array = np.loadtxt(path, delimiter="," if path.endswith(".csv") else None, ndmin=1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (expected the {what}).") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder: expected a file with the {what}.") from None
    except (ValueError, OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read the {what} as numbers ({str(exc)[:80]}).") from None
    if np.iscomplexobj(array) or not np.issubdtype(array.dtype, np.number) or array.dtype == bool:
        raise InputError(f"{path}: the {what} holds {array.dtype} values: expected real numbers.")
    if not np.all(np.isfinite(array)):
        where = np.argwhere(~np.isfinite(np.atleast_1d(array)))[0]
        raise InputError(f"{path}: the {what} holds {np.atleast_1d(array)[tuple(where)]} at "
                         f"{'row ' + str(where[0] + 1) + (', column ' + str(where[1] + 1) if len(where) > 1 else '')}: "
                         "expected finite numbers.")
    return array
