"""Hourly forecast benchmark (issue 16.2): accuracy against the hourly peers, computed in the
same process, and the scale figures.

Accuracy (DESIGN.md "Backtest protocol (hourly)"): F folds of H days at the end of each city's
hourly file (the file cut at each fold: every model sees only the hours before its fold),
pooled WAPE over stations and hours, the daily-peak WAPE on each day's largest hour, and the
80% intervals' coverage, for the network (``lstm``) and the peers: statsforecast's MSTL with
seasons 24 and 168, the seasonal naive of a week, and the mean of the last four weeks' same
hour of the week. ``ratio`` is each WAPE over the best peer's.

    python bench/load_forecast.py                       # both cities, volume.csv, the last 3 weeks
    python bench/load_forecast.py --file duration.csv   # the charging-hours file (occupancy)
    python bench/load_forecast.py --offset 28           # the same, four weeks earlier
    python bench/load_forecast.py --scale               # 1,000 synthetic stations x one year
    python bench/load_forecast.py --stress              # the changed networks (evcore.forecast.scenarios)
    python bench/load_forecast.py --stress outages years   # some of them
    python bench/load_forecast.py --hourly '{"calibration_days": 0}'   # other model parameters

Timing figures on a shared machine are noisy: the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"


MSTL_WEEKS = 8  # MSTL is fitted on the last 8 weeks: on a whole half-year it takes minutes a fold here


def mstl_model(train: pd.DataFrame, days: int):
    """statsforecast's MSTL (seasons 24 and 168) on each station's filled hours of the last
    ``MSTL_WEEKS`` weeks."""
    from statsforecast import StatsForecast
    from statsforecast.models import MSTL

    from evcore.forecast.hourly_data import fill_hours

    filled = fill_hours(train)[-MSTL_WEEKS * 168:]
    long = pd.DataFrame({"unique_id": np.repeat(np.arange(filled.shape[1]), len(filled)),
                         "ds": np.tile(np.arange(len(filled)), filled.shape[1]), "y": filled.T.ravel()})
    forecast = StatsForecast(models=[MSTL(season_length=[24, 168])], freq=1, n_jobs=1).forecast(
        df=long, h=days * 24)
    return forecast["MSTL"].to_numpy().reshape(filled.shape[1], days * 24).T, None


def city_hourly(city: str, file: str, offset: int = 0) -> tuple[pd.DataFrame, str]:
    """A city's hourly table of ``file`` without its last ``offset`` days, and its measure."""
    from evcore.io import read_file

    measure = "occupancy" if file == "duration.csv" else "energy"
    hourly = read_file(DATA / f"charged_{city}" / file, measure=measure).dataset.hourly
    if offset:
        hourly = hourly[hourly["time"] < hourly["time"].max().normalize() - pd.Timedelta(days=offset - 1)]
    return hourly, measure


PEER_NAMES = ("mstl", "seasonal_naive", "hour_of_week_mean")


def backtest(hourly: pd.DataFrame, measure: str, args, settings) -> tuple[dict, str]:
    """The hourly backtest of the served forecast, the network alone and the peers, with each
    model's ratios to the best peer's WAPE and peak WAPE (``ratio``, ``peak_ratio``), and the
    name of the peer with the best WAPE."""
    from evcore.forecast.hourly_pipeline import load_backtest

    models = load_backtest(hourly, days=args.days, folds=args.folds, settings=settings, measure=measure,
                           peers={"mstl": mstl_model})["models"]
    best = min(PEER_NAMES, key=lambda p: models[p]["wape"])
    best_peak = min(models[p]["peak_wape"] for p in PEER_NAMES)
    return {name: {**m, "ratio": m["wape"] / models[best]["wape"], "peak_ratio": m["peak_wape"] / best_peak}
            for name, m in models.items()}, best


def _settings(args):
    from evcore.config import Settings

    return Settings(checkpoints=Path(tempfile.mkdtemp()), device=args.device, hourly=json.loads(args.hourly))


def stress(args) -> None:
    """The served forecast on each city's file changed by each of ``HOURLY_SCENARIOS`` (all, or
    those named after ``--stress``): one row a case, ratios to the best peer in the same run."""
    from evcore.forecast.scenarios import HOURLY_SCENARIOS, on_hourly

    names = args.stress or list(HOURLY_SCENARIOS)
    unknown = sorted(set(names) - set(HOURLY_SCENARIOS))
    if unknown:
        raise SystemExit(f"error: no scenario {', '.join(unknown)}; there are {', '.join(HOURLY_SCENARIOS)}")
    print(f"{args.file}, offset {args.offset} days, {args.folds} folds of {args.days} days; ratios to the best of "
          f"{', '.join(PEER_NAMES)}")
    settings = _settings(args)
    print(f"{'case':22s} {'st':>3s} {'lstm':>6s} {'ratio':>6s} {'network':>7s} {'peak':>6s} {'coverage':>8s} "
          f"{'peak_cov':>8s} {'best peer':>17s} {'s':>5s}")
    for city in args.cities:
        hourly, measure = city_hourly(city, args.file, args.offset)  # the cases count back from the cut
        for name in names:
            began = time.perf_counter()
            changed = on_hourly(HOURLY_SCENARIOS[name], hourly, measure)
            models, best = backtest(changed, measure, args, settings)
            lstm = models["lstm"]
            print(f"{city + ' ' + name:22s} {changed['station_id'].nunique():3d} {lstm['wape']:6.3f} "
                  f"{lstm['ratio']:6.3f} {models['lstm_network']['ratio']:7.3f} {lstm['peak_ratio']:6.3f} "
                  f"{lstm['coverage']:8.3f} {lstm['peak_coverage']:8.3f} {best:>17s} "
                  f"{time.perf_counter() - began:5.0f}", flush=True)


def accuracy(args) -> None:
    settings = _settings(args)
    for city in args.cities:
        hourly, measure = city_hourly(city, args.file, args.offset)
        began = time.perf_counter()
        models, _ = backtest(hourly, measure, args, settings)
        stations = hourly["station_id"].nunique()
        days = hourly["time"].dt.normalize().nunique()
        print(f"\n{city} {args.file} ({measure}), offset {args.offset} days, {args.folds} folds of {args.days} days, "
              f"{stations} stations, {days} days; "
              f"{time.perf_counter() - began:.0f} s, load average {os.getloadavg()[0]:.1f}")
        print(f"{'model':20s} {'wape':>7s} {'ratio':>6s} {'peak_wape':>9s} {'ratio':>6s} {'coverage':>8s} "
              f"{'peak_cov':>8s} {'seconds':>8s}")
        for name, m in models.items():
            cov = "" if m["coverage"] is None else f"{m['coverage']:.3f}"
            pcov = "" if m["peak_coverage"] is None else f"{m['peak_coverage']:.3f}"
            print(f"{name:20s} {m['wape']:7.3f} {m['ratio']:6.3f} {m['peak_wape']:9.3f} "
                  f"{m['peak_ratio']:6.3f} {cov:>8s} {pcov:>8s} {m['seconds']:8.1f}")
        print(f"lstm training per fold: {models['lstm']['seconds'] / args.folds:.1f} s "
              "(the fit, its calibration training included, and the forecast)")


def scale(args) -> None:
    """Train and forecast ``--stations`` synthetic stations x ``--scale-days`` days, 30 days ahead."""
    from evcore.forecast.hourly_pipeline import load_forecast

    rng = np.random.default_rng(0)
    times = pd.date_range("2024-01-01", periods=args.scale_days * 24, freq="h")
    hump = 1 + np.sin((times.hour.to_numpy() - 6) / 24 * 2 * np.pi).clip(0)
    weekend = np.where(times.day_of_week.to_numpy() >= 5, 0.6, 1.0)
    size = rng.gamma(2, 2, args.stations)
    values = (size[None, :] * (hump * weekend)[:, None] * rng.gamma(2, 0.5, (len(times), args.stations))).astype(
        np.float32)
    hourly = pd.DataFrame({"station_id": np.repeat([f"S{i:04d}" for i in range(args.stations)], len(times)),
                           "time": np.tile(times.to_numpy(), args.stations), "energy": values.T.ravel(),
                           "occupancy": np.nan})
    del values
    began = time.perf_counter()
    rows, peaks = load_forecast(hourly, horizon=30, settings=_settings(args))
    took = time.perf_counter() - began
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20
    print(f"scale: {args.stations} stations x {args.scale_days} days hourly -> {len(rows):,} hourly rows and "
          f"{len(peaks):,} peaks 30 days ahead in {took:.0f} s (training included), peak memory {peak_rss:.2f} GB "
          f"(whole process), load average {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cities", nargs="+", default=["jhb", "mel"])
    parser.add_argument("--file", default="volume.csv", choices=["volume.csv", "duration.csv"])
    parser.add_argument("--offset", type=int, default=0, help="leave out this many days at the end first")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    parser.add_argument("--scale", action="store_true", help="the scale figures instead of the accuracy table")
    parser.add_argument("--stations", type=int, default=1000)
    parser.add_argument("--scale-days", type=int, default=365)
    parser.add_argument("--hourly", default="{}", help="JSON of HourlyForecaster parameters (default: the shipped ones)")
    parser.add_argument("--stress", nargs="*", metavar="CASE",
                        help="the changed networks of evcore.forecast.scenarios instead (all, or these)")
    args = parser.parse_args()
    if args.scale:
        scale(args)
    elif args.stress is not None:
        stress(args)
    else:
        accuracy(args)


if __name__ == "__main__":
    main()
