"""The network total's own interval: between the stations moving as one (the sum of their bands)
and independent stations (the bands in quadrature), as their recent surprises say."""

import numpy as np
import pandas as pd
import pytest

from evcore.forecast.network import network_forecast


def stations(shared: float, n: int = 16, days: int = 120, seed: int = 0):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    common = rng.normal(0, 1, days)
    values = {f"S{i}": 50 + 10 * (shared * common + np.sqrt(1 - shared ** 2) * rng.normal(0, 1, days))
              for i in range(n)}
    history = pd.DataFrame(values, index=dates)
    future = pd.date_range(dates[-1] + pd.Timedelta(days=1), periods=3, freq="D")
    forecast = pd.DataFrame([{"station_id": s, "date": d, "forecast": 50.0, "lower": 37.0, "upper": 63.0}
                             for s in history.columns for d in future])
    return history, forecast


def half_width(history, forecast):
    total = network_forecast(history, forecast)
    assert (total["forecast"].to_numpy() == forecast.groupby("date")["forecast"].sum().to_numpy()).all()
    assert (total["lower"] < total["forecast"]).all()
    return float((total["upper"] - total["forecast"]).iloc[0])


def test_independent_stations_give_a_band_near_the_quadrature_not_the_sum():
    width = half_width(*stations(shared=0.0))
    assert width < 0.45 * 16 * 13  # the sum of the stations' half-widths is 208
    assert width == pytest.approx(np.sqrt(16) * 13, rel=0.35)


def test_stations_that_move_as_one_keep_the_summed_band():
    assert half_width(*stations(shared=1.0)) == pytest.approx(16 * 13, rel=0.02)


def test_a_station_without_history_keeps_its_own_band():
    history, forecast = stations(shared=0.0)
    extra = forecast[forecast["station_id"] == "S0"].assign(station_id="NEW")
    with_new = half_width(history, pd.concat([forecast, extra]))
    assert with_new == pytest.approx(half_width(history, forecast) + 13, rel=1e-6)
