"""A corpus of hostile files and command lines, generated (nothing stored in the repository).

``hostile_files()`` gives ``(name, bytes)`` pairs: oversized fields, tables too wide, deep
JSON, odd JSON shapes, numbers that are not finite, mixed time zones and formats, duplicate
headers, booleans where coordinates belong, scripts and formulas in names. Each must either be
read (with notes) or refused with ``InputError``; never another exception, a warning, or a
non-finite number in what comes back.

``hostile_cli_cases(folder)`` writes the files it needs under ``folder`` and gives argument
lists for ``evcore.cli.main``: each must exit 0 or 2 with one ``error:`` line, never the
catch-all "unexpected" message.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

# Names that run script if a map inserts them as markup or into a JavaScript template literal
# (each payload sets window.__pwned), or break the page's script (backslash escapes), and names
# that a spreadsheet would run as a formula.
SCRIPT_NAMES = ["<img src=x onerror=\"window.__pwned=1\">", "</script><script>window.__pwned=2</script>",
                "${window.__pwned=3}", "`+(window.__pwned=4)+`", "\\`;window.__pwned=5;`",
                "<svg onload=window.__pwned=6>", "\\u{zz} \\x", "'\"><b onmouseover=window.__pwned=7>x</b>"]
FORMULA_NAMES = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _csv(rows: list[list], quoting=csv.QUOTE_MINIMAL) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=quoting).writerows(rows)
    return out.getvalue().encode()


def _days(n: int, start: str = "2024-01-01") -> list[str]:
    import pandas as pd

    return [d.strftime("%Y-%m-%d") for d in pd.date_range(start, periods=n, freq="D")]


def _long_usage(values, dates=None) -> bytes:
    dates = dates or _days(len(values))
    return _csv([["station_id", "date", "usage"]] + [["A", d, v] for d, v in zip(dates, values)])


def _demand(weights) -> bytes:
    return _csv([["latitude", "longitude", "vehicles"]]
                + [[47.6 + i / 100, -122.3 + i / 100, w] for i, w in enumerate(weights)])


def _stations(lats, lons, names=None) -> bytes:
    names = names or [f"S{i}" for i in range(len(lats))]
    return _csv([["station_id", "name", "latitude", "longitude"]]
                + [[f"id{i}", n, a, o] for i, (n, a, o) in enumerate(zip(names, lats, lons))], csv.QUOTE_ALL)


def _ocm(pois) -> bytes:
    return json.dumps(pois).encode()


def _geojson(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def hostile_files() -> list[tuple[str, bytes]]:
    big = "x" * 200_000
    files = [
        # sizes the csv module and pandas refuse in their own words
        ("huge_field.csv", f"station_id,date,usage\nA,2024-01-01,{big}\n".encode()),
        ("huge_name.csv", f"station_id,name,latitude,longitude\n1,{big},47.6,-122.3\n".encode()),
        ("huge_header.csv", f"{big},b\n1,2\n".encode()),
        ("wide_100k.csv", (",".join(f"c{i}" for i in range(100_000)) + "\n"
                           + ",".join("1" for _ in range(100_000)) + "\n").encode()),
        ("one_long_line.csv", ("a," * 500_000).encode()),
        ("one_long_line_noseps.csv", ("a" * 1_000_000).encode()),
        ("quotes_unbalanced.csv", b'station_id,date,usage\n"A,2024-01-01,3\nB,2024-01-02,4\n'),
        ("quote_field_huge.csv", b'a,b\n"' + b"y" * 300_000 + b'",1\n'),
        ("nul_late.csv", b"a,b\n" + b"1,2\n" * 20_000 + b"\x00\x00,3\n"),
        ("only_separators.csv", b",,,\n,,,\n"),
        ("only_header.csv", b"station_id,date,usage\n"),
        ("cr_only.csv", b"station_id,date,usage\rA,2024-01-01,1\rA,2024-01-02,2\r"),
        ("bom_only.csv", b"\xef\xbb\xbf"),
        ("utf32.csv", "station_id,date,usage\nA,2024-01-01,3\n".encode("utf-32")),
        ("more_fields_than_header.csv", b"station_id,date,usage\nA,2024-01-01,3,9\nA,2024-01-02,4,9\n"),
        ("utf16_garbage.csv", b"\xff\xfe" + b"\x00\xd8" * 10),
        # time
        ("mixed_tz.csv", _long_usage([1, 2, 3, 4], ["2024-01-01T00:00:00+02:00", "2024-01-02T00:00:00Z",
                                                  "2024-01-03T00:00:00-05:00", "2024-01-04T00:00:00Z"])),
        ("mixed_tz_wide.csv", _csv([["time", "S1", "S2"], ["2024-01-01 00:00+02:00", 1, 2],
                                    ["2024-01-01 01:00Z", 1, 2], ["2024-01-01 02:00+00:00", 3, 4]])),
        ("seven_date_formats.csv", _long_usage(
            [1, 2, 3, 4, 5, 6, 7], ["2024-01-01", "01/02/2024", "3.1.2024", "Jan 4 2024", "2024/01/05",
                                    "6 January 2024", "20240107"])),
        ("dates_out_of_range.csv", _long_usage([1, 2], ["0001-01-01", "9999-12-31"])),
        ("epoch_huge.csv", _long_usage([1, 2], ["99999999999999", "99999999999998"])),
        # numbers that are not finite
        ("usage_inf.csv", _long_usage([1, "inf", 3])),
        ("usage_1e400.csv", _long_usage([1, "1e400", 3])),
        ("usage_overflow_sum.csv", _long_usage(["1e308", "1e308", "1e308"])),
        ("usage_minus_inf.csv", _long_usage([1, "-inf", 3])),
        ("wide_inf.csv", _csv([["time", "S1", "S2"], ["2024-01-01", 1, "inf"], ["2024-01-02", 2, 3]])),
        ("demand_inf.csv", _demand([1, "inf", 2])),
        ("demand_1e308.csv", _demand(["1e308", "1e308", 1])),
        ("demand_1e400.csv", _demand([1, "1e400"])),
        ("demand_nan_text.csv", _demand([1, "NaN", 2])),
        ("demand_empty_weight.csv", _demand([1, "", 2])),
        ("coords_inf.csv", _stations(["inf", 47.6], [-122.3, -122.4])),
        ("coords_1e400.csv", _stations(["1e400", 47.6], [-122.3, -122.4])),
        ("coords_bool.csv", _stations(["true", "false"], ["true", "false"])),
        ("sessions_energy_inf.csv", _csv([["Station Name", "Start Date", "End Date", "Energy (kWh)"],
                                          ["A", "2024-01-01 10:00", "2024-01-01 11:00", "inf"],
                                          ["A", "2024-01-02 10:00", "2024-01-02 11:00", "3"]])),
        # silent misreads
        ("duplicate_header.csv", _csv([["time", "S0", "S0", "S1"], ["2024-01-01", 1, 2, 3],
                                       ["2024-01-02", 4, 5, 6]])),
        ("duplicate_header_case.csv", _csv([["station_id", "latitude", "longitude", "Latitude"],
                                            ["a", 1, 2, 3]])),
        ("unnamed_columns.csv", _csv([["time", "", ""], ["2024-01-01", 1, 2]])),
        # JSON shapes
        ("deep.json", b"[" * 100_000 + b"]" * 100_000),
        ("deep_object.json", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        ("ocm_address_string.json", _ocm([{"ID": 1, "AddressInfo": "Main Street"}])),
        ("ocm_address_list.json", _ocm([{"ID": 1, "AddressInfo": [47.6, -122.3]}])),
        ("ocm_address_null.json", _ocm([{"ID": 1, "AddressInfo": None}])),
        ("ocm_bool_coords.json", _ocm([{"ID": 1, "AddressInfo": {"Latitude": True, "Longitude": False}}])),
        ("ocm_nan_coords.json", b'[{"ID": 1, "AddressInfo": {"Latitude": NaN, "Longitude": Infinity}}]'),
        ("ocm_huge_coords.json", b'[{"ID": 1, "AddressInfo": {"Latitude": 1e400, "Longitude": 2}}]'),
        ("ocm_odd_fields.json", _ocm([{"ID": {"x": 1}, "AddressInfo": {"Title": ["a"], "Latitude": 47.6,
                                                                       "Longitude": -122.3},
                                       "Connections": "many", "NumberOfPoints": 1e308}])),
        ("ocm_connections_odd.json", _ocm([{"ID": 2, "AddressInfo": {"Latitude": 47.6, "Longitude": -122.3},
                                            "Connections": [{"PowerKW": "fast"}, None, {"PowerKW": 1e308}],
                                            "NumberOfPoints": True}])),
        ("ocm_hostile_names.json", _ocm([{"ID": i, "AddressInfo": {"Title": n, "Latitude": 47.6 + i / 100,
                                                                   "Longitude": -122.3}}
                                         for i, n in enumerate(SCRIPT_NAMES + FORMULA_NAMES)])),
        ("geojson_strings.json", _geojson(["a", "b"])),
        ("geojson_features_string.json", b'{"type": "FeatureCollection", "features": "abc"}'),
        ("geojson_geometry_string.json", _geojson([{"type": "Feature", "geometry": "POINT (1 2)"}])),
        ("geojson_coords_text.json", _geojson([{"type": "Feature", "geometry": {"type": "Point",
                                                                                "coordinates": ["a", "b"]}}])),
        ("geojson_coords_bool.json", _geojson([{"type": "Feature", "geometry": {"type": "Point",
                                                                                "coordinates": [True, False]}}])),
        ("geojson_props_list.json", _geojson([{"type": "Feature", "properties": [1, 2],
                                               "geometry": {"type": "Point", "coordinates": [1, 2]}}])),
        ("geojson_empty.json", _geojson([])),
        ("json_records_nested.json", json.dumps([{"latitude": {"a": 1}, "longitude": [1], "name": None}]).encode()),
        ("json_numbers.json", b"[1, 2, 3]"),
        ("json_scalar.json", b'"just a string"'),
        ("json_data_numbers.json", b'{"data": [1, 2]}'),
        ("json_nan_records.json", b'[{"latitude": NaN, "longitude": Infinity, "vehicles": 1}]'),
        ("json_big_int.json", b'[{"latitude": 1' + b"0" * 5000 + b', "longitude": 1}]'),
        # names that are markup or formulas: read as data
        ("bare_carriage_return.csv", b"station_id,name,latitude,longitude\nid1,\rCR,47.6,-122.3\n"),
        ("hostile_station_names.csv", _stations([47.6 + i / 100 for i in range(14)], [-122.3] * 14,
                                                SCRIPT_NAMES + FORMULA_NAMES)),
        ("wkt_inf.csv", _csv([["Make", "Vehicle Location"], ["A", "POINT (1e400 47)"], ["B", "POINT (-122 47)"]])),
    ]
    return files


SEED_FILES = [
    b"station_id,date,usage\nA,2024-01-01,3\nA,2024-01-02,4\nB,2024-01-01,5\nB,2024-01-03,1\n",
    b"time,S1,S2\n2024-01-01 00:00,1,2\n2024-01-01 01:00,3,4\n2024-01-01 02:00,0,1\n",
    b"Station Name,Start Date,End Date,Energy (kWh),Latitude,Longitude\nA,7/29/2011 20:17,7/29/2011 23:20,6.25,"
    b"37.44,-122.16\nB,7/30/2011 10:00,7/30/2011 11:00,3,37.45,-122.17\n",
    b"site_id,latitude,longitude,charger_num\n0,-26.08,28.06,1\n1,-26.1,28.07,2\n",
    b"latitude,longitude,vehicles\n47.6,-122.3,10\n47.7,-122.2,1\n",
    b"VIN,Make,Vehicle Location\nA1,TESLA,POINT (-122.521 47.62732)\nA2,KIA,POINT (-122.7 47.5)\n",
    _ocm([{"ID": 1, "AddressInfo": {"Title": "x", "Latitude": 51.5, "Longitude": -0.1},
           "Connections": [{"PowerKW": 7}], "NumberOfPoints": 2}]),
    _geojson([{"type": "Feature", "properties": {"name": "a", "vehicles": 3},
               "geometry": {"type": "Point", "coordinates": [1, 2]}}]),
]
MUTATION_TOKENS = [b",", b";", b"\n", b"\r", b'"', b"inf", b"nan", b"-", b"1e400", b"true", b"null", b"[", b"{",
                   b"}", b"]", b":", b"\x00", b"\xff", b"9999999999999", b"2024-13-45", b"+02:00", b"Z",
                   b"POINT (", b")", b"  ", b"\t", b"NaN", b"1e308", b"0", b"-1", b"\xef\xbb\xbf", b"=",
                   b"<script>", b"`", b"${", b"\\"]


def mutated_files(count: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """Valid files of every format with a few random edits each (tokens inserted, bytes cut,
    the end lost): seeded, so a failure can be replayed."""
    import random

    rng = random.Random(seed)
    files = []
    for number in range(count):
        data = bytearray(rng.choice(SEED_FILES))
        for _ in range(rng.randint(1, 6)):
            op, pos = rng.random(), rng.randrange(len(data) + 1)
            if op < 0.4:
                data[pos:pos] = rng.choice(MUTATION_TOKENS)
            elif op < 0.7 and len(data) > 2:
                del data[pos:pos + rng.randint(1, 5)]
            elif op < 0.85:
                data = data[:pos] or data
            else:
                data[pos:pos] = bytes([rng.randrange(256)])
        files.append((f"mutated_{seed}_{number}.csv", bytes(data)))
    return files


def _sessions_partial_last_day() -> bytes:
    rows = [["Station Name", "Start Date", "End Date", "Energy (kWh)"]]
    for day in _days(30):
        for hour in range(8, 20):
            rows.append(["A", f"{day} {hour}:00", f"{day} {hour}:45", 5])
    rows.append(["A", "2024-01-31 00:10", "2024-01-31 00:40", 5])  # the export stops just after midnight
    return _csv(rows)


def hostile_cli_cases(folder: Path) -> list[list[str]]:
    """Argument lists for ``evcore.cli.main``; files they need are written under ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, content: bytes) -> str:
        path = folder / name
        path.write_bytes(content)
        return str(path)

    stations = write("stations.csv", _stations([47.60, 47.61, 47.62, 47.70, 47.71, 47.72],
                                               [-122.30, -122.31, -122.32, -122.40, -122.41, -122.42]))
    demand = write("demand.csv", _demand([3, 1, 2, 5, 1, 4]))
    far_stations = write("far_stations.csv", _stations([34.0, 34.1], [-118.2, -118.3]))
    same_place = write("same_place.csv", _stations([47.6] * 5, [-122.3] * 5))
    two_places = write("two_places.csv", _stations([47.6, 47.6, 47.6, 47.7], [-122.3, -122.3, -122.3, -122.4]))
    antipodes = write("antipodes.csv", _stations([0, 0, 89.9, -89.9, 0], [0, 180, 0, 0, -179.99]))
    usage = write("usage.csv", _long_usage([float(5 + (i % 7)) for i in range(60)]))
    missing_dir = str(folder / "no" / "such" / "folder" / "out.csv")
    cost = folder / "cost.npy"
    np.save(cost, np.arange(12, dtype=float).reshape(4, 3))
    cost_complex = folder / "cost_complex.npy"
    np.save(cost_complex, (np.arange(12) + 1j).reshape(4, 3))
    cost_nan = folder / "cost_nan.npy"
    np.save(cost_nan, np.array([[1.0, np.nan], [2.0, 3.0]]))
    cost_3d = folder / "cost_3d.npy"
    np.save(cost_3d, np.ones((2, 2, 2)))
    cost_obj = folder / "cost_obj.npy"
    np.save(cost_obj, np.array([[1, "a"]], dtype=object), allow_pickle=True)
    cost_text = write("cost.txt", b"1 2 3\n4 5 6\n7 8 9\n")
    cost_text_inf = write("cost_inf.txt", b"1 2 inf\n4 5 6\n")
    weights_inf = write("weights_inf.txt", b"1\ninf\n1\n")
    weights_huge = write("weights_huge.txt", b"1e308\n1e308\n1e308\n")
    existing_huge = write("existing_huge.txt", b"1e30\n")
    existing_frac = write("existing_frac.txt", b"0.5\n")
    cases = []
    for name, content in hostile_files():
        if len(content) > 300_000:  # the biggest ones go through the library tests only
            continue
        path = write(name, content)
        cases.append(["validate", path, "--json"])
        cases.append(["cluster", "--points", path, "--method", "kmedians", "--k", "2", "--json"])
        cases.append(["place", "--demand", path, "--k", "1", "--json"])
    cases += [
        ["validate", str(folder)],
        ["validate", str(folder / "missing.csv")],
        ["validate", "/dev/zero"],
        ["validate", "/dev/null"],
        ["validate", write("sessions_partial.csv", _sessions_partial_last_day()), "--json"],
        ["cluster", "--points", stations, "--method", "dbscan", "--eps-km", "inf", "--json"],
        ["cluster", "--points", stations, "--method", "dbscan", "--eps-km", "nan"],
        ["cluster", "--points", stations, "--method", "dbscan", "--eps-km", "1e308"],
        ["cluster", "--points", stations, "--method", "dbscan", "--eps-km", "-1"],
        ["cluster", "--points", stations, "--method", "dbscan", "--eps-km", "1", "--min-samples", "0"],
        ["cluster", "--points", stations, "--method", "dbscan", "--eps-km", "1", "--min-samples", "99999999999"],
        ["cluster", "--points", stations, "--method", "hdbscan", "--eps-km", "inf"],
        ["cluster", "--points", stations, "--method", "hdbscan", "--eps-km", "nan"],
        ["cluster", "--points", stations, "--method", "hdbscan", "--min-samples", "1"],
        ["cluster", "--points", stations, "--method", "kmeans", "--k", "0"],
        ["cluster", "--points", stations, "--method", "kmeans", "--k", "99999999999999999999"],
        ["cluster", "--points", stations, "--method", "kmedians", "--k", "7"],
        ["cluster", "--points", stations, "--method", "kmedians", "--k", "6", "--json"],
        ["cluster", "--points", stations, "--method", "kmedians", "--k", "2", "--out", missing_dir],
        ["cluster", "--points", stations, "--method", "kmedians", "--k", "2", "--out", str(folder)],
        ["cluster", "--points", stations, "--method", "kmedians", "--k", "2", "--map", missing_dir],
        ["cluster", "--points", stations, "--method", "kmedians", "--k", "2", "--map", str(folder)],
        ["cluster", "--points", demand, "--method", "kmeans", "--k", "2", "--json"],
        ["cluster", "--points", same_place, "--method", "kmeans", "--k", "3", "--json"],
        ["cluster", "--points", same_place, "--method", "kmedians", "--k", "3", "--json"],
        ["cluster", "--points", two_places, "--method", "kmeans", "--k", "3"],
        ["cluster", "--points", same_place, "--method", "dbscan", "--eps-km", "1", "--json"],
        ["cluster", "--points", same_place, "--method", "hdbscan", "--json"],
        ["cluster", "--points", two_places, "--method", "hdbscan", "--min-samples", "2"],
        ["cluster", "--points", antipodes, "--method", "kmedians", "--k", "2", "--json"],
        ["cluster", "--points", antipodes, "--method", "dbscan", "--eps-km", "20000", "--json"],
        ["place", "--demand", same_place, "--k", "1", "--json"],
        ["place", "--demand", two_places, "--k", "2", "--exact", "--json"],
        ["place", "--demand", antipodes, "--k", "2", "--objective", "coverage", "--radius-km", "1", "--exact"],
        ["place", "--demand", demand, "--k", "0"],
        ["place", "--demand", demand, "--k", "99999999999999999999"],
        ["place", "--demand", demand, "--k", "2", "--radius-km", "inf", "--objective", "coverage"],
        ["place", "--demand", demand, "--k", "2", "--radius-km", "nan", "--objective", "coverage"],
        ["place", "--demand", demand, "--k", "2", "--radius-km", "-3"],
        ["place", "--demand", demand, "--k", "2", "--existing", far_stations, "--json"],
        ["place", "--demand", demand, "--k", "2", "--existing", far_stations],
        ["place", "--demand", demand, "--k", "2", "--out", missing_dir],
        ["place", "--demand", demand, "--k", "2", "--out", str(folder)],
        ["place", "--demand", demand, "--k", "2", "--map", missing_dir],
        ["place", "--demand", demand, "--k", "2", "--map", str(folder)],
        ["place", "--demand", demand, "--k", "1", "--exact", "--radius-km", "1e308"],
        ["place", "--cost-matrix", str(cost), "--k", "1", "--json"],
        ["place", "--cost-matrix", str(cost_complex), "--k", "1"],
        ["place", "--cost-matrix", str(cost_nan), "--k", "1"],
        ["place", "--cost-matrix", str(cost_3d), "--k", "1"],
        ["place", "--cost-matrix", str(cost_obj), "--k", "1"],
        ["place", "--cost-matrix", cost_text, "--k", "1", "--weights", weights_inf],
        ["place", "--cost-matrix", cost_text, "--k", "1", "--weights", weights_huge, "--json"],
        ["place", "--cost-matrix", cost_text, "--k", "1", "--existing", existing_huge],
        ["place", "--cost-matrix", cost_text, "--k", "1", "--existing", existing_frac],
        ["place", "--cost-matrix", cost_text_inf, "--k", "1"],
        ["place", "--cost-matrix", str(folder / "nope.npy"), "--k", "1"],
        ["place", "--cost-matrix", str(folder), "--k", "1"],
        ["place", "--cost-matrix", demand, "--k", "1"],
        ["forecast", "--usage", usage, "--horizon", "3", "--out", missing_dir],
        ["forecast", "--usage", usage, "--horizon", "3", "--out", str(folder)],
        ["forecast", "--usage", write("usage_inf2.csv", _long_usage([1, "inf", 3] * 20)), "--horizon", "3"],
        ["backtest", "--usage", usage, "--folds", "0"],
        ["backtest", "--usage", usage, "--folds", "-1"],
        ["backtest", "--usage", usage, "--folds", "99999999999999999999"],
        ["backtest", "--usage", usage, "--horizon", "nan"],
        ["forecast", "--usage", usage, "--horizon", "1e3"],
        ["cluster", "--points", stations, "--method", "nope"],
        ["place"],
        [],
    ]
    return cases


def hostile_library_calls() -> dict:
    """Hostile arguments to the library's own calls (clustering, placement, geography)."""
    from evcore.cluster import DBSCAN, HDBSCAN, KMeans, KMedians, elbow, make_clusterer
    from evcore.data import weights_array
    from evcore.geo import latlon_arrays
    from evcore.placement import MaxCoverage, PMedian, coverage_curve

    import pandas as pd

    inf, nan = float("inf"), float("nan")
    stations = pd.DataFrame({"latitude": [47.60, 47.61, 47.70, 47.71, 47.80],
                             "longitude": [-122.30, -122.31, -122.40, -122.41, -122.50]})
    same = pd.DataFrame({"latitude": [47.6] * 4, "longitude": [-122.3] * 4})
    demand = stations.assign(weight=[1.0, 2.0, 3.0, 4.0, 5.0])
    cost = np.arange(12, dtype=float).reshape(4, 3)
    return {
        "dbscan eps inf": lambda: DBSCAN(eps_km=inf).fit(stations),
        "dbscan eps nan": lambda: DBSCAN(eps_km=nan).fit(stations),
        "hdbscan eps inf": lambda: HDBSCAN(eps_km=inf).fit(stations),
        "kmeans k above distinct": lambda: KMeans(n_clusters=3).fit(same),
        "kmedians k above distinct": lambda: KMedians(n_clusters=3).fit(same),
        "kmeans k bool": lambda: make_clusterer("kmeans", k=True).fit(stations),
        "kmedians weight 1e308": lambda: KMedians(n_clusters=2).fit(stations, sample_weight=[1e308] * 5),
        "kmeans weight inf": lambda: KMeans(n_clusters=2).fit(stations, sample_weight=[1, inf, 1, 1, 1]),
        "elbow on one place": lambda: elbow(same, range(2, 5), method="kmeans"),
        "booleans as coordinates": lambda: latlon_arrays(pd.DataFrame({"latitude": [True, False],
                                                                       "longitude": [True, True]})),
        "boolean array": lambda: latlon_arrays(np.array([[True, False]])),
        "text array": lambda: latlon_arrays([["a", "b"]]),
        "complex weights": lambda: weights_array(np.array([1 + 1j, 2]), 2),
        "pmedian complex matrix": lambda: PMedian.from_cost_matrix(cost + 1j, k=1),
        "pmedian inf matrix": lambda: PMedian.from_cost_matrix(np.full((2, 2), inf), k=1),
        "pmedian weights 1e308": lambda: PMedian.from_cost_matrix(cost, [1e308] * 4, k=1).solve(),
        "pmedian weights nan": lambda: PMedian.from_cost_matrix(cost, [nan] * 4, k=1),
        "coverage radius inf": lambda: MaxCoverage.from_points(demand, k=1, radius=inf),
        "demand weight text": lambda: PMedian.from_points(demand.assign(weight="many"), k=1),
        "demand weight 1e308": lambda: PMedian.from_points(demand.assign(weight=1e308), k=1).solve(),
        "existing far away": lambda: PMedian.from_points(demand, k=1, existing=stations.assign(latitude=-40.0)).solve(),
        "curve radius inf": lambda: coverage_curve(PMedian.from_points(demand, k=1), inf, 3),
    }
