"""The embedded demo dataset: Seattle metro charging stations, made by our own code.

Deterministic (fixed seed): 48 stations across Seattle, Bellevue, Redmond, Tacoma and Everett,
480 days of daily energy with a weekly rhythm, growth, holiday dips, station-to-station scale,
a few outliers and missing days; and EV demand points (registered vehicles) for the same area,
suburbs without stations included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.data import Dataset
from evcore.demo_sessions import SESSION_WEEKS, demo_sessions

START = "2024-01-01"
DAYS = 480
SEED = 20240101

# Neighbourhood centres (lat, lon, spread in degrees, share of stations, share of vehicles).
AREAS = [
    ("Downtown Seattle", 47.6062, -122.3321, 0.012, 10, 0.16),
    ("Capitol Hill", 47.6253, -122.3222, 0.008, 4, 0.08),
    ("Ballard", 47.6687, -122.3844, 0.010, 4, 0.07),
    ("University District", 47.6615, -122.3130, 0.009, 4, 0.07),
    ("West Seattle", 47.5707, -122.3868, 0.012, 3, 0.06),
    ("Bellevue", 47.6101, -122.2015, 0.014, 7, 0.15),
    ("Redmond", 47.6740, -122.1215, 0.014, 5, 0.12),
    ("Kirkland", 47.6769, -122.2060, 0.010, 3, 0.08),
    ("Renton", 47.4829, -122.2171, 0.012, 3, 0.07),
    ("Tacoma", 47.2529, -122.4443, 0.015, 3, 0.08),
    ("Everett", 47.9790, -122.2021, 0.014, 2, 0.06),
    # Suburbs with many EVs and no station yet: where the Placement page has something to find.
    ("Lynnwood", 47.8279, -122.3053, 0.012, 0, 0.05),
    ("Bothell", 47.7601, -122.2054, 0.012, 0, 0.04),
    ("Issaquah", 47.5301, -122.0326, 0.012, 0, 0.04),
    ("Sammamish", 47.6163, -122.0356, 0.012, 0, 0.05),
    ("Kent", 47.3809, -122.2348, 0.012, 0, 0.04),
    ("Federal Way", 47.3223, -122.3126, 0.012, 0, 0.04),
    ("Puyallup", 47.1854, -122.2929, 0.012, 0, 0.03),
]

# US holidays in the demo period: usage dips on these days.
HOLIDAYS = pd.to_datetime([
    "2024-01-01", "2024-01-15", "2024-02-19", "2024-05-27", "2024-06-19", "2024-07-04",
    "2024-09-02", "2024-10-14", "2024-11-11", "2024-11-28", "2024-11-29", "2024-12-24",
    "2024-12-25", "2024-12-31", "2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26",
])

WEEKLY_SHAPE = np.array([1.05, 1.08, 1.10, 1.08, 1.12, 0.82, 0.75])  # Monday .. Sunday


def demo_stations(rng: np.random.Generator | None = None) -> pd.DataFrame:
    rng = rng or np.random.default_rng(SEED)
    rows = []
    for area, lat, lon, spread, count, _ in AREAS:
        for i in range(count):
            ports = int(rng.choice([2, 2, 4, 4, 6, 8, 10]))
            rows.append({
                "station_id": f"SEA-{len(rows) + 1:03d}",
                "name": f"{area} #{i + 1}",
                "latitude": round(lat + rng.normal(0, spread), 6),
                "longitude": round(lon + rng.normal(0, spread * 1.4), 6),
                "ports": ports,
                "power_kw": float(rng.choice([7.2, 11.0, 22.0, 50.0, 150.0], p=[0.3, 0.25, 0.25, 0.12, 0.08])),
            })
    return pd.DataFrame(rows)


def demo_usage(stations: pd.DataFrame, rng: np.random.Generator | None = None) -> pd.DataFrame:
    """Daily kWh per station, long table, with a few outliers and missing days."""
    rng = rng or np.random.default_rng(SEED + 1)
    dates = pd.date_range(START, periods=DAYS, freq="D")
    t = np.arange(DAYS)
    weekday = WEEKLY_SHAPE[dates.day_of_week]
    holiday = np.where(dates.isin(HOLIDAYS), 0.55, 1.0)
    season = 1 + 0.06 * np.cos(2 * np.pi * (t - 15) / 365.25)  # a little more in winter
    frames = []
    for _, st in stations.iterrows():
        scale = st["ports"] * min(st["power_kw"], 50.0) * rng.lognormal(0.2, 0.45)
        growth = 1 + rng.uniform(0.0, 0.9) * t / DAYS
        # Some stations open later than the first day.
        opened = 0 if rng.random() < 0.85 else int(rng.integers(60, 300))
        # Each station has its own weekly profile: commuter sites peak on weekdays, malls at weekends.
        own_week = weekday ** rng.uniform(0.3, 1.6)
        level = scale * growth * own_week * holiday * season
        noisy = level * rng.gamma(12.0, 1 / 12.0, DAYS)
        noisy[:opened] = 0.0
        spikes = rng.random(DAYS) < 0.004
        noisy[spikes] *= rng.uniform(2.5, 4.0, spikes.sum())
        keep = rng.random(DAYS) > 0.01  # about 1% of days missing
        keep[:opened] = False
        frames.append(pd.DataFrame({
            "station_id": st["station_id"], "date": dates[keep], "usage": np.round(noisy[keep], 2),
        }))
    return pd.concat(frames, ignore_index=True)


def demo_demand(rng: np.random.Generator | None = None, points: int = 360, vehicles: int = 30000) -> pd.DataFrame:
    """Registered EVs aggregated to neighbourhood points (like ZIP-code centroids)."""
    rng = rng or np.random.default_rng(SEED + 2)
    shares = np.array([a[5] for a in AREAS])
    area_of_point = rng.choice(len(AREAS), size=points, p=shares / shares.sum())
    lat = np.array([AREAS[a][1] for a in area_of_point]) + rng.normal(0, 0.025, points)
    lon = np.array([AREAS[a][2] for a in area_of_point]) + rng.normal(0, 0.035, points)
    weight = rng.lognormal(0, 0.8, points)
    weight = np.maximum(1, np.round(weight / weight.sum() * vehicles)).astype(int)
    return pd.DataFrame({"latitude": lat.round(5), "longitude": lon.round(5), "weight": weight})


def demo_dataset() -> Dataset:
    """The dashboard's default: the same tables on every machine, every time."""
    stations = demo_stations(np.random.default_rng(SEED))
    usage = demo_usage(stations, np.random.default_rng(SEED + 1))
    demand = demo_demand(np.random.default_rng(SEED + 2))
    sessions, hourly = demo_sessions(stations, usage, np.random.default_rng(SEED + 3))
    return Dataset(
        name="Demo: Seattle metro (generated)",
        usage=usage,
        stations=stations,
        demand=demand,
        usage_unit="kWh",
        hourly=hourly,
        sessions=sessions,
        notes=[
            f"Generated demo data: {len(stations)} stations, {DAYS} days of daily energy (kWh) "
            f"from {START}, {len(sessions):,} charging sessions in its last {SESSION_WEEKS} weeks (so hourly load and "
            f"port capacity can be shown), and {int(demand['weight'].sum()):,} registered EVs at {len(demand)} points."
        ],
    )
