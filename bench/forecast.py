"""Backtest table (LSTM against baselines) for each real city in ../shared/data, with the time taken.

    python bench/forecast.py [--city charged_jhb ...] [--horizon 10] [--folds 3]

Reads ``charged_*/volume.csv`` (hourly energy per site) as daily totals, runs the DESIGN.md
backtest and prints WAPE, MAE and 80% interval coverage per model, the LSTM's ratio to the best
baseline measured in the same run, and the seconds taken. The machine is shared, so seconds are
noisy; the ratios are the figures to compare. Folds run in two processes, as in
``python -m evcore backtest``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data"

from evcore.forecast import backtest  # noqa: E402

# The peers measured on the same protocol (issue 3): the bar is 0.95 x the best of them.
PEERS = {"charged_jhb": {"seasonal_naive": 0.3765, "best_peer": 0.3401},
         "charged_mel": {"seasonal_naive": 0.3783, "best_peer": 0.3304}}


def read_daily_volume(path: Path) -> pd.DataFrame:
    """Wide hourly table (timestamp, one column a site) -> long daily totals."""
    try:
        from evcore.io import read_usage
        return read_usage(path)
    except ImportError:
        hourly = pd.read_csv(path, index_col=0, parse_dates=True)
        daily = hourly.resample("D").sum().rename_axis("date")
        return daily.reset_index().melt(id_vars="date", var_name="station_id", value_name="usage")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", action="append")
    parser.add_argument("--horizon", type=int, default=10)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the folds (as the CLI)")
    args = parser.parse_args()
    cities = args.city or sorted(p.name for p in DATA.glob("charged_*") if (p / "volume.csv").exists())
    for city in cities:
        began = time.perf_counter()
        usage = read_daily_volume(DATA / city / "volume.csv")
        result = backtest(usage, horizon=args.horizon, folds=args.folds, n_jobs=args.jobs)
        seconds = time.perf_counter() - began
        table = result.summary.set_index("model")
        best_baseline = table.drop(index=[m for m in table.index if m.startswith("lstm")])["wape"].min()
        print(f"\n{city}: {usage['station_id'].nunique()} stations, {usage['date'].nunique()} days, "
              f"horizon {args.horizon}, {args.folds} folds, {seconds:.1f} s in all")
        print(table.round(4).to_string())
        print("per fold WAPE:\n" + result.per_fold.pivot(index="model", columns="fold", values="wape")
              .round(4).to_string())
        print(f"lstm / best baseline WAPE: {table.loc['lstm', 'wape'] / best_baseline:.3f}")
        if city in PEERS and args.horizon == 10 and args.folds == 3:
            peers = PEERS[city]
            print(f"bar (0.95 x best peer {peers['best_peer']}): {0.95 * peers['best_peer']:.3f}; "
                  f"lstm {table.loc['lstm', 'wape']:.4f}; seasonal naive {table.loc['seasonal_naive', 'wape']:.4f} "
                  f"vs peer {peers['seasonal_naive']}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
