"""``python -m evcore place``: JSON a script can read, and one-line errors for bad input."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from evcore.cli import main


def cost_files(tmp_path):
    rng = np.random.default_rng(0)
    xy = rng.random((25, 2)) * 20
    cost = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    weights = rng.integers(1, 10, 25).astype(float)
    np.save(tmp_path / "cost.npy", cost)
    np.save(tmp_path / "weights.npy", weights)
    return cost, weights


def run_json(capsys, argv):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_cost_matrix_distance_json(tmp_path, capsys):
    cost, weights = cost_files(tmp_path)
    (tmp_path / "existing.txt").write_text("4\n11\n")
    out = run_json(capsys, ["place", "--cost-matrix", str(tmp_path / "cost.npy"), "--weights",
                            str(tmp_path / "weights.npy"), "--k", "3", "--existing", str(tmp_path / "existing.txt"),
                            "--radius-km", "5", "--exact", "--json"])
    assert out["sites"] is None and len(out["selected"]) == 3 and not {4, 11} & set(out["selected"])
    assert out["optimal"] is True
    nearest = cost[:, out["selected"] + [4, 11]].min(axis=1)
    assert out["objective"] == pytest.approx(weights @ nearest)
    assert out["mean_km"] == pytest.approx(np.average(nearest, weights=weights))
    assert out["share_within_radius"] == pytest.approx(weights[nearest <= 5].sum() / weights.sum())
    assert out["existing_only"]["mean_km"] >= out["mean_km"]


def test_coverage_objective_json(tmp_path, capsys):
    cost, weights = cost_files(tmp_path)
    out = run_json(capsys, ["place", "--cost-matrix", str(tmp_path / "cost.npy"), "--weights",
                            str(tmp_path / "weights.npy"), "--k", "2", "--objective", "coverage",
                            "--radius-km", "4", "--json"])
    nearest = cost[:, out["selected"]].min(axis=1)
    assert out["objective"] == pytest.approx(weights[nearest <= 4].sum())
    assert out["share_within_radius"] == pytest.approx(out["objective"] / weights.sum())


@pytest.mark.parametrize("extra, message", [
    (["--objective", "coverage"], "needs --radius-km"),
    (["--k", "99"], "more than"),
])
def test_bad_requests_exit_2_with_one_line(tmp_path, capsys, extra, message):
    cost_files(tmp_path)
    argv = ["place", "--cost-matrix", str(tmp_path / "cost.npy"), "--k", "2"] + extra
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error:") and message in err[-1]


def test_unreadable_cost_matrix_is_refused(tmp_path):
    (tmp_path / "bad.npy").write_text("not numpy")
    proc = subprocess.run([sys.executable, "-m", "evcore", "place", "--cost-matrix", str(tmp_path / "bad.npy"),
                           "--k", "1"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and proc.stderr.strip().startswith("error:") and "bad.npy" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_demand_file_gives_sites_as_lat_lon(tmp_path, capsys):
    demand = pd.DataFrame({"latitude": [47.60, 47.61, 47.70, 47.71, 47.50],
                           "longitude": [-122.30, -122.31, -122.20, -122.21, -122.40],
                           "weight": [10, 5, 8, 2, 1]})
    demand.to_csv(tmp_path / "demand.csv", index=False)
    out = run_json(capsys, ["place", "--demand", str(tmp_path / "demand.csv"), "--k", "2", "--json"])
    assert len(out["sites"]) == 2
    assert {tuple(s) for s in out["sites"]} <= set(map(tuple, demand[["latitude", "longitude"]].to_numpy()))
