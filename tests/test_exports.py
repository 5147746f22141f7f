"""What we write for people to open elsewhere: CSV that a spreadsheet cannot run as formulas,
HTML maps that draw with no network, and output paths checked before any work."""

import csv
import io
import json
import re

import pandas as pd
import pytest

from evcore.cli import main
from evcore.export import FORMULA_STARTS, csv_text, spreadsheet_safe
from evcore.viz.maps import escape_text, standalone_html, stations_map
from hostile_inputs import FORMULA_NAMES, SCRIPT_NAMES, hostile_files

HOSTILE = dict(hostile_files())


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def is_number(cell: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?(e-?\d+)?", cell) is not None


def assert_no_formula(text: str) -> None:
    starts = [c for c in cells(text) if c.startswith(FORMULA_STARTS) and not is_number(c)]
    assert not starts, starts


def test_text_cells_that_start_a_formula_get_a_quote_and_numbers_stay_numbers():
    table = pd.DataFrame({"name": FORMULA_NAMES + ["plain"], "value": [-1.5] * (len(FORMULA_NAMES) + 1)})
    safe = spreadsheet_safe(table)
    assert safe["name"].tolist()[:4] == ["'" + n for n in FORMULA_NAMES[:4]]
    assert safe["name"].iloc[-1] == "plain"
    assert safe["value"].tolist() == table["value"].tolist()  # a negative number is not a formula
    assert_no_formula(csv_text(table))
    assert_no_formula(csv_text(pd.DataFrame({"=cmd|' /C calc'!A0": [1]})))  # names of columns too


def test_cluster_out_and_map_with_hostile_station_names(tmp_path, capsys):
    points = tmp_path / "stations.csv"
    points.write_bytes(HOSTILE["hostile_station_names.csv"])
    out, page = tmp_path / "labels.csv", tmp_path / "clusters.html"
    code = main(["cluster", "--points", str(points), "--method", "kmedians", "--k", "3", "--out", str(out),
                 "--map", str(page), "--json"])
    assert code == 0, capsys.readouterr().err
    result = json.loads(capsys.readouterr().out)
    assert_no_formula(out.read_text())
    table = pd.read_csv(out)
    assert table["cluster"].tolist() == result["labels"]
    assert result["station_ids"] == table["station_id"].tolist()  # each label's station
    html = page.read_text()
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?:", html)  # Leaflet inlined
    for name in SCRIPT_NAMES:
        assert name not in html and escape_text(name) in html


def test_place_out_and_map(tmp_path, capsys):
    demand = tmp_path / "demand.csv"
    demand.write_text("latitude,longitude,vehicles\n47.60,-122.30,5\n47.62,-122.33,3\n47.70,-122.40,4\n"
                      "47.72,-122.41,1\n")
    stations = tmp_path / "stations.csv"
    stations.write_bytes(HOSTILE["hostile_station_names.csv"])
    out, page = tmp_path / "sites.csv", tmp_path / "placement.html"
    assert main(["place", "--demand", str(demand), "--k", "2", "--existing", str(stations), "--out", str(out),
                 "--map", str(page)]) == 0
    text = capsys.readouterr().out
    assert " km" in text and "vehicles" in text  # figures carry their units
    sites = pd.read_csv(out)
    assert len(sites) == 2 and {"latitude", "longitude", "served"} <= set(sites.columns)
    html = page.read_text()
    assert "leaflet" in html.lower() and not re.search(r"<script[^>]+src=\"https?:", html)
    assert "<img src=x" not in html


def test_place_warns_when_stations_and_demand_are_far_apart(tmp_path, capsys):
    demand = tmp_path / "demand.csv"
    demand.write_text("latitude,longitude,vehicles\n47.60,-122.30,5\n47.62,-122.33,3\n47.70,-122.40,4\n")
    far = tmp_path / "california.csv"
    far.write_text("station_id,latitude,longitude\nLA1,34.05,-118.24\nLA2,34.10,-118.30\n")
    assert main(["place", "--demand", str(demand), "--k", "1", "--existing", str(far), "--json"]) == 0
    out, err = capsys.readouterr()
    notes = json.loads(out)["notes"]
    assert len(notes) == 1 and "2 of 2 existing stations" in notes[0] and "different areas" in notes[0]
    assert "note:" in err
    near = tmp_path / "seattle.csv"
    near.write_text("station_id,latitude,longitude\nS1,47.61,-122.31\n")
    assert main(["place", "--demand", str(demand), "--k", "1", "--existing", str(near), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["notes"] == []


@pytest.mark.parametrize("where", ["missing", "folder"])
def test_forecast_out_is_checked_before_any_training(tmp_path, capsys, where):
    usage = tmp_path / "usage.csv"
    dates = pd.date_range("2024-01-01", periods=60, freq="D")
    pd.DataFrame({"station_id": "=1+1", "date": dates, "usage": range(60)}).to_csv(usage, index=False)
    out = tmp_path / "no" / "such" / "forecast.csv" if where == "missing" else tmp_path
    assert main(["forecast", "--usage", str(usage), "--horizon", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "cannot write" in err and len(err.strip().splitlines()) == 1


def test_forecast_out_has_no_formula(tmp_path, capsys):
    usage = tmp_path / "usage.csv"
    dates = pd.date_range("2024-01-01", periods=60, freq="D")
    pd.DataFrame({"station_id": "=1+1", "date": dates, "usage": [5.0 + i % 7 for i in range(60)]}).to_csv(usage, index=False)
    out = tmp_path / "forecast.csv"
    assert main(["forecast", "--usage", str(usage), "--horizon", "3", "--out", str(out)]) == 0
    assert_no_formula(out.read_text())
    assert "'=1+1" in out.read_text()


def test_standalone_map_inlines_leaflet_and_its_images():
    stations = pd.DataFrame({"station_id": ["a"], "name": ["A"], "latitude": [47.6], "longitude": [-122.3]})
    html = standalone_html(stations_map(stations))
    assert "cdn.jsdelivr" not in html and "code.jquery.com" not in html
    assert "url(images/" not in html and "data:image/png;base64," in html
