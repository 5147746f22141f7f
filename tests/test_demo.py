"""The embedded demo dataset: deterministic and realistic enough to plan with."""

import pandas as pd

from evcore.data import usage_matrix
from evcore.demo import HOLIDAYS, demo_dataset


def test_demo_is_the_same_every_time():
    a, b = demo_dataset(), demo_dataset()
    assert a.fingerprint() == b.fingerprint()
    pd.testing.assert_frame_equal(a.usage, b.usage)


def test_demo_has_stations_in_one_metropolitan_area_and_enough_history():
    d = demo_dataset()
    assert 40 <= len(d.stations) <= 60
    assert d.stations["station_id"].is_unique
    assert d.stations["latitude"].between(47.0, 48.2).all()
    assert d.stations["longitude"].between(-122.8, -121.8).all()
    days = (d.usage["date"].max() - d.usage["date"].min()).days + 1
    assert days >= 400
    assert set(d.usage["station_id"]) == set(d.stations["station_id"])


def test_demo_usage_has_weekly_rhythm_growth_holidays_scale_outliers_and_gaps():
    d = demo_dataset()
    wide = usage_matrix(d.usage)
    network = wide.sum(axis=1, min_count=1)
    weekday = network[network.index.day_of_week < 5].mean()
    weekend = network[network.index.day_of_week >= 5].mean()
    assert weekday > 1.2 * weekend
    assert network.iloc[-90:].mean() > 1.2 * network.iloc[:90].mean()
    holidays = network[network.index.isin(HOLIDAYS)]
    same_weekday_mean = network.groupby(network.index.day_of_week).transform("median")
    assert (holidays / same_weekday_mean[holidays.index]).median() < 0.8
    station_means = wide.mean()
    assert station_means.max() > 10 * station_means.min()
    ratio_to_median = wide / wide.rolling(15, center=True, min_periods=5).median()
    assert (ratio_to_median > 2.2).sum().sum() >= 5  # a few outliers
    assert wide.isna().sum().sum() > 0  # some missing days


def test_demo_demand_points_cover_the_same_area():
    d = demo_dataset()
    assert list(d.demand.columns) == ["latitude", "longitude", "weight"]
    assert d.demand["weight"].sum() > 10000 and (d.demand["weight"] > 0).all()
    assert abs(d.demand["latitude"].mean() - d.stations["latitude"].mean()) < 0.1
    assert abs(d.demand["longitude"].mean() - d.stations["longitude"].mean()) < 0.1
