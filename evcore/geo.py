"""Geography in one place: great-circle distances and the local kilometre projection.

Great-circle distances (haversine, kilometres) are the default. K-medians and k-means work on
a local equirectangular projection around the data's mean latitude and longitude (DESIGN.md):
``x = (lon - lon0) * cos(lat0) * 111.320``, ``y = (lat - lat0) * 110.574``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evcore.errors import InputError

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEG_LON_AT_EQUATOR = 111.320
KM_PER_DEG_LAT = 110.574


def latlon_arrays(points, what: str = "points") -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes (float arrays) from a table with ``latitude``/``longitude``
    columns or an (n, 2) [lat, lon] array; refuses missing, non-numeric or out-of-range values."""
    if isinstance(points, pd.DataFrame):
        missing = [c for c in ("latitude", "longitude") if c not in points.columns]
        if missing:
            raise InputError(f"{what}: expected columns 'latitude' and 'longitude', missing {missing[0]!r}.")
        for column in ("latitude", "longitude"):
            values = points[column]
            if values.dtype == bool or (values.dtype == object and values.map(type).eq(bool).any()):
                raise InputError(f"{what}: column {column!r} holds true/false values: expected coordinates in degrees.")
        lat = pd.to_numeric(points["latitude"], errors="coerce").to_numpy(float)
        lon = pd.to_numeric(points["longitude"], errors="coerce").to_numpy(float)
    else:
        if np.asarray(points).dtype == bool or np.iscomplexobj(points):
            raise InputError(f"{what}: expected [latitude, longitude] numbers, got {np.asarray(points).dtype} values.")
        try:
            arr = np.asarray(points, dtype=float)
        except (TypeError, ValueError):
            raise InputError(f"{what}: expected an (n, 2) array of [latitude, longitude] numbers.") from None
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise InputError(f"{what}: expected an (n, 2) array of [latitude, longitude], got shape {arr.shape}.")
        lat, lon = arr[:, 0], arr[:, 1]
    if len(lat) == 0:
        raise InputError(f"{what}: there are no points.")
    bad = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(f"{what}: row {row + 1} has latitude {lat[row]} and longitude {lon[row]}; "
                         "expected numbers within -90..90 and -180..180.")
    return lat, lon


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; broadcasts over numpy arrays."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def pairwise_haversine_km(lat_a, lon_a, lat_b, lon_b):
    """Matrix of great-circle km, shape (len(a), len(b))."""
    lat_a, lon_a = np.asarray(lat_a, float)[:, None], np.asarray(lon_a, float)[:, None]
    lat_b, lon_b = np.asarray(lat_b, float)[None, :], np.asarray(lon_b, float)[None, :]
    return haversine_km(lat_a, lon_a, lat_b, lon_b)


class LocalProjection:
    """Equirectangular projection to kilometres around an origin (lat0, lon0).

    ``LocalProjection.around(lat, lon)`` centres it on the points' mean, as DESIGN.md says.
    """

    def __init__(self, lat0: float, lon0: float):
        self.lat0 = float(lat0)
        self.lon0 = float(lon0)
        self.kx = np.cos(np.radians(self.lat0)) * KM_PER_DEG_LON_AT_EQUATOR
        self.ky = KM_PER_DEG_LAT

    @classmethod
    def around(cls, lat, lon) -> "LocalProjection":
        return cls(float(np.mean(lat)), float(np.mean(lon)))

    def to_km(self, lat, lon) -> np.ndarray:
        """(n, 2) array of x, y in km."""
        lat = np.asarray(lat, dtype=float)
        lon = np.asarray(lon, dtype=float)
        return np.column_stack(((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky))

    def to_latlon(self, xy) -> np.ndarray:
        """(n, 2) array of lat, lon from km."""
        xy = np.atleast_2d(np.asarray(xy, dtype=float))
        return np.column_stack((xy[:, 1] / self.ky + self.lat0, xy[:, 0] / self.kx + self.lon0))


def separation_note(station_lat, station_lon, demand_lat, demand_lon, km: float = 50.0,
                    max_demand: int = 5000) -> str | None:
    """A sentence when most stations are more than ``km`` from every demand point: the two
    datasets probably describe different areas (e.g. California stations for Washington
    demand), and figures "against the existing stations" would mean nothing. None otherwise."""
    station_lat, station_lon = np.asarray(station_lat, float), np.asarray(station_lon, float)
    demand_lat, demand_lon = np.asarray(demand_lat, float), np.asarray(demand_lon, float)
    if not len(station_lat) or not len(demand_lat):
        return None
    step = max(1, len(demand_lat) // max_demand)  # a spread-out sample is enough to tell
    nearest = pairwise_haversine_km(station_lat, station_lon, demand_lat[::step], demand_lon[::step]).min(axis=1)
    far = nearest > km
    if far.mean() <= 0.5:
        return None
    return (f"{int(far.sum())} of {len(far)} existing stations are more than {km:g} km from every demand "
            f"point (median {float(np.median(nearest)):,.0f} km): the stations and the demand seem to cover "
            "different areas, so comparisons with the existing stations mean little.")
