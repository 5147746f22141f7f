import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN as SklearnDBSCAN
from sklearn.metrics import adjusted_rand_score

from conftest import shared_file
from evcore import cluster as cl
from evcore.data import recent_daily_usage
from evcore.demo import demo_dataset
from evcore.errors import InputError
from evcore.geo import EARTH_RADIUS_KM, haversine_km

SEATTLE = (47.6062, -122.3321)


def blobs(sizes=(60, 50, 40), spread_deg=0.01, seed=0):
    """Well separated groups of points around Seattle (about 20 km apart) and their true group."""
    rng = np.random.default_rng(seed)
    offsets = [(0.0, 0.0), (0.2, 0.25), (-0.2, 0.3)]
    points, truth = [], []
    for g, n in enumerate(sizes):
        lat = SEATTLE[0] + offsets[g][0] + rng.normal(0, spread_deg, n)
        lon = SEATTLE[1] + offsets[g][1] + rng.normal(0, spread_deg * 1.5, n)
        points.append(np.column_stack((lat, lon)))
        truth += [g] * n
    return np.vstack(points), np.array(truth)


def members_median_km(model, points):
    xy = model.projection_.to_km(points[:, 0], points[:, 1])
    return np.array([np.median(xy[model.labels_ == c], axis=0) for c in range(model.n_clusters_)])


def test_kmedians_centres_are_the_medians_of_their_members():
    points = np.random.default_rng(3).normal(SEATTLE, (0.1, 0.15), size=(2000, 2))
    model = cl.KMedians(n_clusters=7, random_state=0).fit(points)
    assert np.bincount(model.labels_).min() > 0
    np.testing.assert_allclose(model.cluster_centers_km_, members_median_km(model, points), atol=1e-9)
    latlon = model.projection_.to_latlon(model.cluster_centers_km_)
    np.testing.assert_allclose(model.cluster_centers_, latlon)
    # The objective is the sum of Manhattan km on the projection, as DESIGN.md defines it.
    xy = model.projection_.to_km(points[:, 0], points[:, 1])
    assert model.objective_ == pytest.approx(np.abs(xy - model.cluster_centers_km_[model.labels_]).sum())


def test_kmedians_converges_to_each_point_at_its_nearest_centre():
    points = np.random.default_rng(8).normal(SEATTLE, (0.1, 0.15), size=(5000, 2))
    model = cl.KMedians(n_clusters=15, tol=0, random_state=0).fit(points)
    xy = model.projection_.to_km(points[:, 0], points[:, 1])
    distance = np.abs(xy[:, None, :] - model.cluster_centers_km_[None, :, :]).sum(axis=2)
    own = distance[np.arange(len(xy)), model.labels_]
    np.testing.assert_allclose(own, distance.min(axis=1), atol=1e-4)  # float32 ties aside


def test_kmedians_with_integer_weights_equals_repeating_the_points():
    points, _ = blobs()
    weights = np.random.default_rng(1).integers(1, 5, len(points))
    model = cl.KMedians(n_clusters=3, random_state=0).fit(points, sample_weight=weights)
    repeated = np.repeat(points, weights, axis=0)
    repeated_labels = np.repeat(model.labels_, weights)
    xy = model.projection_.to_km(repeated[:, 0], repeated[:, 1])
    for c in range(3):
        np.testing.assert_allclose(model.cluster_centers_km_[c], np.median(xy[repeated_labels == c], axis=0))


def test_kmedians_restarts_keep_the_best_run():
    points = np.random.default_rng(5).normal(SEATTLE, (0.1, 0.15), size=(1500, 2))
    one = cl.KMedians(n_clusters=9, n_init=1, random_state=7).fit(points)
    five = cl.KMedians(n_init=5, n_clusters=9, random_state=7).fit(points)
    assert five.objective_ <= one.objective_


def test_kmedians_on_a_sample_then_all_points_matches_restarts_on_all_points():
    points = np.random.default_rng(11).normal(SEATTLE, (0.1, 0.15), size=(6000, 2))
    full = cl.KMedians(n_clusters=6, random_state=0).fit(points)
    sampled = cl.KMedians(n_clusters=6, sample_size=1000, random_state=0).fit(points)
    assert sampled.objective_ <= full.objective_ * 1.01
    np.testing.assert_allclose(sampled.cluster_centers_km_, members_median_km(sampled, points), atol=1e-9)


def test_kmedians_predict_sends_points_to_their_cluster():
    points, truth = blobs()
    model = cl.KMedians(n_clusters=3, tol=0, random_state=0).fit(points)
    assert adjusted_rand_score(truth, model.labels_) == 1.0
    np.testing.assert_array_equal(model.predict(points), model.labels_)
    # A new point next to a group's centre belongs to that group.
    assert model.predict(model.cluster_centers_[[2]])[0] == 2


@pytest.mark.parametrize("method, params", [
    ("kmeans", dict(k=3)), ("kmedians", dict(k=3)),
    ("dbscan", dict(eps_km=3.0, min_samples=4)), ("hdbscan", dict(min_samples=10)),
])
def test_every_method_finds_separated_groups(method, params):
    points, truth = blobs()
    model = cl.make_clusterer(method, **params).fit(pd.DataFrame(points, columns=["latitude", "longitude"]))
    clustered = model.labels_ >= 0
    assert clustered.mean() > 0.9
    assert adjusted_rand_score(truth[clustered], model.labels_[clustered]) == 1.0
    assert model.cluster_centers_.shape == (3, 2)
    for c in range(3):  # each centre lies among its members
        lat, lon = points[model.labels_ == c].T
        assert haversine_km(lat, lon, *model.cluster_centers_[c]).min() < 2.0


def test_kmedians_centre_ignores_an_outlier_that_pulls_the_kmeans_centre():
    rng = np.random.default_rng(2)
    bulk = rng.normal(SEATTLE, 0.01, size=(99, 2))
    points = np.vstack([bulk, [[SEATTLE[0] + 0.9, SEATTLE[1]]]])  # one station 100 km north
    kmeans = cl.KMeans(n_clusters=1, random_state=0).fit(points)
    kmedians = cl.KMedians(n_clusters=1, random_state=0).fit(points)
    moved = lambda c: haversine_km(*c, *np.median(bulk, axis=0))  # noqa: E731
    assert moved(kmeans.cluster_centers_[0]) > 0.7  # 100 km / 100 stations, less the bulk's own spread
    assert moved(kmedians.cluster_centers_[0]) < 0.2


def test_dbscan_radius_is_great_circle_km_not_degrees():
    # At 60 degrees north, 0.015 degrees of longitude is 0.84 km and 0.015 of latitude 1.67 km.
    east = np.column_stack((np.full(5, 60.0), 10 + 0.015 * np.arange(5)))
    north = np.column_stack((61 + 0.015 * np.arange(5), np.full(5, 10.0)))
    labels = cl.DBSCAN(eps_km=1.0, min_samples=2).fit(np.vstack([east, north])).labels_
    assert len(set(labels[:5])) == 1 and labels[0] >= 0
    assert (labels[5:] == -1).all()


def test_hdbscan_with_fewer_points_than_the_minimum_size_calls_them_all_noise():
    points, _ = blobs(sizes=(3, 2, 2))
    model = cl.HDBSCAN(min_cluster_size=10).fit(points)
    assert (model.labels_ == -1).all() and model.n_clusters_ == 0


@pytest.mark.parametrize("city", ["charged_jhb", "charged_mel"])
def test_dbscan_gives_scikit_learns_haversine_partition_on_real_sites(city):
    sites = pd.read_csv(shared_file(city, "sites.csv"))
    ours = cl.DBSCAN(eps_km=1.0, min_samples=3).fit(sites).labels_
    theirs = SklearnDBSCAN(eps=1.0 / EARTH_RADIUS_KM, min_samples=3, metric="haversine").fit(
        np.radians(sites[["latitude", "longitude"]].to_numpy())).labels_
    np.testing.assert_array_equal(ours == -1, theirs == -1)
    assert adjusted_rand_score(ours, theirs) == 1.0
    assert ours.max() >= 0 and (ours == -1).any()  # clusters and noise: the check compares something


@pytest.mark.parametrize("call, message", [
    (lambda: cl.make_clusterer("kmedians"), "needs the number of clusters"),
    (lambda: cl.make_clusterer("dbscan", min_samples=3), "radius"),
    (lambda: cl.make_clusterer("dbscan", k=3, eps_km=1.0), "k is for"),
    (lambda: cl.make_clusterer("ward", k=3), "unknown clustering method"),
    (lambda: cl.KMedians(n_clusters=5).fit([[47.6, -122.3], [47.7, -122.2]]), "more than the 2 points"),
    (lambda: cl.KMeans(n_clusters=1).fit([[47.6, -122.3], [95.0, -122.2]]), "row 2 has latitude 95"),
    (lambda: cl.KMedians(n_clusters=1).fit(pd.DataFrame({"lat": [1.0]})), "latitude"),
    (lambda: cl.KMedians(n_clusters=1).fit([[47.6, -122.3]], sample_weight=[-1]), "weight"),
    (lambda: cl.DBSCAN(eps_km=0).fit([[47.6, -122.3]]), "at least 0.001"),
])
def test_bad_settings_and_points_raise_one_clear_input_error(call, message):
    with pytest.raises(InputError, match=message):
        call()


def test_quality_figures_tell_tight_groups_from_an_arbitrary_split():
    points, truth = blobs()
    good = cl.cluster_quality(points, truth, cl.medoid_centers(points[:, 0], points[:, 1], truth))
    assert good["sizes"] == {0: 60, 1: 50, 2: 40} and good["noise"] == 0 and good["clusters"] == 3
    assert good["silhouette"] > 0.8
    assert 0.5 < good["mean_km"] < 3
    arbitrary = np.arange(len(points)) % 3
    bad = cl.cluster_quality(points, arbitrary, cl.medoid_centers(points[:, 0], points[:, 1], arbitrary))
    assert bad["silhouette"] < 0.1 and bad["mean_km"] > good["mean_km"] * 3
    assert np.isnan(cl.silhouette_km(points, np.zeros(len(points), dtype=int)))


@pytest.mark.parametrize("method", ["kmedians", "kmeans"])
def test_elbow_objective_falls_with_k_and_bends_at_the_true_groups(method):
    points, _ = blobs()
    curve = cl.elbow(points, range(1, 7), method=method)
    assert curve["k"].tolist() == [1, 2, 3, 4, 5, 6]
    drops = -np.diff(curve["objective"].to_numpy())
    assert (drops > 0).all()
    assert drops[1] > 5 * drops[2]  # going from 2 to 3 groups helps far more than from 3 to 4


def test_cluster_table_sums_usage_and_puts_noise_last():
    dataset = demo_dataset()
    stations = dataset.stations
    model = cl.DBSCAN(eps_km=2.0, min_samples=3).fit(stations)
    recent = recent_daily_usage(dataset.usage, days=28)
    last = dataset.usage[dataset.usage["date"] > dataset.usage["date"].max() - pd.Timedelta(days=28)]
    assert recent["SEA-001"] == pytest.approx(last.loc[last["station_id"] == "SEA-001", "usage"].mean())
    forecast = pd.DataFrame({"station_id": np.repeat(stations["station_id"], 2), "forecast": 10.0})
    table = cl.add_usage(cl.station_clusters(stations, model.labels_), recent, cl.predicted_daily_usage(forecast))
    summary = cl.cluster_table(table, model.cluster_centers_)
    assert summary["stations"].sum() == len(stations)
    assert summary["cluster"].iloc[-1] == -1 and np.isnan(summary["center_lat"].iloc[-1])
    assert summary["recent_daily_usage"].sum() == pytest.approx(recent.sum())
    assert (summary["predicted_daily_usage"] == 10.0 * summary["stations"]).all()
    np.testing.assert_allclose(summary.loc[summary["cluster"] >= 0, ["center_lat", "center_lon"]],
                               model.cluster_centers_)
    unknown = cl.cluster_table(cl.add_usage(cl.station_clusters(stations, model.labels_), recent,
                                            cl.predicted_daily_usage(None)), model.cluster_centers_)
    assert unknown["predicted_daily_usage"].isna().all()
