"""Projection error of the growth model against compound and linear growth.

Histories: Washington's EVs counted by model year per county and per ZIP code (the extract in
../shared/data; model year is not registration year, and the extract is a sample), the county
history again with a made-up fleet per county (EVs 1-6% of it in 2025), and synthetic
Bass and logistic histories with noise (with and without each area's fleet). Each history is cut
at several years; the part after the cut is what the projections (1 to 6 years ahead) are held
against. WAPE over areas = sum |projected - actual| / sum actual, per cut year and horizon;
coverage = the share of areas whose actual count lies inside the 80% interval.

    /work/main/.venv/bin/python bench/growth.py [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evcore.growth import compound_growth, linear_growth, project_history  # noqa: E402

WA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wa_ev_population" / "Electric_Vehicle_Population_Data.csv"
METHODS = {"diffusion": project_history, "compound": compound_growth, "linear": linear_growth}


def wa_histories() -> dict[str, pd.DataFrame]:
    from evcore.io.history import count_vehicles

    table = pd.read_csv(WA, dtype=str)
    out = {}
    for label, column in (("WA county", "County"), ("WA ZIP", "Postal Code")):
        history = count_vehicles(table, WA.name, "Model Year", column, [])
        out[label] = history[(history["year"] >= 2010) & (history["year"] <= 2025)]  # 2026 folded into 2025
    # The extract has no fleet sizes: to exercise the model in the share of the fleet, each county
    # gets a made-up fleet in which its 2025 EVs are 1-6% (EV shares of that order are real).
    county = out["WA county"]
    last = county[county["year"] == 2025].set_index("area")["vehicles"]
    share = pd.Series(np.random.default_rng(0).uniform(0.01, 0.06, len(last)), index=last.index)
    out["WA county, fleet assumed"] = county.assign(all_vehicles=county["area"].map((last / share).clip(lower=1000)))
    return out


def synthetic(kind: str, fleet_known: bool, seed: int, areas: int = 40, years: int = 16) -> pd.DataFrame:
    """Areas on one diffusion curve each (Bass or logistic), sizes spread over two orders of
    magnitude, own rates and timing, Poisson counting plus 5% yearly noise on the additions."""
    rng = np.random.default_rng(seed)
    fleet = np.round(np.exp(rng.uniform(np.log(2e3), np.log(5e5), areas)))
    share = rng.uniform(0.3, 0.9, areas)
    p = np.exp(rng.normal(np.log(0.004), 0.4, areas))
    q = np.exp(rng.normal(np.log(0.35), 0.2, areas))
    rows = []
    for a in range(areas):
        potential = share[a] * fleet[a]
        n = potential * (0.002 if kind == "logistic" else 0.0)
        for y in range(years):
            if kind == "bass":
                mean = (p[a] * potential + q[a] * n) * (1 - n / potential)
            else:
                mean = q[a] * n * (1 - n / potential)
            n += rng.poisson(max(mean, 0) * np.exp(rng.normal(0, 0.05)))
            row = {"year": 2010 + y, "area": f"area {a}", "vehicles": float(n)}
            if fleet_known:
                row["all_vehicles"] = float(fleet[a])
            rows.append(row)
    return pd.DataFrame(rows)


def evaluate(history: pd.DataFrame, cuts, horizon: int) -> pd.DataFrame:
    rows = []
    for cut in cuts:
        seen = history[history["year"] <= cut]
        until = min(cut + horizon, int(history["year"].max()))
        truth = history[(history["year"] > cut) & (history["year"] <= until)][["area", "year", "vehicles"]]
        for name, method in METHODS.items():
            projection = method(seen, until).merge(truth, on=["area", "year"], suffixes=("", "_actual"))
            for h, part in projection.groupby(projection["year"] - cut):
                actual = part["vehicles_actual"]
                inside = (actual >= part["lower"]) & (actual <= part["upper"])
                rows.append({"cut": cut, "h": int(h), "method": name,
                             "wape": float((part["vehicles"] - actual).abs().sum() / actual.sum()),
                             "coverage": float(inside.mean()),
                             "coverage_weighted": float((inside * actual).sum() / actual.sum())})
    return pd.DataFrame(rows)


def report(label: str, results: pd.DataFrame) -> dict:
    table = results.pivot_table(index=["cut", "h"], columns="method", values="wape")
    table = table[list(METHODS)]
    print(f"\n## {label}: WAPE over areas, per cut year and horizon")
    print(table.round(3).to_string())
    per_cut = results.groupby(["cut", "method"])["wape"].mean().unstack()[list(METHODS)]
    print("mean over horizons, per cut year:")
    print(per_cut.round(3).to_string())
    mean = per_cut.mean()
    ours = results[results["method"] == "diffusion"]
    cover, cover_w = ours["coverage"].mean(), ours["coverage_weighted"].mean()
    print(f"mean of cut years: diffusion {mean['diffusion']:.3f}, compound {mean['compound']:.3f}, linear "
          f"{mean['linear']:.3f}; diffusion / compound = {mean['diffusion'] / mean['compound']:.2f}; worst cut: "
          f"diffusion {per_cut['diffusion'].max():.3f}, compound {per_cut['compound'].max():.3f}")
    print(f"80% interval coverage (diffusion): {cover:.2f} of areas, {cover_w:.2f} of vehicles")
    return {"label": label, **{m: round(float(mean[m]), 3) for m in METHODS},
            "worst_diffusion": round(float(per_cut["diffusion"].max()), 3), "coverage": round(float(cover), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer synthetic histories")
    parser.add_argument("--horizon", type=int, default=6)
    args = parser.parse_args()
    start = time.perf_counter()
    summary = []
    if WA.exists():
        for label, history in wa_histories().items():
            summary.append(report(label, evaluate(history, [2017, 2018, 2019, 2020, 2021, 2022], args.horizon)))
    else:
        print(f"({WA} is absent: Washington's histories skipped)")
    seeds = [1] if args.quick else [1, 2, 3]
    for kind in ("bass", "logistic"):
        for fleet_known in (True, False):
            results = pd.concat([evaluate(synthetic(kind, fleet_known, seed), [2018, 2019, 2020], args.horizon)
                                 .assign(seed=seed) for seed in seeds])
            results = results.groupby(["cut", "h", "method"], as_index=False)[["wape", "coverage", "coverage_weighted"]].mean()
            summary.append(report(f"synthetic {kind}, fleet {'known' if fleet_known else 'unknown'}", results))
    print("\n## summary (mean WAPE over cut years and horizons 1-6)")
    print(pd.DataFrame(summary).to_string(index=False))
    print(f"\n{time.perf_counter() - start:.0f} s (timings noisy: shared machine)")


if __name__ == "__main__":
    main()
