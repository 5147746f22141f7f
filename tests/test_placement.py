"""Placement models: answers a planner can trust (optimal on small cases, bounds that hold,
existing stations respected, figures that add up) and clear refusals of bad input."""

import itertools

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, shared_file
from evcore.errors import InputError
from evcore.geo import haversine_km
from evcore.placement import MaxCoverage, PMedian, coverage_curve, read_orlib, sites_needed


def random_instance(n=30, m=14, seed=0):
    rng = np.random.default_rng(seed)
    demand, sites = rng.random((n, 2)) * 20, rng.random((m, 2)) * 20
    cost = np.sqrt(((demand[:, None] - sites[None]) ** 2).sum(-1))
    return cost, rng.integers(1, 20, n).astype(float)


def brute_force(cost, weights, k, fixed=(), radius=None):
    free = [j for j in range(cost.shape[1]) if j not in fixed]
    best = None
    for combo in itertools.combinations(free, k):
        d = cost[:, list(fixed) + list(combo)].min(axis=1)
        value = weights @ d if radius is None else -weights[d <= radius].sum()
        best = value if best is None else min(best, value)
    return best


@pytest.mark.parametrize("exact", [False, True])
@pytest.mark.parametrize("seed", [0, 1])
def test_pmedian_finds_the_optimum_of_small_problems(seed, exact):
    cost, w = random_instance(seed=seed)
    model = PMedian.from_cost_matrix(cost, w, k=3).solve(exact=exact)
    assert model.objective_ == pytest.approx(brute_force(cost, w, 3))
    assert len(model.selected_) == 3 and model.sites_ is None
    if exact:
        assert model.optimal_


@pytest.mark.parametrize("exact", [False, True])
def test_max_coverage_finds_the_optimum_of_small_problems(exact):
    cost, w = random_instance(seed=3)
    model = MaxCoverage.from_cost_matrix(cost, w, k=3, radius=4.0).solve(exact=exact)
    assert model.objective_ == pytest.approx(-brute_force(cost, w, 3, radius=4.0))
    assert model.coverage_ == pytest.approx(model.objective_ / w.sum())
    assert model.upper_bound_ >= model.objective_ - 1e-9


def test_existing_sites_stay_open_and_do_not_count_against_k():
    cost, w = random_instance(seed=4)
    fixed = [2, 9]
    model = PMedian.from_cost_matrix(cost, w, k=2, existing=fixed).solve()
    assert set(fixed) <= set(model.open_) and not set(fixed) & set(model.selected_)
    assert len(model.selected_) == 2
    assert model.objective_ == pytest.approx(brute_force(cost, w, 2, fixed=fixed))
    figures = model.figures(radius=5.0)
    assert figures["existing_only"]["mean_km"] >= figures["mean_km"]
    assert figures["mean_km_saved"] == pytest.approx(figures["existing_only"]["mean_km"] - figures["mean_km"])
    # Every demand point is served by its nearest open site.
    assert np.allclose(model.distance_, cost[:, model.open_].min(axis=1))


def test_no_new_sites_gives_the_existing_stations_alone():
    cost, w = random_instance(seed=4)
    model = PMedian.from_cost_matrix(cost, w, k=0, existing=[2, 9]).solve()
    assert model.selected_.size == 0 and model.optimal_
    assert model.objective_ == pytest.approx(w @ cost[:, [2, 9]].min(axis=1))


def test_heuristic_bound_holds_and_gap_is_reported():
    cost, w = random_instance(n=60, m=40, seed=5)
    fast = PMedian.from_cost_matrix(cost, w, k=5).solve()
    best = PMedian.from_cost_matrix(cost, w, k=5).solve(exact=True)
    assert fast.lower_bound_ <= best.objective_ + 1e-6
    assert 0 <= fast.gap_ < 0.05
    assert fast.objective_ <= best.objective_ * 1.005


def demo_points():
    demand = pd.DataFrame({"latitude": [47.60, 47.61, 47.70, 47.71, 47.50, 47.60],
                           "longitude": [-122.30, -122.31, -122.20, -122.21, -122.40, -122.30],
                           "weight": [10, 5, 8, 2, 1, 4]})
    stations = pd.DataFrame({"station_id": ["a"], "name": ["Station A"], "latitude": [47.50],
                             "longitude": [-122.39]})
    return demand, stations


def test_from_points_uses_distinct_demand_locations_and_great_circle_km():
    demand, stations = demo_points()
    model = PMedian.from_points(demand, k=2, existing=stations, radius=3.0).solve()
    distinct = demand[["latitude", "longitude"]].drop_duplicates()
    assert model.cost.shape == (6, len(distinct) + 1)
    assert {tuple(s) for s in model.sites_} <= set(map(tuple, distinct.to_numpy()))
    nearest = [min(haversine_km(r.latitude, r.longitude, a, b) for a, b in
                   np.vstack([model.sites_, stations[["latitude", "longitude"]].to_numpy()]))
               for r in demand.itertuples()]
    figures = model.figures()
    assert figures["mean_km"] == pytest.approx(np.average(nearest, weights=demand["weight"]))
    within = demand["weight"][np.array(nearest) <= 3.0].sum() / demand["weight"].sum()
    assert figures["share_within_radius"] == pytest.approx(within)
    table = model.sites_table()
    assert table["served"].sum() + model.served_by_existing().sum() == demand["weight"].sum()


def test_candidates_can_be_given():
    demand, _ = demo_points()
    candidates = pd.DataFrame({"latitude": [47.65, 47.55, 47.705], "longitude": [-122.25, -122.35, -122.205]})
    model = PMedian.from_points(demand, k=1, candidates=candidates).solve()
    assert model.selected_.tolist() == [0]


def test_weighted_90th_percentile_is_where_90_percent_of_vehicles_are():
    cost = np.array([[1.0], [2.0], [3.0], [10.0]])
    model = PMedian.from_cost_matrix(cost, [45, 45, 5, 5], k=1).solve()
    assert model.figures()["p90_km"] == 2.0


@pytest.mark.parametrize("build, message", [
    (lambda: MaxCoverage.from_cost_matrix(np.ones((3, 3)), k=1), "radius"),
    (lambda: PMedian.from_cost_matrix(np.ones((3, 3)), k=4), "more than"),
    (lambda: PMedian.from_cost_matrix([[1.0, np.nan]], k=1), "finite"),
    (lambda: PMedian.from_cost_matrix(np.ones((3, 2)), [1, 2], k=1), "one value per demand point"),
    (lambda: PMedian.from_cost_matrix(np.ones((3, 2)), k=0), "at least 1"),
    (lambda: PMedian.from_points(pd.DataFrame({"lat": [1.0], "longitude": [2.0]}), k=1), "latitude"),
    (lambda: PMedian.from_points(pd.DataFrame({"latitude": [99.0], "longitude": [2.0]}), k=1), "row 1"),
])
def test_bad_input_is_refused_with_a_sentence(build, message):
    with pytest.raises(InputError, match=message):
        build()


def test_cost_matrices_too_big_for_memory_are_refused(monkeypatch):
    import evcore.placement.base as base

    monkeypatch.setattr(base, "MAX_MATRIX_CELLS", 100)
    with pytest.raises(InputError, match="aggregate the demand"):
        PMedian.from_cost_matrix(np.ones((30, 4)), k=1)


def test_exact_solver_refuses_problems_too_big(monkeypatch):
    import evcore.placement.exact as exact

    monkeypatch.setattr(exact, "MAX_EXACT_PMEDIAN_VARIABLES", 10)
    cost, w = random_instance()
    with pytest.raises(InputError, match="too big for the exact solver"):
        PMedian.from_cost_matrix(cost, w, k=2).solve(exact=True)


def test_coverage_curve_rises_to_full_coverage():
    cost, w = random_instance(n=40, m=20, seed=6)
    model = PMedian.from_cost_matrix(cost, w, k=1)
    curve = coverage_curve(model, radius=5.0, k_max=20)
    shares = curve["share_within_radius"].to_numpy()
    assert (np.diff(shares) >= 0).all() and shares[-1] == pytest.approx(1.0)
    k3 = MaxCoverage.from_cost_matrix(cost, w, k=3, radius=5.0).solve(exact=True)
    assert shares[curve["k"].tolist().index(3)] == pytest.approx(k3.coverage_)
    assert sites_needed(curve, 0.9) == int(curve.loc[curve["share_within_radius"] >= 0.9, "k"].min())


def test_coverage_curve_starts_from_existing_stations():
    cost, w = random_instance(n=40, m=20, seed=6)
    model = PMedian.from_cost_matrix(cost, w, k=0, existing=[0, 1])
    curve = coverage_curve(model, radius=5.0, k_max=3)
    alone = w[cost[:, [0, 1]].min(axis=1) <= 5.0].sum() / w.sum()
    assert curve["k"].iloc[0] == 0 and curve["share_within_radius"].iloc[0] == pytest.approx(alone)


def test_or_library_pmed1_reaches_the_published_optimum():
    cost, p = read_orlib(ROOT / "bench" / "data" / "orlib" / "pmed1.txt")
    assert PMedian.from_cost_matrix(cost, k=p).solve().objective_ == 5819


def test_washington_fast_solver_meets_the_bar():
    from evcore.io import read_demand

    demand = read_demand(shared_file("wa_ev_population", "Electric_Vehicle_Population_Data.csv"))
    assert len(demand) == 365 and demand["weight"].sum() == 16661
    distance = PMedian.from_points(demand, k=10).solve(time_limit=4.5)
    assert distance.mean_km_ <= 11.458
    coverage = MaxCoverage.from_points(demand, k=10, radius=5.0).solve(time_limit=4.5)
    assert coverage.coverage_ >= 0.538
