"""A dataset's public holidays: its country from the stations' coordinates (or a setting), the
dates from the ``holidays`` package.

The country is that of the reference city nearest to the stations' median coordinate, within
``MAX_KM``. Limits: a handful of cities per continent, so a network far from all of them has
no country (and no holidays); near a border, or between two states of a country whose holidays
differ by state, the nearest city can be the wrong one; a network spread over several
countries gets the one of its median station. A setting (``EVCORE_HOLIDAYS``: a code such as
``ZA`` or ``AU-VIC``, or ``none``) overrides the guess.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_KM = 600.0

# (country[-subdivision], latitude, longitude): where holidays differ by state, the state's city
PLACES = (
    ("ZA", -26.20, 28.05), ("ZA", -33.92, 18.42), ("ZA", -29.86, 31.02), ("NG", 6.52, 3.38), ("KE", -1.29, 36.82),
    ("EG", 30.04, 31.24), ("MA", 33.57, -7.59),
    ("AU-VIC", -37.81, 144.96), ("AU-NSW", -33.87, 151.21), ("AU-QLD", -27.47, 153.03), ("AU-WA", -31.95, 115.86),
    ("AU-SA", -34.93, 138.60), ("AU-ACT", -35.28, 149.13), ("AU-TAS", -42.88, 147.33), ("AU-NT", -12.46, 130.84),
    ("NZ", -36.85, 174.76), ("NZ", -41.29, 174.78),
    ("US-CA", 37.44, -122.14), ("US-CA", 34.05, -118.24), ("US-CO", 40.01, -105.27), ("US-WA", 47.61, -122.33),
    ("US-OR", 45.52, -122.68), ("US-NY", 40.71, -74.01), ("US-MA", 42.36, -71.06), ("US-IL", 41.88, -87.63),
    ("US-TX", 29.76, -95.37), ("US-TX", 32.78, -96.80), ("US-FL", 25.76, -80.19), ("US-GA", 33.75, -84.39),
    ("US-AZ", 33.45, -112.07), ("US-DC", 38.91, -77.04), ("US-UT", 40.76, -111.89), ("US-MN", 44.98, -93.27),
    ("US-MI", 42.33, -83.05), ("US-PA", 39.95, -75.17), ("US-NC", 35.23, -80.84), ("US-NV", 36.17, -115.14),
    ("CA-ON", 43.65, -79.38), ("CA-BC", 49.28, -123.12), ("CA-QC", 45.50, -73.57), ("CA-AB", 51.05, -114.07),
    ("MX", 19.43, -99.13), ("BR", -23.55, -46.63), ("BR", -22.91, -43.17), ("AR", -34.60, -58.38), ("CL", -33.45, -70.67),
    ("CO", 4.71, -74.07),
    ("GB", 51.51, -0.13), ("GB", 53.48, -2.24), ("GB", 55.95, -3.19), ("IE", 53.35, -6.26), ("NL", 52.37, 4.90),
    ("BE", 50.85, 4.35), ("FR", 48.86, 2.35), ("FR", 43.30, 5.37), ("DE", 52.52, 13.40), ("DE-BY", 48.14, 11.58),
    ("ES", 40.42, -3.70), ("PT", 38.72, -9.14), ("IT", 41.90, 12.50), ("IT", 45.46, 9.19), ("AT", 48.21, 16.37),
    ("CH", 47.38, 8.54), ("DK", 55.68, 12.57), ("NO", 59.91, 10.75), ("SE", 59.33, 18.07), ("FI", 60.17, 24.94),
    ("PL", 52.23, 21.01), ("CZ", 50.08, 14.44),
    ("CN", 39.90, 116.41), ("CN", 22.54, 114.06), ("CN", 31.23, 121.47), ("JP", 35.68, 139.69), ("KR", 37.57, 126.98),
    ("SG", 1.35, 103.82), ("IN", 28.61, 77.21), ("IN", 19.08, 72.88), ("AE", 25.20, 55.27), ("IL", 32.09, 34.78),
    ("TR", 41.01, 28.98),
)


def _km(lat, lon, lats, lons) -> np.ndarray:
    lat, lon, lats, lons = map(np.radians, (lat, lon, lats, lons))
    a = np.sin((lats - lat) / 2) ** 2 + np.cos(lat) * np.cos(lats) * np.sin((lons - lon) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def country_of(stations) -> str | None:
    """The holiday country (``ZA``, ``AU-VIC``, ...) of stations with ``latitude`` and
    ``longitude`` columns: that of the reference city nearest their median point, None when
    there are no coordinates or no city within ``MAX_KM``."""
    if stations is None or not {"latitude", "longitude"} <= set(getattr(stations, "columns", [])):
        return None
    points = stations[["latitude", "longitude"]].apply(pd.to_numeric, errors="coerce").dropna()
    if points.empty:
        return None
    lat, lon = points.median()
    codes, lats, lons = zip(*PLACES)
    distance = _km(lat, lon, np.array(lats), np.array(lons))
    nearest = int(distance.argmin())
    return codes[nearest] if distance[nearest] <= MAX_KM else None


def holiday_country(setting: str | None, stations=None) -> str | None:
    """The country whose holidays the forecast uses: ``setting`` (a code, or ``none``), else
    ``auto`` or unset: ``country_of(stations)``."""
    setting = (setting or "auto").strip()
    if setting.lower() == "none":
        return None
    return country_of(stations) if setting.lower() == "auto" else setting.upper()


def holiday_dates(country: str | None, start, end) -> pd.DatetimeIndex:
    """The public holidays of ``country`` (``CC`` or ``CC-SUBDIVISION``) from ``start`` to
    ``end``; empty when there is no country or the ``holidays`` package does not know it."""
    if not country:
        return pd.DatetimeIndex([])
    import holidays

    code, _, subdivision = country.partition("-")
    years = range(pd.Timestamp(start).year, pd.Timestamp(end).year + 1)
    try:
        days = holidays.country_holidays(code, subdiv=subdivision or None, years=years)
    except (NotImplementedError, KeyError):  # a country or state the package does not know
        return pd.DatetimeIndex([])
    dates = pd.DatetimeIndex(sorted(pd.Timestamp(d) for d in days))
    return dates[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]
