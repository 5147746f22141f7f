"""The daily forecast over every series we have: both cities x volume and duration x three fold
windows, and the changed networks of ``evcore.forecast.scenarios`` (a level shift, new
stations, outages, a single series, five stations, years of history, few sessions a day), each
against the peer ensemble in the same run.

    python bench/forecast_stress.py [--city charged_jhb ...] [--only REGEX] [--no-real]
                                    [--no-stress] [--offsets 0 30 60] [--out rows.jsonl] [--jobs 2]

Each series runs the DESIGN.md backtest (3 folds of 10 days at the end) of the shipped model
(``lstm``, which also scores the network alone as ``lstm_network``) and of the peer ensemble
(``bench/forecast.py``'s median of statsforecast AutoETS, AutoTheta and SeasonalNaive, season
7). The peers' figures are kept in ``--peer-cache`` (by series and data), since they do not
change with our model. Prints one row a series (WAPE, ratio to the peers, 80% coverage) and the
summary the bar is read from: the largest and the mean ratio, and the pooled coverage. The
machine is shared, so seconds are noisy; the ratios are the figures to compare.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"

import forecast as bench_forecast  # noqa: E402  (bench/forecast.py: the peer ensemble)
from evcore import forecast as fc  # noqa: E402
from evcore.config import Settings  # noqa: E402
from evcore.forecast.scenarios import SCENARIOS  # noqa: E402
from evcore.io import read_stations, read_usage  # noqa: E402

SHORT = {"charged_jhb": "JHB", "charged_mel": "MEL"}


WINDOWS = (0, 30, 60)  # days cut off the end of each real file


def all_series(cities, real: bool, stress: bool, offsets=WINDOWS):
    """``(name, usage, stations)`` for every series: real files and windows (``offsets`` days cut
    off their ends), then the stress cases."""
    for city in cities:
        stations = read_stations(DATA / city / "sites.csv")
        volume = read_usage(DATA / city / "volume.csv")
        label = SHORT.get(city, city)
        if real:
            for file in ("volume.csv", "duration.csv"):
                usage = volume if file == "volume.csv" else read_usage(DATA / city / file)
                for offset in offsets:
                    cut = usage[usage["date"] <= usage["date"].max() - pd.Timedelta(days=offset)]
                    yield f"{label} {file[:-4]} -{offset}", cut, stations
        if stress:
            for scenario, change in SCENARIOS.items():
                yield f"{label} {scenario}", change(volume), stations


def _key(name: str, usage: pd.DataFrame) -> str:
    digest = hashlib.sha256(pd.util.hash_pandas_object(usage, index=False).values.tobytes()).hexdigest()[:12]
    return f"{name}|{digest}"


def _history(usage, stations):
    """What our backtest takes: the prepared history with the stations' calendar where this
    version of evcore has one, else the usage table."""
    if hasattr(fc, "daily_history"):
        return fc.daily_history(usage, stations=stations)
    return usage


def _backtest(history, models, jobs):
    return fc.backtest(history, models=models, horizon=10, folds=3, n_jobs=jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", action="append")
    parser.add_argument("--only", help="run the series whose name matches this regular expression")
    parser.add_argument("--no-real", action="store_true", help="leave out the cities' own files and windows")
    parser.add_argument("--no-stress", action="store_true", help="leave out the changed networks")
    parser.add_argument("--offsets", type=int, nargs="+", default=list(WINDOWS),
                        help="days cut off the end of each real file, one window each (other windows "
                             "check a choice on data it was not made on)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the folds")
    parser.add_argument("--out", help="append one JSON row a series to this file")
    parser.add_argument("--peer-cache", default=str(Path(os.environ.get("TMPDIR", "/tmp")) / "evcore-peer-cache.json"))
    args = parser.parse_args()
    settings = Settings.from_env()
    cities = args.city or sorted(p.name for p in DATA.glob("charged_*") if (p / "volume.csv").exists())
    cache_path = Path(args.peer_cache)
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    rows = []
    print(f"{'series':24} {'st':>3} {'days':>5} {'lstm':>7} {'network':>7} {'peers':>7} "
          f"{'ratio':>6} {'net/p':>6} {'cov':>5} {'p_cov':>5} {'s':>5}")
    for name, usage, stations in all_series(cities, not args.no_real, not args.no_stress, args.offsets):
        if args.only and not re.search(args.only, name):
            continue
        began = time.perf_counter()
        history = _history(usage, stations)
        key = _key(name, usage)
        if cache_path.exists():  # another run may have added peers since
            cache = {**json.loads(cache_path.read_text()), **cache}
        if key not in cache:
            peers = _backtest(history, [bench_forecast.PeerEnsemble()], args.jobs).summary.set_index("model")
            cache[key] = {"wape": float(peers.loc["peer_ensemble", "wape"]),
                          "coverage": float(peers.loc["peer_ensemble", "coverage"])}
            cache_path.write_text(json.dumps(cache))
        ours = _backtest(history, [fc.make_lstm(settings)], args.jobs)
        table = ours.summary.set_index("model")
        row = {"series": name, "stations": int(usage["station_id"].nunique()), "days": int(usage["date"].nunique()),
               "lstm": float(table.loc["lstm", "wape"]), "network": float(table.loc["lstm_network", "wape"]),
               "peers": cache[key]["wape"], "coverage": float(table.loc["lstm", "coverage"]),
               "peer_coverage": cache[key]["coverage"], "seconds": round(time.perf_counter() - began, 1)}
        row["ratio"] = row["lstm"] / row["peers"]
        row["network_ratio"] = row["network"] / row["peers"]
        rows.append(row)
        print(f"{name:24} {row['stations']:3d} {row['days']:5d} {row['lstm']:7.4f} {row['network']:7.4f} "
              f"{row['peers']:7.4f} {row['ratio']:6.3f} {row['network_ratio']:6.3f} {row['coverage']:5.3f} "
              f"{row['peer_coverage']:5.3f} {row['seconds']:5.0f}", flush=True)
        if args.out:
            with open(args.out, "a") as out:
                out.write(json.dumps(row) + "\n")
    if rows:
        ratio = np.array([r["ratio"] for r in rows])
        network = np.array([r["network_ratio"] for r in rows])
        print(f"\n{len(rows)} series: shipped/peers max {ratio.max():.3f} mean {ratio.mean():.3f} "
              f"(over 1.00: {int((ratio > 1).sum())}); network/peers max {network.max():.3f} mean "
              f"{network.mean():.3f} (over 1.02: {int((network > 1.02).sum())}); shipped coverage, mean of "
              f"the series {np.mean([r['coverage'] for r in rows]):.3f}")


if __name__ == "__main__":
    import warnings

    warnings.filterwarnings("ignore", category=RuntimeWarning)  # statsmodels on silent stations
    os.environ.setdefault("PYTHONWARNINGS", "ignore::RuntimeWarning")  # and in the fold processes
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
