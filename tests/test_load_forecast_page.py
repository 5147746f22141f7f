"""The hourly-forecast section of the Load & capacity page (AppTest, on the demo's hourly data):
trained on request with a progress bar, then the chart with its band and peaks, the controls
and the downloads; a second visit finds the model in the store."""

from streamlit.testing.v1 import AppTest

PAGE = "../pages/4_Load.py"


def test_hourly_forecast_is_trained_on_request_then_shown_with_peaks_and_downloads(monkeypatch, tmp_path):
    monkeypatch.setenv("EVCORE_CHECKPOINTS", str(tmp_path))  # the page's other tests see no trained model
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception
    assert any("not trained yet" in c.value for c in at.caption)
    at.button(key="load_train").click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Download the hourly forecast (CSV)" in labels and "Download the daily peaks (CSV)" in labels
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # the heatmap and the forecast
    names = [trace.get("name") for trace in __import__("json").loads(charts[1].proto.spec)["data"]]
    assert "daily peak (80% interval)" in names and "hourly 80% interval" in names
    at.slider(key="load_horizon").set_value(2).run()
    assert not at.exception
    again = AppTest.from_file(PAGE, default_timeout=120).run()  # a new visit: from the store, no button
    assert not again.exception and not [b for b in again.button if b.key == "load_train"]
    assert len(again.get("plotly_chart")) == 2


def test_a_store_it_cannot_write_still_gives_the_hourly_forecast_with_one_note_that_stays(monkeypatch, tmp_path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file, not a folder")
    monkeypatch.setenv("EVCORE_CHECKPOINTS", str(blocked))
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.button(key="load_train").click().run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2  # the forecast is shown all the same
    assert len([i for i in at.info if "could not be kept" in i.value]) == 1
    at.slider(key="load_horizon").set_value(3).run()  # a rerun from the page's cache keeps saying so
    assert len([i for i in at.info if "could not be kept" in i.value]) == 1
