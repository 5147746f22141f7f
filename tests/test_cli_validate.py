"""``python -m evcore validate``: the summary, and exit 2 with one line for bad input."""

import json
import subprocess
import sys

import pytest

from conftest import ROOT, shared_file


def run(*args):
    return subprocess.run([sys.executable, "-m", "evcore", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_validate_json_summary_of_a_long_usage_file(tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text("station,day,kwh\nA,2024-01-01,3\nA,2024-01-03,4\nB,2024-01-02,5\n")
    result = run("validate", path, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["kind"] == "usage" and "long" in summary["format"]
    assert (summary["stations"], summary["days"]) == (2, 3)
    assert (summary["start"], summary["end"]) == ("2024-01-01", "2024-01-03")


def test_validate_plain_text_summary(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("lat,lon,vehicles\n1,2,3\n1,2,4\n5,6,1\n")
    result = run("validate", path)
    assert result.returncode == 0
    assert "kind: demand" in result.stdout and "points: 2" in result.stdout and "weight: 8" in result.stdout


@pytest.mark.parametrize("content", [b"", b"a,b\n", b"\x00\x01\x02\x03garbage" * 50, b"<html><body>hi</body></html>",
                                     b"station_id,latitude,longitude\nA,91,0\n"])
def test_validate_bad_input_exits_2_with_one_error_line(tmp_path, content):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    result = run("validate", path, "--json")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "bad.csv" in lines[0]


def test_missing_file_and_bad_arguments_exit_2_without_traceback(tmp_path):
    for args in (["validate", tmp_path / "nope.csv"], ["validate"], ["cluster", "--points"], ["frobnicate"]):
        result = run(*args)
        assert result.returncode == 2
        assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr


@pytest.mark.parametrize("parts,expected", [
    (("charged_jhb", "volume.csv"), {"kind": "usage", "stations": 47, "stations_with_usage": 35, "days": 183}),
    (("charged_jhb", "sites.csv"), {"kind": "stations", "stations": 47}),
    (("charged_mel", "sites.csv"), {"kind": "stations", "stations": 63}),
    (("wa_ev_population", "Electric_Vehicle_Population_Data.csv"), {"kind": "demand", "points": 365, "weight": 16661}),
    (("openchargemap", "london_poi.json"), {"kind": "stations", "stations": 100}),
])
def test_validate_real_files(parts, expected):
    result = run("validate", shared_file(*parts), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in expected} == expected
