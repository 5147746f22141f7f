"""Forecast at scale: time and peak memory of reading a long usage CSV and forecasting every station.

    python bench/forecast_scale.py [--stations 1000 10000] [--days 365] [--device auto|cpu|cuda]
                                   [--horizon 10] [--lstm '{"epochs": 5}']

For each size, a synthetic long CSV (``station_id,date,usage``: weekly rhythm, station scale,
noise, some silent and some new stations) is written to a temporary folder, then a fresh process
reads it with ``evcore.io.read_usage`` and runs ``evcore.forecast.forecast_table`` with an empty
model store (training included). Printed per size: seconds to read, to forecast, in all, and the
process's peak resident memory (``resource.getrusage``), plus the GPU's peak memory on CUDA.
Each size runs in its own process so that peaks do not carry over. Default sizes: 1,000 and
10,000 stations, and 50,000 too when CUDA is present.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def write_usage_csv(path: Path, stations: int, days: int, seed: int = 0) -> None:
    """A long usage CSV written in chunks of stations (the file, not memory, holds it all)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    shape = np.array([1.0, 1.1, 1.2, 1.1, 1.3, 0.6, 0.4])
    date_text = dates.strftime("%Y-%m-%d").to_numpy()
    with open(path, "w") as out:
        out.write("station_id,date,usage\n")
        for first in range(0, stations, 1000):
            n = min(1000, stations - first)
            scale = rng.lognormal(3.0, 0.8, n)
            trend = 1 + rng.normal(0, 0.3, n)[None, :] * np.linspace(0, 1, days)[:, None]
            values = scale[None, :] * shape[dates.day_of_week][:, None] * trend * rng.gamma(8, 1 / 8, (days, n))
            values[:, rng.random(n) < 0.02] = 0.0                       # silent stations
            new = rng.random(n) < 0.05                                  # opened late
            values[: days // 2, new] = np.nan
            ids = np.array([f"S{first + i:06d}" for i in range(n)])
            frame = pd.DataFrame({"station_id": np.repeat(ids, days), "date": np.tile(date_text, n),
                                  "usage": values.T.ravel().round(2)}).dropna()
            frame.to_csv(out, header=False, index=False)


def run_one(path: Path, horizon: int, device: str, lstm: dict) -> dict:
    import resource

    from evcore.config import Settings
    from evcore.forecast import forecast_table
    from evcore.io import read_usage

    began = time.perf_counter()
    usage = read_usage(path)
    read_s = time.perf_counter() - began
    settings = Settings(checkpoints=Path(tempfile.mkdtemp()), device=device, lstm=lstm)
    began = time.perf_counter()
    table = forecast_table(usage, horizon=horizon, settings=settings)
    forecast_s = time.perf_counter() - began
    result = {"stations": int(usage["station_id"].nunique()), "rows": len(usage), "read_s": round(read_s, 1),
              "forecast_s": round(forecast_s, 1), "total_s": round(read_s + forecast_s, 1),
              "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
              "forecast_rows": len(table)}
    import torch

    if torch.cuda.is_available() and device != "cpu":
        result["gpu"] = torch.cuda.get_device_name()
        result["gpu_peak_gb"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, nargs="+", help="sizes to run (default 1000 10000, +50000 on CUDA)")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--horizon", type=int, default=10)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    parser.add_argument("--lstm", default="{}", help="JSON of LSTM parameters to change (default: none)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one CSV in this process
    args = parser.parse_args()
    lstm = json.loads(args.lstm)
    if args.one:
        print(json.dumps(run_one(Path(args.one), args.horizon, args.device, lstm)))
        return
    sizes = args.stations
    if sizes is None:
        import torch

        sizes = [1000, 10000] + ([50000] if torch.cuda.is_available() and args.device != "cpu" else [])
    with tempfile.TemporaryDirectory() as folder:
        for stations in sizes:
            path = Path(folder) / f"usage_{stations}.csv"
            began = time.perf_counter()
            write_usage_csv(path, stations, args.days)
            written = time.perf_counter() - began
            out = subprocess.run([sys.executable, __file__, "--one", str(path), "--horizon", str(args.horizon),
                                  "--device", args.device, "--lstm", args.lstm],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{stations} stations: failed\n{out.stderr[-2000:]}", flush=True)
                continue
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{stations} stations x {args.days} days ({path.stat().st_size / 2**20:.0f} MB CSV written in "
                  f"{written:.1f} s), device {args.device}: " + ", ".join(f"{k} {v}" for k, v in result.items()),
                  flush=True)


if __name__ == "__main__":
    main()
