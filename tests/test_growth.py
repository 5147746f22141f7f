"""Growth: adoption histories read from the usual layouts, the pooled diffusion projection, growth
scenarios that scale demand, and the CLI's ``growth`` and ``place --year``."""

import json

import numpy as np
import pandas as pd
import pytest

from conftest import shared_file
from growth_samples import DEMAND, HISTORY, LOAD, SESSIONS
from evcore.cli import main
from evcore.errors import InputError
from evcore.growth import (BassDiffusion, compound_growth, demand_in_year, growth_factors, linear_growth,
                           project_history, scale_demand)
from evcore.io import combine, read_file, read_history
from evcore.workspace import Workspace


def logistic_history(areas=6, years=12, fleet=True, seed=0) -> pd.DataFrame:
    """Areas on logistic curves in the share of their fleet (sizes 1,000 to 200,000), with noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(areas):
        size = 1000 * 200 ** (a / max(areas - 1, 1))
        share = 0.01
        for y in range(years):
            share += 0.45 * share * (1 - share / 0.6)
            vehicles = rng.poisson(share * size * np.exp(rng.normal(0, 0.02)))
            rows.append({"year": 2010 + y, "area": f"A{a}", "vehicles": float(vehicles),
                         **({"all_vehicles": size} if fleet else {})})
    return pd.DataFrame(rows)


def wape(projection, truth) -> float:
    both = projection.merge(truth, on=["area", "year"], suffixes=("", "_actual"))
    return float((both["vehicles"] - both["vehicles_actual"]).abs().sum() / both["vehicles_actual"].sum())


# --- reading ----------------------------------------------------------------------------------

def test_monthly_registrations_by_county_take_each_years_last_date_and_add_up_vehicle_uses():
    csv = ("Date,County,State,Vehicle Primary Use,Electric Vehicle (EV) Total,Total Vehicles\n"
           "January 31 2020,King,WA,Passenger,100,1000\nJanuary 31 2020,King,WA,Truck,10,500\n"
           "December 31 2020,King,WA,Passenger,120,1000\nDecember 31 2020,King,WA,Truck,12,500\n"
           "December 31 2021,King,WA,Passenger,150,1010\nDecember 31 2021,King,WA,Truck,15,505\n")
    reading = read_file(csv.encode(), "history.csv")
    assert reading.kind == "history"
    history = reading.dataset.history
    assert history.to_dict(orient="records") == [
        {"year": 2020, "area": "King", "vehicles": 132.0, "all_vehicles": 1500.0},
        {"year": 2021, "area": "King", "vehicles": 165.0, "all_vehicles": 1515.0}]
    assert reading.summary()["areas"] == 1 and reading.summary()["last_year"] == 2021


def test_a_history_ending_early_in_a_year_takes_each_year_at_the_same_date():
    csv = "Date,County,Electric Vehicle (EV) Total\n" + "".join(
        f"{month} 2020,King,{n}\n" for month, n in (("January 31", 100), ("December 31", 200))) + "".join(
        f"{month} 2021,King,{n}\n" for month, n in (("January 31", 210), ("December 31", 400))) + "January 31 2022,King,420\n"
    reading = read_file(csv.encode(), "monthly.csv")
    # a year's growth each step: 100 -> 210 -> 420, not 200 -> 400 -> 420
    assert reading.dataset.history["vehicles"].tolist() == [100.0, 210.0, 420.0]
    assert any("January 31" in note for note in reading.notes)


def test_new_registrations_per_year_add_up_into_the_vehicles_registered():
    csv = "year,zip,new_registrations\n2020,98101,5\n2021,98101,7\n2022,98101,10\n2021,98102,2\n"
    history = read_history(csv.encode(), "new.csv")
    assert history[history["area"] == "98101"]["vehicles"].tolist() == [5.0, 12.0, 22.0]


def test_a_vehicle_list_is_counted_cumulatively_and_a_year_just_begun_joins_the_year_before():
    rows = ["VIN (1-10),County,Model Year,Make"]
    rows += [f"V{i},King,{2018 + i % 4},TESLA" for i in range(40)] + ["W1,Pierce,2019,KIA", "W2,King,2022,KIA"]
    reading = read_file("\n".join(rows).encode(), "vehicles.csv")
    assert reading.kind == "history"
    king = reading.dataset.history.query("area == 'King'").set_index("year")["vehicles"]
    # 10 a year in 2018-2021; the lone 2022 vehicle is a year just begun and counts in 2021
    assert king.to_dict() == {2018: 10.0, 2019: 20.0, 2020: 30.0, 2021: 41.0}
    assert any("year just begun" in note for note in reading.notes)


def test_washington_vehicles_are_demand_with_areas_and_an_adoption_history():
    reading = read_file(shared_file("wa_ev_population", "Electric_Vehicle_Population_Data.csv"))
    assert reading.kind == "demand"
    demand, history = reading.dataset.demand, reading.dataset.history
    assert {"King", "Pierce"} <= set(demand["area"])
    assert history["area"].nunique() == 36
    last = history[history["year"] == history["year"].max()]
    assert last["vehicles"].sum() == 16662 - 0  # every vehicle with a county and model year counts
    dataset = combine([reading], name="wa")
    assert dataset.history is history


@pytest.mark.parametrize("csv, expected", [
    ("year,county,vehicles\n2020,King,5\n20x0,King,7\n", "line 3"),
    ("year,county,vehicles\n2020,King,5\n2021.5,King,7\n", "not a year"),
    ("year,county,vehicles\n2020,King,5\n2021,King,-7\n", "negative"),
])
def test_bad_histories_are_refused_in_one_sentence_naming_the_line(csv, expected):
    with pytest.raises(InputError, match=expected):
        read_file(csv.encode(), "bad.csv")


def test_workspace_keeps_the_history(tmp_path):
    dataset = combine([read_file(b"year,county,vehicles\n2020,King,5\n2021,King,7\n", "h.csv")], name="h")
    workspace = Workspace(tmp_path)
    info = workspace.save(dataset, source="test")
    assert info["kinds"] == ["history"]
    pd.testing.assert_frame_equal(workspace.load(info["id"]).history, dataset.history)


# --- projecting -------------------------------------------------------------------------------

@pytest.mark.parametrize("fleet", [True, False])
def test_diffusion_bends_where_compound_growth_overshoots(fleet):
    history = logistic_history(fleet=fleet)
    seen, truth = history[history["year"] <= 2016], history[history["year"] > 2016]
    ours = project_history(seen, 2021)
    assert list(ours.columns) == ["area", "year", "vehicles", "lower", "upper"]
    # knowing the fleet, the model sees the ceiling coming; without it, it assumes one far off
    assert wape(ours, truth) < (0.6 if fleet else 0.9) * wape(compound_growth(seen, 2021), truth)
    assert wape(ours, truth) < wape(linear_growth(seen, 2021), truth)
    both = ours.merge(truth, on=["area", "year"], suffixes=("", "_actual"))
    inside = (both["vehicles_actual"] >= both["lower"]) & (both["vehicles_actual"] <= both["upper"])
    assert inside.mean() >= 0.6 and (both["lower"] <= both["vehicles"]).all() and (both["vehicles"] <= both["upper"]).all()


def test_a_small_area_borrows_the_pools_shape():
    history = logistic_history(areas=6, years=10)
    # a small area whose last two years are flat, as a handful of vehicles can be by chance:
    # alone it would look saturated; pooled it keeps growing with the others
    tiny = pd.DataFrame({"year": range(2010, 2020), "area": "tiny", "all_vehicles": 400.0,
                         "vehicles": [1.0, 1, 2, 2, 3, 4, 5, 7, 7, 7]})
    history = pd.concat([history, tiny], ignore_index=True)
    year_2024 = project_history(history, 2024).query("year == 2024").set_index("area")["vehicles"]
    assert year_2024["tiny"] / 7 > 1.5
    assert compound_growth(history, 2024).query("year == 2024 and area == 'tiny'")["vehicles"].iloc[0] == 7


def test_projection_refuses_a_year_that_is_not_ahead_and_short_histories():
    history = logistic_history()
    with pytest.raises(InputError, match="not between"):
        project_history(history, 2020)
    with pytest.raises(InputError, match="at least 4 years"):
        project_history(history[history["year"] <= 2011], 2015)


def test_a_history_without_vehicles_is_refused_and_a_sudden_start_stays_finite():
    years = list(range(2018, 2023))
    with pytest.raises(InputError, match="no vehicle at all"):
        project_history(pd.DataFrame({"year": years, "area": "A", "vehicles": 0.0}), 2025)
    jump = project_history(pd.DataFrame({"year": years, "area": "A", "vehicles": [0.0, 0, 0, 0, 1000]}), 2030)
    assert np.isfinite(jump[["vehicles", "lower", "upper"]].to_numpy()).all()
    assert (jump["upper"] <= 20 * (jump["vehicles"] + 1)).all()  # no interval that says nothing


def test_demand_grows_by_its_areas_factor():
    history = pd.DataFrame({"year": [2020, 2021, 2020, 2021], "area": ["fast", "fast", "slow", "slow"],
                            "vehicles": [10.0, 20.0, 10.0, 11.0]})
    projection = compound_growth(history, 2023)
    factors, overall = growth_factors(history, projection, 2023)
    assert factors["fast"] == pytest.approx(4.0) and factors["slow"] == pytest.approx(1.21)
    demand = pd.DataFrame({"latitude": [1.0, 2.0, 3.0], "longitude": [1.0, 2.0, 3.0], "weight": [1.0, 1.0, 1.0],
                           "area": ["fast", "slow", "elsewhere"]})
    scaled, notes = scale_demand(demand, factors, overall)
    assert scaled["weight"].tolist() == pytest.approx([4.0, 1.21, overall])
    assert any("1 demand points have an area" in n for n in notes)
    same, _ = demand_in_year(demand, history, 2021)  # the history's last year is today
    assert same["weight"].tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(InputError, match="year"):
        demand_in_year(demand, history, 2019)


# --- command line -----------------------------------------------------------------------------

def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_growth_json_and_csv(tmp_path, capsys):
    path = tmp_path / "history.csv"
    logistic_history().to_csv(path, index=False)
    out_csv = tmp_path / "growth.csv"
    code, out, err = run_cli(capsys, "growth", "--history", str(path), "--until", "2025", "--out", str(out_csv), "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert len(answer["areas"]) == 6 * 4 and set(answer["areas"][0]) == {"area", "year", "vehicles", "lower", "upper"}
    assert pd.read_csv(out_csv).shape == (24, 5)
    code, out, _ = run_cli(capsys, "growth", "--history", str(path), "--until", "2025", "--rate", "10", "--json")
    first = json.loads(out)["areas"][0]
    last = logistic_history().query("year == 2021 and area == 'A0'")["vehicles"].iloc[0]
    assert first["vehicles"] == pytest.approx(last * 1.1)


@pytest.mark.parametrize("argv, expected", [
    (["--until", "2015"], "until"),
    (["--until", "2025", "--rate", "-200"], "--rate"),
    (["--until", "soon"], "invalid int"),
])
def test_cli_growth_bad_input_exits_2(tmp_path, capsys, argv, expected):
    path = tmp_path / "history.csv"
    logistic_history().to_csv(path, index=False)
    code, out, err = run_cli(capsys, "growth", "--history", str(path), *argv)
    assert code == 2 and out == "" and err.startswith("error:") and expected in err and len(err.splitlines()) == 1


def test_cli_growth_refuses_a_file_that_is_no_history(tmp_path, capsys):
    path = tmp_path / "stations.csv"
    path.write_text("station_id,latitude,longitude\nA,47.6,-122.3\n")
    code, _, err = run_cli(capsys, "growth", "--history", str(path), "--until", "2030")
    assert code == 2 and "expected an adoption history" in err


def test_cli_place_for_a_year_weighs_the_growing_area(tmp_path, capsys):
    demand, history = tmp_path / "demand.csv", tmp_path / "history.csv"
    demand.write_text(DEMAND)
    history.write_text(HISTORY)
    code, out, err = run_cli(capsys, "place", "--demand", str(demand), "--k", "1", "--candidates", str(demand), "--json")
    assert code == 0, err
    assert json.loads(out)["sites"] == [[47.0, -121.0]]  # today the slow area has more vehicles
    code, out, err = run_cli(capsys, "place", "--demand", str(demand), "--k", "1", "--candidates", str(demand),
                             "--year", "2026", "--history", str(history), "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["sites"] == [[47.0, -122.0]] and answer["year"] == 2026 and "Demand scaled" in answer["notes"][0]
    code, _, err = run_cli(capsys, "place", "--demand", str(demand), "--k", "1", "--year", "2026")
    assert code == 2 and "--history" in err


def test_cli_capacity_for_a_year_grows_the_arrivals(tmp_path, capsys):
    from evcore.capacity import erlang_b

    sessions, history = tmp_path / "s.csv", tmp_path / "h.csv"
    sessions.write_text(SESSIONS)
    history.write_text("year,county,vehicles\n" + "".join(f"{y},King,{100 * 1.5 ** i:.0f}\n" for i, y in enumerate(range(2019, 2024))))
    code, out, err = run_cli(capsys, "capacity", "--usage", str(sessions), "--year", "2025", "--history", str(history),
                             "--rate", "50", "--json")
    assert code == 0, err
    answer = json.loads(out)
    assert answer["year"] == 2025 and answer["growth"] == pytest.approx(2.25)
    assert answer["stations"][0]["blocking"] == pytest.approx(erlang_b(2, 2.25 * LOAD), abs=1e-3)
    code, _, err = run_cli(capsys, "capacity", "--usage", str(sessions), "--year", "2025")
    assert code == 2 and "--history" in err
    code, _, err = run_cli(capsys, "capacity", "--usage", str(sessions), "--year", "2025", "--growth", "2",
                           "--history", str(history))
    assert code == 2 and "not both" in err
