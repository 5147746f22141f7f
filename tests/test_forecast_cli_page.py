"""The backtest and forecast commands, and the Forecast page on the demo data."""

import json
import time

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from evcore.cli import main
from conftest import QUICK_LSTM as QUICK
from usage_samples import weekly_usage

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.fixture
def quick_lstm(tmp_path, monkeypatch):
    """Few epochs and a private checkpoint directory, for this test only."""
    monkeypatch.setenv("EVCORE_LSTM_SETTINGS", json.dumps(QUICK))
    monkeypatch.setenv("EVCORE_CHECKPOINTS", str(tmp_path / "checkpoints"))
    return tmp_path


@pytest.fixture
def usage_csv(tmp_path):
    path = tmp_path / "usage.csv"
    weekly_usage().to_csv(path, index=False)
    return path


def test_backtest_command_prints_models_as_json(quick_lstm, usage_csv, capsys):
    assert main(["backtest", "--usage", str(usage_csv), "--horizon", "7", "--folds", "2", "--json"]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    for name in ("lstm", "seasonal_naive", "moving_average", "exp_smoothing"):
        assert set(result["models"][name]) >= {"wape", "mae", "coverage"}
    assert "folds" in err and "100%" in err  # progress goes to stderr


def test_forecast_command_writes_the_table(quick_lstm, usage_csv, capsys):
    out_csv = quick_lstm / "forecast.csv"
    assert main(["forecast", "--usage", str(usage_csv), "--horizon", "4", "--out", str(out_csv), "--json"]) == 0
    table = pd.read_csv(out_csv)
    assert list(table.columns) == ["station_id", "date", "forecast", "lower", "upper", "unit"]  # DESIGN.md
    assert len(table) == 6 * 4
    assert json.loads(capsys.readouterr().out)["horizon"] == 4


@pytest.mark.parametrize("horizon", ["0", "31", "40"])
def test_bad_horizon_exits_2_with_one_error_line(quick_lstm, usage_csv, capsys, horizon):
    assert main(["forecast", "--usage", str(usage_csv), "--horizon", horizon]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "horizon" in err[0]


def test_forecast_page_renders_with_every_option(quick_lstm, monkeypatch):
    at = AppTest.from_file(str(ROOT / "pages" / "1_Forecast.py"), default_timeout=180).run()
    assert not at.exception and not at.error
    assert at.slider[0].value == 10
    assert len(at.get("plotly_chart")) == 1
    assert len(at.get("download_button")) == 1
    assert [c for c in at.caption if c.value.startswith("For this dataset the forecast is, per day, the median of ")]
    backtest = at.dataframe[-2].value
    assert {"WAPE (lower is better)", "MAE (kWh/day)", "80% interval coverage"} <= set(backtest.columns)
    assert backtest["Model"].str.startswith("LSTM").any() and backtest["Model"].str.startswith("Seasonal").any()
    per_station = at.dataframe[-1].value  # readable model names, never the internal ones
    assert "LSTM network alone" in per_station.columns and not {"lstm_network", "exp_smoothing"} & set(per_station)
    rows = at.dataframe[0].value  # the forecast table: dates as dates, a unit, three decimals
    assert list(rows.columns) == ["station_id", "date", "forecast", "lower", "upper", "unit"]
    assert rows["date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all() and (rows["unit"] == "kWh").all()
    assert (rows["forecast"].round(3) == rows["forecast"]).all()
    assert not [o for o in at.selectbox[0].options if o.endswith(")") and o.split(" (")[0] == o[o.rfind("(") + 1:-1]]

    at.selectbox[0].set_value(at.selectbox[0].options[1]).run()
    assert not at.exception
    from evcore.forecast import LSTMForecaster

    # one training and one backtest serve every horizon: moving the slider trains nothing
    monkeypatch.setattr(LSTMForecaster, "fit", lambda *a, **k: pytest.fail("trained again for a new horizon"))
    at.slider[0].set_value(30).run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1 and "30 days" in at.caption[-1].value + at.caption[-2].value
    at.slider[0].set_value(1).run()
    assert not at.exception and not at.error

    began = time.perf_counter()  # a second visit: from the cache and the checkpoint, no training
    again = AppTest.from_file(str(ROOT / "pages" / "1_Forecast.py"), default_timeout=30).run()
    assert not again.exception and time.perf_counter() - began < 10


def test_forecast_help_and_table_say_what_they_hold(quick_lstm, usage_csv, capsys):
    with pytest.raises(SystemExit):
        main(["forecast", "--help"])
    text = capsys.readouterr().out
    assert "80% interval" in text and "%%" not in text
    out_csv = quick_lstm / "forecast.csv"
    assert main(["forecast", "--usage", str(usage_csv), "--horizon", "2", "--out", str(out_csv)]) == 0
    table = pd.read_csv(out_csv)
    assert list(table.columns) == ["station_id", "date", "forecast", "lower", "upper", "unit"]
    assert table["unit"].notna().all() and (table["forecast"].round(3) == table["forecast"]).all()


def test_station_picker_names_a_station_once_when_its_name_is_its_id():
    from evcore.viz.forecast import station_label

    assert station_label("A1", {"A1": "A1"}) == "A1"
    assert station_label("A1", {"A1": "Main St"}) == "Main St (A1)" and station_label("B", {}) == "B"


def test_downloaded_forecast_file_names_carry_the_dataset():
    from evcore.export import file_stem

    assert file_stem("Demo: Seattle metro (generated)") == "demo-seattle-metro-generated"
    assert file_stem("../../etc") == "etc" and file_stem("***") == "dataset"


def test_forecast_page_explains_too_short_or_missing_usage(quick_lstm):
    from evcore.data import Dataset

    at = AppTest.from_file(str(ROOT / "pages" / "1_Forecast.py"), default_timeout=60)
    at.session_state["dataset"] = Dataset(name="short", usage=weekly_usage(days=20))
    at.run()
    assert not at.exception
    assert "20 days" in at.error[0].value

    at.session_state["dataset"] = Dataset(name="stations only")
    at.run()
    assert not at.exception and "no usage" in at.info[0].value


def test_forecast_command_with_a_store_it_cannot_write_still_writes_the_table(quick_lstm, usage_csv,
                                                                            monkeypatch, capsys):
    blocked = quick_lstm / "blocked"
    blocked.write_text("a file, not a folder")
    monkeypatch.setenv("EVCORE_CHECKPOINTS", str(blocked))
    out_csv = quick_lstm / "forecast.csv"
    assert main(["forecast", "--usage", str(usage_csv), "--horizon", "3", "--out", str(out_csv)]) == 0
    assert len(pd.read_csv(out_csv)) == 6 * 3
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "could not be kept" in notes[0]


def test_forecast_page_with_a_store_it_cannot_write_shows_the_forecast_and_one_note(quick_lstm, monkeypatch):
    from evcore.data import Dataset

    blocked = quick_lstm / "blocked"
    blocked.write_text("a file, not a folder")
    monkeypatch.setenv("EVCORE_CHECKPOINTS", str(blocked))
    at = AppTest.from_file(str(ROOT / "pages" / "1_Forecast.py"), default_timeout=120)
    at.session_state["dataset"] = Dataset(name="small", usage=weekly_usage(stations=3, days=100))
    at.run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 1
    notes = [i.value for i in at.info if "could not be kept" in i.value]
    assert len(notes) == 1
    seconds = at.dataframe[-2].value["Seconds"]
    assert seconds.notna().all()
