import json

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import DBSCAN as SklearnDBSCAN

from conftest import shared_file
from evcore.cli import main
from evcore.demo import demo_stations
from evcore.geo import EARTH_RADIUS_KM


@pytest.fixture
def stations_csv(tmp_path):
    path = tmp_path / "stations.csv"
    demo_stations().to_csv(path, index=False)
    return path


def run_json(capsys, *argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("method, options, has_noise", [
    ("kmedians", ["--k", "5"], False),
    ("kmeans", ["--k", "5"], False),
    ("dbscan", ["--eps-km", "2", "--min-samples", "3"], True),
    ("hdbscan", ["--min-samples", "3"], True),
])
def test_cluster_json_has_a_label_per_row_and_centres(capsys, stations_csv, method, options, has_noise):
    result = run_json(capsys, "cluster", "--points", str(stations_csv), "--method", method, *options)
    labels = np.array(result["labels"])
    assert len(labels) == 48
    n_clusters = labels.max() + 1
    assert len(result["centers"]) == n_clusters
    if method.startswith("k"):
        assert n_clusters == 5 and (labels >= 0).all()
    assert ((labels == -1).any()) == has_noise
    stations = demo_stations()
    for c, (lat, lon) in enumerate(result["centers"]):  # centres are [lat, lon] near their members
        members = stations[labels == c]
        assert members["latitude"].min() - 0.05 < lat < members["latitude"].max() + 0.05
        assert members["longitude"].min() - 0.05 < lon < members["longitude"].max() + 0.05


def test_cluster_out_writes_the_station_to_cluster_table(capsys, stations_csv, tmp_path):
    out = tmp_path / "labels.csv"
    result = run_json(capsys, "cluster", "--points", str(stations_csv), "--method", "kmedians", "--k", "4",
                      "--out", str(out))
    table = pd.read_csv(out)
    assert {"station_id", "name", "latitude", "longitude", "cluster"} <= set(table.columns)
    assert table["cluster"].tolist() == result["labels"]
    assert table["station_id"].tolist() == demo_stations()["station_id"].tolist()


@pytest.mark.parametrize("options, message", [
    (["--method", "kmedians"], "--k"),
    (["--method", "kmeans", "--k", "0"], "at least 1"),
    (["--method", "kmeans", "--k", "500"], "more than the 48 points"),
    (["--method", "dbscan"], "--eps-km"),
    (["--method", "dbscan", "--eps-km", "-1"], "at least 0.001"),
    (["--method", "kmeans", "--k", "3", "--out", "/nonexistent-folder/labels.csv"], "cannot write"),
])
def test_cluster_bad_settings_exit_2_with_one_error_line(capsys, stations_csv, options, message):
    assert main(["cluster", "--points", str(stations_csv), *options]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error:") and message in err[-1]
    assert "Traceback" not in "\n".join(err)


def test_cluster_dbscan_on_real_sites_matches_scikit_learn(capsys):
    path = shared_file("charged_jhb", "sites.csv")
    result = run_json(capsys, "cluster", "--points", str(path), "--method", "dbscan",
                      "--eps-km", "1.0", "--min-samples", "3")
    sites = pd.read_csv(path)
    theirs = SklearnDBSCAN(eps=1.0 / EARTH_RADIUS_KM, min_samples=3, metric="haversine").fit(
        np.radians(sites[["latitude", "longitude"]].to_numpy())).labels_
    assert result["labels"] == theirs.tolist()
