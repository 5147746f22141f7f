"""Placement benchmark: the fast solver against the exact one, on real and standard data.

    python bench/placement.py [--orlib-dir DIR] [--instances 1-5] [--skip-exact]

1. Washington EV population (../shared/data/wa_ev_population, 365 points, 16,661 vehicles),
   candidates = the points: p-median mean km and MCLP (R = 5 km) coverage at k = 5, 10, 20,
   heuristic and exact in the same run, with a k-means baseline for context.
2. OR-Library p-median instances pmed1..pmed40 (Beasley 1990) with their published optima:
   gap of the fast solver, and its time. bench/data/orlib holds all 40 instances and their
   optima (pmedopt.txt; see its README for the source and the checks); --orlib-dir points at
   another folder of pmedN.txt files. --orlib-exact also solves each instance exactly (checks
   the copied data; practical up to pmed15).

Timings are wall-clock on a shared machine (2 cores, other jobs running): compare the ratios
within one run, not the seconds across runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evcore.geo import LocalProjection, pairwise_haversine_km  # noqa: E402
from evcore.io import read_demand  # noqa: E402
from evcore.placement import MaxCoverage, PMedian, read_orlib  # noqa: E402

WA_FILE = ROOT.parent / "shared" / "data" / "wa_ev_population" / "Electric_Vehicle_Population_Data.csv"


def timed(model, **kwargs):
    started = time.perf_counter()
    model.solve(**kwargs)
    return model, time.perf_counter() - started


def kmeans_baseline(demand: pd.DataFrame, k: int) -> float:
    """Mean km per vehicle to k weighted k-means centres (local km projection)."""
    from sklearn.cluster import KMeans

    projection = LocalProjection.around(demand["latitude"], demand["longitude"])
    xy = projection.to_km(demand["latitude"], demand["longitude"])
    centres = KMeans(k, n_init=10, random_state=0).fit(xy, sample_weight=demand["weight"]).cluster_centers_
    ll = projection.to_latlon(centres)
    d = pairwise_haversine_km(demand["latitude"], demand["longitude"], ll[:, 0], ll[:, 1]).min(axis=1)
    return float(np.average(d, weights=demand["weight"]))


def washington(skip_exact: bool) -> None:
    if not WA_FILE.exists():
        print(f"Washington: {WA_FILE} is not on this machine, skipped")
        return
    demand = read_demand(WA_FILE)  # vehicles aggregated to their distinct WKT points
    print(f"Washington EV population: {len(demand)} points, {int(demand['weight'].sum()):,} vehicles, "
          "candidates = the points")
    print("\np-median (mean km per vehicle)")
    print(f"{'k':>3} {'k-means':>8} {'fast':>8} {'fast s':>7} {'gap<=':>7} {'exact':>8} {'exact s':>8} "
          f"{'fast/exact':>10} {'time ratio':>10}")
    for k in (5, 10, 20):
        fast, t_fast = timed(PMedian.from_points(demand, k=k))
        line = (f"{k:>3} {kmeans_baseline(demand, k):>8.3f} {fast.mean_km_:>8.3f} {t_fast:>7.2f} "
                f"{100 * fast.gap_:>6.2f}%")
        if not skip_exact:
            exact, t_exact = timed(PMedian.from_points(demand, k=k), exact=True)
            line += (f" {exact.mean_km_:>8.3f} {t_exact:>8.2f} {fast.mean_km_ / exact.mean_km_:>10.5f} "
                     f"{t_fast / t_exact:>10.2f}" + ("" if exact.optimal_ else "  (exact not proven)"))
        print(line)
    print("\nmaximal coverage, R = 5 km (share of vehicles within 5 km)")
    print(f"{'k':>3} {'fast':>8} {'fast s':>7} {'exact':>8} {'exact s':>8} {'p-median':>9}")
    for k in (5, 10, 20):
        fast, t_fast = timed(MaxCoverage.from_points(demand, k=k, radius=5.0))
        pmedian = PMedian.from_points(demand, k=k, radius=5.0).solve().figures()["share_within_radius"]
        line = f"{k:>3} {100 * fast.coverage_:>7.2f}% {t_fast:>7.2f}"
        if not skip_exact:
            exact, t_exact = timed(MaxCoverage.from_points(demand, k=k, radius=5.0), exact=True)
            line += f" {100 * exact.coverage_:>7.2f}% {t_exact:>8.2f}"
        print(line + f" {100 * pmedian:>8.2f}%")


def parse_range(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def orlib(folder: Path, numbers: list[int], time_limit: float | None, exact: bool = False) -> None:
    optima_file = folder / "pmedopt.txt"
    if not optima_file.exists():
        optima_file = ROOT / "bench" / "data" / "orlib" / "pmedopt.txt"
    optima = {}
    for line in optima_file.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            optima[parts[0]] = int(parts[1])
    rows = []
    missing = []
    for number in numbers:
        path = folder / f"pmed{number}.txt"
        if not path.exists():
            missing.append(number)
            continue
        cost, p = read_orlib(path)
        model, seconds = timed(PMedian.from_cost_matrix(cost, k=p), time_limit=time_limit)
        best = optima[f"pmed{number}"]
        row = {"instance": f"pmed{number}", "n": cost.shape[0], "p": p, "optimum": best,
               "fast": model.objective_, "gap_%": 100 * (model.objective_ - best) / best,
               "bound_gap_%": None if model.gap_ is None else 100 * model.gap_, "seconds": seconds}
        if exact:
            proven, exact_seconds = timed(PMedian.from_cost_matrix(cost, k=p), exact=True, time_limit=600)
            row.update({"exact": proven.objective_, "exact_seconds": exact_seconds})
        rows.append(row)
    print(f"\nOR-Library p-median instances ({folder})")
    if missing:
        print(f"not found there: pmed{', pmed'.join(map(str, missing))}")
    if not rows:
        return
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"gap to the published optimum: mean {table['gap_%'].mean():.3f}%, worst {table['gap_%'].max():.3f}%; "
          f"time: mean {table['seconds'].mean():.2f} s, worst {table['seconds'].max():.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orlib-dir", type=Path, default=ROOT / "bench" / "data" / "orlib")
    parser.add_argument("--instances", default="1-40", help="pmed numbers, e.g. 1-5,10")
    parser.add_argument("--time-limit", type=float, default=None, help="fast solver's limit per instance")
    parser.add_argument("--skip-exact", action="store_true", help="Washington: fast solver only")
    parser.add_argument("--skip-washington", action="store_true")
    parser.add_argument("--orlib-exact", action="store_true", help="also solve each OR-Library instance exactly")
    args = parser.parse_args()
    if not args.skip_washington:
        washington(args.skip_exact)
    orlib(args.orlib_dir, parse_range(args.instances), args.time_limit, args.orlib_exact)


if __name__ == "__main__":
    main()
