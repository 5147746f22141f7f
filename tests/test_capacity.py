"""Capacity as DESIGN.md defines it: Erlang-B known values, a tiny session replay worked out by
hand, hourly occupancy without sessions, the CLI and GET /capacity."""

import json
import subprocess
import sys
import time
import warnings

import pandas as pd
import pytest

from conftest import ROOT, shared_file
from evcore.capacity import capacity_records, capacity_table, capacity_window, erlang_b, ports_for_target
from evcore.data import Dataset
from evcore.errors import InputError
from evcore.io import combine, read_file

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


def test_erlang_b_known_values_and_stability():
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_b(2, 2.0) == pytest.approx(0.4)
    assert erlang_b(10, 5.0) == pytest.approx(0.018385, abs=1e-6)  # the classic table's 0.0184
    assert erlang_b(0, 3.0) == 1.0 and erlang_b(3, 0.0) == 0.0
    big = erlang_b(1000, 950.0)  # 950! would overflow a float; the recursion does not
    assert 0 < big < 0.05
    assert ports_for_target(1.0, 0.1) == 3  # B(2,1) = 0.2, B(3,1) = 0.0625
    assert ports_for_target(5.0, 0.01) == 11  # B(10,5) = 0.0184, B(11,5) = 0.0083


HEADER = "Station Name,Port Number,Start Date,End Date,Energy (kWh),User ID\n"
# Last session starts Fri 29 March: the window is 1-28 March (28 days before the last day).
SESSIONS = HEADER + "".join(f"A,{port},{start},{end},5,{i}\n" for i, (port, start, end) in enumerate([
    (1, "2024-02-28 22:00", "2024-03-01 02:00"),  # starts before the window: 2 h inside it, no arrival
    (1, "2024-03-04 08:00", "2024-03-04 10:00"),  # Monday 08:00
    (2, "2024-03-04 08:30", "2024-03-04 09:30"),  # Monday 08:30: both ports busy 08:30-09:30
    (1, "2024-03-11 08:15", "2024-03-11 08:45"),  # the next Monday, same hour of the week
    (2, "2024-03-29 10:00", "2024-03-29 11:00"),  # the last day: outside the window
]))


def test_tiny_session_replay_matches_hand_computed_figures():
    dataset = read_file(SESSIONS.encode(), "s.csv").dataset
    start, end = capacity_window(dataset)
    assert (start, end) == (pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-29"))
    row = capacity_table(dataset, target=0.1).iloc[0]
    assert row["ports"] == 2 and row["ports_source"] == "port numbers in the sessions"
    assert row["utilisation"] == pytest.approx((2 + 2 + 1 + 0.5) / (2 * 24 * 28))
    assert row["arrivals_per_hour"] == pytest.approx(3 / 4)  # three sessions start in Monday 08:00-09:00
    assert row["mean_plugged_hours"] == pytest.approx((2 + 1 + 0.5) / 3)
    load = 0.75 * 3.5 / 3
    assert row["blocking"] == pytest.approx((load**2 / 2) / (1 + load + load**2 / 2))
    assert row["ports_needed"] == 3  # B(2) = 0.17 > 0.1 >= B(3) = 0.047
    assert row["observed_all_busy"] == pytest.approx(60 / (28 * 24 * 60))
    grown = capacity_table(dataset, target=0.1, growth=2.0).iloc[0]
    assert grown["blocking"] == pytest.approx(erlang_b(2, 2 * load)) and grown["blocking"] > row["blocking"]
    assert grown["observed_all_busy"] == row["observed_all_busy"]  # what happened does not grow


def test_hourly_occupancy_without_sessions_gives_utilisation_and_busy_hours_only():
    hours = pd.date_range("2024-03-01", "2024-03-29 23:00", freq="h")
    occupancy = pd.Series(0.5, index=hours)
    occupancy[hours.hour == 18] = 2.0  # both ports full at 18:00 every day
    hourly = pd.DataFrame({"station_id": "A", "time": hours, "energy": float("nan"), "occupancy": occupancy.to_numpy()})
    stations = pd.DataFrame({"station_id": ["A"], "name": ["A"], "latitude": [0.0], "longitude": [0.0], "ports": [2]})
    usage = pd.DataFrame({"station_id": ["A"], "date": [pd.Timestamp("2024-03-01")], "usage": [1.0]})
    row = capacity_table(Dataset("o", usage=usage, stations=stations, hourly=hourly)).iloc[0]
    assert row["utilisation"] == pytest.approx((23 * 0.5 + 2.0) / (2 * 24))
    assert row["observed_all_busy"] == pytest.approx(1 / 24)
    assert row[["arrivals_per_hour", "mean_plugged_hours", "blocking", "ports_needed"]].isna().all()


def test_bad_settings_and_data_without_times_are_refused_in_one_sentence():
    dataset = read_file(SESSIONS.encode(), "s.csv").dataset
    for kwargs in ({"target": 0}, {"target": 1.5}, {"growth": 0}, {"growth": float("inf")}):
        with pytest.raises(InputError, match="expected"):
            capacity_table(dataset, **kwargs)
    daily = read_file(b"station,date,kwh\nA,2024-01-01,3\n", "d.csv").dataset
    with pytest.raises(InputError, match="neither charging sessions nor hourly occupancy"):
        capacity_table(daily)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "evcore", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_cli_capacity_json_csv_and_errors(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(SESSIONS)
    done = cli("capacity", "--usage", path, "--target", "0.1", "--growth", "2", "--out", tmp_path / "c.csv", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    (row,) = result["stations"]
    assert set(row) >= {"station_id", "ports", "utilisation", "arrivals_per_hour", "mean_plugged_hours", "blocking",
                        "ports_needed", "observed_all_busy"}
    assert row["ports_needed"] == 4  # load 1.75: B(3) = 0.17, B(4) = 0.07
    assert result["window_start"] == "2024-03-01" and result["window_end"] == "2024-03-29" and result["growth"] == 2.0
    assert pd.read_csv(tmp_path / "c.csv")["ports"].tolist() == [2]
    bad = cli("capacity", "--usage", path, "--target", "2")
    assert bad.returncode == 2 and bad.stderr.startswith("error: target 2.0")
    daily = tmp_path / "d.csv"
    daily.write_text("station,date,kwh\nA,2024-01-01,3\n")
    refused = cli("capacity", "--usage", daily)
    assert refused.returncode == 2 and "neither charging sessions nor hourly occupancy" in refused.stderr


def test_get_capacity_on_a_saved_dataset(tmp_path):
    from evcore.api import create_app
    from evcore.config import Settings

    client = TestClient(create_app(Settings(workspace=tmp_path / "ws")))
    made = client.post("/datasets", data={"name": "s"}, files=[("files", ("s.csv", SESSIONS.encode(), "text/csv"))])
    answer = client.get("/capacity", params={"dataset": made.json()["id"], "target": 0.01, "growth": 1.5})
    assert answer.status_code == 200
    (row,) = answer.json()["stations"]
    assert row["ports"] == 2 and row["blocking"] == pytest.approx(erlang_b(2, 1.5 * 0.875), abs=1e-4)
    assert len(client.get("/capacity", params={"dataset": "demo"}).json()["stations"]) == 48  # the demo's sessions
    daily = client.post("/datasets", data={"name": "d"}, files=[("files", ("d.csv", b"station,date,kwh\nA,2024-01-01,3\n",
                                                                             "text/csv"))])
    refused = client.get("/capacity", params={"dataset": daily.json()["id"]})
    assert refused.status_code == 400 and "neither charging sessions nor hourly occupancy" in refused.json()["detail"]
    assert client.get("/capacity", params={"dataset": made.json()["id"], "target": 2}).status_code == 422
    assert "/capacity" in client.get("/openapi.json").json()["paths"]


def test_capacity_on_real_hourly_occupancy():
    dataset = read_file(shared_file("charged_jhb", "duration.csv"), measure="occupancy").dataset
    table = capacity_table(dataset)
    assert len(table) == 47 and table["arrivals_per_hour"].isna().all()
    assert (table["utilisation"].dropna() <= 1).all()  # ports at least the largest hourly occupancy
    assert table["utilisation"].is_monotonic_decreasing


def wide_charging_hours(days=35) -> bytes:
    hours = pd.date_range("2024-03-01", periods=24 * days, freq="h")
    return pd.DataFrame({"": hours.strftime("%Y-%m-%d %H:%M:%S"), "A": 0.5, "B": 1.0}).to_csv(index=False).encode()


def test_an_upload_marked_as_plugged_in_hours_gets_capacity_from_occupancy(tmp_path):
    from evcore.api import create_app
    from evcore.config import Settings

    client = TestClient(create_app(Settings(workspace=tmp_path / "ws")))
    files = [("files", ("duration.csv", wide_charging_hours(), "text/csv"))]
    as_energy = client.post("/datasets", data={"name": "e"}, files=files).json()["id"]
    assert client.get("/capacity", params={"dataset": as_energy}).status_code == 400
    as_hours = client.post("/datasets", data={"name": "o", "measure": "occupancy"}, files=files).json()["id"]
    answer = client.get("/capacity", params={"dataset": as_hours})
    assert answer.status_code == 200
    assert {row["station_id"]: row["utilisation"] for row in answer.json()["stations"]} == {"B": 1.0, "A": 0.5}
    bad = client.post("/datasets", data={"name": "x", "measure": "litres"}, files=files)
    assert bad.status_code == 422


def test_home_page_uploads_a_table_of_plugged_in_hours_as_occupancy():
    import os

    from streamlit.testing.v1 import AppTest

    from evcore.workspace import Workspace

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.radio(key="upload_measure").set_value("occupancy").run()
    at.file_uploader[0].set_value([("duration.csv", wide_charging_hours(), "text/csv")]).run()
    assert not at.exception
    (info,) = Workspace(os.environ["EVCORE_WORKSPACE"]).list()[1:]
    saved = Workspace(os.environ["EVCORE_WORKSPACE"]).load(info["id"])
    assert saved.usage_unit == "hours" and saved.hourly["occupancy"].notna().all()


@pytest.mark.parametrize("count", ["0.3", "1e9", "inf"])
def test_a_station_tables_port_count_that_cannot_be_one_is_passed_over_not_a_crash_or_a_hang(count):
    no_port_numbers = SESSIONS.replace("Port Number", "Port Type").encode()
    stations = f"station_id,latitude,longitude,ports\nA,1.0,1.0,{count}\n".encode()
    dataset = combine([read_file(no_port_numbers, "s.csv"), read_file(stations, "st.csv")])
    started = time.perf_counter()
    row = capacity_table(dataset).iloc[0]
    assert time.perf_counter() - started < 5  # 1e9 ports ran Erlang-B's recursion a billion times
    assert row["ports"] == 2 and row["ports_source"] == "most sessions at once (a lower bound)"
    assert 0 < row["utilisation"] < 1 and 0 < row["blocking"] < 1


def test_cli_refuses_a_stations_file_that_is_not_a_station_list_naming_it(tmp_path):
    sessions, daily = tmp_path / "s.csv", tmp_path / "d.csv"
    sessions.write_text(SESSIONS)
    daily.write_text("station,date,kwh\nA,2024-01-01,3\n")
    done = cli("capacity", "--usage", sessions, "--stations", daily)
    # it used to replace the sessions with d.csv's daily usage and blame s.csv for having no sessions
    assert done.returncode == 2 and done.stderr.startswith("error: d.csv is usage data")
    assert "--stations" in done.stderr and "s.csv" not in done.stderr


def test_a_station_whose_sessions_have_no_end_times_gets_no_figures_not_zeros():
    text = SESSIONS + "B,1,2024-03-05 09:00,,4,9\nB,1,2024-03-06 09:00,,4,10\n"  # B: daily energy only
    table = capacity_table(read_file(text.encode(), "s.csv").dataset).set_index("station_id")
    assert table.loc["A", "utilisation"] > 0
    figures = ["utilisation", "arrivals_per_hour", "mean_plugged_hours", "blocking", "ports_needed", "observed_all_busy"]
    assert table.loc["B", figures].isna().all()  # was utilisation 0, blocking 0, ports_needed 1: never busy
    assert table.index.tolist() == ["A", "B"]  # busiest first, the unknown last
    records = {r["station_id"]: r for r in capacity_records(table.reset_index())}
    assert json.dumps(records["A"]["ports_needed"]) == "3" and records["B"]["ports_needed"] is None  # not 3.0
