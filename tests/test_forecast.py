"""Forecasts, baselines, backtest and checkpoints, as a user of the library would notice them."""

import numpy as np
import pandas as pd
import pytest
import torch

from conftest import QUICK_LSTM, shared_file
from evcore.checkpoints import load_checkpoint
from evcore.errors import InputError
from evcore.forecast import (LSTMForecaster, MovingAverage, SeasonalNaive, backtest, cached_backtest,
                             daily_matrix, fill_history, forecast_table, trained_lstm)

QUICK = QUICK_LSTM


def weekly_usage(stations=6, days=120, seed=0, start="2024-01-01"):
    """Long usage with a clear weekly rhythm, station-specific scale and a little noise."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    shape = np.array([1.0, 1.1, 1.2, 1.1, 1.3, 0.5, 0.4])
    rows = []
    for s in range(stations):
        scale = 20 + 30 * s
        values = scale * shape[dates.day_of_week] * rng.uniform(0.9, 1.1, days)
        rows.append(pd.DataFrame({"station_id": f"S{s}", "date": dates, "usage": values}))
    return pd.concat(rows, ignore_index=True)


def test_seasonal_naive_matches_the_published_johannesburg_figure():
    path = shared_file("charged_jhb", "volume.csv")
    hourly = pd.read_csv(path, index_col=0, parse_dates=True)
    usage = (hourly.resample("D").sum().rename_axis("date").reset_index()
             .melt(id_vars="date", var_name="station_id", value_name="usage"))
    result = backtest(usage, horizon=10, folds=3, models=[SeasonalNaive(), MovingAverage()])
    wape = result.summary.set_index("model")["wape"]
    assert wape["seasonal_naive"] == pytest.approx(0.3765, abs=0.01)
    assert (result.per_station["model"] == "seasonal_naive").sum() == 35  # the 12 silent sites are not scored


def test_backtest_scores_every_model_with_wape_mae_and_coverage():
    usage = weekly_usage()
    result = backtest(usage, horizon=7, folds=2, lstm=QUICK)
    summary = result.summary.set_index("model")
    assert {"lstm", "lstm_network", "seasonal_naive", "moving_average", "exp_smoothing",
            "seasonal_exp_smoothing"} <= set(summary.index)
    assert summary[["wape", "mae", "coverage"]].notna().all().all()
    assert ((summary["coverage"] >= 0) & (summary["coverage"] <= 1)).all()
    # a weekly pattern is what the seasonal models get right and the flat ones do not
    assert summary.loc["seasonal_naive", "wape"] < summary.loc["moving_average", "wape"]
    assert summary.loc["seasonal_exp_smoothing", "wape"] < summary.loc["exp_smoothing", "wape"]
    assert set(result.per_station["station_id"]) == set(usage["station_id"])
    assert result.to_dict()["models"]["lstm"]["wape"] == summary.loc["lstm", "wape"]


def test_silent_station_is_left_out_of_scoring():
    usage = weekly_usage(stations=3)
    silent = usage[usage["station_id"] == "S0"].assign(station_id="Z", usage=0.0)
    models = lambda: [SeasonalNaive(), MovingAverage()]  # noqa: E731
    alone = backtest(usage, horizon=7, folds=2, models=models()).summary
    with_silent = backtest(pd.concat([usage, silent]), horizon=7, folds=2, models=models()).summary
    pd.testing.assert_frame_equal(alone.drop(columns="seconds"), with_silent.drop(columns="seconds"))


def test_lstm_learns_a_weekly_rhythm_better_than_a_flat_average():
    usage = weekly_usage(stations=8, days=150)
    settings = {"epochs": 25, "seeds": 1, "average_last": 5, "combine": ()}
    result = backtest(usage, horizon=7, folds=2, models=[LSTMForecaster(horizon=7, **settings), MovingAverage()])
    wape = result.summary.set_index("model")["wape"]
    assert wape["lstm"] < 0.8 * wape["moving_average"]


def test_forecast_table_shape_bounds_and_determinism(tmp_path):
    usage = weekly_usage()
    first = forecast_table(usage, horizon=5, lstm=QUICK, checkpoint_dir=tmp_path / "a")
    again = forecast_table(usage, horizon=5, lstm=QUICK, checkpoint_dir=tmp_path / "b")  # trained afresh
    assert list(first.columns) == ["station_id", "date", "forecast", "lower", "upper"]
    assert len(first) == 6 * 5
    assert first["date"].min() == pd.Timestamp(usage["date"].max()) + pd.Timedelta(days=1)
    assert (first["lower"] <= first["forecast"]).all() and (first["forecast"] <= first["upper"]).all()
    assert (first["lower"] >= 0).all()
    pd.testing.assert_frame_equal(first, again)


def test_short_new_station_silent_station_and_missing_days(tmp_path):
    usage = weekly_usage(stations=4, days=90)
    new = usage[(usage["station_id"] == "S1") & (usage["date"] >= usage["date"].max() - pd.Timedelta(days=9))]
    silent = usage[usage["station_id"] == "S2"].assign(usage=0.0)
    gappy = usage[usage["station_id"] == "S3"].iloc[::3]  # two days of three missing
    odd = pd.concat([usage[usage["station_id"] == "S0"], new.assign(station_id="NEW"),
                     silent.assign(station_id="ZERO"), gappy.assign(station_id="GAPS")])
    table = forecast_table(odd, horizon=10, lstm=QUICK, checkpoint_dir=tmp_path)
    by_station = table.groupby("station_id")["forecast"]
    assert set(by_station.groups) == {"S0", "NEW", "ZERO", "GAPS"}
    assert table[["forecast", "lower", "upper"]].notna().all().all()
    assert (table.loc[table["station_id"] == "ZERO", ["forecast", "lower", "upper"]] == 0).all().all()
    assert by_station.mean()["NEW"] > 0 and by_station.mean()["GAPS"] > 0
    assert not fill_history(daily_matrix(odd)).isna().any().any()


@pytest.mark.parametrize("horizon", [0, 31, 2.5])
def test_horizon_outside_1_to_30_is_refused(horizon):
    with pytest.raises(InputError, match="horizon"):
        backtest(weekly_usage(), horizon=horizon)


def test_horizon_longer_than_the_data_allows_is_a_clear_error(tmp_path):
    usage = weekly_usage(days=60)
    with pytest.raises(InputError, match="60 days"):
        backtest(usage, horizon=30, folds=3, lstm=QUICK)
    with pytest.raises(InputError, match="60 days"):
        forecast_table(usage, horizon=30, lstm=QUICK, checkpoint_dir=tmp_path)


def test_checkpoint_is_reused_retrained_on_change_and_survives_damage(tmp_path, monkeypatch):
    usage = weekly_usage()
    model, meta = trained_lstm(usage, horizon=5, lstm=QUICK, checkpoint_dir=tmp_path)
    files = list(tmp_path.glob("*.pt"))
    assert len(files) == 1
    payload = torch.load(files[0], weights_only=True)  # plain tensors and strings only
    assert payload["state_dict"]
    for key in ("fingerprint", "settings", "versions", "training_seconds"):
        assert key in meta
    before = forecast_table(usage, horizon=5, lstm=QUICK, checkpoint_dir=tmp_path)

    def no_training(*args, **kwargs):
        raise AssertionError("trained again although a checkpoint was there")

    with monkeypatch.context() as patch:  # same data and settings: loaded, not trained
        patch.setattr(LSTMForecaster, "fit", no_training)
        pd.testing.assert_frame_equal(forecast_table(usage, horizon=5, lstm=QUICK, checkpoint_dir=tmp_path), before)

    changed = usage.assign(usage=usage["usage"] * 1.5)
    forecast_table(changed, horizon=5, lstm=QUICK, checkpoint_dir=tmp_path)
    forecast_table(usage, horizon=5, lstm={**QUICK, "hidden_size": 8}, checkpoint_dir=tmp_path)
    assert len(list(tmp_path.glob("*.pt"))) == 3

    files[0].write_bytes(b"not a checkpoint")
    assert load_checkpoint(files[0]) is None
    pd.testing.assert_frame_equal(forecast_table(usage, horizon=5, lstm=QUICK, checkpoint_dir=tmp_path), before)
    assert load_checkpoint(files[0]) is not None  # rewritten
    assert not list(tmp_path.glob("*.tmp"))


def test_backtest_figures_are_kept_with_the_checkpoint(tmp_path, monkeypatch):
    usage = weekly_usage()
    trained_lstm(usage, horizon=5, lstm=QUICK, checkpoint_dir=tmp_path)
    first = cached_backtest(usage, horizon=5, folds=2, lstm=QUICK, checkpoint_dir=tmp_path)
    monkeypatch.setattr("evcore.forecast.backtest", lambda *a, **k: pytest.fail("backtest ran again"))
    again = cached_backtest(usage, horizon=5, folds=2, lstm=QUICK, checkpoint_dir=tmp_path)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    assert "backtest" in load_checkpoint(next(tmp_path.glob("*.pt")))[1]


def test_folds_in_worker_processes_give_the_same_figures():
    usage = weekly_usage(stations=3, days=90)
    alone = backtest(usage, horizon=5, folds=2, lstm=QUICK).summary
    parallel = backtest(usage, horizon=5, folds=2, lstm=QUICK, n_jobs=2).summary
    pd.testing.assert_frame_equal(alone.drop(columns="seconds"), parallel.drop(columns="seconds"))


def test_the_demo_checkpoint_shipped_in_the_repository_is_current(monkeypatch):
    """A fresh machine shows the demo's forecast and backtest at once, from checkpoints/: the
    shipped file must be the one the current demo data and default settings look for."""
    from conftest import ROOT
    from evcore.demo import demo_dataset
    from evcore.forecast import _checkpoint_path, make_lstm

    monkeypatch.delenv("EVCORE_LSTM_SETTINGS")
    usage = demo_dataset().usage
    path = _checkpoint_path(fill_history(daily_matrix(usage)), make_lstm(10), ROOT / "checkpoints")
    loaded = load_checkpoint(path)
    assert loaded is not None, f"{path.name} is missing: regenerate it (see .gitignore)"
    assert loaded[1]["backtest"]["folds"] == 3
    monkeypatch.setenv("EVCORE_CHECKPOINTS", str(ROOT / "checkpoints"))
    table = forecast_table(usage, horizon=10)  # loads, does not train
    assert len(table) == 10 * usage["station_id"].nunique()
