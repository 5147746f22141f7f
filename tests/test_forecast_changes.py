"""The daily forecast on data it was not tuned to: public holidays, outages, level shifts, new
stations, a single series, five stations, years of history and few sessions a day (issue 17)."""

import numpy as np
import pandas as pd
import pytest

from conftest import QUICK_LSTM
from evcore.config import Settings
from evcore.forecast import LSTMForecaster, daily_history, forecast_table
from evcore.forecast.calendar import country_of, holiday_country
from evcore.forecast.cleaning import outages
from evcore.forecast.scenarios import SCENARIOS, few_sessions, level_shift
from usage_samples import weekly_usage

JOHANNESBURG = pd.DataFrame({"station_id": ["a", "b"], "latitude": [-26.08, -26.15], "longitude": [28.06, 28.04]})


def quick(folder, holidays="auto") -> Settings:
    return Settings(checkpoints=folder, lstm=QUICK_LSTM, device="cpu", holidays=holidays)


@pytest.mark.parametrize("lat, lon, country", [(-26.08, 28.06, "ZA"), (-37.69, 145.11, "AU-VIC"),
                                               (40.02, -105.25, "US-CO"), (37.44, -122.16, "US-CA"),
                                               (52.37, 4.89, "NL"), (-45.0, -150.0, None)])
def test_the_holiday_country_comes_from_the_stations_coordinates(lat, lon, country):
    stations = pd.DataFrame({"station_id": ["x"], "latitude": [lat], "longitude": [lon]})
    assert country_of(stations) == country


def test_a_setting_names_the_country_or_none_and_no_coordinates_means_none():
    assert holiday_country("none", JOHANNESBURG) is None
    assert holiday_country("au-nsw", JOHANNESBURG) == "AU-NSW"
    assert holiday_country("auto", None) is None
    assert holiday_country(None, pd.DataFrame({"station_id": ["x"]})) is None
    usage = weekly_usage(stations=2, days=60, start="2023-06-01")
    assert list(daily_history(usage, JOHANNESBURG).filled.attrs["holidays"].strftime("%m-%d")) == ["06-16", "08-09"]


def _with_holidays(level=100.0, holiday=20.0):
    """Three Johannesburg stations, 12 weeks from Monday 5 June 2023: weekdays ``level``,
    weekends half, and the two weekday public holidays in it (Friday 16 June, Wednesday
    9 August) at ``holiday``. The 30 days after hold Monday 25 September, a holiday too."""
    dates = pd.date_range("2023-06-05", periods=84, freq="D")
    values = np.where(dates.day_of_week < 5, level, level / 2)
    values = np.where(dates.isin(pd.to_datetime(["2023-06-16", "2023-08-09"])), holiday, values)
    return pd.concat([pd.DataFrame({"station_id": s, "date": dates, "usage": values * (1 + k)})
                      for k, s in enumerate(("a", "b", "c"))], ignore_index=True)


def test_a_holiday_does_not_make_its_weekday_look_quiet_and_the_next_holiday_is_forecast_low(tmp_path):
    usage = _with_holidays()
    aware = forecast_table(usage, horizon=30, settings=quick(tmp_path), stations=JOHANNESBURG)
    blind = forecast_table(usage, horizon=30, settings=quick(tmp_path, holidays="none"), stations=JOHANNESBURG)

    def on(table, day):
        return table[table["date"] == pd.Timestamp(day)].set_index("station_id")["forecast"]

    # Wednesday 30 August, three weeks after the quiet holiday Wednesday, like the Thursday after it
    assert (on(aware, "2023-08-30") > 0.95 * on(aware, "2023-08-31")).all()
    assert (on(blind, "2023-08-30") < 0.9 * on(blind, "2023-08-31")).all()
    # Monday 25 September (Heritage Day observed) below the Mondays around it, learned from the past two
    assert (on(aware, "2023-09-25") < 0.8 * on(aware, "2023-09-18")).all()
    assert (on(blind, "2023-09-25") > 0.9 * on(blind, "2023-09-18")).all()


def test_outages_are_runs_of_zeros_unlikely_for_the_station_and_followed_by_usage():
    days = 120
    y = np.full((days, 4), 50.0)
    y[60:70, 0] = 0                       # a busy station off for ten days: an outage
    y[::3, 1] = 0                         # a quiet station, zero every third day
    y[60:62, 1] = 0                       # ... two zero days in a row: not unusual for it
    y[-8:, 2] = 0                         # off until the end: kept (it may be down)
    found = outages(y)
    assert found[60:70, 0].all() and found[:, 0].sum() == 10
    assert not found[:, 1].any() and not found[:, 2].any() and not found[:, 3].any()


def test_few_sessions_makes_sparse_zero_heavy_counts_that_keep_the_level_and_the_weekly_rhythm():
    usage = weekly_usage(stations=6, days=182, start="2023-01-02")
    usage.loc[5, "usage"] = np.nan                                   # a day the export does not have
    sparse = few_sessions(usage)
    assert 0.25 < (sparse["usage"] == 0).mean() < 0.5                # about a third of the days: no session
    assert abs(sparse["usage"].sum() / usage["usage"].sum() - 1) < 0.1
    weekday = pd.to_datetime(sparse["date"]).dt.day_of_week
    by_day = sparse.groupby(weekday)["usage"].mean()
    assert by_day[[5, 6]].max() < 0.6 * by_day[[0, 1, 2, 3, 4]].mean()   # quiet weekends kept
    assert np.isnan(sparse.loc[5, "usage"]) and sparse["usage"].notna().sum() == len(usage) - 1
    y = sparse.pivot(index="date", columns="station_id", values="usage").fillna(0).to_numpy()
    assert outages(y).mean() < 0.05                                  # few zero days taken for outages
    busier = few_sessions(usage, per_day=3)
    assert 0.03 < (busier["usage"] == 0).mean() < 0.15               # three a day: about 8% zero
    assert abs(busier["usage"].sum() / usage["usage"].sum() - 1) < 0.1


def test_an_outage_in_the_history_does_not_pull_the_forecast_down(tmp_path):
    usage = weekly_usage(stations=4, days=100, start="2023-01-02")
    dates = usage["date"]
    cut = (usage["station_id"] == "S2") & (dates >= dates.max() - pd.Timedelta(days=24)) & (
        dates < dates.max() - pd.Timedelta(days=12))
    broken = usage.assign(usage=usage["usage"].where(~cut, 0.0))
    settings = quick(tmp_path)
    clean = forecast_table(usage, horizon=7, settings=settings).groupby("station_id")["forecast"].sum()
    after = forecast_table(broken, horizon=7, settings=settings).groupby("station_id")["forecast"].sum()
    assert after["S2"] == pytest.approx(clean["S2"], rel=0.08)


def test_a_station_that_doubled_is_forecast_at_its_new_level(tmp_path):
    usage = weekly_usage(stations=4, days=120, start="2023-01-02")
    shifted = level_shift(usage, factor=2.0, days_before_end=28, nth=2)  # S0 and S2 doubled
    forecast = forecast_table(shifted, horizon=7, settings=quick(tmp_path)).groupby("station_id")["forecast"].sum()
    last_week = shifted[shifted["date"] > shifted["date"].max() - pd.Timedelta(days=7)].groupby("station_id")["usage"].sum()
    for station in ("S0", "S2"):  # nearer the new level than the old (half of it)
        assert abs(forecast[station] - last_week[station]) < 0.25 * last_week[station]


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_changed_network_is_forecast_with_a_sensible_band(tmp_path, scenario):
    usage = SCENARIOS[scenario](weekly_usage(stations=6, days=90, start="2023-01-02"))
    table = forecast_table(usage, horizon=10, settings=quick(tmp_path))
    assert set(table["station_id"]) == set(usage["station_id"])
    recent = usage[usage["date"] > usage["date"].max() - pd.Timedelta(days=14)].groupby("station_id")["usage"].mean()
    mean = table.groupby("station_id")["forecast"].mean()
    assert ((mean / recent.reindex(mean.index)).between(0.6, 1.5)).all()  # each at its own recent level
    assert (table["lower"] <= table["forecast"]).all() and (table["forecast"] <= table["upper"]).all()


def test_a_new_station_is_forecast_from_its_own_short_history():
    usage = SCENARIOS["new_stations"](weekly_usage(stations=6, days=90, start="2023-01-02"))
    model = LSTMForecaster(horizon=7, **QUICK_LSTM).fit(daily_history(usage).filled)
    lower, point, upper = model.predict(7)
    assert np.isfinite(point).all() and (point > 0).all()


def test_a_fold_fills_its_history_from_the_days_before_its_origin_alone():
    from evcore.forecast import Forecaster, backtest

    seen = []

    class Spy(Forecaster):
        name = "spy"

        def fit(self, history, progress=None):
            seen.append(history)
            return self

        def predict(self, horizon):
            shape = (horizon, len(seen[-1].columns))
            return np.zeros(shape), np.zeros(shape), np.zeros(shape)

    usage = weekly_usage(stations=2, days=60, start="2023-01-02")
    last = usage["date"].max()
    origin = last - pd.Timedelta(days=9)  # the second of two 10-day folds starts here
    gap = (usage["station_id"] == "S1") & (usage["date"] >= origin - pd.Timedelta(days=3)) & (
        usage["date"] <= origin + pd.Timedelta(days=2))
    usage = usage[~gap].copy()
    usage.loc[(usage["station_id"] == "S1") & (usage["date"] > origin + pd.Timedelta(days=2)), "usage"] = 1e6
    backtest(usage, horizon=10, folds=2, models=[Spy()])
    before_gap = usage[(usage["station_id"] == "S1") & (usage["date"] < origin - pd.Timedelta(days=3))]["usage"].iloc[-1]
    assert seen[-1]["S1"].iloc[-3:].tolist() == [before_gap] * 3  # not drawn towards the 1e6 after the origin


def test_the_first_days_of_a_history_with_holidays_key_as_that_history_would():
    from evcore.forecast import fingerprint

    usage = _with_holidays()
    whole = daily_history(usage, JOHANNESBURG).filled
    first = daily_history(usage[usage["date"] <= "2023-08-20"], JOHANNESBURG).filled
    assert fingerprint(whole.iloc[:-7]) == fingerprint(first)  # the fine-tune finds its predecessor


def _poisson_network(days=120, horizon=7, stations=40):
    """The means of Poisson daily usage with a weekly profile around level 20: ``(dates, means)``
    of ``days + horizon`` days (the last ``horizon`` to be forecast)."""
    dates = pd.date_range("2024-01-01", periods=days + horizon)
    profile = np.array([1.2, 1.1, 1.0, 1.0, 1.1, 0.7, 0.6])[dates.day_of_week]
    return dates, np.full((days + horizon, stations), 20.0) * profile[:, None]


@pytest.mark.parametrize("case", ["young", "doubled"])
def test_a_young_or_a_doubled_station_gets_a_band_as_wide_as_its_usage_now_needs(case):
    from evcore.forecast.baselines import SeasonalExpSmoothing, SeasonalNaive
    from evcore.forecast.data import fill_history

    days, horizon = 120, 7
    dates, expected = _poisson_network(days, horizon)
    changed = slice(20, 40)
    if case == "doubled":  # half the stations double a week before the end
        expected[days - 7:, changed] *= 2
    values = np.random.default_rng(1).poisson(expected).astype(float)
    history = pd.DataFrame(values[:days], index=dates[:days])
    if case == "young":  # half the stations opened 12 days before the end (padded before)
        history.iloc[:days - 12, changed] = np.nan
    model = SeasonalExpSmoothing() if case == "young" else SeasonalNaive()
    lower, _, upper = model.fit(fill_history(history)).predict(horizon)
    truth = values[days:]
    inside = ((truth >= lower) & (truth <= upper))[:, changed].mean()
    assert inside >= 0.78  # calibrated on its padding alone a young station's band held 0.67; 0.76 doubled


def test_departure_weight_trusts_a_network_as_far_as_it_beats_the_profile_it_starts_from():
    from evcore.forecast.combination import departure_weight

    rng = np.random.default_rng(0)
    truth = rng.uniform(10, 20, 500)
    profile = truth * 1.3                      # a plain forecast 30% high
    assert departure_weight(profile, truth + rng.normal(0, 0.5, 500), truth) == 1.0
    assert departure_weight(profile, profile + rng.normal(0, 20, 500), truth) == 0.0  # only noise added
    assert 0.3 <= departure_weight(profile, truth * 0.7, truth) <= 0.7  # overshoots by as much the other way


def test_the_departure_weight_is_learned_from_the_last_weeks_at_least_at_its_floor_and_kept(tmp_path, monkeypatch):
    from evcore.forecast import combination
    from evcore.forecast.last_weeks import DEPARTURE_FLOOR
    from evcore.forecast.pipeline import trained_lstm

    usage = weekly_usage(stations=4, days=120)
    calls = []
    monkeypatch.setattr(combination, "departure_weight", lambda *a: calls.append(a) or 0.0)  # no trust at all
    first = forecast_table(usage, horizon=7, settings=quick(tmp_path))
    assert len(calls) == 1 and len(calls[0][2]) > 0  # scored on the held-back days
    monkeypatch.setattr(LSTMForecaster, "fit", lambda *a, **k: pytest.fail("trained again"))
    pd.testing.assert_frame_equal(forecast_table(usage, horizon=7, settings=quick(tmp_path)), first)
    model, _ = trained_lstm(usage, settings=quick(tmp_path))  # from the checkpoint
    assert model.departure_ == DEPARTURE_FLOOR  # a pick on a few weeks keeps half the network's departure


def test_with_no_trust_in_its_departure_every_seed_forecasts_the_level_times_the_profile():
    from evcore.forecast.data import fill_history
    from evcore.forecast.data import daily_matrix

    history = fill_history(daily_matrix(weekly_usage(stations=3, days=100)))
    forecasts = []
    for seed in (0, 1):
        model = LSTMForecaster(**{**QUICK_LSTM, "random_state": seed, "departure_days": 0}).fit(history)
        model.departure_ = 0.0
        forecasts.append(model.predict_network(7)[1])
    np.testing.assert_allclose(forecasts[0], forecasts[1], rtol=1e-5)
    assert not np.allclose(forecasts[0], forecasts[0][:1])  # the weekly profile, not a flat line


def test_best_members_keeps_the_network_where_its_median_came_closer_and_drops_it_where_it_did_not():
    from evcore.forecast.combination import best_members

    truth = np.random.default_rng(0).uniform(5, 50, 300)
    sets = [("network", "a", "b", "c"), ("a", "b", "c"), ("network", "a", "b", "c", "ma")]
    baselines = {"a": truth + 4, "b": truth - 4, "c": truth + 2, "ma": truth + 4}
    assert best_members(sets, {**baselines, "network": truth}, truth) == sets[0]  # off by 1 against 2 and 2
    assert best_members(sets, {**baselines, "network": truth + 40}, truth) == sets[1]  # 3 and 4 against 2
    assert best_members(sets, {**baselines, "network": truth + 1, "ma": truth - 1}, truth) == sets[2]  # 1.5 and 2 against 1
    assert best_members(sets, {**baselines, "network": truth + 4}, truth[:0]) == sets[0]  # nothing to judge by


def test_a_network_that_missed_its_own_last_weeks_is_left_out_of_the_shipped_forecast_and_stays_out(tmp_path, monkeypatch):
    from evcore.forecast.baselines import BASELINES
    from evcore.forecast.pipeline import trained_lstm

    full = weekly_usage(stations=4, days=121)
    usage = full[full["date"] < full["date"].max()]
    network = LSTMForecaster.from_ratios  # every forecast of the network, tripled
    monkeypatch.setattr(LSTMForecaster, "from_ratios", lambda *a, **k: tuple(3 * p for p in network(*a, **k)))
    model, _ = trained_lstm(usage, settings=quick(tmp_path))
    assert model.members_ == tuple(model.combine)  # the baselines alone
    history = pd.DataFrame(model.history_, index=model.dates_)
    bands = [BASELINES[name]().fit(history).predict(model.horizon_) for name in model.combine]
    expected = np.median([b[1][:7] for b in bands], axis=0)
    lower, point, upper = model.predict(7)
    np.testing.assert_allclose(point, expected)
    assert not np.allclose(point, model.predict_network(7)[1])  # the tripled network is not in it
    tuned, metadata = trained_lstm(full, settings=quick(tmp_path))  # a day appended: a fine-tune keeps the choice
    assert metadata["fine_tunes"] == 1 and tuned.members_ == model.members_
    monkeypatch.setattr(LSTMForecaster, "fit", lambda *a, **k: pytest.fail("trained again"))
    again, _ = trained_lstm(usage, settings=quick(tmp_path))  # from the checkpoint
    assert again.members_ == model.members_
    assert forecast_table(usage, horizon=7, settings=quick(tmp_path)).attrs["members"] == list(model.combine)


def test_the_median_band_factor_goes_halfway_to_what_the_held_out_days_needed_where_they_are_scored():
    from evcore.forecast.combination import median_band_scale

    truth = 10 + np.random.default_rng(0).uniform(-4, 4, 10000)  # 80% of them within 3.2 of 10
    mask = np.arange(10000) % 10 != 0
    truth[~mask] = 1e6                                             # not scored: must not count
    bands = [(np.full(10000, 10.0 - w), np.full(10000, 10.0), np.full(10000, 10.0 + w)) for w in (1, 2, 5)]
    assert median_band_scale(bands, truth, mask, 0.8) == pytest.approx(np.sqrt(3.2 / 2), abs=0.01)  # median: +-2


def test_the_shipped_band_takes_the_factor_learned_on_the_last_weeks_halfway_and_keeps_it(tmp_path, monkeypatch):
    from evcore.forecast import combination
    from evcore.forecast.pipeline import trained_lstm

    full = weekly_usage(stations=4, days=121)
    usage = full[full["date"] < full["date"].max()]
    monkeypatch.setattr(combination, "interval_scale", lambda *a, **k: 4.0)  # the last weeks needed 4x the band
    model, _ = trained_lstm(usage, settings=quick(tmp_path))
    assert model.band_scale_ == 2.0  # halfway on the log scale
    calibrated = model.predictions(7)
    model.band_scale_ = 1.0
    members = model.predictions(7)  # the members' median band as it was
    lower, point, upper = members["lstm"]
    np.testing.assert_allclose(calibrated["lstm"][1], point)
    np.testing.assert_allclose(calibrated["lstm"][2] - point, 2 * (upper - point))
    np.testing.assert_allclose(calibrated["lstm"][0], np.clip(point - 2 * (point - lower), 0, None))
    np.testing.assert_allclose(calibrated["lstm_network"], members["lstm_network"])  # the network keeps its own
    monkeypatch.setattr(combination, "interval_scale", lambda *a, **k: 9.0)  # learned again would give 3
    tuned, metadata = trained_lstm(full, settings=quick(tmp_path))  # a day appended: a fine-tune keeps it
    assert metadata["fine_tunes"] == 1 and tuned.band_scale_ == 2.0
    monkeypatch.setattr(LSTMForecaster, "fit", lambda *a, **k: pytest.fail("trained again"))
    assert trained_lstm(usage, settings=quick(tmp_path))[0].band_scale_ == 2.0  # from the checkpoint


def test_the_band_factor_is_one_where_no_median_is_shipped_or_no_days_are_spared(monkeypatch):
    from evcore.forecast import combination
    from evcore.forecast.data import daily_matrix, fill_history

    monkeypatch.setattr(combination, "interval_scale", lambda *a, **k: 4.0)
    history = fill_history(daily_matrix(weekly_usage(stations=3, days=100)))
    assert LSTMForecaster(**QUICK_LSTM).fit(history).band_scale_ == 2.0
    for setting in ({"calibrate_band": False}, {"departure_days": 0}, {"combine": ()}, {"validation_days": 7}):
        assert LSTMForecaster(**{**QUICK_LSTM, **setting}).fit(history).band_scale_ == 1.0, setting


def test_a_network_of_more_stations_than_it_learns_from_learns_on_a_spread_sample_of_the_used_ones(monkeypatch):
    from evcore.forecast import last_weeks
    from evcore.forecast.data import daily_matrix, fill_history

    history = fill_history(daily_matrix(weekly_usage(stations=8, days=100)))
    history.iloc[:, 1] = 0.0                                   # a station never used: never in the sample
    monkeypatch.setattr(last_weeks, "LEARNING_STATIONS", 3)
    seen, learn = {}, last_weeks.learned_departure_and_members
    monkeypatch.setattr(last_weeks, "learned_departure_and_members", lambda profile, network, baselines, truth, *rest: (
        seen.update(network=network, baselines=baselines, truth=truth) or learn(profile, network, baselines, truth, *rest)))
    model = LSTMForecaster(**QUICK_LSTM).fit(history)
    n = len(model.history_)
    sample = [0, 4, 7]  # the first, middle and last of the used stations 0, 2, 3, ..., 7
    truth = np.concatenate([model.history_[origin:, sample] for origin in range(n - 20, n, 5)])
    np.testing.assert_array_equal(seen["truth"], truth)
    for forecast in [seen["network"], *seen["baselines"].values()]:  # the same stations in every column
        np.testing.assert_allclose(forecast.mean(axis=0) / truth.mean(axis=0), 1, rtol=0.5)
    assert model.predict(10)[1].shape == (10, 8)


def test_the_last_weeks_run_the_networks_once_an_origin_on_the_learning_stations_only(monkeypatch):
    from evcore.forecast import last_weeks
    from evcore.forecast.data import daily_matrix, fill_history

    history = fill_history(daily_matrix(weekly_usage(stations=8, days=100)))
    monkeypatch.setattr(last_weeks, "LEARNING_STATIONS", 3)
    calls, ratios = [], LSTMForecaster.network_ratios
    monkeypatch.setattr(LSTMForecaster, "network_ratios", lambda self, origin, networks=None, stations=slice(None), **k: (
        calls.append((origin, list(np.arange(8)[stations]))) or ratios(self, origin, networks, stations, **k)))
    model = LSTMForecaster(**QUICK_LSTM).fit(history)
    n = len(model.history_)
    assert calls == [(origin, [0, 4, 7]) for origin in range(n - 20, n, 5)]
    model.predict(10)
    assert calls[-1] == (n, list(range(8)))  # the forecast itself: every station


def test_the_networks_forecast_of_a_few_stations_is_their_part_of_the_whole_networks_at_every_departure():
    from evcore.forecast.data import daily_matrix, fill_history

    history = fill_history(daily_matrix(weekly_usage(stations=8, days=100)))
    history.iloc[:, 5] = 0.0                                   # a station never used
    model = LSTMForecaster(**QUICK_LSTM).fit(history)
    some, whole = np.array([1, 5, 6]), model.network_ratios(50)
    for origin in (50, len(model.history_)):
        part = model.network_ratios(origin, stations=some)
        for departure in (0.0, 0.5, 1.0):
            expected = model.from_ratios(*model.network_ratios(origin), origin, 7, departure)
            got = model.from_ratios(*part, origin, 7, departure, some)
            for a, b in zip(got, expected):
                np.testing.assert_allclose(a, b[:, some], rtol=1e-6, atol=1e-9)
    forecast = model.from_ratios(*whole, 50, 7, 1.0)[1]
    assert (forecast[:, 5] == 0).all() and (forecast[:, [1, 6]] > 0).all()  # no usage before the origin: 0


def test_on_counts_of_a_few_sessions_a_day_the_calibrated_band_covers_more_of_the_days_after():
    from evcore.forecast.data import daily_matrix, fill_history

    usage = few_sessions(weekly_usage(stations=30, days=150, start="2023-01-02"), per_day=3)
    history = fill_history(daily_matrix(usage))
    later = history.iloc[-10:].to_numpy()
    model = LSTMForecaster(**QUICK_LSTM).fit(history.iloc[:-10])
    lower, _, upper = model.predict(10)
    factor, model.band_scale_ = model.band_scale_, 1.0
    raw_lower, _, raw_upper = model.predict(10)  # the members' median band: too narrow on such counts
    covered = ((later >= lower) & (later <= upper)).mean()
    assert factor > 1 and covered > ((later >= raw_lower) & (later <= raw_upper)).mean()
    assert 0.75 <= covered <= 0.85
    unchanged = LSTMForecaster(**{**QUICK_LSTM, "calibrate_band": False}).fit(history.iloc[:-10])
    assert unchanged.band_scale_ == 1.0 and np.allclose(unchanged.predict(10)[2], raw_upper)


def test_without_choose_members_the_network_is_always_a_member(monkeypatch):
    from evcore.forecast import combination
    from evcore.forecast.data import daily_matrix, fill_history

    monkeypatch.setattr(combination, "best_members", lambda *a: pytest.fail("a choice was made"))
    history = fill_history(daily_matrix(weekly_usage(stations=3, days=100)))
    model = LSTMForecaster(**{**QUICK_LSTM, "choose_members": False}).fit(history)
    assert model.member_sets() == [("network", *model.combine)] == [model.shipped_members()]
    assert LSTMForecaster(**{**QUICK_LSTM, "combine": ()}).member_sets() == [("network",)]
    assert LSTMForecaster(**{**QUICK_LSTM, "validation_days": 7}).member_sets() == [("network", *model.combine)]
