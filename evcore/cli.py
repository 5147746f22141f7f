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
    import os

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

def cmd_cluster(args) -> int:
    raise InputError("cluster is not built yet")


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
