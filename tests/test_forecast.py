"""Forecasts, baselines, backtest and checkpoints, as a user of the library would notice them."""

import numpy as np
import pandas as pd
import pytest
import torch

from conftest import QUICK_LSTM, shared_file
from evcore.config import Settings
from evcore.errors import InputError
from evcore.forecast import (LSTMForecaster, MovingAverage, SeasonalNaive, backtest, backtest_errors, cached_backtest,
                             daily_matrix, default_models, fill_history, forecast_table, load_checkpoint, trained_lstm)
from usage_samples import weekly_usage

QUICK = QUICK_LSTM


def quick(folder, **lstm) -> Settings:
    """Settings with the quick LSTM (and ``lstm`` changes) and the model store in ``folder``."""
    return Settings(checkpoints=folder, lstm={**QUICK, **lstm}, device="cpu")


def test_seasonal_naive_matches_the_published_johannesburg_figure():
    path = shared_file("charged_jhb", "volume.csv")
    hourly = pd.read_csv(path, index_col=0, parse_dates=True)
    usage = (hourly.resample("D").sum().rename_axis("date").reset_index()
             .melt(id_vars="date", var_name="station_id", value_name="usage"))
    result = backtest(usage, horizon=10, folds=3, models=[SeasonalNaive(), MovingAverage()])
    wape = result.summary.set_index("model")["wape"]
    assert wape["seasonal_naive"] == pytest.approx(0.3765, abs=0.01)
    assert (result.per_station["model"] == "seasonal_naive").sum() == 35  # the 12 silent sites are not scored


def test_backtest_scores_every_model_with_wape_mae_and_coverage(tmp_path):
    usage = weekly_usage()
    result = backtest(usage, horizon=7, folds=2, models=default_models(quick(tmp_path)))
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
    first = forecast_table(usage, horizon=5, settings=quick(tmp_path / "a"))
    again = forecast_table(usage, horizon=5, settings=quick(tmp_path / "b"))  # trained afresh
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
    table = forecast_table(odd, horizon=10, settings=quick(tmp_path))
    by_station = table.groupby("station_id")["forecast"]
    assert set(by_station.groups) == {"S0", "NEW", "ZERO", "GAPS"}
    assert table[["forecast", "lower", "upper"]].notna().all().all()
    assert (table.loc[table["station_id"] == "ZERO", ["forecast", "lower", "upper"]] == 0).all().all()
    assert by_station.mean()["NEW"] > 0 and by_station.mean()["GAPS"] > 0
    assert not fill_history(daily_matrix(odd)).isna().any().any()


@pytest.mark.parametrize("horizon", [0, 31, 2.5])
def test_horizon_outside_1_to_30_is_refused(horizon):
    with pytest.raises(InputError, match="horizon"):
        backtest(weekly_usage(), horizon=horizon, models=[SeasonalNaive()])


def test_horizon_longer_than_the_data_allows_is_a_clear_error(tmp_path):
    usage = weekly_usage(days=60)
    with pytest.raises(InputError, match="60 days"):
        backtest(usage, horizon=30, folds=3, models=default_models(quick(tmp_path)))
    with pytest.raises(InputError, match="60 days"):
        forecast_table(usage, horizon=30, settings=quick(tmp_path))


def test_checkpoint_is_reused_retrained_on_change_and_survives_damage(tmp_path, monkeypatch):
    usage = weekly_usage()
    model, meta = trained_lstm(usage, horizon=5, settings=quick(tmp_path))
    files = list(tmp_path.glob("*.pt"))
    assert len(files) == 1
    payload = torch.load(files[0], weights_only=True)  # plain tensors and strings only
    assert payload["state_dict"]
    for key in ("fingerprint", "settings", "versions", "training_seconds"):
        assert key in meta
    before = forecast_table(usage, horizon=5, settings=quick(tmp_path))

    def no_training(*args, **kwargs):
        raise AssertionError("trained again although a checkpoint was there")

    with monkeypatch.context() as patch:  # same data and settings: loaded, not trained
        patch.setattr(LSTMForecaster, "fit", no_training)
        pd.testing.assert_frame_equal(forecast_table(usage, horizon=5, settings=quick(tmp_path)), before)

    changed = usage.assign(usage=usage["usage"] * 1.5)
    forecast_table(changed, horizon=5, settings=quick(tmp_path))
    forecast_table(usage, horizon=5, settings=quick(tmp_path, hidden_size=8))
    assert len(list(tmp_path.glob("*.pt"))) == 3

    files[0].write_bytes(b"not a checkpoint")
    assert load_checkpoint(files[0]) is None
    pd.testing.assert_frame_equal(forecast_table(usage, horizon=5, settings=quick(tmp_path)), before)
    assert load_checkpoint(files[0]) is not None  # rewritten
    assert not list(tmp_path.glob("*.tmp"))


def test_one_backtest_serves_every_horizon_and_is_kept_with_the_checkpoint(tmp_path, monkeypatch):
    usage = weekly_usage()
    trained_lstm(usage, horizon=5, settings=quick(tmp_path))
    first = cached_backtest(usage, horizon=5, folds=2, settings=quick(tmp_path))
    assert "backtest" in load_checkpoint(next(tmp_path.glob("*.pt"))).metadata
    monkeypatch.setattr("evcore.forecast.pipeline.backtest_errors", lambda *a, **k: pytest.fail("backtest ran again"))
    again = cached_backtest(usage, horizon=5, folds=2, settings=quick(tmp_path))
    pd.testing.assert_frame_equal(first.summary, again.summary)
    longer = cached_backtest(usage, horizon=12, folds=2, settings=quick(tmp_path))  # same folds, more days
    assert longer.horizon == 12 and not longer.summary["wape"].equals(first.summary["wape"])


def test_a_horizon_read_off_the_backtest_scores_the_first_days_of_each_fold():
    usage = weekly_usage(stations=3, days=90)
    errors = backtest_errors(usage, span=12, folds=2, models=[SeasonalNaive()])
    wide = daily_matrix(usage)
    for horizon in (1, 5, 12):
        wapes = []
        for start in (len(wide) - 24, len(wide) - 12):
            point = wide.iloc[start - 7:start].to_numpy()[np.arange(horizon) % 7]
            truth = wide.iloc[start:start + horizon].to_numpy()
            wapes.append(np.abs(truth - point).sum() / truth.sum())
        assert errors.for_horizon(horizon).summary["wape"].iloc[0] == pytest.approx(np.mean(wapes))
    pd.testing.assert_frame_equal(errors.for_horizon(12).summary.drop(columns="seconds"),
                                  backtest(usage, 12, 2, models=[SeasonalNaive()]).summary.drop(columns="seconds"))


def test_one_training_serves_every_horizon(tmp_path, monkeypatch):
    usage = weekly_usage()
    five = forecast_table(usage, horizon=5, settings=quick(tmp_path))
    monkeypatch.setattr(LSTMForecaster, "fit", lambda *a, **k: pytest.fail("trained again for another horizon"))
    for horizon in (1, 12, 30):
        table = forecast_table(usage, horizon=horizon, settings=quick(tmp_path))
        assert table["date"].nunique() == horizon
    thirty = forecast_table(usage, horizon=30, settings=quick(tmp_path))
    head = thirty[thirty["date"] <= five["date"].max()].reset_index(drop=True)
    pd.testing.assert_frame_equal(head, five)


def test_a_second_caller_waits_for_the_model_being_trained_and_loads_it(tmp_path, monkeypatch):
    import threading

    usage = weekly_usage()
    fits, fit = [], LSTMForecaster.fit

    def counted(self, *args, **kwargs):
        fits.append(1)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(LSTMForecaster, "fit", counted)
    tables, messages = [None, None], []

    def ask(i):
        tables[i] = forecast_table(usage, horizon=5, settings=quick(tmp_path),
                                   progress=lambda fraction, text: messages.append(text))

    callers = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for c in callers:
        c.start()
    for c in callers:
        c.join()
    assert len(fits) == 1
    pd.testing.assert_frame_equal(tables[0], tables[1])
    assert any("waiting" in m for m in messages)


def test_a_lock_held_by_a_killed_process_does_not_block(tmp_path):
    import subprocess
    import sys
    import time

    from conftest import ROOT
    from evcore.forecast import model_lock

    path = tmp_path / "lstm-x.pt"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from evcore.forecast.store import model_lock\n"
        f"with model_lock({str(path)!r}):\n    print('locked', flush=True); time.sleep(60)")],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    holder.kill()
    holder.wait()
    began = time.perf_counter()
    with model_lock(path) as locked:
        assert locked
    assert time.perf_counter() - began < 5


def test_device_setting_cpu_auto_and_a_missing_gpu(tmp_path, monkeypatch):
    usage = weekly_usage()
    on_cpu = forecast_table(usage, horizon=5, settings=quick(tmp_path))
    monkeypatch.setattr(LSTMForecaster, "fit", lambda *a, **k: pytest.fail("the device is not part of the model"))
    auto = forecast_table(usage, horizon=5, settings=quick(tmp_path).replace(device="auto"))
    pd.testing.assert_frame_equal(on_cpu, auto, check_exact=not torch.cuda.is_available(), rtol=1e-4)
    if not torch.cuda.is_available():
        with pytest.raises(InputError, match="cuda"):
            forecast_table(usage, horizon=5, settings=quick(tmp_path / "other").replace(device="cuda"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")
def test_a_model_trained_on_the_gpu_loads_on_the_cpu(tmp_path):
    usage = weekly_usage()
    on_gpu = forecast_table(usage, horizon=5, settings=quick(tmp_path).replace(device="cuda"))
    on_cpu = forecast_table(usage, horizon=5, settings=quick(tmp_path))
    pd.testing.assert_frame_equal(on_gpu, on_cpu, rtol=1e-4)


def test_folds_in_worker_processes_give_the_same_figures(tmp_path):
    usage = weekly_usage(stations=3, days=90)
    alone = backtest(usage, horizon=5, folds=2, models=default_models(quick(tmp_path))).summary
    parallel = backtest(usage, horizon=5, folds=2, models=default_models(quick(tmp_path)), n_jobs=2).summary
    pd.testing.assert_frame_equal(alone.drop(columns="seconds"), parallel.drop(columns="seconds"))


def test_the_demo_checkpoint_shipped_in_the_repository_is_current(monkeypatch):
    """A fresh machine shows the demo's forecast and backtest at once, from checkpoints/: the
    shipped file must be the one the current demo data and default settings look for."""
    from conftest import ROOT
    from evcore.demo import demo_dataset
    from evcore.forecast import checkpoint_path, make_lstm, prepared

    shipped = Settings(checkpoints=ROOT / "checkpoints")
    demo = demo_dataset()
    usage = demo.usage
    path = checkpoint_path(prepared(usage, demo.stations, shipped).filled, make_lstm(shipped), shipped)
    loaded = load_checkpoint(path)
    assert loaded is not None, f"{path.name} is missing: run scripts/demo_checkpoint.py (see .gitignore)"
    assert loaded.metadata["backtest"]["folds"] == 3
    monkeypatch.setattr(LSTMForecaster, "fit", lambda *a, **k: pytest.fail("trained although shipped"))
    table = forecast_table(usage, horizon=10, settings=shipped, stations=demo.stations)  # loads, does not train
    assert len(table) == 10 * usage["station_id"].nunique()


def test_two_models_trained_at_once_in_threads_match_sequential_runs_and_leave_torch_alone():
    import threading

    usage = fill_history(daily_matrix(weekly_usage(stations=4, days=80)))
    make = lambda seed: LSTMForecaster(horizon=5, epochs=2, seeds=1, average_last=1,  # noqa: E731
                                       max_windows_per_epoch=256, random_state=seed, combine=())
    threads_before, rng_before = torch.get_num_threads(), torch.get_rng_state()
    alone = [make(seed).fit(usage).predict(5)[1] for seed in (1, 2)]
    together = [None, None]

    def train(i):
        together[i] = make(i + 1).fit(usage).predict(5)[1]

    workers = [threading.Thread(target=train, args=(i,)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    for a, b in zip(alone, together):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(alone[0], alone[1])  # two seeds, two models
    assert torch.get_num_threads() == threads_before
    assert torch.equal(torch.get_rng_state(), rng_before)  # the global generator was not drawn from
    assert not torch.are_deterministic_algorithms_enabled()


def test_a_store_that_cannot_be_written_still_gives_the_forecast_with_one_note(tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the store's folder should be")
    usage = weekly_usage()
    table = forecast_table(usage, horizon=5, settings=quick(blocked))
    assert len(table) == 6 * 5 and table["forecast"].notna().all()
    assert "could not be kept" in table.attrs["store_note"]
    assert cached_backtest(usage, horizon=5, folds=2, settings=quick(blocked)).summary["wape"].notna().all()


def test_a_full_disk_leaves_no_temp_file_and_stale_ones_are_cleaned(tmp_path, monkeypatch):
    import os
    import time

    usage = weekly_usage()
    stale = tmp_path / "lstm-old.pt.abc.tmp"  # left by a writer that was killed mid-save
    stale.write_bytes(b"half a checkpoint")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    fresh = tmp_path / "lstm-now.pt.def.tmp"  # another process saving right now
    fresh.write_bytes(b"being written")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(torch, "save", disk_full)
        table = forecast_table(usage, horizon=5, settings=quick(tmp_path))
    assert "No space left" in table.attrs["store_note"]
    assert sorted(p.name for p in tmp_path.glob("*.tmp")) == [fresh.name]
    assert not list(tmp_path.glob("*.pt"))
    forecast_table(usage, horizon=5, settings=quick(tmp_path))  # room again: kept, no note
    assert len(list(tmp_path.glob("*.pt"))) == 1


def test_learned_weights_pick_the_better_forecast_and_the_interval_is_calibrated():
    from evcore.forecast.combination import combine, fit_weights, interval_scale

    rng = np.random.default_rng(0)
    truth = rng.uniform(10, 20, (14, 30))
    good, bad = truth + rng.normal(0, 1, truth.shape), truth + 8
    mask = np.ones(truth.shape, bool)
    weights = fit_weights(np.array([bad, good]), truth, mask)
    assert weights[1] >= 0.9
    point = good
    scale = interval_scale(point - 0.5, point, point + 0.5, truth, mask, level=0.8)  # too narrow
    lower, _, upper = combine([(point - 0.5, point, point + 0.5)], np.array([1.0]), scale)
    inside = ((truth >= lower) & (truth <= upper)).mean()
    assert 0.75 <= inside <= 0.85


def test_a_validation_slice_learns_combination_weights_kept_in_the_checkpoint(tmp_path, monkeypatch):
    usage = weekly_usage(days=150)
    settings = quick(tmp_path, validation_days=14)
    model, _ = trained_lstm(usage, horizon=7, settings=settings)
    assert model.weights_.sum() == pytest.approx(1.0) and len(model.weights_) == 1 + len(model.combine)
    first = forecast_table(usage, horizon=7, settings=settings)
    monkeypatch.setattr(LSTMForecaster, "fit", lambda *a, **k: pytest.fail("trained again"))
    pd.testing.assert_frame_equal(forecast_table(usage, horizon=7, settings=settings), first)


def test_a_forecast_that_is_not_finite_is_refused_naming_the_station(tmp_path, monkeypatch):
    import evcore.forecast.pipeline as pipeline

    real = pipeline.forecast_frame

    def overflowing(model, history, horizon):
        table = real(model, history, horizon)
        table.loc[3, "upper"] = np.inf
        return table

    monkeypatch.setattr(pipeline, "forecast_frame", overflowing)
    usage = weekly_usage(stations=2, days=70)
    with pytest.raises(InputError, match=r"upper for station .* is not a finite number"):
        forecast_table(usage, horizon=5, settings=quick(tmp_path))


def test_recent_training_windows_weigh_more_and_the_half_life_is_part_of_the_model(monkeypatch):
    from evcore.forecast import training
    from evcore.forecast.features import Windows

    origins = torch.tensor([100, 72, 44, 100])
    np.testing.assert_allclose(training.recency_weights(origins, 100, 28.0).numpy(), [1.0, 0.5, 0.25, 1.0])
    np.testing.assert_array_equal(training.recency_weights(origins, 100, 0.0).numpy(), [1, 1, 1, 1])
    usage = fill_history(daily_matrix(weekly_usage(stations=4, days=80)))
    make = lambda half: LSTMForecaster(horizon=5, epochs=2, seeds=1, average_last=1,  # noqa: E731
                                       max_windows_per_epoch=256, combine=(), recency_half_life=half,
                                       departure_days=0)  # the network as trained
    assert make(28.0).identity() != make(0.0).identity()  # a checkpoint of one is not reused for the other
    assert not np.allclose(make(28.0).fit(usage).predict(5)[1], make(0.0).fit(usage).predict(5)[1])

    # every batch's loss weighs each sample by its own origin's age
    batches, losses = [], []
    batch, loss = Windows.batch, training.pinball_loss
    monkeypatch.setattr(Windows, "batch", lambda self, s, o, h: batches.append((o.clone(), self.target_end)) or batch(self, s, o, h))
    monkeypatch.setattr(training, "pinball_loss", lambda p, t, q, w: losses.append(w.clone()) or loss(p, t, q, w))
    make(7.0).fit(usage)
    assert len(losses) == len(batches) > 1
    for (origins, end), weights in zip(batches, losses):
        np.testing.assert_allclose(weights.numpy(), 0.5 ** ((end - 1 - origins.numpy()) / 7.0), rtol=1e-5)


def test_lstm_settings_that_cannot_train_are_refused_in_one_sentence():
    usage = fill_history(daily_matrix(weekly_usage(stations=2, days=60)))
    for setting, value in [("seeds", 0), ("epochs", 0), ("workers", 0), ("workers", "2"),
                           ("recency_half_life", None), ("recency_half_life", -1.0), ("hidden_size", 2.5)]:
        with pytest.raises(InputError, match=f"LSTM setting {setting} must be"):
            LSTMForecaster(horizon=5, **{setting: value}).fit(usage)


def test_training_stops_soon_when_the_caller_is_stopped(monkeypatch):
    """Streamlit stops a page's script by raising inside its progress bar; the seeds' threads
    must then stop too rather than finish a training nobody waits for."""
    from evcore.forecast.features import Windows

    usage = fill_history(daily_matrix(weekly_usage(stations=4, days=80)))
    import time

    calls, batch = [0], Windows.batch
    # each batch as slow as on real data, so the training lasts longer than a progress update
    monkeypatch.setattr(Windows, "batch", lambda *a: calls.__setitem__(0, calls[0] + 1) or time.sleep(0.02) or batch(*a))
    model = LSTMForecaster(horizon=5, epochs=20, seeds=2, average_last=1, max_windows_per_epoch=512,
                           batch_size=32, combine=(), workers=2)

    model.fit(usage)
    whole, calls[0] = calls[0], 0

    def stopped(fraction, message):
        raise KeyboardInterrupt("the page was rerun")

    with pytest.raises(KeyboardInterrupt):
        model.fit(usage, progress=stopped)
    assert calls[0] < whole / 2


def test_seeds_trained_at_once_give_the_same_networks_as_one_after_another():
    usage = fill_history(daily_matrix(weekly_usage(stations=4, days=80)))
    make = lambda workers: LSTMForecaster(horizon=5, epochs=2, seeds=3, average_last=2, snapshot_every=1,  # noqa: E731
                                          max_windows_per_epoch=256, combine=(), dropout=0.1, workers=workers)
    messages = []
    together = make(3).fit(usage, progress=lambda f, m: messages.append((f, m)))
    alone = make(1).fit(usage)
    assert len(together.networks_) == len(alone.networks_) == 6
    for a, b in zip(together.state_dict().values(), alone.state_dict().values()):
        assert torch.equal(a, b)
    fractions = [f for f, _ in messages]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert messages[-1][1] == "training the LSTM: 6 of 6 epochs"


def test_the_history_is_prepared_once_a_call(tmp_path, monkeypatch):
    import evcore.forecast.data as data

    calls = []
    real = data.daily_matrix
    monkeypatch.setattr(data, "daily_matrix", lambda usage: calls.append(1) or real(usage))
    cached_backtest(weekly_usage(stations=3, days=90), horizon=5, folds=2, settings=quick(tmp_path))
    assert len(calls) == 1


def test_the_backtest_scores_the_models_it_is_given_and_no_others():
    import importlib

    module = importlib.import_module("evcore.forecast.backtest")
    result = backtest(weekly_usage(stations=3, days=60), horizon=5, folds=2, models=[SeasonalNaive()])
    assert list(result.summary["model"]) == ["seasonal_naive"]
    with pytest.raises(TypeError):
        backtest(weekly_usage(stations=3, days=60), horizon=5, folds=2)  # no hidden default models
    imports = [line for line in open(module.__file__) if "import" in line and "pipeline" in line]
    assert imports == []  # no import circle with the pipeline
