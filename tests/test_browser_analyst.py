"""End to end in headless Chromium: what an analyst hit on the pages (issue 19, items 1 to 5)."""

import re

import pytest

from browser import chromium_page, map_frame, streamlit_server

pytestmark = pytest.mark.browser
TOTAL_EVS = 29_992  # the demo's registered EVs


def open_page(page, url, name, ready_text, timeout_ms=120000):
    page.goto(url)
    page.get_by_text("Demo: Seattle metro (generated)").wait_for(timeout=60000)
    page.locator("[data-testid=stSidebarNav]").get_by_text(name).click()
    page.get_by_text(ready_text).first.wait_for(timeout=timeout_ms)


def settled(page):
    """Wait for the app's run to end (the page holds no element of the run before)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid=stStatusWidget]").wait_for(state="hidden", timeout=60000)


def choose(page, label, option):
    page.locator("[data-testid=stSelectbox]").filter(has_text=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_the_k_slider_keeps_its_value_across_a_method_without_k(tmp_path):
    with streamlit_server(tmp_path) as url, chromium_page() as page:
        open_page(page, url, "Clusters", "k-means and k-medians, k = 6")
        slider = page.get_by_role("slider").first
        slider.focus()
        for _ in range(4):
            slider.press("ArrowRight")
        page.get_by_text("k-means and k-medians, k = 10").wait_for(timeout=60000)
        choose(page, "Method", "HDBSCAN")
        page.get_by_text("HDBSCAN finds the number of clusters itself").wait_for(timeout=60000)
        choose(page, "Method", "k-means")
        page.get_by_text("k-means and k-medians, k = 10").wait_for(timeout=60000)
        shown_k = page.locator("[data-testid=stSlider]").first.locator("[data-testid=stSliderThumbValue]")
        assert shown_k.inner_text() == "10"  # the slider shows what the page uses
        slider = page.get_by_role("slider").first
        slider.focus()
        slider.press("ArrowRight")
        page.get_by_text("k-means and k-medians, k = 11").wait_for(timeout=60000)
        assert not page.errors, page.errors


def test_save_as_new_is_unticked_once_the_new_dataset_is_saved(tmp_path):
    files = {}
    for name, station in (("first.csv", "S1"), ("second.csv", "S2"), ("third.csv", "S3")):
        files[name] = tmp_path / name
        files[name].write_text(f"station_id,date,sessions\n{station},2024-06-01,4\n{station},2024-06-02,6\n")
    with streamlit_server(tmp_path) as url, chromium_page() as page:
        page.goto(url)
        chooser = page.locator("input[type='file']").first  # the append-usage uploader comes after it

        def upload(name):
            chooser.wait_for(state="attached", timeout=60000)
            chooser.set_input_files(str(files[name]))
            page.get_by_text(f"{name}: usage", exact=False).wait_for(timeout=60000)
            settled(page)

        upload("first.csv")  # the demo is open: a new dataset
        as_new = page.get_by_role("checkbox", name="Save the next files as a new dataset")
        as_new.wait_for(timeout=60000)
        page.get_by_text("Save the next files as a new dataset").click()
        page.get_by_text("Upload files (saved as a new dataset)", exact=False).wait_for(timeout=60000)
        settled(page)
        upload("second.csv")  # saved as a second dataset, which is now open
        page.get_by_text("Add files to this dataset", exact=False).wait_for(timeout=60000)
        settled(page)
        assert not as_new.is_checked()
        upload("third.csv")  # meant for the open dataset: added to it, no third dataset
        page.get_by_text("Replaced the usage", exact=False).first.wait_for(timeout=60000)
        page.locator("[data-testid=stSelectbox]").filter(has_text="Dataset").click()
        assert page.get_by_role("option").count() == 3  # the demo and the two saved datasets
        assert not page.errors, page.errors


def downloaded(page, button):
    with page.expect_download(timeout=60000) as download:
        page.get_by_role("button", name=button).click()
    return open(download.value.path(), encoding="utf-8").read()


def test_downloaded_maps_hold_one_map_and_coverage_draws_its_radius(tmp_path):
    with streamlit_server(tmp_path) as url, chromium_page() as page:
        open_page(page, url, "Clusters", "k-means and k-medians, k = 6")
        map_frame(page)
        html = downloaded(page, "Map (HTML)")
        assert html.count("L.map(") == 1 and html.count("class='evcore-legend'") == 1

        page.locator("[data-testid=stSidebarNav]").get_by_text("Placement").click()
        page.get_by_text("Most within R km (coverage)").click()
        page.get_by_text("vehicles served within 5 km", exact=False).first.wait_for(
            state="attached", timeout=120000)
        settled(page)
        _, frame = map_frame(page)
        frame.locator("path.evcore-radius").nth(5 + 48 - 1).wait_for(state="attached", timeout=30000)
        assert frame.locator("path.evcore-radius").count() == 5 + 48  # R around every open site
        html = downloaded(page, "Download the map (HTML)")
        assert html.count("L.map(") == 1 and html.count("class='evcore-legend'") == 1
        assert "Within 5 km of a station" in html
        served = [float(s.replace(",", "")) for s in re.findall(r"serves ([\d,]+) vehicles within 5 km", html)]
        within = page.locator("[data-testid=stMetric]").filter(has_text="Vehicles within 5 km")
        share = float(re.search(r"([\d.]+)%", within.inner_text()).group(1))
        assert len(served) == 5 + 48 and sum(served) == pytest.approx(share / 100 * TOTAL_EVS, rel=2e-3)
        assert not page.errors, page.errors


def test_a_page_opened_by_its_address_asks_for_nothing_missing_and_maps_read_in_km(tmp_path):
    """Leaflet guessed its image folder before its stylesheet loaded (".../leafletmarker-icon.png",
    a 404); the home map's scale was in miles; the legend covered the scale bar."""
    with streamlit_server(tmp_path) as url, chromium_page() as page:
        missing = []
        page.on("response", lambda r: missing.append(r.url) if r.status == 404 and "/_stcore/" not in r.url else None)
        page.route("**/leaflet.css", lambda route: route.abort())  # not there yet when the markers are made
        page.goto(url + "/Placement")
        page.get_by_text("Mean distance per vehicle").wait_for(timeout=120000)
        _, frame = map_frame(page)
        frame.locator(".leaflet-marker-icon").nth(4).wait_for(state="attached", timeout=30000)
        inner = next(f for f in page.frames if f.evaluate("typeof L !== 'undefined'"))  # the map's frame
        assert inner.evaluate("L.Icon.Default.imagePath") == "/app/static/leaflet/images/"
        assert not missing, missing
        page.unroute("**/leaflet.css")

        page.goto(url)
        _, frame = map_frame(page)
        scale = frame.locator(".leaflet-control-scale-line")
        scale.first.wait_for(timeout=30000)
        assert scale.count() == 1 and scale.inner_text().strip().endswith(("km", " m"))
        legend, bar = frame.locator(".evcore-legend").bounding_box(), scale.bounding_box()
        assert legend["y"] + legend["height"] <= bar["y"]  # the legend sits above the scale bar
        assert not page.errors, page.errors


def test_api_docs_draw_offline_behind_the_token(tmp_path):
    """/docs is Swagger UI 5 from our own files (4 cannot read OpenAPI 3.1), drawn with no network,
    and, like every endpoint but /health, only with the token (a browser gives it in its sign-in box)."""
    import os

    import httpx

    from service_process import free_port, start_service, stop

    port = free_port()
    process = start_service(tmp_path / "ws", port, dict(os.environ, EVCORE_API_TOKEN="tok-docs"))
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/docs").status_code == 401
        with chromium_page(http_credentials={"username": "me", "password": "tok-docs"}) as page:
            requested = []

            def offline(route):
                requested.append(route.request.url)
                if route.request.url.startswith(f"http://127.0.0.1:{port}/"):
                    route.continue_()
                else:
                    route.abort()

            page.route("**/*", offline)
            page.goto(f"http://127.0.0.1:{port}/docs")
            page.locator(".opblock-summary-path", has_text="/datasets").first.wait_for(timeout=60000)
            assert page.locator(".opblock").count() >= 10  # every operation listed
            assert all(u.startswith(f"http://127.0.0.1:{port}/") for u in requested), requested
            assert not page.errors, page.errors
    finally:
        stop(process)
