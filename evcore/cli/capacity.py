"""``capacity``: how busy every port is, Erlang-B blocking and the ports each station needs."""

from __future__ import annotations

from evcore.cli.common import add_json_flag, log, print_json
from evcore.export import check_writable, csv_text, write_csv


def add_parser(sub, formatter) -> None:
    p = sub.add_parser("capacity", help="port utilisation, blocking and ports needed per station",
                       description="Over the 28 days before the data's last day (DESIGN.md): utilisation, "
                                   "busy-hour arrivals, mean plugged-in hours, Erlang-B blocking, the ports "
                                   "needed for the target and the observed share of minutes with every port "
                                   "busy. From hourly occupancy without sessions: utilisation and the share "
                                   "of hours with every port busy only.",
                       formatter_class=formatter)
    p.add_argument("--usage", required=True, help="a session export, or an hourly table of plugged-in hours "
                                                  "(with --measure occupancy)")
    p.add_argument("--target", type=float, default=0.1, help="the blocking probability to size ports for")
    p.add_argument("--growth", type=float, default=1.0, help="demand growth factor (1.0 = today's demand)")
    p.add_argument("--measure", choices=["energy", "occupancy"],
                   help="what a usage table's values are (default: from its column names; a wide table is energy)")
    p.add_argument("--stations", help="a station list whose port count (ports, charger_num, ...) is used")
    p.add_argument("--ports", type=int, help="ports at stations whose data gives no port count")
    p.add_argument("--out", help="write the capacity table to this CSV file")
    p.add_argument("--year", type=int, help="instead of --growth: the growth of all areas' EVs from the adoption "
                                            "history's last year to this year")
    p.add_argument("--history", help="the adoption history for --year (EVs by year and area)")
    p.add_argument("--rate", type=float, help="with --year: this percent a year instead of the fitted model")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from evcore.capacity import capacity_records, capacity_table, capacity_window, check_settings
    from evcore.errors import InputError
    from evcore.io import combine, read_file

    check_settings(args.target, args.growth)
    if args.ports is not None and not 1 <= args.ports <= 100_000:
        raise InputError(f"--ports {args.ports}: expected a whole number of ports from 1 to 100000.")
    if args.out:
        check_writable(args.out, "the capacity table")
    readings = [read_file(args.usage, measure=args.measure)]
    if args.stations:
        stations = read_file(args.stations)
        if stations.kind != "stations":  # its usage would replace --usage's in the combined dataset
            raise InputError(f"{stations.source} is {stations.kind} data ({stations.format}): expected a station "
                             "list for --stations (station ids with a port count such as ports or charger_num).")
        readings.append(stations)
    dataset = combine(readings, name=readings[0].source)
    if dataset.usage is None:
        raise InputError(f"{readings[0].source} is {readings[0].kind} data: expected a session export or an "
                         "hourly usage table.")
    growth = _scenario_growth(args)
    table = capacity_table(dataset, target=args.target, growth=growth, ports=args.ports)
    start, end = capacity_window(dataset)
    if args.out:
        write_csv(table, args.out, "the capacity table")
        log(f"capacity: wrote {len(table)} rows to {args.out}")
    if args.json:
        print_json({"window_start": f"{start:%Y-%m-%d}", "window_end": f"{end:%Y-%m-%d}", "target": args.target,
                    "growth": growth, "year": args.year, "stations": capacity_records(table)})
    elif not args.out:
        print(csv_text(table), end="")
    return 0


def _scenario_growth(args) -> float:
    """--growth as given, or the factor of the scenario year."""
    from evcore.errors import InputError

    if args.year is None:
        if args.history or args.rate is not None:
            raise InputError("--history and --rate need --year (the year to size for).")
        return args.growth
    if args.growth != 1.0:
        raise InputError("give --growth or --year, not both (--year sets the growth).")
    if not args.history:
        raise InputError("--year needs --history (an adoption history: EVs by year and area).")
    from evcore.growth import growth_for_year, rate_from_percent
    from evcore.io import read_history

    growth, notes = growth_for_year(read_history(args.history), args.year,
                                    rate_from_percent(args.rate, "--rate"))
    for note in notes:
        log(f"note: {note}")
    return growth
