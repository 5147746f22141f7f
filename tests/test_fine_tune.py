"""After usage is appended, the forecast's model is fine-tuned from the model of the shorter data
(bench/append_forecast.py measured it as accurate and faster), and trained afresh otherwise."""

import numpy as np
import pandas as pd

from conftest import QUICK_LSTM
from evcore.config import Settings
from evcore.forecast.pipeline import FINE_TUNES_IN_A_ROW, trained_lstm, forecast_table


def usage(days: int, start: str = "2024-01-01", scale: float = 1.0) -> pd.DataFrame:
    dates = pd.date_range(start, periods=days)
    rng = np.random.default_rng(0)
    rows = [(s, d, scale * (5 + 3 * (d.day_of_week < 5) + i + rng.random())) for i, s in enumerate("ABC")
            for d in dates]
    return pd.DataFrame(rows, columns=["station_id", "date", "usage"])


def test_a_day_appended_fine_tunes_the_previous_model_and_the_forecast_starts_after_it(tmp_path):
    settings = Settings(lstm={**QUICK_LSTM, "epochs": 4, "average_last": 2}, checkpoints=tmp_path)
    full = usage(121)
    previous, before = trained_lstm(full[full["date"] < full["date"].max()], settings=settings)  # 120 days
    assert "fine_tunes" not in before
    appended = full  # one more day
    model, after = trained_lstm(appended, settings=settings)
    assert after["fine_tunes"] == 1 and after["fine_tuned_from"] == before["fingerprint"]
    assert model.departure_ == previous.departure_  # a fine-tune keeps the weight learned from the last weeks
    assert after["end"] == "2024-04-30"
    again, loaded = trained_lstm(appended, settings=settings)  # now stored under the new data
    assert loaded["fine_tunes"] == 1 and np.allclose(again.predict(3)[1], model.predict(3)[1])
    table = forecast_table(appended, horizon=2, settings=settings)
    assert sorted(table["date"].unique()) == [pd.Timestamp("2024-05-01"), pd.Timestamp("2024-05-02")]


def test_changed_history_or_a_long_chain_of_fine_tunes_trains_afresh(tmp_path):
    settings = Settings(lstm=QUICK_LSTM, checkpoints=tmp_path)
    trained_lstm(usage(120), settings=settings)
    changed = usage(121, scale=1.5)  # the same days, other values: not an append
    assert "fine_tunes" not in trained_lstm(changed, settings=settings)[1]
    metadata = {}
    for days in range(122, 122 + FINE_TUNES_IN_A_ROW + 1):
        metadata = trained_lstm(usage(days, scale=1.5), settings=settings)[1]
    assert "fine_tunes" not in metadata  # the 8th in a row is trained afresh
