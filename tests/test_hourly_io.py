"""Hourly resolution kept: wide hourly tables, timestamped long tables and session exports give
the hourly table (energy, occupancy) and sessions beside the daily usage; city-portal exports
are read; days without sessions are zeros; the workspace keeps it all."""

import numpy as np
import pandas as pd
import pytest

from conftest import shared_file
from evcore.data import Dataset, daily_session_counts, unlocated_stations
from evcore.hourly import hour_of_week, hourly_from_sessions, hourly_span_sentence, station_ports
from evcore.io import read_file
from evcore.workspace import Workspace

CHARGEPOINT_HEADER = ("\ufeffStation Name,Start Date,End Date,Total Duration (hh:mm:ss),Charging Time (hh:mm:ss),"
                      "Energy (kWh),Port Type,Port Number,Latitude,Longitude,User ID\n")


def chargepoint(rows):
    return (CHARGEPOINT_HEADER + "".join(
        f"{station},{start},{end},{total},{charging},{kwh},Level 2,{port},{lat},{lon},{i}\n"
        for i, (station, start, end, total, charging, kwh, port, lat, lon) in enumerate(rows))).encode()


def test_session_energy_is_spread_over_charging_time_and_occupancy_over_plug_in_time():
    # plugged in 20:30-23:30 (3 h), charging the first 1.5 h: 9 kWh -> 3 kWh in 20:00, 6 kWh in 21:00
    reading = read_file(chargepoint([("A", "3/1/2024 20:30", "3/1/2024 23:30", "3:00:00", "1:30:00", 9.0, 1,
                                      47.6, -122.3)]), "a.csv")
    hourly = reading.dataset.hourly.set_index("time")
    assert hourly.loc["2024-03-01 20:00", "energy"] == pytest.approx(3.0)
    assert hourly.loc["2024-03-01 21:00", "energy"] == pytest.approx(6.0)
    assert hourly.loc["2024-03-01 22:00", "energy"] == 0.0
    assert hourly["occupancy"].tolist()[-4:] == pytest.approx([0.5, 1.0, 1.0, 0.5])
    assert hourly["energy"].sum() == pytest.approx(9.0) and hourly["occupancy"].sum() == pytest.approx(3.0)
    sessions = reading.dataset.sessions
    assert sessions.columns.tolist() == ["station_id", "port", "start", "end", "energy"]
    assert sessions.loc[0, "end"] == pd.Timestamp("2024-03-01 23:30")


def test_without_charging_time_energy_follows_plug_in_time_and_end_comes_from_duration():
    text = ("Station,Start Date,Total Duration (hh:mm:ss),Energy (kWh)\n"
            "A,2024-03-01 10:00,2:00:00,8\n")
    hourly = read_file(text.encode(), "a.csv").dataset.hourly.set_index("time")
    assert hourly.loc["2024-03-01 10:00", "energy"] == pytest.approx(4.0)
    assert hourly.loc["2024-03-01 11:00", "occupancy"] == pytest.approx(1.0)


def test_days_without_sessions_are_zero_from_first_session_to_export_end():
    rows = [("A", "3/1/2024 9:00", "3/1/2024 10:00", "1:00:00", "1:00:00", 5.0, 1, 47.6, -122.3),
            ("B", "3/3/2024 9:00", "3/3/2024 10:00", "1:00:00", "1:00:00", 7.0, 1, 47.7, -122.2),
            ("A", "3/5/2024 9:00", "3/5/2024 10:00", "1:00:00", "1:00:00", 2.0, 1, 47.6, -122.3)]
    usage = read_file(chargepoint(rows), "s.csv").dataset.usage
    a = usage[usage.station_id == "A"].set_index("date")["usage"]
    b = usage[usage.station_id == "B"].set_index("date")["usage"]
    assert a.tolist() == [5.0, 0.0, 0.0, 0.0, 2.0]  # 2, 3 and 4 March are zeros, not gaps
    assert b.index.min() == pd.Timestamp("2024-03-03") and b.tolist() == [7.0, 0.0, 0.0]  # not before its first


CITY_PORTAL = ("Station_Name,Address,City,Start_Date___Time,Start_Time_Zone,End_Date___Time,End_Time_Zone,"
               "Total_Duration__hh_mm_ss_,Charging_Time__hh_mm_ss_,Energy__kWh_,Port_Type,ObjectId\n"
               "BOULDER / JUNCTION ST1,2280 Junction Pl,Boulder,2018/01/01 17:49:00,MST,2018/01/01 19:52:00,MST,"
               "2:03:02,2:02:44,6.504,Level 2,1\n"
               "BOULDER / ALPINE ST1,1275 Alpine Ave,Boulder,2018/01/02 08:52:00,MST,2018/01/02 09:16:00,MST,"
               "0:24:00,0:23:59,2.481,Level 2,2\n"
               "BOULDER / JUNCTION ST1,2280 Junction Pl,Boulder,2018/01/03 11:00:00,MST,2018/01/03 12:00:00,MST,"
               "1:00:00,0:30:00,3.0,Level 2,3\n")


def test_city_portal_export_without_coordinates_is_read_and_says_the_maps_miss_it():
    reading = read_file(CITY_PORTAL.encode(), "boulder.csv")
    d = reading.dataset
    assert reading.kind == "usage" and "session export" in reading.format
    assert set(d.usage["station_id"]) == {"BOULDER / JUNCTION ST1", "BOULDER / ALPINE ST1"}
    junction = d.usage[d.usage.station_id == "BOULDER / JUNCTION ST1"]["usage"].tolist()
    assert junction == pytest.approx([6.504, 0.0, 3.0])
    assert len(d.sessions) == 3 and d.stations is None
    assert unlocated_stations(d) == ["BOULDER / ALPINE ST1", "BOULDER / JUNCTION ST1"]
    assert any("maps cannot show" in note for note in d.notes)


def test_city_portal_export_with_coordinates_locates_its_stations():
    text = CITY_PORTAL.replace(",ObjectId\n", ",ObjectId,Latitude,Longitude\n")
    text = text.replace(",1\n", ",1,40.02,-105.25\n").replace(",2\n", ",2,40.01,-105.27\n").replace(",3\n", ",3,40.02,-105.25\n")
    d = read_file(text.encode(), "boulder.csv").dataset
    assert len(d.stations) == 2 and unlocated_stations(d) == []


def test_wide_hourly_table_keeps_hours_as_energy_or_as_occupancy():
    hours = pd.date_range("2024-03-01", periods=48, freq="h")
    text = pd.DataFrame({"": hours.strftime("%Y-%m-%d %H:%M:%S"), "7": np.arange(48.0), "9": 0.5}).to_csv(index=False)
    energy = read_file(text.encode(), "volume.csv").dataset
    assert len(energy.hourly) == 96 and energy.hourly["occupancy"].isna().all()
    assert energy.hourly.set_index(["station_id", "time"]).loc[("7", hours[5]), "energy"] == 5.0
    occupied = read_file(text.encode(), "duration.csv", measure="occupancy").dataset
    assert occupied.usage_unit == "hours" and occupied.hourly["energy"].isna().all()
    assert occupied.hourly[occupied.hourly.station_id == "9"]["occupancy"].sum() == pytest.approx(24.0)
    assert "48 hours" in hourly_span_sentence(energy.hourly)


def test_empty_cells_of_a_wide_table_are_missing_hours_and_days_not_zeros():
    hours = pd.date_range("2024-03-01", periods=48, freq="h")
    values = np.arange(48.0)
    values[5], values[24:] = np.nan, np.nan  # one hour missing; the whole second day missing
    text = pd.DataFrame({"": hours.strftime("%Y-%m-%d %H:%M:%S"), "7": values, "9": 0.5}).to_csv(index=False)
    d = read_file(text.encode(), "volume.csv").dataset
    seven = d.hourly[d.hourly.station_id == "7"]
    assert len(seven) == 23 and hours[5] not in set(seven["time"])
    assert d.usage[d.usage.station_id == "7"]["date"].tolist() == [pd.Timestamp("2024-03-01")]


def test_a_repeated_time_in_a_wide_hourly_table_is_summed_with_a_note():
    stamps = list(pd.date_range("2024-04-06", periods=48, freq="h").strftime("%Y-%m-%d %H:%M"))
    stamps.insert(27, stamps[26])  # 7 April 02:00 twice: clocks going back (or a row listed twice)
    text = pd.DataFrame({"time": stamps, "A": 1.0}).to_csv(index=False).encode()
    reading = read_file(text, "h.csv", measure="occupancy")
    hour = reading.dataset.hourly.set_index("time").loc[pd.Timestamp("2024-04-07 02:00"), "occupancy"]
    assert hour == 2.0  # two hours' port-hours in one wall-clock hour
    assert any("1 repeated time (2024-04-07 02:00" in note and "summed" in note for note in reading.notes)


def test_timestamped_long_table_keeps_hours_and_a_daily_one_has_none():
    rows = ["station,timestamp,kwh"] + [f"S1,2024-02-01 {h:02d}:30,1.5" for h in range(24)]
    d = read_file("\n".join(rows).encode(), "long.csv").dataset
    assert len(d.hourly) == 24 and d.hourly["time"].iloc[3] == pd.Timestamp("2024-02-01 03:00")
    hours = read_file("station,time,charging_hours\nS1,2024-02-01 10:00,0.5\n".encode(), "o.csv").dataset
    assert hours.usage_unit == "hours" and hours.hourly["occupancy"].tolist() == [0.5]
    daily = read_file(b"station,date,kwh\nS1,2024-02-01,3\nS1,2024-02-02,4\n", "d.csv").dataset
    assert daily.hourly is None and "daily values only" in hourly_span_sentence(daily.hourly)


def test_ports_from_port_numbers_then_station_table_then_setting_then_concurrency():
    rows = [("A", "3/1/2024 9:00", "3/1/2024 11:00", "2:00:00", "2:00:00", 5.0, 1, 47.6, -122.3),
            ("A", "3/1/2024 9:30", "3/1/2024 10:00", "0:30:00", "0:30:00", 5.0, 2, 47.6, -122.3),
            ("A", "3/1/2024 12:00", "3/1/2024 13:00", "1:00:00", "1:00:00", 5.0, 3, 47.6, -122.3)]
    d = read_file(chargepoint(rows), "s.csv").dataset
    assert station_ports(d).set_index("station_id").loc["A", "ports"] == 3  # three port numbers
    no_ports = Dataset("x", usage=d.usage, sessions=d.sessions.assign(port=None))
    assert station_ports(no_ports).loc[0, "ports"] == 2  # two at once, 9:30-10:00
    assert station_ports(no_ports, setting=4).loc[0, "ports"] == 4
    listed = Dataset("x", usage=d.usage, sessions=no_ports.sessions,
                     stations=pd.DataFrame({"station_id": ["A"], "name": ["A"], "latitude": [0.0],
                                            "longitude": [0.0], "ports": [6]}))
    assert station_ports(listed, setting=4).loc[0, "ports"] == 6
    assert daily_session_counts(d.sessions)["sessions"].tolist() == [3]


def test_workspace_keeps_hourly_and_sessions_and_the_fingerprint_sees_them(tmp_path):
    rows = [("A", "3/1/2024 9:00", "3/1/2024 11:00", "2:00:00", "1:00:00", 5.0, 1, 47.6, -122.3)]
    d = read_file(chargepoint(rows), "s.csv").dataset
    ws = Workspace(tmp_path / "ws")
    loaded = ws.load(ws.save(d, source="upload")["id"])
    pd.testing.assert_frame_equal(loaded.hourly, d.hourly)
    pd.testing.assert_frame_equal(loaded.sessions, d.sessions)
    assert loaded.fingerprint() == d.fingerprint()
    changed = Dataset(d.name, usage=d.usage, stations=d.stations, hourly=d.hourly.assign(energy=0.0),
                      sessions=d.sessions)
    assert changed.fingerprint() != d.fingerprint()


def test_hour_of_week_means():
    sessions = pd.DataFrame({"station_id": ["A", "A"], "port": [None, None],
                             "start": pd.to_datetime(["2024-03-04 08:00", "2024-03-11 08:00"]),  # Mondays
                             "end": pd.to_datetime(["2024-03-04 09:00", "2024-03-11 08:30"]), "energy": [1.0, 1.0]})
    hourly = hourly_from_sessions(sessions)
    profile = hour_of_week(hourly, "occupancy", "A").set_index(["weekday", "hour"])
    assert profile.loc[(0, 8), "value"] == pytest.approx(0.75) and profile.loc[(0, 9), "value"] == 0.0
    both = pd.concat([hourly, hourly.assign(station_id="B")])
    network = hour_of_week(both, "occupancy").set_index(["weekday", "hour"])
    assert network.loc[(0, 8), "value"] == pytest.approx(1.5)  # the stations' sum, then the mean


def test_real_hourly_tables_keep_every_hour():
    reading = read_file(shared_file("charged_jhb", "volume.csv"))
    hourly = reading.dataset.hourly
    assert len(hourly) == 47 * 4392
    assert hourly["energy"].sum() == pytest.approx(reading.dataset.usage["usage"].sum())
    assert reading.summary()["hours"] == 4392


def test_home_page_says_the_hourly_span_and_which_stations_the_map_misses():
    import os

    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    ws = Workspace(os.environ["EVCORE_WORKSPACE"])
    with_coordinates = read_file(chargepoint([("A", "3/1/2024 9:00", "3/1/2024 11:00", "2:00:00", "1:00:00", 5.0, 1,
                                               47.6, -122.3)]), "a.csv").dataset
    portal = read_file(CITY_PORTAL.encode(), "boulder.csv").dataset
    both = Dataset("Both", usage=pd.concat([with_coordinates.usage, portal.usage]), stations=with_coordinates.stations,
                   hourly=pd.concat([with_coordinates.hourly, portal.hourly]))
    ws.set_last_opened(ws.save(both, source="test")["id"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "Hourly energy (kWh) and occupancy (plugged-in port-hours) for 3 stations, 01 Jan 2018 17:00" in captions
    assert "Not on the map: 2 stations have usage but no coordinates" in captions


def test_home_page_sessions_per_day_counts_days_without_sessions_as_zero():
    import os

    from streamlit.testing.v1 import AppTest

    from conftest import ROOT

    ws = Workspace(os.environ["EVCORE_WORKSPACE"])
    rows = [("A", "3/1/2024 9:00", "3/1/2024 10:00", "1:00:00", "1:00:00", 5.0, 1, 47.6, -122.3),
            ("A", "3/1/2024 12:00", "3/1/2024 13:00", "1:00:00", "1:00:00", 5.0, 1, 47.6, -122.3),
            ("A", "3/4/2024 9:00", "3/4/2024 10:00", "1:00:00", "1:00:00", 5.0, 1, 47.6, -122.3)]
    ws.set_last_opened(ws.save(read_file(chargepoint(rows), "a.csv").dataset, source="test")["id"])
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    shown = {m.label: m.value for m in at.metric}
    assert shown["Sessions per day"] == "0.8"  # 3 sessions over 1-4 March (two days without any), not 1.5


def test_clusters_page_says_which_stations_the_map_misses(monkeypatch):
    import os

    from streamlit.testing.v1 import AppTest

    import ui
    from conftest import ROOT

    monkeypatch.setattr(ui, "forecast_table", lambda dataset, horizon=10: None)  # no training here

    located = read_file(chargepoint([(s, "3/1/2024 9:00", "3/1/2024 11:00", "2:00:00", "1:00:00", 5.0, 1, 47.6 + i / 100,
                                      -122.3) for i, s in enumerate("ABC")]), "a.csv").dataset
    portal = read_file(CITY_PORTAL.encode(), "boulder.csv").dataset
    both = Dataset("Both", usage=pd.concat([located.usage, portal.usage]), stations=located.stations)
    ws = Workspace(os.environ["EVCORE_WORKSPACE"])
    ws.set_last_opened(ws.save(both, source="test")["id"])
    at = AppTest.from_file(str(ROOT / "pages" / "2_Clusters.py"), default_timeout=90)
    at.run()
    assert not at.exception
    assert any("Not on the map: 2 stations with usage but no coordinates" in c.value for c in at.caption)
