"""Placement benchmark: the fast solver against the exact one, on real and standard data.

    python bench/placement.py [--orlib-dir DIR] [--instances 1-5] [--skip-exact]
    python bench/placement.py --skip-washington --instances 0 --large 100000 1000000 [--cooper-starts 3]

1. Washington EV population (../shared/data/wa_ev_population, 365 points, 16,661 vehicles),
   candidates = the points: p-median mean km and MCLP (R = 5 km) coverage at k = 5, 10, 20,
   heuristic and exact in the same run, with a k-means baseline for context.
2. OR-Library p-median instances pmed1..pmed40 (Beasley 1990) with their published optima:
   gap of the fast solver, and its time. bench/data/orlib holds all 40 instances and their
   optima (pmedopt.txt; see its README for the source and the checks); --orlib-dir points at
   another folder of pmedN.txt files. --orlib-exact also solves each instance exactly (checks
   the copied data; practical up to pmed15).
3. State scale (--large N ...): N demand points spread like Washington's population, 10,000
   candidate sites (--candidates), k = 50: the large-scale p-median (no matrix) against Cooper's
   alternating location-allocation from --cooper-starts random starts (bench/state_scale.py), and
   maximal coverage within --radius-km; time, peak memory (each run in its own process) and the
   ratio to the reference, measured in the same run.

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
sys.path.insert(0, str(ROOT / "bench"))

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


def measured(task, *args, **kwargs):
    """(result, seconds, peak resident MB) of ``task(*args)`` run in a forked process of its own."""
    import multiprocessing
    import resource

    def child(pipe):
        started = time.perf_counter()
        result = task(*args, **kwargs)
        pipe.send((result, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))

    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=child, args=(send,))
    process.start()
    out = receive.recv()
    process.join()
    return out


def _large_model(model_class, n, m, k, seed, **kwargs):
    from state_scale import state_instance

    demand, weights, candidates = state_instance(n, m, seed)
    model = model_class.from_points(pd.DataFrame({"latitude": demand[:, 0], "longitude": demand[:, 1],
                                                  "weight": weights}), k=k,
                                    candidates=pd.DataFrame(candidates, columns=["latitude", "longitude"]), **kwargs)
    model.solve()
    return {"mean_km": model.mean_km_, "coverage": getattr(model, "coverage_", None), "gap": model.gap_,
            "large": model.large, "info": model.large_info_}


def _cooper(n, m, k, seed, starts):
    from state_scale import cooper, state_instance

    demand, weights, candidates = state_instance(n, m, seed)
    return cooper(demand, weights, candidates, k, starts=starts, seed=seed)[0]


def state_scale(sizes: list[int], m: int, k: int, starts: int, radius: float) -> None:
    print(f"\nState scale: {m:,} candidate sites, k = {k}; Cooper = alternating location-allocation, best of "
          f"{starts} random starts; time and peak memory per run (own process)")
    print(f"{'demand':>9} {'p-median km':>11} {'s':>6} {'MB':>6} {'Cooper km':>9} {'s':>6} {'MB':>6} "
          f"{'ours/Cooper':>11} | {'coverage':>8} {'s':>6} {'MB':>6} {'pairs in R':>11}", flush=True)
    for n in sizes:
        ours, t_ours, mb_ours = measured(_large_model, PMedian, n, m, k, 0)
        line = f"{n:>9,} {ours['mean_km']:>11.3f} {t_ours:>6.1f} {mb_ours:>6.0f}"
        if starts:
            ref, t_ref, mb_ref = measured(_cooper, n, m, k, 0, starts)
            line += f" {ref:>9.3f} {t_ref:>6.1f} {mb_ref:>6.0f} {ours['mean_km'] / ref:>11.4f}"
        else:
            line += f" {'-':>9} {'-':>6} {'-':>6} {'-':>11}"
        cover, t_cover, mb_cover = measured(_large_model, MaxCoverage, n, m, k, 0, radius=radius)
        pairs = (cover["info"] or {}).get("pairs_within_radius")
        line += (f" | {100 * cover['coverage']:>7.2f}% {t_cover:>6.1f} {mb_cover:>6.0f} "
                 f"{'-' if pairs is None else f'{pairs:,}':>11}")
        print(line, flush=True)
    print(f"(coverage: share of vehicles within {radius:g} km; no bound is computed at this size: gap None)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orlib-dir", type=Path, default=ROOT / "bench" / "data" / "orlib")
    parser.add_argument("--instances", default="1-40", help="pmed numbers, e.g. 1-5,10")
    parser.add_argument("--time-limit", type=float, default=None, help="fast solver's limit per instance")
    parser.add_argument("--skip-exact", action="store_true", help="Washington: fast solver only")
    parser.add_argument("--skip-washington", action="store_true")
    parser.add_argument("--orlib-exact", action="store_true", help="also solve each OR-Library instance exactly")
    parser.add_argument("--large", type=int, nargs="*", default=[], metavar="N",
                        help="state-scale runs with N demand points each (e.g. 100000 1000000)")
    parser.add_argument("--candidates", type=int, default=10_000, help="candidate sites of the state-scale runs")
    parser.add_argument("--k", type=int, default=50, help="new sites of the state-scale runs")
    parser.add_argument("--cooper-starts", type=int, default=3, help="random starts of the reference (0: skip it)")
    parser.add_argument("--radius-km", type=float, default=5.0, help="coverage radius of the state-scale runs")
    args = parser.parse_args()
    if not args.skip_washington:
        washington(args.skip_exact)
    if args.instances != "0":
        orlib(args.orlib_dir, parse_range(args.instances), args.time_limit, args.orlib_exact)
    if args.large:
        state_scale(args.large, args.candidates, args.k, args.cooper_starts, args.radius_km)


if __name__ == "__main__":
    main()
