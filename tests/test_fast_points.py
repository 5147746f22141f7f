"""Big plain coordinate files are read fast, into exactly the table the general reader gives;
anything else is left to the general reader and its messages."""

import json

import numpy as np
import pandas as pd
import pytest

import evcore.io.fast_points as fast_points
from evcore.cli import main
from evcore.errors import InputError
from evcore.io import read_points


@pytest.fixture(autouse=True)
def every_file_is_big(monkeypatch):
    monkeypatch.setattr(fast_points, "FAST_READ_MIN_BYTES", 0)


@pytest.mark.parametrize("text", [
    "latitude,longitude\n47.1,-122.2\n47.2,-122.3\n47.1,-122.2\n",
    "Lat,Lng,vehicles\n47.1,-122.2,3\n47.2,-122.3,0\n47.1,-122.2,2.5\n",
    "\ufeffLONGITUDE,LATITUDE\n-122.2,47.1\n-122.3,47.2\n",
])
def test_plain_coordinate_files_give_the_general_readers_table(tmp_path, text):
    path = tmp_path / "points.csv"
    path.write_text(text, encoding="utf-8")
    assert fast_points._plain_coordinates(path) is not None
    pd.testing.assert_frame_equal(fast_points.read_points_fast(path), read_points(path))


@pytest.mark.parametrize("text, message", [
    ("latitude,longitude\n47.1,-122.2\n95.0,-122.3\n", "out of range"),
    ("latitude,longitude\n47.1,-122.2\nabc,-122.3\n", "latitude"),
])
def test_bad_values_get_the_general_readers_message(tmp_path, text, message):
    path = tmp_path / "points.csv"
    path.write_text(text, encoding="utf-8")
    assert fast_points._plain_coordinates(path) is None
    with pytest.raises(InputError, match=message):
        fast_points.read_points_fast(path)


def test_station_lists_go_to_the_general_reader(tmp_path):
    path = tmp_path / "stations.csv"
    path.write_text("station_id,name,latitude,longitude\na,A,47.1,-122.2\nb,B,47.2,-122.3\n", encoding="utf-8")
    assert fast_points._plain_coordinates(path) is None
    assert list(fast_points.read_points_fast(path)["station_id"]) == ["a", "b"]


def test_cluster_cli_on_a_plain_file_gives_medians_of_its_members(tmp_path, capsys):
    rng = np.random.default_rng(0)
    points = pd.DataFrame({"latitude": 47.5 + rng.normal(0, 0.1, 500), "longitude": -122.3 + rng.normal(0, 0.1, 500)})
    path = tmp_path / "points.csv"
    points.to_csv(path, index=False)
    assert main(["cluster", "--points", str(path), "--method", "kmedians", "--k", "4", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    labels, centres = np.array(result["labels"]), np.array(result["centers"])
    assert len(labels) == 500 and set(labels) == {0, 1, 2, 3}
    for c in range(4):  # the centres' coordinates lie at the members' medians (projection is linear)
        members = points[labels == c]
        assert centres[c, 0] == pytest.approx(np.median(members["latitude"]), abs=1e-9)
        assert centres[c, 1] == pytest.approx(np.median(members["longitude"]), abs=1e-9)
