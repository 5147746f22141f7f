"""``backtest`` and ``forecast``: the LSTM against baselines, and each station's next days
(``--resolution hourly``: the hourly model, ``evcore.cli.load_forecast``)."""

from __future__ import annotations

from evcore.cli import load_forecast
from evcore.cli.common import add_json_flag, log, log_store_note, print_json, progress_logger
from evcore.errors import InputError
from evcore.export import check_writable, csv_text, write_csv


def add_parsers(sub, formatter) -> None:
    p = sub.add_parser("backtest", help="rolling-origin backtest of the LSTM against baselines",
                       description="Rolling-origin backtest (DESIGN.md): F folds of H days at the end "
                                   "of the series; WAPE, MAE and interval coverage per model.",
                       formatter_class=formatter)
    p.add_argument("--usage", required=True, help="the usage file (any supported usage layout)")
    add_resolution(p)
    p.add_argument("--horizon", type=int, default=None, help="days ahead, 1 to 30 (default: 10 daily, 7 hourly)")
    p.add_argument("--folds", type=int, default=3, help="how many rolling folds to score")
    add_stations_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run_backtest)

    p = sub.add_parser("forecast", help="forecast each station's daily usage",
                       description="Forecast each station's daily usage with the LSTM (trained once "
                                   "and kept in the model store), with an 80% interval.",
                       formatter_class=formatter)
    p.add_argument("--usage", required=True, help="the usage file (any supported usage layout)")
    add_resolution(p)
    p.add_argument("--horizon", type=int, default=10, help="days ahead, 1 to 30")
    add_stations_flag(p)
    p.add_argument("--out", help="write the forecast table (station_id,date,forecast,lower,upper,unit; hourly: "
                                 "station_id,time,forecast,lower,upper,unit) to this CSV file instead of stdout")
    p.add_argument("--peaks", help="hourly only: write each day's peak (station_id,date,peak,lower,upper,unit) "
                                   "to this CSV file")
    add_json_flag(p)
    p.set_defaults(func=run_forecast)


def add_resolution(p) -> None:
    p.add_argument("--resolution", choices=("daily", "hourly"), default="daily",
                   help="daily totals, or hourly values with daily peaks")
    p.add_argument("--measure", choices=("energy", "occupancy"),
                   help="hourly only: what a wide hourly table holds (default: energy, or what the file has)")


def add_stations_flag(p) -> None:
    p.add_argument("--stations", help="a station list with coordinates: the public holidays of its country "
                                      "(EVCORE_HOLIDAYS names one instead); none without it")


def _history(args, data=None):
    """The usage file (or its ``data`` already read) prepared once, with the holidays of the
    country of ``--stations`` (else of the stations the usage file itself places)."""
    from evcore.forecast import prepared
    from evcore.io import read_stations, read_usage

    usage = read_usage(args.usage) if data is None else data.usage
    stations = read_stations(args.stations) if args.stations else getattr(data, "stations", None)
    return prepared(usage, stations, args.settings)


def run_backtest(args) -> int:
    from evcore.forecast import backtest, check_horizon, default_models
    from evcore.forecast.training import cpu_cores

    if args.resolution == "hourly":
        return load_forecast.run_backtest(args)
    horizon = check_horizon(10 if args.horizon is None else args.horizon)
    usage = _history(args)
    # folds in two processes (one torch thread each): same numbers, about half the time on 2 cores
    result = backtest(usage, horizon=horizon, folds=args.folds, models=default_models(args.settings),
                      progress=progress_logger("backtest"), n_jobs=min(2, cpu_cores()))
    if args.json:
        print_json(result.to_dict())
    else:
        print(result.summary.round(4).to_string(index=False))
    return 0


def run_forecast(args) -> int:
    from evcore.export import forecast_rows
    from evcore.forecast import check_horizon, forecast_table
    from evcore.io import read_file
    from evcore.io.readers import expect_kind

    if args.resolution == "hourly":
        return load_forecast.run_forecast(args)
    if args.peaks:
        raise InputError("--peaks needs --resolution hourly (a day's peak is its largest hourly value).")
    horizon = check_horizon(args.horizon)
    if args.out:  # before the training, not after it
        check_writable(args.out, "the forecast table")
    data = expect_kind(read_file(args.usage), "usage").dataset
    table = forecast_table(_history(args, data), horizon=horizon, settings=args.settings,
                           progress=progress_logger("forecast"))
    log_store_note(table)
    if args.out:
        write_csv(forecast_rows(table, data.usage_unit), args.out, "the forecast table")
        log(f"forecast: wrote {len(table)} rows to {args.out}")
    if args.json:
        print_json({"horizon": horizon, "stations": table["station_id"].nunique(),
                     "start": table["date"].min(), "end": table["date"].max(),
                     "rows": table.assign(date=table["date"].dt.strftime("%Y-%m-%d")).to_dict(orient="records")})
    elif not args.out:
        print(csv_text(forecast_rows(table, data.usage_unit)), end="")
    return 0


