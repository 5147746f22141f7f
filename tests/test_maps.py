"""What every map shows: a metric scale, a legend that lists every row, and what a station list
(Open Charge Map's) says of each station in its popup."""

import json

import pandas as pd

from evcore.cluster.tables import station_clusters
from evcore.io import read_file
from evcore.viz.clusters import cluster_map
from evcore.viz.maps import LEGEND_ROWS, stations_map


def test_maps_have_a_metric_scale_only():
    stations = pd.DataFrame({"station_id": ["a", "b"], "name": ["A", "B"], "latitude": [47.6, 47.7],
                             "longitude": [-122.3, -122.2]})
    html = stations_map(stations).get_root().render()
    assert html.count("L.control.scale(") == 1 and "L.control.scale({imperial: false})" in html


def test_a_long_legend_shows_every_row_noise_included():
    n = 31
    stations = pd.DataFrame({"station_id": [str(i) for i in range(n)], "latitude": [47 + i / 100 for i in range(n)],
                             "longitude": [-122.0] * n})
    labels = [i % 30 for i in range(n - 1)] + [-1]
    html = cluster_map(station_clusters(stations, labels), [[47.0, -122.0]] * 30).get_root().render()
    legend = html[html.index("class='evcore-legend'"):]
    assert "noise (no cluster)" in legend and "overflow" not in legend.split("</div></div>")[0]
    assert f"repeat({-(-31 // LEGEND_ROWS)},auto)" in legend  # columns, not a box that scrolls


def test_open_charge_map_popups_give_town_points_and_power():
    pois = [{"ID": 7, "AddressInfo": {"Title": "Car park", "Latitude": 51.5, "Longitude": -0.1, "Town": "Camden"},
             "NumberOfPoints": 4, "Connections": [{"PowerKW": 7.4}, {"PowerKW": 50}]}]
    stations = read_file(json.dumps(pois).encode(), name="ocm.json").dataset.stations
    html = stations_map(stations).get_root().render()
    for text in ("Camden", "Charging points", "Power (kW)", ">50<", ">4<"):
        assert text in html, text
