"""Every reader on small fixtures of each format, on the real files, and every bad input."""

import json

import numpy as np
import pandas as pd
import pytest

from evcore.errors import InputError
from evcore.io import combine, read_demand, read_file, read_points, read_stations, read_usage

from conftest import shared_file


def write(tmp_path, name, content, mode="w"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- usage formats ------------------------------------------------------------------------------

def test_wide_hourly_table_is_summed_to_daily_totals(tmp_path):
    hours = pd.date_range("2024-03-01", periods=48, freq="h")
    a, b = np.arange(48, dtype=float), np.full(48, 2.0)
    text = pd.DataFrame({"": hours.strftime("%Y-%m-%d %H:%M:%S"), "7": a, "9": b}).to_csv(index=False)
    reading = read_file(write(tmp_path, "usage.txt", text))
    assert reading.kind == "usage"
    assert "wide" in reading.format and "hourly" in reading.format
    usage = reading.dataset.usage.set_index(["station_id", "date"])["usage"]
    assert usage[("7", pd.Timestamp("2024-03-01"))] == pytest.approx(a[:24].sum())
    assert usage[("7", pd.Timestamp("2024-03-02"))] == pytest.approx(a[24:].sum())
    assert usage[("9", pd.Timestamp("2024-03-02"))] == pytest.approx(48.0)
    assert any("daily totals" in n for n in reading.notes)


def test_wide_daily_table_with_semicolons_and_byte_order_mark(tmp_path):
    text = "\ufeffdate;North;South\n2024-01-01;10,5;3\n2024-01-02;11;4\n2024-01-04;12;5\n"
    reading = read_file(write(tmp_path, "x.csv", text))
    assert reading.kind == "usage" and "daily" in reading.format
    usage = reading.dataset.usage
    assert sorted(usage["station_id"].unique()) == ["North", "South"]
    assert usage.loc[usage.station_id == "North", "usage"].tolist() == [10.5, 11.0, 12.0]
    # The missing 2024-01-03 is a gap, reported, not invented.
    assert len(usage) == 6
    assert any("missing" in n for n in reading.notes)


@pytest.mark.parametrize("station,date,value,unit", [
    ("station_id", "date", "usage", "kWh"),
    ("station", "day", "sessions", "sessions"),
    ("site_id", "timestamp", "energy_kwh", "kWh"),
    ("Station ID", "Date", "usage_count", "sessions"),
    ("site_id", "date", "kwh", "kWh"),
])
def test_long_table_under_common_column_names(tmp_path, station, date, value, unit):
    text = f"{station},{date},{value}\nA,2024-05-01,3\nA,2024-05-02,4\nB,2024-05-01,5\n"
    reading = read_file(write(tmp_path, "long.csv", text))
    assert reading.kind == "usage" and "long" in reading.format
    assert reading.dataset.usage_unit == unit
    assert reading.dataset.usage["usage"].sum() == 12
    assert list(reading.dataset.usage.columns) == ["station_id", "date", "usage"]


def test_long_table_repairs_duplicates_negatives_and_reports_them(tmp_path):
    text = ("station_id,date,usage\n"
            "A,2024-05-01,3\nA,2024-05-01,2\nA,2024-05-02,-7\nA,2024-05-04,1\nB,2024-05-01,5\n")
    reading = read_file(write(tmp_path, "long.csv", text))
    usage = reading.dataset.usage
    a = usage[usage.station_id == "A"].set_index("date")["usage"]
    assert a[pd.Timestamp("2024-05-01")] == 5  # duplicates summed
    assert pd.Timestamp("2024-05-02") not in a.index  # negative dropped
    notes = " ".join(reading.notes)
    assert "negative" in notes and "Summed" in notes and "missing" in notes


def test_hourly_long_table_is_resampled_to_days(tmp_path):
    rows = ["station,timestamp,kwh"] + [f"S1,2024-02-01 {h:02d}:00,1.5" for h in range(24)]
    usage = read_usage(write(tmp_path, "hourly_long.csv", "\n".join(rows)))
    assert len(usage) == 1 and usage["usage"].iloc[0] == pytest.approx(36.0)


CHARGEPOINT = (
    "\ufeffStation Name,MAC Address,Org Name,Start Date,Start Time Zone,End Date,End Time Zone,"
    "Transaction Date (Pacific Time),Total Duration (hh:mm:ss),Charging Time (hh:mm:ss),Energy (kWh),"
    "GHG Savings (kg),Gasoline Savings (gallons),Port Type,Port Number,Plug Type,EVSE ID,Address 1,"
    "City,State/Province,Postal Code,Country,Latitude,Longitude,Currency,Fee,Ended By,Plug In Event Id,"
    "Driver Postal Code,User ID,County,System S/N,Model Number\n"
    "PALO ALTO CA / HAMILTON #1,0024:B100:0002:6F21,City of Palo Alto,7/29/2011 20:17,PDT,7/29/2011 23:20,PDT,"
    "7/29/2011 23:20,3:03:32,1:54:03,6.249457,2.625,0.784,Level 2,2,J1772,,"
    "445 Hamilton Ave,Palo Alto,California,94301,United States,37.444572,-122.160309,USD,0,Plug Out at Vehicle,"
    "3,95124,3284,,,\n"
    "PALO ALTO CA / HAMILTON #1,0024:B100:0002:6F21,City of Palo Alto,7/29/2011 8:05,PDT,7/29/2011 9:00,PDT,"
    "7/29/2011 9:00,0:55:00,0:50:00,3.75,1.5,0.4,Level 2,1,J1772,,"
    "445 Hamilton Ave,Palo Alto,California,94301,United States,37.444572,-122.160309,USD,0,Customer,"
    "4,95124,3285,,,\n"
    "PALO ALTO CA / BRYANT #1,0024:B100:0002:6F22,City of Palo Alto,7/30/2011 10:00,PDT,7/30/2011 12:00,PDT,"
    "7/30/2011 12:00,2:00:00,1:30:00,10.0,4.2,1.25,Level 2,1,J1772,,"
    "520 Webster St,Palo Alto,California,94301,United States,37.448,-122.158,USD,0,Customer,"
    "5,94040,3286,,,\n"
)


def test_chargepoint_session_export_gives_daily_energy_sessions_and_stations(tmp_path):
    reading = read_file(write(tmp_path, "sessions.csv", CHARGEPOINT))
    assert reading.kind == "usage" and "session" in reading.format
    d = reading.dataset
    hamilton = d.usage[d.usage.station_id == "PALO ALTO CA / HAMILTON #1"]
    assert hamilton["usage"].tolist() == [pytest.approx(6.249457 + 3.75), 0.0]  # 30 July: no session, 0
    assert hamilton["date"].tolist() == [pd.Timestamp("2011-07-29"), pd.Timestamp("2011-07-30")]
    assert len(d.sessions) == 3
    assert set(d.stations["station_id"]) == {"PALO ALTO CA / HAMILTON #1", "PALO ALTO CA / BRYANT #1"}
    assert d.stations.set_index("station_id").loc["PALO ALTO CA / BRYANT #1", "latitude"] == pytest.approx(37.448)
    assert read_stations(write(tmp_path, "s2.csv", CHARGEPOINT))["station_id"].nunique() == 2


# --- stations and demand ------------------------------------------------------------------------

def test_station_list_csv(tmp_path):
    text = "site_id,name,lat,lng,charger_num\n1,Mall,51.5,-0.12,4\n2,Station,51.52,-0.1,2\n"
    stations = read_stations(write(tmp_path, "sites.csv", text))
    assert stations["station_id"].tolist() == ["1", "2"]
    assert stations["latitude"].tolist() == [51.5, 51.52]
    assert stations["ports"].tolist() == [4, 2]


def test_open_charge_map_json(tmp_path):
    pois = [{"ID": 11, "AddressInfo": {"Title": "Car park", "Latitude": 51.5, "Longitude": -0.1},
             "Connections": [{"PowerKW": 7}, {"PowerKW": 22}], "NumberOfPoints": 2},
            {"ID": 12, "AddressInfo": {"Title": "No place", "Latitude": None, "Longitude": None}}]
    reading = read_file(write(tmp_path, "poi.json", json.dumps(pois)))
    assert reading.kind == "stations" and "Open Charge Map" in reading.format
    stations = reading.dataset.stations
    assert stations["station_id"].tolist() == ["11"]
    assert stations["power_kw"].iloc[0] == 22
    assert any("without coordinates" in n for n in reading.notes)


def test_demand_points_from_lat_lon_with_weights_are_aggregated(tmp_path):
    text = "latitude,longitude,vehicles\n47.6,-122.3,10\n47.6,-122.3,5\n47.7,-122.2,1\n"
    demand = read_demand(write(tmp_path, "d.csv", text))
    assert demand.sort_values("weight")["weight"].tolist() == [1, 15]
    assert list(demand.columns) == ["latitude", "longitude", "weight"]


def test_demand_points_from_wkt_one_row_per_vehicle(tmp_path):
    text = ('VIN,Make,Vehicle Location\nA1,TESLA,POINT (-122.521 47.62732)\n'
            'A2,NISSAN,POINT (-122.521 47.62732)\nA3,KIA,\nA4,KIA,POINT (-122.7 47.5)\n')
    reading = read_file(write(tmp_path, "evs.csv", text))
    assert reading.kind == "demand" and "WKT" in reading.format
    demand = reading.dataset.demand.set_index(["latitude", "longitude"])["weight"]
    assert demand[(47.62732, -122.521)] == 2 and demand.sum() == 3
    assert any("without a location" in n for n in reading.notes)


def test_read_points_keeps_one_row_per_station(tmp_path):
    text = "station_id,latitude,longitude\na,1,2\nb,1,2\nc,3,4\n"
    points = read_points(write(tmp_path, "p.csv", text))
    assert len(points) == 3 and points["station_id"].tolist() == ["a", "b", "c"]


def test_combine_assigns_files_by_detected_kind(tmp_path):
    usage = read_file(write(tmp_path, "u.csv", "station,date,kwh\nA,2024-01-01,1\n"))
    stations = read_file(write(tmp_path, "s.csv", "station_id,latitude,longitude\nA,1,2\n"))
    demand = read_file(write(tmp_path, "d.csv", "latitude,longitude,weight\n1,2,3\n"))
    dataset = combine([demand, usage, stations])
    assert dataset.usage is usage.dataset.usage
    assert dataset.stations is stations.dataset.stations
    assert dataset.demand is demand.dataset.demand


# --- bad input: refused with one sentence naming the file, the column or line -----------------

BAD_INPUTS = {
    "empty": (b"", "empty"),
    "blank lines": (b"\n\n  \n", "empty"),
    "header only": (b"station_id,date,usage\n", "no data rows"),
    "columns fit nothing": (b"colour,shape\nred,round\nblue,square\n", "fit no supported format"),
    "non-numeric usage": (b"station_id,date,usage\nA,2024-01-01,3\nA,2024-01-02,lots\n", "line 3"),
    "unparseable date": (b"station_id,date,usage\nA,2024-01-01,3\nA,yesterday,2\n", "not a date"),
    "latitude out of range": (b"station_id,latitude,longitude\nA,95.2,10\n", "between -90 and 90"),
    "longitude out of range": (b"station_id,latitude,longitude\nA,45,190\n", "between -180 and 180"),
    "latitude not a number": (b"station_id,latitude,longitude\nA,north,10\n", "not a latitude"),
    "binary garbage": (bytes(range(256)) * 20, "binary"),
    "xlsx saved as csv": (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100, "spreadsheet"),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Excel"),
    "html page": (b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>", "HTML"),
    "json object": (b'{"station": "A", "usage": 3}', "JSON object"),
    "broken json": (b'[{"ID": 1, ', "not valid JSON"),
    "usage column all missing": (b"station_id,date,usage\nA,2024-01-01,\nB,2024-01-02,\n", "no values at all"),
    "wide column all missing": (b"date,A,B\n2024-01-01,1,\n2024-01-02,2,\n", "'B' has no values"),
    "ragged rows": (b"station_id,date,usage\nA,2024-01-01,3\nA,2024-01-02,4,5,6\n", "fields"),
    "bad wkt": (b"VIN,Vehicle Location\nA,POINT (-122.5 47.6)\nB,POINT (oops)\n", "not a WKT point"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_with_one_clear_sentence(tmp_path, case):
    content, expected = BAD_INPUTS[case]
    path = write(tmp_path, "upload.csv", content)
    with pytest.raises(InputError) as info:
        read_file(path)
    message = str(info.value)
    assert "upload.csv" in message
    assert expected.lower() in message.lower()
    assert "\n" not in message


def test_usage_reader_refuses_a_station_list(tmp_path):
    path = write(tmp_path, "sites.csv", "station_id,latitude,longitude\nA,1,2\n")
    with pytest.raises(InputError, match="expected a usage table"):
        read_usage(path)


def test_uploaded_bytes_and_file_objects_read_like_files(tmp_path):
    import io

    text = b"station_id,date,usage\nA,2024-01-01,3\n"
    assert read_file(text, name="mem.csv").kind == "usage"
    buffer = io.BytesIO(text)
    buffer.name = "upload.csv"
    assert read_file(buffer).source == "upload.csv"


# --- the real files -----------------------------------------------------------------------------

@pytest.mark.parametrize("city,stations,active", [("charged_jhb", 47, 35), ("charged_mel", 63, 62)])
def test_real_wide_hourly_volume(city, stations, active):
    reading = read_file(shared_file(city, "volume.csv"))
    summary = reading.summary()
    assert summary["kind"] == "usage" and "hourly" in summary["format"]
    assert summary["stations"] == stations and summary["stations_with_usage"] == active
    assert summary["days"] == 183
    assert (summary["start"], summary["end"]) == ("2023-04-01", "2023-09-30")


@pytest.mark.parametrize("city,count", [("charged_jhb", 47), ("charged_mel", 63)])
def test_real_sites(city, count):
    reading = read_file(shared_file(city, "sites.csv"))
    assert reading.kind == "stations" and len(reading.dataset.stations) == count
    sign = -1  # both cities lie south of the equator
    assert (np.sign(reading.dataset.stations["latitude"]) == sign).all()


def test_real_sites_join_the_volume_stations():
    usage = read_usage(shared_file("charged_jhb", "volume.csv"))
    stations = read_stations(shared_file("charged_jhb", "sites.csv"))
    assert set(usage["station_id"]) == set(stations["station_id"])


def test_real_washington_ev_population():
    summary = read_file(shared_file("wa_ev_population", "Electric_Vehicle_Population_Data.csv")).summary()
    assert summary["kind"] == "demand"
    assert summary["points"] == 365 and summary["weight"] == 16661


def test_real_open_charge_map_london():
    reading = read_file(shared_file("openchargemap", "london_poi.json"))
    assert reading.kind == "stations" and len(reading.dataset.stations) == 100
    assert reading.dataset.stations["latitude"].between(50, 53).all()


@pytest.mark.parametrize("content,kind", [
    ("station_id,date,usage\nMünchen,2024-01-01,3\n".encode("cp1252"), "usage"),
    ("station_id\tdate\tusage\nA\t2024-01-01\t3\n".encode("utf-16"), "usage"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point", '
     b'"coordinates": [-0.1, 51.5]}, "properties": {"name": "Depot"}}]}', "stations"),
    (b'[{"station_id": "A", "date": "2024-01-01", "usage": 3}]', "usage"),
])
def test_other_encodings_and_json_shapes(tmp_path, content, kind):
    assert read_file(write(tmp_path, "other.csv", content)).kind == kind


def test_a_byte_order_mark_alone_is_an_empty_file(tmp_path):
    with pytest.raises(InputError, match="is empty"):
        read_file(write(tmp_path, "bom.csv", b"\xef\xbb\xbf\r\n"))


def test_read_points_gives_one_row_per_located_input_row(tmp_path):
    text = ('VIN,Vehicle Location\nA1,POINT (-122.5 47.6)\nA2,POINT (-122.5 47.6)\nA3,\n'
            'A4,POINT (-122.7 47.5)\n')
    points = read_points(write(tmp_path, "evs.csv", text))
    assert len(points) == 3 and points["weight"].tolist() == [1, 1, 1]
    stations = "station_id,name,latitude,longitude\n1,Depot,51.5,-0.1\n1,Depot again,51.6,-0.2\n,Yard,51.7,-0.3\n"
    reading = read_file(write(tmp_path, "s.csv", stations))
    assert len(read_points(write(tmp_path, "s.csv", stations))) == 3
    assert reading.dataset.stations["station_id"].tolist() == ["1", "Yard"]  # repeated id kept once
