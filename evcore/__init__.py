"""evcore: the library behind the EV charging planning dashboard.

Pure Python (no Streamlit). Every table follows the canonical shapes in DESIGN.md:
usage (station_id, date, usage), stations (station_id, name, latitude, longitude, ...),
demand points (latitude, longitude, weight).

    import evcore
    data = evcore.demo_dataset()
    forecast = evcore.forecast_table(data.usage, horizon=10)
    clusters = evcore.KMedians(n_clusters=5).fit(data.stations)
    sites = evcore.PMedian.from_points(data.demand, k=3, existing=data.stations).solve()

The names below load on first use, so ``import evcore`` stays quick (torch loads only when a
forecast is asked for).
"""

from importlib import import_module

__version__ = "0.2.0"

_PUBLIC = {
    "evcore.errors": ["InputError"],
    "evcore.config": ["Settings"],
    "evcore.data": ["Dataset"],
    "evcore.demo": ["demo_dataset"],
    "evcore.io": ["Reading", "read_file", "read_usage", "read_stations", "read_demand", "read_points",
                  "read_history", "combine"],
    "evcore.geo": ["haversine_km", "LocalProjection"],
    "evcore.forecast": ["LSTMForecaster", "SeasonalNaive", "MovingAverage", "ExponentialSmoothing",
                        "SeasonalExpSmoothing", "backtest", "forecast_table"],
    "evcore.cluster": ["KMeans", "KMedians", "DBSCAN", "HDBSCAN", "cluster_quality"],
    "evcore.placement": ["PMedian", "MaxCoverage", "coverage_curve", "sites_needed"],
}
_WHERE = {name: module for module, names in _PUBLIC.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'evcore' has no attribute {name!r}")
    value = getattr(import_module(_WHERE[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
