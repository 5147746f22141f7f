"""The Load & capacity page: in AppTest on the demo (its sessions) and on an hourly occupancy
dataset, and once in headless Chromium from the sidebar."""

import os

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from browser import chromium_page, streamlit_server
from evcore.capacity import capacity_table
from evcore.demo import demo_dataset
from evcore.io import read_file
from evcore.workspace import Workspace

PAGE = "../pages/4_Load.py"


def page() -> AppTest:
    return AppTest.from_file(PAGE, default_timeout=90)


def test_demo_heatmap_and_capacity_table_busiest_first_follow_the_controls():
    at = page().run()
    assert not at.exception
    (table,) = [d.value for d in at.dataframe]
    expected = capacity_table(demo_dataset(), target=0.1, growth=1.0)
    assert table["station"].tolist() == expected["station_id"].tolist()
    assert table["utilisation (share of port-hours)"].is_monotonic_decreasing
    assert "ports needed (blocking ≤ 0.1)" in table.columns
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the hour-of-week table (CSV)", "Download the capacity table (CSV)"]
    at.number_input(key="capacity_growth").set_value(2.0).run()
    grown = at.dataframe[0].value.set_index("station")
    before = table.set_index("station")
    assert (grown["blocking (probability)"] >= before["blocking (probability)"]).all()
    assert (grown["blocking (probability)"] > before["blocking (probability)"]).any()
    assert (grown["observed all busy (share of time)"] == before["observed all busy (share of time)"]).all()
    at.selectbox(key="load_station").set_value("SEA-001").run()
    assert not at.exception


def test_hourly_occupancy_dataset_shows_what_it_can_and_says_why():
    hours = pd.date_range("2024-03-01", periods=24 * 35, freq="h")
    text = pd.DataFrame({"": hours.strftime("%Y-%m-%d %H:%M:%S"), "A": 0.5, "B": 1.0}).to_csv(index=False)
    dataset = read_file(text.encode(), "duration.csv", measure="occupancy").dataset
    ws = Workspace(os.environ["EVCORE_WORKSPACE"])
    ws.set_last_opened(ws.save(dataset, source="test")["id"])
    at = page().run()
    assert not at.exception
    assert any("no sessions" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert table["arrivals per hour (busiest hour)"].isna().all()
    assert table["station"].tolist() == ["B", "A"]


def test_daily_only_dataset_is_told_what_to_upload():
    ws = Workspace(os.environ["EVCORE_WORKSPACE"])
    daily = read_file(b"station,date,kwh\nA,2024-01-01,3\nA,2024-01-02,4\n", "d.csv").dataset
    ws.set_last_opened(ws.save(daily, source="test")["id"])
    at = page().run()
    assert not at.exception and "daily values only" in at.info[0].value


@pytest.mark.browser
def test_load_page_renders_in_chromium(tmp_path):
    with streamlit_server(tmp_path) as url, chromium_page() as browser_page:
        browser_page.goto(url)
        browser_page.get_by_text("Demo: Seattle metro (generated)").wait_for(timeout=60000)
        browser_page.locator("[data-testid=stSidebarNav]").get_by_text("Load & capacity").click()
        browser_page.get_by_text("Network total: mean kWh per hour by hour of the week").wait_for(timeout=60000)
        browser_page.locator("[data-testid=stDataFrame]").first.wait_for(timeout=60000)
        browser_page.get_by_text("Download the capacity table (CSV)").wait_for(timeout=60000)  # a busy machine
        assert browser_page.locator(".js-plotly-plot").count() == 1
        assert browser_page.get_by_text("Download the capacity table (CSV)").count() == 1
        assert not browser_page.errors, browser_page.errors


@pytest.mark.browser
def test_hourly_forecast_is_trained_from_the_page_and_downloaded_in_chromium(tmp_path):
    """In a real browser: the Load page offers to train the hourly model, trains it on the click,
    draws the forecast with its band and peaks, and the downloaded CSV holds every hour of the
    chosen days for every station, with intervals that hold the forecast."""
    import io

    with streamlit_server(tmp_path) as url, chromium_page() as browser_page:
        browser_page.goto(url)
        browser_page.get_by_text("Demo: Seattle metro (generated)").wait_for(timeout=60000)
        browser_page.locator("[data-testid=stSidebarNav]").get_by_text("Load & capacity").click()
        browser_page.get_by_text("Train the hourly model").click(timeout=60000)
        browser_page.get_by_text("Download the hourly forecast (CSV)").wait_for(timeout=180000)
        browser_page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length == 2", timeout=60000)
        legend = browser_page.locator(".js-plotly-plot").nth(1).inner_text()
        assert "hourly 80% interval" in legend and "daily peak (80% interval)" in legend
        with browser_page.expect_download(timeout=60000) as download:
            browser_page.get_by_role("button", name="Download the hourly forecast (CSV)").click()
        table = pd.read_csv(io.StringIO(open(download.value.path(), encoding="utf-8").read()))
        stations = demo_dataset().hourly["station_id"].nunique()
        assert download.value.suggested_filename == "hourly_forecast_7d.csv"
        assert table["station_id"].nunique() == stations and len(table) == stations * 7 * 24
        assert (table["lower"] <= table["forecast"]).all() and (table["forecast"] <= table["upper"]).all()
        assert not browser_page.errors, browser_page.errors
