"""Located rows: station lists, Open Charge Map POIs, GeoJSON points, demand points (lat/lon
columns or WKT), and their coordinates checked."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.data import DEMAND_COLUMNS, STATION_COLUMNS, Dataset
from evcore.errors import InputError
from evcore.io.history import area_of_points, count_vehicles, history_layout
from evcore.io.reading import Reading
from evcore.io.tables import CHARGER_NAMES, NAME_NAMES, POWER_NAMES, WKT_POINT, find_column, line_of, numbers_in


def aggregate_points(points: pd.DataFrame) -> pd.DataFrame:
    """Sum weights over identical coordinates: one row per distinct location (with the area that
    holds most of its weight, where points name their area)."""
    grouped = points.groupby(["latitude", "longitude"], as_index=False, sort=True)["weight"].sum()
    if "area" not in points.columns or points["area"].isna().all():
        return grouped[DEMAND_COLUMNS].reset_index(drop=True)
    by_area = points.groupby(["latitude", "longitude", "area"], as_index=False, sort=False)["weight"].sum()
    main_area = (by_area.sort_values("weight", ascending=False, kind="stable")
                 .drop_duplicates(["latitude", "longitude"]).drop(columns="weight"))
    grouped = grouped.merge(main_area, on=["latitude", "longitude"], how="left")
    return grouped[DEMAND_COLUMNS + ["area"]].reset_index(drop=True)


def geojson_point_records(collection: dict, name: str) -> list[dict]:
    """GeoJSON Point features as flat records: their properties plus latitude and longitude."""
    features = collection.get("features")
    if not isinstance(features, list):
        raise InputError(f"{name}: the GeoJSON 'features' is a {type(features).__name__}, not a list: "
                         "expected a list of point features.")
    records = []
    for i, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if (not isinstance(geometry, dict) or geometry.get("type") != "Point"
                or not isinstance(coordinates, list) or len(coordinates) < 2):
            raise InputError(f"{name}: GeoJSON feature number {i + 1} is not a Point: expected point "
                             "features (one station or demand point each).")
        if not all(_is_number(c) for c in coordinates[:2]):
            raise InputError(f"{name}: GeoJSON feature number {i + 1} has coordinates {str(coordinates)[:40]}: "
                             "expected [longitude, latitude] numbers.")
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise InputError(f"{name}: GeoJSON feature number {i + 1} has properties that are a "
                             f"{type(properties).__name__}: expected an object (names and values).")
        records.append({**properties, "longitude": coordinates[0], "latitude": coordinates[1]})
    return records


def _is_number(value) -> bool:
    """A JSON number, not a boolean (True is an int to Python, not a coordinate)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_open_charge_map(pois: list[dict], name: str) -> Reading:
    rows, skipped = [], 0
    for i, poi in enumerate(pois):
        address = poi.get("AddressInfo")
        if not isinstance(address, dict):  # a string, a list or null: no coordinates to read
            skipped += 1
            continue
        lat, lon = address.get("Latitude"), address.get("Longitude")
        if not _is_number(lat) or not _is_number(lon):
            skipped += 1
            continue
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise InputError(f"{name}: POI number {i + 1} (ID {poi.get('ID')}) has latitude/longitude "
                             f"{lat}, {lon}: expected latitude in -90..90 and longitude in -180..180.")
        connections = poi.get("Connections") if isinstance(poi.get("Connections"), list) else []
        powers = [c.get("PowerKW") for c in connections if isinstance(c, dict) and _is_number(c.get("PowerKW"))
                  and 0 <= c.get("PowerKW") < 1e6]
        points = poi.get("NumberOfPoints")
        points = points if _is_number(points) and 0 <= points < 1e6 else None
        rows.append({
            "station_id": str(poi.get("ID", i)),
            "name": str(address.get("Title") or f"POI {poi.get('ID', i)}"),
            "latitude": float(lat),
            "longitude": float(lon),
            "ports": float(points) if points is not None else float(len(connections) or np.nan),
            "power_kw": float(max(powers)) if powers else np.nan,
            "town": address.get("Town") if isinstance(address.get("Town"), str) else None,
        })
    if not rows:
        raise InputError(f"{name}: no Open Charge Map POI has numeric AddressInfo.Latitude and "
                         "Longitude: expected coordinates for at least one POI.")
    notes = [f"Read {len(rows)} stations from an Open Charge Map POI list."]
    if skipped:
        notes.append(f"Dropped {skipped} POIs without coordinates (numeric AddressInfo.Latitude and Longitude).")
    points = pd.DataFrame(rows)
    stations = dedupe_stations(points, notes)
    return Reading(name, "stations", "Open Charge Map JSON (POI list)",
                   Dataset(name=name, stations=stations, notes=notes), points=points)


def wkt_column(table: pd.DataFrame) -> str | None:
    for col in table.columns:
        present = table[col].dropna().head(50)
        if not present.empty and present.str.match(r"^\s*POINT\s*Z?\s*\(", case=False).mean() > 0.8:
            return col
    return None


def check_coordinates(lat: pd.Series, lon: pd.Series, table, name, lat_col, lon_col) -> None:
    for values, col, limit in ((lat, lat_col, 90), (lon, lon_col, 180)):
        bad = values.abs() > limit
        if bad.any():
            first = bad.idxmax()
            raise InputError(f"{name}: column {col!r}, line {line_of(table, first)}: {values[first]:g} is "
                             f"out of range: expected a {'latitude' if limit == 90 else 'longitude'} "
                             f"between -{limit} and {limit}.")


def coordinates_of(table, name, lat, lon, wkt) -> pd.DataFrame:
    """Latitude and longitude per row (NaN where a row has none), refusing malformed values."""
    if lat and lon:
        lats = numbers_in(table, lat, name, "a latitude (a number)")
        lons = numbers_in(table, lon, name, "a longitude (a number)")
        lat_col, lon_col = lat, lon
    else:
        raw = table[wkt]
        parts = raw.str.extract(WKT_POINT).apply(pd.to_numeric, errors="coerce")
        bad = parts.isna().any(axis=1) & raw.notna() & ~raw.str.contains(r"EMPTY", case=False, na=False)
        if bad.any():
            first = bad.idxmax()
            raise InputError(f"{name}: column {wkt!r}, line {line_of(table, first)}: {str(raw[first])[:40]!r} "
                             "is not a WKT point: expected POINT (longitude latitude).")
        lons, lats = parts[0].astype(float), parts[1].astype(float)
        lat_col = lon_col = wkt
    if lats.isna().all() and lons.isna().all():
        raise InputError(f"{name}: no row has coordinates in {lat_col!r}: expected latitude and "
                         "longitude values.")
    check_coordinates(lats, lons, table, name, lat_col, lon_col)
    return pd.DataFrame({"latitude": lats, "longitude": lons}, index=table.index)


def read_demand_table(table, name, lat, lon, wkt, weight, fmt_prefix) -> Reading:
    notes: list[str] = []
    coords = coordinates_of(table, name, lat, lon, wkt)
    if weight:
        weights = numbers_in(table, weight, name, "a number of vehicles")
        negative = weights < 0
        if negative.any():
            first = negative.idxmax()
            raise InputError(f"{name}: column {weight!r}, line {line_of(table, first)}: "
                             f"{weights[first]:g} is negative: expected a number of vehicles (0 or more).")
        missing = weights.isna()
        if missing.any():
            notes.append(f"Counted {int(missing.sum())} rows with no {weight!r} value as 0 vehicles (first at "
                         f"line {line_of(table, missing.idxmax())}).")
        weights = weights.fillna(0.0)
    else:
        weights = pd.Series(1.0, index=table.index)
    points = coords.assign(weight=weights)
    areas = area_of_points(table)
    if areas is not None:
        points["area"] = areas
    unlocated = points["latitude"].isna() | points["longitude"].isna()
    if unlocated.any():
        notes.append(f"Dropped {int(unlocated.sum())} rows without a location (first at line "
                     f"{line_of(table, unlocated.idxmax())}).")
    points = points[~unlocated].reset_index(drop=True)
    demand = aggregate_points(points)
    if weight:
        notes.insert(0, f"Read {len(points):,} demand points weighted by {weight!r} "
                        f"({demand['weight'].sum():,.0f} in all) at {len(demand):,} distinct locations.")
    else:
        notes.insert(0, f"Counted {len(points):,} located vehicles at {len(demand):,} distinct locations.")
    source = f"WKT column {wkt!r}" if not (lat and lon) else f"columns {lat!r}/{lon!r}"
    what = "weighted points" if weight else "one row per vehicle"
    fmt = f"{fmt_prefix}demand points ({what}, coordinates from {source})"
    history = None
    layout = history_layout(table)
    if layout is not None and layout["stock"] is None and layout["additions"] is None and not weight:
        history = count_vehicles(table, name, layout["year"], layout["area"], notes)
        notes.append(f"Also read the adoption history ({history['area'].nunique():,} areas by {layout['year']!r}) "
                     "for growth scenarios.")
    return Reading(name, "demand", fmt, Dataset(name=name, demand=demand, history=history, notes=notes),
                   points=points)


def read_station_table(table, name, lat, lon, station, fmt_prefix) -> Reading:
    notes: list[str] = []
    coords = coordinates_of(table, name, lat, lon, None)
    label = find_column(table, NAME_NAMES, exclude=(station,))
    # A row without an id is still a station: it takes its name, or its line in the file.
    lines = pd.Series([f"line {line_of(table, i)}" for i in table.index], index=table.index)
    ids = table[station] if station else pd.Series(np.nan, index=table.index, dtype=object)
    if label:
        ids = ids.fillna(table[label])
    ids = ids.fillna(lines).astype(str)
    stations = pd.DataFrame({
        "station_id": ids,
        "name": table[label].fillna(ids).astype(str) if label else ids,
        "latitude": coords["latitude"],
        "longitude": coords["longitude"],
    }, index=table.index)
    for names, column in ((CHARGER_NAMES, "ports"), (POWER_NAMES, "power_kw")):
        found = find_column(table, names)
        if found:
            stations[column] = pd.to_numeric(table[found], errors="coerce")
    unlocated = stations["latitude"].isna() | stations["longitude"].isna()
    if unlocated.any():
        notes.append(f"Dropped {int(unlocated.sum())} stations without coordinates (first at line "
                     f"{line_of(table, unlocated.idxmax())}).")
    points = stations[~unlocated].reset_index(drop=True)
    stations = dedupe_stations(points, notes)
    notes.insert(0, f"Read {len(stations)} stations with coordinates.")
    fmt = f"{fmt_prefix}station list ({'id ' + repr(station) if station else 'name ' + repr(label)}, coordinates {lat!r}/{lon!r})"
    return Reading(name, "stations", fmt, Dataset(name=name, stations=stations, notes=notes), points=points)


def dedupe_stations(stations: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    repeated = stations["station_id"].duplicated()
    if repeated.any():
        notes.append(f"Kept the first of {int(repeated.sum())} repeated station ids.")
        stations = stations[~repeated]
    columns = STATION_COLUMNS + [c for c in stations.columns if c not in STATION_COLUMNS]
    return stations[columns].reset_index(drop=True)
