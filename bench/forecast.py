"""Backtest table per real city in ../shared/data: the LSTM against baselines and two strong peers.

    python bench/forecast.py [--city charged_jhb ...] [--file volume.csv] [--offset 0]
                             [--horizon 10] [--folds 3] [--no-peers]

Reads ``charged_*/volume.csv`` (hourly energy per site; ``--file duration.csv``: charging hours,
a second series of the same kind) as daily totals, leaves out its last ``--offset`` days (to
check the figures on earlier windows than the protocol's), and runs the DESIGN.md
backtest (the same as ``python -m evcore backtest``) of the shipped models plus two peers that
need the benchmark-only packages of ``requirements-bench.txt``:

- ``peer_ensemble``: per station and day, the median of statsforecast's AutoETS(season 7),
  AutoTheta(season 7) and SeasonalNaive(7) (their 80% bounds likewise);
- ``lightgbm``: one mlforecast LightGBM model across all stations (lags 1-28, rolling means of
  7 and 28 days, weekday); a point forecast only (no interval, coverage 0).

Prints WAPE, MAE and 80% interval coverage per model, each model's WAPE as a ratio to the peer
ensemble's (the bar: ``lstm_network`` at most 1.0, ``lstm`` at most 0.95), and the seconds
taken. The machine is shared, so seconds are noisy; the ratios are the figures to compare.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"

from evcore.config import Settings  # noqa: E402
from evcore.forecast import Forecaster, backtest, default_models  # noqa: E402
from evcore.io import read_usage  # noqa: E402


def _long(history: pd.DataFrame) -> pd.DataFrame:
    """The wide daily matrix as Nixtla's long frame (unique_id, ds, y)."""
    return (history.rename_axis(index="ds", columns="unique_id").stack().rename("y").reset_index()
            [["unique_id", "ds", "y"]])


def _wide(forecast: pd.DataFrame, column: str, stations, horizon: int) -> np.ndarray:
    table = forecast.pivot(index="ds", columns="unique_id", values=column)
    return table.reindex(columns=stations).to_numpy(float)[:horizon]


class PeerEnsemble(Forecaster):
    """Median of statsforecast's AutoETS, AutoTheta and seasonal naive (weekly)."""

    name = "peer_ensemble"
    MODELS = ("AutoETS", "AutoTheta", "SeasonalNaive")

    def fit(self, history, progress=None):
        self.history_ = history
        return self

    def predict(self, horizon):
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, AutoTheta, SeasonalNaive

        sf = StatsForecast(models=[AutoETS(season_length=7), AutoTheta(season_length=7),
                                   SeasonalNaive(season_length=7)], freq="D", n_jobs=1)
        out = sf.forecast(df=_long(self.history_), h=horizon, level=[80])
        cols = self.history_.columns
        parts = [[_wide(out, f"{m}{suffix}", cols, horizon) for m in self.MODELS]
                 for suffix in ("-lo-80", "", "-hi-80")]
        return tuple(np.clip(np.nanmedian(p, axis=0), 0, None) for p in parts)


class LightGBMGlobal(Forecaster):
    """One LightGBM model across all stations (mlforecast): lags 1-28, rolling means, weekday."""

    name = "lightgbm"

    def fit(self, history, progress=None):
        self.history_ = history
        return self

    def predict(self, horizon):
        from lightgbm import LGBMRegressor
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import RollingMean

        model = MLForecast(models=[LGBMRegressor(n_estimators=300, learning_rate=0.05, num_leaves=31,
                                                 random_state=0, n_jobs=1, verbosity=-1)],
                           freq="D", lags=list(range(1, 29)),
                           lag_transforms={1: [RollingMean(7), RollingMean(28)]}, date_features=["dayofweek"])
        model.fit(_long(self.history_))
        point = np.clip(_wide(model.predict(horizon), "LGBMRegressor", self.history_.columns, horizon), 0, None)
        return point, point, point


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", action="append")
    parser.add_argument("--file", default="volume.csv", help="which file of each city (volume.csv or duration.csv)")
    parser.add_argument("--offset", type=int, default=0, help="days left out at the end (folds end that much earlier)")
    parser.add_argument("--horizon", type=int, default=10)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the folds (as the CLI)")
    parser.add_argument("--no-peers", action="store_true", help="leave out the statsforecast and LightGBM peers")
    parser.add_argument("--no-lstm", action="store_true", help="leave out the LSTM (the baselines and peers alone)")
    args = parser.parse_args()
    settings = Settings.from_env()
    cities = args.city or sorted(p.name for p in DATA.glob("charged_*") if (p / args.file).exists())
    for city in cities:
        began = time.perf_counter()
        usage = read_usage(DATA / city / args.file)
        if args.offset:
            usage = usage[usage["date"] <= usage["date"].max() - pd.Timedelta(days=args.offset)]
        models = default_models(settings)[1 if args.no_lstm else 0:]
        models += [] if args.no_peers else [PeerEnsemble(), LightGBMGlobal()]
        result = backtest(usage, horizon=args.horizon, folds=args.folds, models=models, n_jobs=args.jobs)
        seconds = time.perf_counter() - began
        table = result.summary.set_index("model")
        print(f"\n{city}/{args.file}: {usage['station_id'].nunique()} stations, {usage['date'].nunique()} days "
              f"(to {usage['date'].max():%Y-%m-%d}), "
              f"horizon {args.horizon}, {args.folds} folds, {seconds:.1f} s in all")
        reference = "peer_ensemble" if "peer_ensemble" in table.index else "seasonal_naive"
        table[f"ratio_to_{reference}"] = table["wape"] / table.loc[reference, "wape"]
        print(table.round(4).to_string())
        print("per fold WAPE:\n" + result.per_fold.pivot(index="model", columns="fold", values="wape")
              .round(4).to_string())
        sys.stdout.flush()


if __name__ == "__main__":
    import warnings

    warnings.filterwarnings("ignore", category=RuntimeWarning)  # statsmodels on silent stations
    os.environ.setdefault("PYTHONWARNINGS", "ignore::RuntimeWarning")  # and in the fold processes
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
