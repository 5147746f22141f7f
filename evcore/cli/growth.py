"""``growth``: EVs per area and year up to a target year, from an adoption history."""

from __future__ import annotations

from evcore.cli.common import add_json_flag, log, print_json


def add_parser(sub, formatter) -> None:
    p = sub.add_parser("growth", help="project EVs per area and year",
                       description="Project the EVs of each area (county, ZIP, ...) year by year up to --until, "
                                   "with an 80% interval: a diffusion model pooled over the areas, or a growth "
                                   "rate you set (--rate).",
                       formatter_class=formatter)
    p.add_argument("--history", required=True, help="an adoption history: EVs by year and area (+ the whole "
                                                    "fleet), or a vehicle list with a year and an area column")
    p.add_argument("--until", type=int, required=True, help="the last year to project")
    p.add_argument("--rate", type=float, help="instead of the fitted model, grow every area by this percent a year")
    p.add_argument("--out", help="write area,year,vehicles,lower,upper to this CSV file")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args) -> int:
    import pandas as pd

    from evcore.export import check_writable, write_csv
    from evcore.growth import growth_answer, rate_from_percent
    from evcore.growth.scenario import check_until
    from evcore.io import read_history

    if args.out is not None:
        check_writable(args.out, "the projection")
    rate = rate_from_percent(args.rate, "--rate")
    history = read_history(args.history)
    check_until(history, args.until)
    log(f"projecting {history['area'].nunique()} areas from {history['year'].max()} to {args.until} ...")
    answer = growth_answer(history, args.until, rate=rate)
    if args.out:
        write_csv(pd.DataFrame(answer["areas"]), args.out, "the projection")
        log(f"wrote {args.out}")
    if args.json:
        print_json(answer)
        return 0
    print(f"{answer['method']}: from {answer['last_year']} to {answer['until']}")
    for row in answer["total"]:
        print(f"  {row['year']}: {row['vehicles']:,.0f} vehicles in all")
    final = sorted((r for r in answer["areas"] if r["year"] == answer["until"]), key=lambda r: -r["vehicles"])
    print(f"largest areas in {answer['until']}:")
    for row in final[:10]:
        print(f"  {row['area'][:40]}: {row['vehicles']:,.0f} ({row['lower']:,.0f}-{row['upper']:,.0f})")
    return 0
