"""The REST service (FastAPI): the workspace's datasets, forecasts, clusters, placement and live
Open Charge Map stations, over the same library calls as the dashboard (see DESIGN.md)."""

from evcore.api.app import create_app

__all__ = ["create_app"]
