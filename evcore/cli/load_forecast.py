"""``forecast --resolution hourly`` and ``backtest --resolution hourly``: the hourly model's
forecast (hourly rows and daily peaks) and its backtest against the hourly peers (DESIGN.md)."""

from __future__ import annotations

from evcore.cli.common import log, log_store_note, print_json, progress_logger
from evcore.errors import InputError
from evcore.export import check_writable, csv_text, write_csv


def _hourly_table(args):
    from evcore.io import read_file

    reading = read_file(args.usage, measure=args.measure)
    hourly = reading.dataset.hourly
    if hourly is None or hourly.empty:
        raise InputError(f"{reading.source} has no hourly values (its format is {reading.format}): "
                         "--resolution hourly needs an hourly table or a session export.")
    return hourly


def _records(table, column: str, fmt: str) -> list[dict]:
    return table.assign(**{column: table[column].dt.strftime(fmt)}).to_dict(orient="records")


def run_forecast(args) -> int:
    from evcore.forecast import check_horizon
    from evcore.forecast.hourly_pipeline import load_forecast

    horizon = check_horizon(args.horizon)
    for path, what in ((args.out, "the forecast table"), (args.peaks, "the peaks table")):
        if path:  # before the training, not after it
            check_writable(path, what)
    hourly, peaks = load_forecast(_hourly_table(args), horizon=horizon, settings=args.settings,
                                  progress=progress_logger("forecast"), measure=args.measure)
    log_store_note(hourly)
    if args.out:
        write_csv(hourly, args.out, "the forecast table")
        log(f"forecast: wrote {len(hourly)} hourly rows to {args.out}")
    if args.peaks:
        write_csv(peaks, args.peaks, "the peaks table")
        log(f"forecast: wrote {len(peaks)} daily peaks to {args.peaks}")
    if args.json:
        print_json({"resolution": "hourly", "horizon": horizon, "stations": hourly["station_id"].nunique(),
                    "unit": hourly["unit"].iloc[0], "start": hourly["time"].min(), "end": hourly["time"].max(),
                    "rows": _records(hourly, "time", "%Y-%m-%d %H:%M"),
                    "peaks": _records(peaks, "date", "%Y-%m-%d")})
    elif not args.out:
        print(csv_text(hourly), end="")
    return 0


def run_backtest(args) -> int:
    from evcore.forecast import check_horizon
    from evcore.forecast.hourly_pipeline import load_backtest

    days = check_horizon(7 if args.horizon is None else args.horizon)
    result = load_backtest(_hourly_table(args), days=days, folds=args.folds, settings=args.settings,
                           progress=progress_logger("backtest"), measure=args.measure)
    if args.json:
        print_json(result)
    else:
        for name, figures in result["models"].items():
            print(f"{name:20s} wape {figures['wape']:.4f}  peak_wape {figures['peak_wape']:.4f}")
    return 0
