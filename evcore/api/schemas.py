"""Request and answer shapes of the REST service (they make the OpenAPI schema at /docs)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from evcore.cluster.estimators import MAX_EPS_KM
from evcore.workspace import DEMO_ID


class DatasetSummary(BaseModel):
    id: str
    name: str
    kinds: list[str] = Field(description="which of usage, stations, demand and history the dataset has")
    source: str
    created: str | None = Field(description="when it was saved (ISO 8601, UTC); null for the demo")
    updated: str | None = None
    usage_unit: str = Field(description="kWh, or sessions when only session counts are known")
    stations: int | None = None
    days: int | None = None
    points: int | None = Field(None, description="distinct demand locations")


class Event(BaseModel):
    at: str = Field(description="when (ISO 8601, UTC)")
    dataset_id: str
    dataset: str = Field(description="the dataset's name then")
    action: Literal["added", "changed", "appended", "renamed", "deleted"]
    detail: str
    user: str | None = Field(description="who; null where the workspace has no users")


class DatasetDetail(DatasetSummary):
    notes: list[str] = Field(default_factory=list, description="what was read, dropped or repaired")
    start: str | None = Field(None, description="the first day of its usage (YYYY-MM-DD)")
    end: str | None = Field(None, description="the last day of its usage (YYYY-MM-DD)")
    usage_total: float | None = Field(None, description="the sum of its daily usage")
    history: list[Event] = Field(default_factory=list, description="who added, changed or renamed it, newest first")


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64)
    role: Literal["viewer", "analyst", "admin"]
    password: str | None = Field(None, min_length=8, max_length=1000, description="for the dashboard's sign-in")


class User(BaseModel):
    name: str
    role: str
    created: str
    password: bool = Field(description="whether the user can sign in to the dashboard with a password")
    tokens: int


class NewToken(BaseModel):
    name: str
    token: str = Field(description="shown once: only its hash is kept")


class ForecastRow(BaseModel):
    station_id: str
    date: str
    forecast: float
    lower: float
    upper: float


class Forecast(BaseModel):
    dataset: str
    horizon: int
    unit: str
    forecast: list[ForecastRow]


class Station(BaseModel):
    model_config = ConfigDict(extra="allow")
    station_id: str
    name: str
    latitude: float
    longitude: float


class Stations(BaseModel):
    stations: list[Station]
    dataset: DatasetSummary | None = Field(None, description="the saved dataset, with save=true")


class ClusterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset: str = Field(DEMO_ID, description="a dataset id (GET /datasets)")
    points: Literal["stations", "demand"] = Field("stations", description="which of the dataset's tables to cluster")
    method: Literal["kmeans", "kmedians", "dbscan", "hdbscan"]
    k: int | None = Field(None, ge=1, le=1000, description="number of clusters (kmeans, kmedians)")
    eps_km: float | None = Field(None, gt=0, le=MAX_EPS_KM,
                                 description="neighbourhood radius in km (dbscan; hdbscan's merge distance)")
    min_samples: int | None = Field(None, ge=1, le=100000,
                                    description="dense neighbourhood (dbscan) or least cluster size (hdbscan)")


class PlaceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset: str = Field(DEMO_ID, description="a dataset id with demand points (GET /datasets)")
    k: int = Field(ge=1, le=1000, description="how many new stations")
    objective: Literal["distance", "coverage"] = "distance"
    radius_km: float | None = Field(None, gt=0, le=MAX_EPS_KM,
                                    description="the distance that counts as covered (needed for coverage)")
    existing: bool | None = Field(None, description="keep the dataset's stations open as existing sites "
                                                     "(default: yes when it has stations, as the dashboard)")
    exact: bool = Field(False, description="solve exactly (HiGHS MILP) where the problem is small enough")
    time_limit: float | None = Field(None, gt=0, le=600, description="seconds the solver may take (default "
                                                                    "10 for the search, 120 for exact)")
    year: int | None = Field(None, ge=1900, le=2300, description="place for this year: each demand point grows by "
                                                                 "its area's projected growth (the dataset's history)")
    rate: float | None = Field(None, gt=-100, le=1000, description="with year: percent a year for every area "
                                                                  "instead of the fitted model")
