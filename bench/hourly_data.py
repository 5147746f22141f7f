"""Hourly data kept (issue 16): how long reading, saving and loading take with the hourly table
and the sessions, how large they are, and how long ``capacity`` takes.

On the CHARGED files in ../shared/data (skipped when absent) and on a synthetic ChargePoint-style
session export of STATIONS stations x DAYS days (built here, deterministic). Timings are noisy
when the machine is shared: compare figures of one run.

    python bench/hourly_data.py                       # CHARGED + 500 stations x 180 days of sessions
    python bench/hourly_data.py --stations 1000 --days 365
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evcore.capacity import capacity_table  # noqa: E402
from evcore.io import combine, read_file  # noqa: E402
from evcore.workspace import Workspace  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def session_export(stations: int, days: int, seed: int = 0) -> bytes:
    """A ChargePoint-style export: about 6 sessions a station a day, 2 ports, minutes resolution."""
    rng = np.random.default_rng(seed)
    n = stations * days * 6
    station = rng.integers(0, stations, n)
    start = (pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, days * 1440, n), unit="min"))
    plugged = rng.lognormal(np.log(2.0), 0.6, n)
    charging = plugged * rng.uniform(0.4, 1.0, n)
    end = start + pd.to_timedelta(np.round(plugged * 60), unit="min")
    clock = lambda hours: pd.to_timedelta(np.round(hours * 3600), unit="s").astype(str).str.replace("0 days ", "")
    table = pd.DataFrame({"Station Name": [f"SITE {i:04d}" for i in station],
                          "Start Date": start.strftime("%m/%d/%Y %H:%M"), "End Date": end.strftime("%m/%d/%Y %H:%M"),
                          "Total Duration (hh:mm:ss)": clock(plugged), "Charging Time (hh:mm:ss)": clock(charging),
                          "Energy (kWh)": np.round(charging * 7.2, 3), "Port Number": rng.integers(1, 3, n),
                          "User ID": rng.integers(1, 10**6, n)})
    return table.sort_values("Start Date", kind="stable").to_csv(index=False).encode()


def measure(label: str, source, name: str, measure_of=None, stations_file=None) -> None:
    t = time.perf_counter()
    reading = read_file(source, name, measure=measure_of)
    read_s = time.perf_counter() - t
    readings = [reading] + ([read_file(stations_file)] if stations_file else [])
    dataset = combine(readings, name=label)
    ws = Workspace(tempfile.mkdtemp())
    t = time.perf_counter()
    info = ws.save(dataset, source="bench")
    save_s = time.perf_counter() - t
    t = time.perf_counter()
    ws.load(info["id"])
    load_s = time.perf_counter() - t
    with sqlite3.connect(ws.path) as con:
        sizes = dict(con.execute("SELECT kind, length(data) FROM dataset_tables WHERE dataset_id = ?", (info["id"],)))
    t = time.perf_counter()
    try:
        capacity = capacity_table(dataset)
        cap = f"{time.perf_counter() - t:5.2f} s ({len(capacity)} stations)"
    except Exception as exc:  # energy only: no capacity to work out
        cap = f"n/a ({str(exc)[:40]}...)"
    hourly = dataset.hourly
    memory = hourly.memory_usage(deep=True).sum() / 2**20
    sessions = f"{len(dataset.sessions):,}" if dataset.sessions is not None else "-"
    stored = {k: f"{v / 2**20:.2f}" for k, v in sizes.items()}
    print(f"| {label} | {read_s:.2f} s | {save_s:.2f} s | {load_s:.2f} s | {len(hourly):,} | {memory:.1f} MiB | "
          f"{stored.get('hourly', '-')} MiB | {sessions} | {stored.get('sessions', '-')} MiB | {cap} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=500)
    parser.add_argument("--days", type=int, default=180)
    args = parser.parse_args()
    print("| data | read | save | load | hourly rows | in memory | stored | sessions | stored | capacity |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for city in ("jhb", "mel"):
        folder = SHARED / f"charged_{city}"
        if not folder.exists():
            print(f"({folder} is not here: skipped)")
            continue
        measure(f"{city} volume", folder / "volume.csv", "volume.csv", None, folder / "sites.csv")
        measure(f"{city} duration (occupancy)", folder / "duration.csv", "duration.csv", "occupancy",
                folder / "sites.csv")
    export = session_export(args.stations, args.days)
    measure(f"sessions {args.stations} x {args.days} d ({len(export) / 2**20:.0f} MB)", export, "sessions.csv")


if __name__ == "__main__":
    main()
