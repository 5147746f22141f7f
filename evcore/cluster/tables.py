"""Stations and clusters as tables: the station-to-cluster table, usage joined on, one row per cluster."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.cluster.quality import distance_to_center_km


def station_clusters(points: pd.DataFrame, labels) -> pd.DataFrame:
    """The station-to-cluster table: identifying columns present in ``points`` (``station_id``,
    ``name``), ``latitude``, ``longitude`` and ``cluster`` (-1 for noise), one row per point."""
    columns = [c for c in ("station_id", "name", "latitude", "longitude") if c in points.columns]
    table = points[columns].reset_index(drop=True).copy()
    table["cluster"] = np.asarray(labels, dtype=np.int64)
    return table


def predicted_daily_usage(forecast: pd.DataFrame | None) -> pd.Series:
    """Each station's mean forecast per day over the forecast horizon (by station_id)."""
    if forecast is None or forecast.empty:
        return pd.Series(dtype=float, name="predicted_daily_usage")
    return forecast.groupby("station_id")["forecast"].mean().rename("predicted_daily_usage")


def add_usage(table: pd.DataFrame, recent: pd.Series, predicted: pd.Series) -> pd.DataFrame:
    """The station-to-cluster table with ``recent_daily_usage`` and ``predicted_daily_usage``
    (NaN where unknown) joined on ``station_id``."""
    out = table.copy()
    ids = out["station_id"].astype(str) if "station_id" in out.columns else pd.Series(index=out.index, dtype=str)
    out["recent_daily_usage"] = ids.map(recent.rename(index=str)).astype(float)
    out["predicted_daily_usage"] = ids.map(predicted.rename(index=str)).astype(float)
    return out


def cluster_table(stations: pd.DataFrame, centers) -> pd.DataFrame:
    """One row per cluster (noise last, as -1): ``cluster, stations, recent_daily_usage,
    predicted_daily_usage`` (sums over members, NaN when unknown), ``change_pct``,
    ``center_lat, center_lon``, ``spread_km`` (mean great-circle km from members to the centre)
    and ``max_km``. ``stations`` is a station-to-cluster table (optionally with usage columns)."""
    centers = np.asarray(centers, dtype=float).reshape(-1, 2)
    data = stations.copy()
    for column in ("recent_daily_usage", "predicted_daily_usage"):
        if column not in data.columns:
            data[column] = np.nan
    data["km"] = distance_to_center_km(data, data["cluster"], centers)
    grouped = data.groupby("cluster")
    table = pd.DataFrame({
        "stations": grouped.size(),
        "recent_daily_usage": grouped["recent_daily_usage"].sum(min_count=1),
        "predicted_daily_usage": grouped["predicted_daily_usage"].sum(min_count=1),
        "spread_km": grouped["km"].mean(),
        "max_km": grouped["km"].max(),
    }).reset_index()
    table["change_pct"] = 100 * (table["predicted_daily_usage"] / table["recent_daily_usage"] - 1)
    centre = pd.DataFrame(centers, columns=["center_lat", "center_lon"]).rename_axis("cluster").reset_index()
    table = table.merge(centre, on="cluster", how="left")
    table = table.sort_values("cluster", key=lambda s: s.where(s >= 0, np.iinfo(np.int64).max))
    return table[["cluster", "stations", "recent_daily_usage", "predicted_daily_usage", "change_pct",
                  "center_lat", "center_lon", "spread_km", "max_km"]].reset_index(drop=True)
