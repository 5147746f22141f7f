"""A solved placement as a map or a report reads it: positions, demand and figures, none of the
model's search state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SolutionView:
    """``demand``: (n, 2) [lat, lon] of the demand points, ``weights`` their demand and
    ``distance_km`` the distance to their nearest open site; ``sites``: one row a proposed site
    (``latitude, longitude, served, served_share, mean_km_served``); ``existing``: the existing
    stations (``latitude, longitude, served``) in the model's order; ``radius_km``: the distance
    to draw around the sites (None: none); ``covers``: the coverage objective (served means within
    the radius)."""

    demand: np.ndarray
    weights: np.ndarray
    distance_km: np.ndarray
    sites: pd.DataFrame
    existing: pd.DataFrame
    radius_km: float | None
    covers: bool

    @property
    def total(self) -> float:
        return float(self.weights.sum())
