"""Read every supported charging-data format into the canonical tables (see ``evcore.data``).

The format is detected from the content, never from the file name. Every reader either returns
a ``Reading`` (what was detected, the tables, and notes on what was dropped or repaired) or
raises ``InputError`` with one sentence naming the file, the column or line, and what was
expected.

Supported: wide usage tables (a timestamp column and one column per station, hourly or daily),
long usage tables, session-level exports (one row per charging session), station lists (CSV
with latitude/longitude, Open Charge Map JSON) and demand points (latitude/longitude columns or
WKT ``POINT (lon lat)``) and adoption histories (EVs by year and area, or a vehicle list with a
year and an area column, counted).
"""

from evcore.io.places import aggregate_points
from evcore.io.reading import KINDS, Reading
from evcore.io.readers import combine, read_demand, read_file, read_history, read_points, read_stations, read_usage

__all__ = ["read_file", "read_usage", "read_stations", "read_demand", "read_history", "read_points", "combine", "Reading",
           "aggregate_points", "KINDS"]
