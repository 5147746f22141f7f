"""The service's ``/predict-usage`` answers, from the library's forecast cache
(``evcore.forecast.cache``: the same tables the dashboard shows), encoded as JSON once per
forecast, so that a warm request only joins bytes and needs no worker thread.
"""

from __future__ import annotations

import json

import pandas as pd

from evcore.workspace import DatasetNotFound

ENCODED = "service_json_by_station"  # the name of the cache entry's view


def rows_by_station(table: pd.DataFrame) -> dict[str, list[dict]]:
    """The forecast rows (dates as YYYY-MM-DD, figures to 3 decimals) by station."""
    rows: dict[str, list[dict]] = {}
    columns = table[["station_id", "date", "forecast", "lower", "upper"]]
    for station, date, point, lower, upper in columns.itertuples(index=False):
        rows.setdefault(str(station), []).append({  # finite: forecast_table refuses anything else
            "station_id": str(station), "date": date.strftime("%Y-%m-%d"), "forecast": round(float(point), 3),
            "lower": round(float(lower), 3), "upper": round(float(upper), 3)})
    return rows


def encoded_by_station(table: pd.DataFrame) -> dict:
    """``rows_by_station`` as JSON arrays: one a station, and all stations under the key None."""
    encoded = {station: json.dumps(rows).encode() for station, rows in rows_by_station(table).items()}
    encoded[None] = b"[" + b",".join(part[1:-1] for part in encoded.values()) + b"]"
    return encoded


def _body(dataset_id: str, horizon: int, unit: str, encoded: dict, station_id: str | None) -> bytes:
    if station_id not in encoded:
        raise DatasetNotFound(f"The dataset {dataset_id!r} has no station {station_id!r}: expected one of its "
                              "station ids.")
    head = json.dumps({"dataset": dataset_id, "horizon": horizon, "unit": unit})[:-1].encode()
    return head + b', "forecast": ' + encoded[station_id] + b"}"


def cached_answer(datasets, forecasts, settings, dataset_id: str, station_id: str | None, horizon: int) -> bytes | None:
    """The answer when the dataset and its forecast are in memory already (no disk, no worker
    thread), else None."""
    loaded = datasets.peek(dataset_id)
    if loaded is None:
        return None
    dataset, fingerprint = loaded
    entry = forecasts.peek(dataset, horizon, settings, fingerprint=fingerprint)
    if entry is None:
        return None
    return _body(dataset_id, horizon, dataset.usage_unit, entry.view(ENCODED, encoded_by_station), station_id)


def _entry(datasets, forecasts, settings, dataset_id: str, horizon: int):
    dataset, fingerprint = datasets.get(dataset_id)
    return dataset, forecasts.entry(dataset, horizon, settings, fingerprint=fingerprint)


def answer(datasets, forecasts, settings, dataset_id: str, station_id: str | None, horizon: int) -> bytes:
    """The answer, loading the dataset and training (or loading) its model where needed."""
    dataset, entry = _entry(datasets, forecasts, settings, dataset_id, horizon)
    return _body(dataset_id, horizon, dataset.usage_unit, entry.view(ENCODED, encoded_by_station), station_id)


def forecast_rows(datasets, forecasts, settings, dataset_id: str, horizon: int) -> dict[str, list[dict]]:
    """The dataset's forecast rows by station (``/fetch-stations``'s predicted_usage)."""
    return _entry(datasets, forecasts, settings, dataset_id, horizon)[1].view("rows_by_station", rows_by_station)
