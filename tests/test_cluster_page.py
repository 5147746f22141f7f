import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui
from evcore.viz.clusters import cluster_map
from evcore.data import Dataset
from evcore.demo import demo_stations

PAGE = "../pages/2_Clusters.py"
PREDICTED = 123.0


def fake_forecast(dataset, horizon=10):
    ids = dataset.stations["station_id"]
    dates = pd.date_range("2025-04-25", periods=horizon, freq="D")
    return pd.DataFrame({"station_id": np.repeat(ids.to_numpy(), horizon), "date": np.tile(dates, len(ids)),
                         "forecast": PREDICTED, "lower": 0.0, "upper": 2 * PREDICTED})


def failing_forecast(dataset, horizon=10):
    raise RuntimeError("model not trained")


@pytest.fixture
def page(monkeypatch):
    monkeypatch.setattr(ui, "forecast_table", fake_forecast)  # no LSTM training in page tests
    return AppTest.from_file(PAGE, default_timeout=90)


def cluster_summary(at) -> pd.DataFrame:
    return at.dataframe[0].value


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("method", ["kmedians", "kmeans", "dbscan", "hdbscan"])
def test_page_renders_each_method_with_predicted_usage(page, method):
    at = page.run()
    at.selectbox[0].set_value(method).run()
    assert not at.exception and not at.error
    summary = cluster_summary(at)
    assert summary["stations"].sum() == 48
    assert int(metric(at, "Clusters")) == (summary["cluster"] != "noise").sum()
    assert not summary["cluster"].isin(["-1", "None"]).any()  # noise is called noise
    predicted = summary["predicted_daily_usage"]
    np.testing.assert_allclose(predicted, PREDICTED * summary["stations"])
    assert not any("forecast unavailable" in c.value for c in at.caption)
    density = method in ("dbscan", "hdbscan")
    assert at.slider[0].disabled == density  # k means nothing to DBSCAN and HDBSCAN
    # k-means and k-medians side by side, and the elbow: charts of k, only for the k methods
    assert len(at.get("plotly_chart")) == (0 if density else 2)
    assert [b.label for b in at.get("download_button")] == ["Station-to-cluster table (CSV)", "Map (HTML)"]


def test_moving_the_k_slider_regroups_the_stations(page):
    at = page.run()
    assert int(metric(at, "Clusters")) == 6
    at.slider[0].set_value(12).run()
    assert not at.exception
    assert int(metric(at, "Clusters")) == 12 and len(cluster_summary(at)) == 12


def test_density_settings_change_the_noise(page):
    at = page.run()
    at.selectbox[0].set_value("dbscan").run()
    at.slider[1].set_value(0.5).run()  # a tight radius leaves more stations alone
    tight = int(metric(at, "Noise stations"))
    at.slider[1].set_value(5.0).run()
    assert not at.exception and int(metric(at, "Noise stations")) < tight


def test_page_still_renders_when_the_forecast_fails(monkeypatch):
    monkeypatch.setattr(ui, "forecast_table", failing_forecast)
    at = AppTest.from_file(PAGE, default_timeout=90).run()
    assert not at.exception and not at.error
    assert any("forecast unavailable" in c.value for c in at.caption)
    assert cluster_summary(at)["predicted_daily_usage"].isna().all()


def test_page_explains_when_there_are_no_station_locations(page):
    page.session_state["dataset"] = Dataset(name="usage only", usage=pd.DataFrame(
        {"station_id": ["a"], "date": pd.to_datetime(["2024-01-01"]), "usage": [1.0]}))
    at = page.run()
    assert not at.exception
    assert "station locations" in at.info[0].value


def test_map_popups_show_name_cluster_and_usage():
    stations = demo_stations().head(3).assign(cluster=[0, 0, -1], recent_daily_usage=[50.0, 60.0, 70.0],
                                              predicted_daily_usage=[55.5, np.nan, 75.0])
    html = cluster_map(stations, [[47.6, -122.3]], unit="kWh", horizon=10).get_root().render()
    assert stations["name"].iloc[0] in html
    assert ">noise<" in html and "Cluster" in html
    assert "55.5 kWh/day" in html and "forecast unavailable" in html
    assert "Centre of cluster 0" in html


@pytest.mark.parametrize("method", ["kmedians", "hdbscan"])
def test_page_handles_a_few_stations_without_usage(page, method):
    page.session_state["dataset"] = Dataset(name="five stations", stations=demo_stations().head(5))
    at = page.run()
    at.selectbox[0].set_value(method).run()
    assert not at.exception and not at.error
    assert cluster_summary(at)["stations"].sum() == 5
    assert at.slider[0].max == 5
    assert at.slider[0].value == 2  # not one station a cluster


def test_density_noise_row_is_called_noise(page):
    at = page.run()
    at.selectbox[0].set_value("dbscan").run()
    at.slider[1].set_value(0.5).run()
    summary = cluster_summary(at)
    assert summary["cluster"].iloc[-1] == "noise" and summary["cluster"].iloc[:-1].str.isdigit().all()
