"""The model store against planted files and leftovers: a checkpoint is used only for the data
and settings it was made from; lock files do not pile up."""

import os
import shutil
import time

import pandas as pd

from conftest import QUICK_LSTM
from evcore.config import Settings
from evcore.forecast import LSTMForecaster, checkpoint_path, daily_matrix, fill_history, forecast_table, make_lstm
from evcore.forecast.store import load_checkpoint, model_lock, save_checkpoint
from usage_samples import weekly_usage


def quick(folder) -> Settings:
    return Settings(checkpoints=folder, lstm=dict(QUICK_LSTM), device="cpu")


def path_for(usage, settings):
    return checkpoint_path(fill_history(daily_matrix(usage)), make_lstm(settings), settings)


def test_another_datasets_checkpoint_planted_under_this_datas_name_is_not_used(tmp_path, monkeypatch):
    settings = quick(tmp_path)
    other, ours = weekly_usage(seed=1), weekly_usage(seed=2).assign(usage=lambda t: t["usage"] * 3)
    forecast_table(other, horizon=5, settings=settings)
    planted = path_for(ours, settings)
    shutil.copy(path_for(other, settings), planted)  # the other dataset's model under our name

    fits, fit = [], LSTMForecaster.fit
    monkeypatch.setattr(LSTMForecaster, "fit", lambda self, *a, **k: fits.append(1) or fit(self, *a, **k))
    table = forecast_table(ours, horizon=5, settings=settings)
    assert fits == [1]  # trained over, not served
    assert "other data or settings" in table.attrs["store_note"]
    kept = load_checkpoint(planted).metadata
    assert kept["fingerprint"] != load_checkpoint(path_for(other, settings)).metadata["fingerprint"]
    again = forecast_table(ours, horizon=5, settings=settings)  # now ours: loaded, no note
    assert fits == [1] and "store_note" not in again.attrs
    pd.testing.assert_frame_equal(again, table)


def test_a_checkpoint_whose_settings_differ_from_its_name_is_not_used(tmp_path):
    settings = quick(tmp_path)
    usage = weekly_usage()
    forecast_table(usage, horizon=5, settings=settings)
    path = path_for(usage, settings)
    stored = load_checkpoint(path)
    save_checkpoint(path, stored.state_dict, {**stored.metadata, "settings": {**stored.metadata["settings"],
                                                                              "hidden_size": 999}})
    assert "other data or settings" in forecast_table(usage, horizon=5, settings=settings).attrs["store_note"]


def test_no_lock_file_is_left_after_training_and_a_killed_holders_is_cleaned(tmp_path):
    settings = quick(tmp_path)
    left = tmp_path / "lstm-killed.pt.lock"  # a holder killed long ago
    left.write_text("")
    os.utime(left, (time.time() - 3600, time.time() - 3600))
    forecast_table(weekly_usage(), horizon=5, settings=settings)
    assert not list(tmp_path.glob("*.lock"))


def test_a_lock_that_is_held_is_never_cleaned_and_still_excludes(tmp_path):
    import threading

    path = tmp_path / "lstm-x.pt"
    inside, order = threading.Event(), []

    def second():
        inside.wait()
        with model_lock(path):
            order.append("second")

    waiter = threading.Thread(target=second)
    with model_lock(path) as locked:
        assert locked
        os.utime(f"{path}.lock", (time.time() - 3600, time.time() - 3600))
        save_checkpoint(tmp_path / "lstm-y.pt", {}, {})  # cleans stale leftovers
        assert os.path.exists(f"{path}.lock")
        waiter.start()
        inside.set()
        time.sleep(0.6)
        order.append("first")
    waiter.join(10)
    assert order == ["first", "second"]
    assert not os.path.exists(f"{path}.lock")
