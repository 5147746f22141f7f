"""The home page in Streamlit's AppTest: demo data, upload mode, and the dataset carried over."""

from streamlit.testing.v1 import AppTest

from conftest import ROOT
from evcore.io import combine, read_file

APP = str(ROOT / "app.py")


def test_home_shows_demo_figures_chart_and_tables():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Stations"] == "48" and metrics["Days"] == "480"
    assert "Total (kWh)" in metrics
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 10  # the ten busiest stations
    assert at.session_state["dataset"] is None  # every page falls back to the demo data


def test_upload_mode_without_files_keeps_the_demo_and_says_so():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.radio[0].set_value("Upload my files").run()
    assert not at.exception
    assert any("demo data stays in use" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["Stations"] == "48"


def test_files_read_earlier_stay_in_use_and_carry_over(tmp_path):
    usage = tmp_path / "u.csv"
    usage.write_text("station,date,sessions\nA,2024-01-01,3\nA,2024-01-02,4\nB,2024-01-01,5\n")
    uploaded = combine([read_file(usage)])
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["uploaded_dataset"] = uploaded
    at.session_state["data_source"] = "Upload my files"
    at.run()
    assert not at.exception
    assert any("Still using the files read earlier" in i.value for i in at.info)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Stations"] == "2" and "Total (sessions)" in metrics
    assert at.session_state["dataset"] is uploaded
    # Looking at the demo and back loses nothing.
    at.radio[0].set_value("Demo data (Seattle metro, generated)").run()
    assert {m.label: m.value for m in at.metric}["Stations"] == "48"
    at.radio[0].set_value("Upload my files").run()
    assert {m.label: m.value for m in at.metric}["Stations"] == "2"
