"""Files that used to be read wrongly without a word: each is now refused with one sentence or
read with a note saying what was done."""

import pandas as pd
import pytest

from evcore.cli import main
from evcore.errors import InputError
from evcore.io import read_demand, read_file, read_stations, read_usage


def csv_bytes(rows) -> bytes:
    return ("\n".join(",".join(map(str, r)) for r in rows) + "\n").encode()


def sessions_export(last_day_hours, days=20) -> bytes:
    rows = [["Station Name", "Start Date", "End Date", "Energy (kWh)"]]
    dates = pd.date_range("2024-03-01", periods=days, freq="D")
    for i, day in enumerate(dates):
        hours = last_day_hours if i == days - 1 else range(7, 22)
        for hour in hours:
            rows.append(["A", f"{day:%Y-%m-%d} {hour:02d}:05", f"{day:%Y-%m-%d} {hour:02d}:50", 6.5])
    return csv_bytes(rows)


def test_a_column_named_twice_is_refused_not_read_as_name_dot_1():
    text = csv_bytes([["time", "S0", "S0"], ["2024-01-01", 1, 2], ["2024-01-02", 3, 4]])
    with pytest.raises(InputError, match=r"names column 'S0' twice \(columns 2 and 3\)"):
        read_file(text, "dup.csv")
    text = csv_bytes([["station_id", "latitude", "longitude", "Latitude"], ["a", 47.6, -122.3, 47.7]])
    with pytest.raises(InputError, match="both name the 'latitude' column"):
        read_stations(text, "dup2.csv")


def test_one_date_column_in_several_formats_is_refused():
    text = csv_bytes([["station_id", "date", "usage"], ["A", "2024-01-01", 1], ["A", "01/02/2024", 2],
                      ["A", "Jan 3 2024", 3]])
    with pytest.raises(InputError, match=r"mixes date formats \('2024-01-01' on line 2, '01/02/2024' on line 3\)"):
        read_usage(text, "dates.csv")


def test_same_format_with_and_without_times_and_one_digit_days_is_fine():
    text = csv_bytes([["station_id", "date", "usage"], ["A", "2024-1-1", 1], ["A", "2024-01-02 10:00", 2],
                      ["A", "2024-01-03 10:00:00.5", 3]])
    assert len(read_usage(text, "ok.csv")) == 3


def test_time_zone_offsets_are_read_as_local_time_with_a_note():
    text = csv_bytes([["station_id", "date", "usage"], ["A", "2024-01-01T23:30:00+02:00", 1],
                      ["A", "2024-01-02T23:30:00Z", 2], ["A", "2024-01-03T00:30:00-05:00", 4]])
    reading = read_file(text, "tz.csv")
    usage = reading.dataset.usage
    # each reading stays on the day it was written for (not moved to its UTC day)
    assert usage["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert any("time-zone offsets" in n and "+02:00" in n for n in reading.notes)


@pytest.mark.parametrize("weight", ["NaN", "", "N/A"])
def test_missing_demand_weights_are_noted(weight):
    text = csv_bytes([["latitude", "longitude", "vehicles"], [47.6, -122.3, 4], [47.7, -122.4, weight]])
    reading = read_file(text, "d.csv")
    assert any("no 'vehicles' value as 0" in n and "line 3" in n for n in reading.notes)


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "1e308", "1e16"])
def test_numbers_that_are_not_finite_or_absurd_are_refused_naming_file_column_and_line(value):
    text = csv_bytes([["latitude", "longitude", "vehicles"], [47.6, -122.3, 4], [47.7, -122.4, value]])
    with pytest.raises(InputError, match=rf"d\.csv: column 'vehicles', line 3: '{value}' is not a finite"):
        read_demand(text, "d.csv")


@pytest.mark.parametrize("content", [
    b'[{"ID": 1, "AddressInfo": {"Latitude": true, "Longitude": false}}]',
    b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": '
    b'{"type": "Point", "coordinates": [true, false]}}]}',
])
def test_booleans_are_not_coordinates(content):
    with pytest.raises(InputError):
        read_stations(content, "bool.json")


def test_a_session_export_whose_last_day_is_partial_leaves_that_day_out():
    reading = read_file(sessions_export(last_day_hours=[0, 1]), "sessions.csv")
    usage = reading.dataset.usage
    assert usage["date"].max() == pd.Timestamp("2024-03-19")  # 2024-03-20 stopped after 01:50
    assert any("part-way through its last day" in n and "2024-03-20" in n for n in reading.notes)
    whole = read_file(sessions_export(last_day_hours=range(7, 22)), "sessions.csv")
    assert whole.dataset.usage["date"].max() == pd.Timestamp("2024-03-20")
    assert not any("part-way" in n for n in whole.notes)


def test_an_hourly_table_whose_last_day_is_partial_leaves_that_day_out():
    stamps = pd.date_range("2024-01-01", periods=10 * 24 + 5, freq="h")  # 5 hours into day 11
    text = pd.DataFrame({"time": stamps, "S1": 1.0, "S2": 2.0}).to_csv(index=False).encode()
    reading = read_file(text, "hourly.csv")
    assert reading.dataset.usage["date"].max() == pd.Timestamp("2024-01-10")
    assert any("has 5 of the usual 24 readings" in n for n in reading.notes)


def test_validate_shows_no_nan_or_infinity(tmp_path, capsys):
    path = tmp_path / "usage.csv"
    path.write_bytes(csv_bytes([["station_id", "date", "usage"], ["A", "2024-01-01", "1e308"],
                                ["A", "2024-01-02", "1e308"]]))
    assert main(["validate", str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Infinity" not in err and err.startswith("error: usage.csv: column 'usage', line 2")
