"""The large-scale placement path (no distance matrix): on problems small enough to check, it
gives the dense search's answer and the optimum, its figures are what the sites really give,
and it says that it has no bound."""

import numpy as np
import pandas as pd
import pytest

import evcore.placement.base as base
import evcore.placement.large as large
from evcore.errors import InputError
from evcore.geo import pairwise_haversine_km
from evcore.placement import MaxCoverage, PMedian, coverage_curve


def instance(n=400, m=40, seed=0, duplicates=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform([47.0, -122.8], [47.8, -121.8], (6, 2))
    which = rng.integers(0, 6, n)
    demand = pd.DataFrame({"latitude": centres[which, 0] + rng.normal(0, 0.06, n),
                           "longitude": centres[which, 1] + rng.normal(0, 0.08, n),
                           "weight": rng.integers(1, 9, n).astype(float)})
    if duplicates:
        demand = pd.concat([demand, demand.sample(duplicates, random_state=seed)], ignore_index=True)
    candidates = pd.DataFrame({"latitude": rng.uniform(47.0, 47.8, m), "longitude": rng.uniform(-122.8, -121.8, m)})
    return demand, candidates


def brute_force_mean_km(model):
    """Mean km per unit of demand when every point goes to its nearest open site."""
    ll = model.column_latlon[model.open_]
    d = pairwise_haversine_km(model.demand_latlon[:, 0], model.demand_latlon[:, 1], ll[:, 0], ll[:, 1]).min(axis=1)
    return float(np.average(d, weights=model.weights))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_large_path_gives_the_dense_answer_and_the_optimum(seed):
    demand, candidates = instance(seed=seed)
    dense = PMedian.from_points(demand, k=4, candidates=candidates).solve()
    exact = PMedian.from_points(demand, k=4, candidates=candidates).solve(exact=True)
    sparse = PMedian.from_points(demand, k=4, candidates=candidates, large=True).solve()
    assert sparse.cost is None and exact.optimal_
    assert sorted(sparse.selected_) == sorted(dense.selected_) == sorted(exact.selected_)
    assert sparse.objective_ == pytest.approx(exact.objective_, rel=1e-12)
    assert sparse.mean_km_ == pytest.approx(brute_force_mean_km(sparse), rel=1e-12)
    assert sparse.gap_ is None and sparse.lower_bound_ is None and not sparse.optimal_


def test_aggregated_coarse_search_is_refined_to_the_dense_answer(monkeypatch):
    """With the coarse stage forced onto 25 grid cells of demand, the refinement on every point
    still reaches what the dense search finds on all of them."""
    monkeypatch.setattr(large, "COARSE_CELLS", 25 * 60)
    monkeypatch.setattr(large, "MIN_COARSE_POINTS", 25)
    demand, candidates = instance(n=1500, m=60, seed=3)
    dense = PMedian.from_points(demand, k=6, candidates=candidates).solve()
    sparse = PMedian.from_points(demand, k=6, candidates=candidates, large=True).solve()
    assert sparse.large_info_["coarse_points"] <= 25 < sparse.large_info_["distinct_demand_points"]
    assert sparse.mean_km_ == pytest.approx(dense.mean_km_, rel=1e-9)
    assert sparse.mean_km_ == pytest.approx(brute_force_mean_km(sparse), rel=1e-12)


def test_identical_demand_points_are_merged_without_changing_the_answer():
    demand, candidates = instance(seed=4, duplicates=150)
    merged = demand.groupby(["latitude", "longitude"], as_index=False)["weight"].sum()
    a = PMedian.from_points(demand, k=3, candidates=candidates, large=True).solve()
    b = PMedian.from_points(merged, k=3, candidates=candidates).solve()
    assert a.large_info_["distinct_demand_points"] == len(merged) < len(demand)
    assert a.mean_km_ == pytest.approx(b.mean_km_, rel=1e-12)
    assert len(a.distance_) == len(demand)  # figures stay per input row


def test_existing_stations_stay_open_on_the_large_path():
    demand, candidates = instance(seed=5)
    existing = candidates.iloc[:3]
    rest = candidates.iloc[3:].reset_index(drop=True)
    dense = PMedian.from_points(demand, k=2, candidates=rest, existing=existing, radius=5.0).solve()
    sparse = PMedian.from_points(demand, k=2, candidates=rest, existing=existing, radius=5.0, large=True).solve()
    assert sorted(sparse.selected_) == sorted(dense.selected_)
    a, b = sparse.figures(), dense.figures()
    assert a["existing_only"]["mean_km"] == pytest.approx(b["existing_only"]["mean_km"], rel=1e-12)
    assert a["share_within_radius"] == pytest.approx(b["share_within_radius"])
    assert sparse.served_by_existing().sum() + sparse.sites_table()["served"].sum() == pytest.approx(demand["weight"].sum())


@pytest.mark.parametrize("with_existing", [False, True])
def test_large_coverage_matches_the_exact_optimum(with_existing):
    demand, candidates = instance(n=300, m=30, seed=6)
    existing = candidates.iloc[:2] if with_existing else None
    rest = candidates.iloc[2:].reset_index(drop=True) if with_existing else candidates
    exact = MaxCoverage.from_points(demand, k=3, candidates=rest, existing=existing, radius=6.0).solve(exact=True)
    sparse = MaxCoverage.from_points(demand, k=3, candidates=rest, existing=existing, radius=6.0, large=True).solve()
    assert exact.optimal_
    assert sparse.coverage_ == pytest.approx(exact.coverage_, rel=1e-12)
    assert sparse.large_info_["pairs_within_radius"] == int((pairwise_haversine_km(
        demand.latitude, demand.longitude, *np.vstack([rest.to_numpy(), np.empty((0, 2)) if existing is None
                                                        else existing.to_numpy()]).T) <= 6.0).sum())
    assert sparse.upper_bound_ is None and sparse.gap_ is None


def test_large_coverage_curve_matches_the_dense_curve():
    demand, candidates = instance(n=300, m=30, seed=7)
    dense = coverage_curve(PMedian.from_points(demand, k=1, candidates=candidates), 6.0, 8)
    sparse = coverage_curve(PMedian.from_points(demand, k=1, candidates=candidates, large=True), 6.0, 8)
    assert np.allclose(sparse["share_within_radius"], dense["share_within_radius"], atol=1e-12)


def test_large_problems_refuse_the_exact_solver_and_go_large_by_size(monkeypatch):
    monkeypatch.setattr(base, "MAX_MATRIX_CELLS", 1000)
    demand, candidates = instance(seed=8)
    model = PMedian.from_points(demand, k=2, candidates=candidates)
    assert model.large and model.cost is None
    with pytest.raises(InputError, match="too big for the exact solver"):
        model.solve(exact=True)
    with pytest.raises(InputError, match="aggregate the demand"):
        PMedian.from_points(demand, k=2, candidates=candidates, large=False)


def test_coverage_with_too_many_pairs_within_the_radius_is_refused(monkeypatch):
    import evcore.placement.large_coverage as large_coverage

    monkeypatch.setattr(large_coverage, "MAX_COVERAGE_PAIRS", 100)
    demand, candidates = instance(seed=9)
    with pytest.raises(InputError, match="smaller radius"):
        MaxCoverage.from_points(demand, k=2, candidates=candidates, radius=20.0, large=True).solve()


def test_the_state_scale_models_are_models_of_their_own():
    """As spopt's KNearestPMedian beside PMedian: built directly or by from_points for big problems,
    no matrix, and on a small problem the same answer's quality as the matrix model."""
    from evcore.placement import LargeMaxCoverage, LargePMedian

    demand, candidates = instance(n=300, m=30, seed=11)
    built = PMedian.from_points(demand, k=3, candidates=candidates, large=True)
    assert type(built) is LargePMedian and built.cost is None
    direct = LargePMedian.from_points(demand, k=3, candidates=candidates).solve(time_limit=5.0)
    dense = PMedian.from_points(demand, k=3, candidates=candidates).solve()
    assert direct.mean_km_ <= dense.mean_km_ * 1.02
    cover = LargeMaxCoverage.from_points(demand, k=3, candidates=candidates, radius=6.0).solve(time_limit=5.0)
    assert cover.coverage_ >= MaxCoverage.from_points(demand, k=3, candidates=candidates, radius=6.0).solve().coverage_ - 0.02
    with pytest.raises(InputError, match="needs a radius"):
        LargeMaxCoverage.from_points(demand, k=3, candidates=candidates)
    assert not hasattr(PMedian, "_solve_large")  # no large-scale branch left in the matrix models
