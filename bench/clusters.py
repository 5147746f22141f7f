"""Clustering benchmark: speed of k-medians against scikit-learn's KMeans, k-medians quality
against a plain reference, and DBSCAN against scikit-learn's haversine DBSCAN on real sites.

    python bench/clusters.py                  # everything (the reference on 10^6 points takes minutes)
    python bench/clusters.py --sizes 10000 100000 --no-reference
    python bench/clusters.py --data uniform --sizes 1000000
    python bench/clusters.py --sizes 10000 --no-reference --no-dbscan --csv 10000000 [--csv-reference-runs 1]

Timings on a shared machine are noisy: read the ratios to scikit-learn measured in the same run.
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

from evcore.cluster import DBSCAN, KMedians  # noqa: E402
from evcore.geo import EARTH_RADIUS_KM, LocalProjection  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
K = 20


def synthetic_points(n: int, seed: int = 1) -> np.ndarray:
    """[lat, lon] of n points around Seattle: 40 heavy-tailed blobs of uneven size (outliers
    included, as real station and vehicle locations have)."""
    rng = np.random.default_rng(seed)
    blobs = 40
    centres = np.column_stack((47.6 + rng.normal(0, 0.25, blobs), -122.3 + rng.normal(0, 0.35, blobs)))
    which = rng.choice(blobs, n, p=rng.dirichlet(np.ones(blobs)))
    spread = rng.uniform(0.01, 0.06, blobs)[which]
    lat = centres[which, 0] + rng.standard_t(3, n) * spread * 0.6
    lon = centres[which, 1] + rng.standard_t(3, n) * spread
    return np.column_stack((lat, lon))


def uniform_points(n: int, seed: int = 1) -> np.ndarray:
    """[lat, lon] of n points spread evenly over a 65 x 55 km box around Seattle: no natural
    groups, so restarts land on near-equal optima and the comparison with the reference is tight."""
    rng = np.random.default_rng(seed)
    return np.column_stack((rng.uniform(47.3, 47.9, n), rng.uniform(-122.6, -121.9, n)))


DATA = {"blobs": synthetic_points, "uniform": uniform_points}


# --- a plain k-medians, written for clarity, to check the library's result against ------------

def reference_kmedians(xy: np.ndarray, k: int, seed: int, max_iter: int = 300):
    """k-means++ seeding (probability proportional to Manhattan distance), then Lloyd steps with
    np.median per cluster until no point changes cluster. Returns (objective, centres)."""
    rng = np.random.default_rng(seed)
    n = len(xy)
    centres = [xy[rng.integers(n)]]
    closest = np.abs(xy - centres[0]).sum(axis=1)
    for _ in range(1, k):
        centres.append(xy[rng.choice(n, p=closest / closest.sum())])
        closest = np.minimum(closest, np.abs(xy - centres[-1]).sum(axis=1))
    centres = np.array(centres)
    labels = None
    distance = np.empty((n, k))
    for _ in range(max_iter):
        for c in range(k):
            distance[:, c] = np.abs(xy - centres[c]).sum(axis=1)
        new_labels = distance.argmin(axis=1)
        if labels is not None and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for c in range(k):
            members = xy[labels == c]
            if len(members):
                centres[c] = np.median(members, axis=0)
    objective = np.abs(xy - centres[labels]).sum()
    return objective, centres


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def bench_speed(sizes, make_points):
    from sklearn.cluster import KMeans as SklearnKMeans
    from threadpoolctl import threadpool_limits

    def sklearn_kmeans(xy, threads):
        with threadpool_limits(limits=threads):
            return SklearnKMeans(K, n_init=5, random_state=0).fit(xy)

    print(f"k-medians (k={K}, library defaults; numpy, one thread) vs scikit-learn KMeans (k={K}, n_init=5)")
    print("on the same km points; ratio = k-medians / KMeans on one thread (like for like). KMeans on")
    print("all threads is shown too: on a machine shared with other jobs its threads wait on each other.")
    print(f"{'points':>10} {'kmedians s':>11} {'KMeans 1 thread s':>18} {'ratio':>6} "
          f"{'KMeans all threads s':>21} {'iters':>6}")
    warm = make_points(2000)  # imports and thread pools start outside the timings
    KMedians(K, random_state=0).fit(warm)
    sklearn_kmeans(warm, 1)
    fitted = {}
    for n in sizes:
        points = make_points(n)
        model, t_ours = timed(lambda: KMedians(K, random_state=0).fit(points))
        xy = LocalProjection.around(points[:, 0], points[:, 1]).to_km(points[:, 0], points[:, 1])
        _, t_one = timed(lambda: sklearn_kmeans(xy, 1))
        _, t_all = timed(lambda: sklearn_kmeans(xy, None))
        print(f"{n:>10,} {t_ours:>11.2f} {t_one:>18.2f} {t_ours / t_one:>6.2f} {t_all:>21.2f} {model.n_iter_:>6}",
              flush=True)
        fitted[n] = (points, model, t_ours)
    return fitted


def check_medians(points, model) -> float:
    """Largest km between a centre and the coordinate-wise median of its members."""
    xy = model.projection_.to_km(points[:, 0], points[:, 1])
    worst = 0.0
    for c in range(model.n_clusters_):
        members = xy[model.labels_ == c]
        if len(members):
            worst = max(worst, float(np.abs(np.median(members, axis=0) - model.cluster_centers_km_[c]).max()))
    return worst


def bench_reference(points, model, seconds):
    xy = model.projection_.to_km(points[:, 0], points[:, 1])
    print(f"\nk-medians on {len(points):,} points, k={K}: library vs best of 5 plain reference runs")
    print(f"  library: objective {model.objective_:,.1f} km in {seconds:.1f} s; "
          f"largest centre-to-member-median gap {check_medians(points, model):.2e} km")
    best = np.inf
    for seed in range(5):
        (objective, _), t = timed(lambda: reference_kmedians(xy, K, seed))
        best = min(best, objective)
        print(f"  reference run {seed}: objective {objective:,.1f} km in {t:.1f} s", flush=True)
    print(f"  library / best reference = {model.objective_ / best:.4f} (bar: at most 1.01)")


def bench_dbscan():
    from sklearn.cluster import DBSCAN as SklearnDBSCAN
    from sklearn.metrics import adjusted_rand_score

    print("\nDBSCAN eps 1.0 km, min_samples 3 vs scikit-learn DBSCAN(metric='haversine')")
    for city in ("charged_jhb", "charged_mel"):
        path = SHARED / city / "sites.csv"
        if not path.exists():
            print(f"  {path} is not on this machine: skipped")
            continue
        sites = pd.read_csv(path)
        ours = DBSCAN(eps_km=1.0, min_samples=3).fit(sites).labels_
        theirs = SklearnDBSCAN(eps=1.0 / EARTH_RADIUS_KM, min_samples=3, metric="haversine").fit(
            np.radians(sites[["latitude", "longitude"]].to_numpy())).labels_
        same = np.array_equal(ours == -1, theirs == -1) and adjusted_rand_score(ours, theirs) == 1.0
        print(f"  {city}: {len(sites)} sites, {ours.max() + 1} clusters, {(ours == -1).sum()} noise; "
              f"same partition: {same}")


def bench_csv(n: int, reference_runs: int) -> None:
    """The whole command on a CSV of n points: ``python -m evcore cluster --method kmedians --k 20``
    in a process of its own (reading the file included), its wall time and peak memory, and its
    objective against the plain reference on the same points."""
    import re
    import resource
    import subprocess
    import tempfile

    import pyarrow as pa
    import pyarrow.csv as pa_csv

    points = synthetic_points(n)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "points.csv"
        pa_csv.write_csv(pa.table({"latitude": points[:, 0].round(6), "longitude": points[:, 1].round(6)}), path)
        size_mb = path.stat().st_size / 1e6
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "evcore", "cluster", "--points", str(path), "--method",
                              "kmedians", "--k", str(K)], capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - started
    if run.returncode:
        print(run.stderr)
        return
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    centres = np.array([[float(a), float(b)] for a, b in re.findall(r"centre (-?[\d.]+), (-?[\d.]+)", run.stdout)])
    projection = LocalProjection.around(points[:, 0], points[:, 1])
    xy = projection.to_km(points[:, 0], points[:, 1])
    centres_km = projection.to_km(centres[:, 0], centres[:, 1])
    objective = sum(np.abs(xy[s:s + 1_000_000, None, :] - centres_km[None]).sum(axis=2).min(axis=1).sum()
                    for s in range(0, n, 1_000_000))
    print(f"\ncluster --method kmedians --k {K} on a {size_mb:,.0f} MB CSV of {n:,} points (reading included): "
          f"{seconds:.1f} s wall, peak memory {peak_mb:,.0f} MB; objective {objective:,.0f} km")
    for seed in range(reference_runs):
        (reference, _), t = timed(lambda: reference_kmedians(xy, K, seed))
        print(f"  plain reference run {seed}: objective {reference:,.0f} km in {t:.0f} s; "
              f"command / reference = {objective / reference:.4f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--data", choices=sorted(DATA), default="blobs",
                        help="blobs: 40 heavy-tailed groups (default); uniform: evenly spread points")
    parser.add_argument("--no-reference", action="store_true", help="skip the slow reference comparison")
    parser.add_argument("--no-dbscan", action="store_true", help="skip the DBSCAN comparison")
    parser.add_argument("--csv", type=int, nargs="*", default=[], metavar="N",
                        help="time the cluster command end to end on a CSV of N points (e.g. 10000000)")
    parser.add_argument("--csv-reference-runs", type=int, default=1,
                        help="plain reference runs to compare each --csv result with (0: none)")
    args = parser.parse_args()
    print(f"data: {args.data}")
    fitted = bench_speed(args.sizes, DATA[args.data])
    if not args.no_reference:
        points, model, seconds = fitted[max(fitted)]
        bench_reference(points, model, seconds)
    if not args.no_dbscan:
        bench_dbscan()
    for n in sorted(args.csv):  # peak memory of child processes only grows: smallest first
        bench_csv(n, args.csv_reference_runs)


if __name__ == "__main__":
    main()
