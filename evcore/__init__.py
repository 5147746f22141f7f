"""evcore: the library behind the EV charging planning dashboard.

Pure Python (no Streamlit). Every table follows the canonical shapes in DESIGN.md:
usage (station_id, date, usage), stations (station_id, name, latitude, longitude, ...),
demand points (latitude, longitude, weight).
"""

__version__ = "0.1.0"
