"""The downloaded HTML maps (home stations, clusters, placement) opened in headless Chromium
with the network cut off: each draws, shows every hostile station name as text in its tooltips
and popups, and runs none of the scripts hidden in those names."""

import pandas as pd
import pytest

from browser import chromium_page
from evcore.cluster import KMedians, add_usage, station_clusters
from evcore.data import station_summary
from evcore.placement import PMedian
from evcore.viz.clusters import cluster_map
from evcore.viz.maps import standalone_html, stations_map
from evcore.viz.placement import placement_map
from hostile_inputs import SCRIPT_NAMES

pytestmark = pytest.mark.browser

OPEN_EVERY_POPUP = """() => {
  const texts = [];
  for (const key of Object.keys(window)) {
    const map = window[key];
    if (!(map instanceof L.Map)) continue;
    map.eachLayer(layer => {
      for (const bound of [layer.getPopup && layer.getPopup(), layer.getTooltip && layer.getTooltip()]) {
        if (!bound) continue;
        const content = bound.getContent();
        const holder = document.createElement('div');
        if (typeof content === 'string') holder.innerHTML = content; else holder.appendChild(content.cloneNode(true));
        texts.push(holder.textContent);
      }
      if (layer.openTooltip && layer.getTooltip && layer.getTooltip()) layer.openTooltip();
      if (layer.openPopup && layer.getPopup && layer.getPopup()) layer.openPopup();
    });
  }
  return texts;
}"""


def hostile_stations() -> pd.DataFrame:
    n = len(SCRIPT_NAMES)
    return pd.DataFrame({"station_id": [f"id{i}" for i in range(n)], "name": SCRIPT_NAMES,
                         "latitude": [47.60 + 0.01 * i for i in range(n)],
                         "longitude": [-122.30 - 0.013 * (i % 3) for i in range(n)]})


def hostile_usage(stations: pd.DataFrame) -> pd.DataFrame:
    dates = pd.date_range("2024-01-01", periods=30, freq="D")
    return pd.DataFrame([(sid, d, float(3 + i)) for i, sid in enumerate(stations["station_id"]) for d in dates],
                        columns=["station_id", "date", "usage"])


def home_map():
    stations = hostile_stations()
    return stations_map(stations, station_summary(hostile_usage(stations), stations))


def clusters_map():
    stations = hostile_stations()
    model = KMedians(n_clusters=3, random_state=0).fit(stations)
    table = station_clusters(stations, model.labels_)
    recent = hostile_usage(stations).groupby("station_id")["usage"].mean()
    return cluster_map(add_usage(table, recent, recent * 1.1), model.cluster_centers_)


def placements_map():
    stations = hostile_stations()
    demand = pd.DataFrame({"latitude": [47.58 + 0.02 * i for i in range(12)],
                           "longitude": [-122.25 - 0.01 * i for i in range(12)], "weight": 5.0})
    model = PMedian.from_points(demand, k=2, existing=stations).solve()
    return placement_map(model.view(), stations=stations)


@pytest.mark.parametrize("build", [home_map, clusters_map, placements_map])
def test_downloaded_map_draws_offline_and_runs_no_injected_script(tmp_path, build):
    path = tmp_path / "map.html"
    path.write_text(standalone_html(build()), encoding="utf-8")
    requested = []
    with chromium_page() as page:
        def offline(route):
            requested.append(route.request.url)
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                route.abort()

        page.route("**/*", offline)
        page.goto(path.as_uri())
        page.locator(".leaflet-container").wait_for(timeout=30000)
        assert page.locator("path.leaflet-interactive").count() >= len(SCRIPT_NAMES)  # the stations drew
        assert page.locator(".evcore-legend").count() == 1
        texts = page.evaluate(OPEN_EVERY_POPUP)
        page.mouse.move(300, 300)
        page.wait_for_timeout(500)
        assert page.evaluate("window.__pwned") is None
        assert not page.errors, page.errors  # no script broken by a backslash or a backtick
        shown = "\n".join(texts)
        for name in SCRIPT_NAMES:
            assert name in shown, name  # shown as the text it is
        # Only tiles (and the image the injected <img> would load) may ask the network.
        assert not [u for u in requested if u.endswith((".js", ".css"))], requested


def test_hostile_station_names_uploaded_to_the_app_run_no_script(tmp_path):
    from browser import map_frame, streamlit_server
    from hostile_inputs import hostile_files

    upload = tmp_path / "hostile_station_names.csv"
    upload.write_bytes(dict(hostile_files())["hostile_station_names.csv"])
    with streamlit_server(tmp_path) as url, chromium_page() as page:
        page.goto(url)
        chooser = page.locator("input[type='file']")
        chooser.wait_for(state="attached", timeout=30000)
        chooser.set_input_files(str(upload))
        page.get_by_text("detected as station list").wait_for(timeout=60000)
        _, frame = map_frame(page)
        frame.locator("path.leaflet-interactive").nth(len(SCRIPT_NAMES) - 1).wait_for(timeout=30000)
        inner = next(f for f in page.frames if f.evaluate("typeof L !== 'undefined'"))  # the map's frame
        texts = inner.evaluate(OPEN_EVERY_POPUP)
        page.wait_for_timeout(500)
        assert inner.evaluate("window.__pwned") is None and page.evaluate("window.__pwned") is None
        assert all(any(name in t for t in texts) for name in SCRIPT_NAMES)
        assert not page.errors, page.errors
