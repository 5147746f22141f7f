"""End to end in headless Chromium: every page opens from the sidebar and draws its figures."""

import pytest

from browser import chromium_page, map_frame, streamlit_server

pytestmark = pytest.mark.browser


def test_every_page_renders_from_the_sidebar(tmp_path):
    with streamlit_server(tmp_path) as url, chromium_page() as page:
        page.goto(url)
        page.get_by_text("Demo: Seattle metro (generated)").wait_for(timeout=60000)
        nav = page.locator("[data-testid=stSidebarNav]")

        nav.get_by_text("Forecast").click()
        page.get_by_text("Network total: next 10 days").wait_for(timeout=120000)
        page.get_by_text("LSTM network alone").wait_for(state="attached", timeout=120000)  # backtest table
        assert page.locator(".js-plotly-plot").count() >= 1

        nav.get_by_text("Clusters").click()
        page.get_by_role("heading", name="Clusters").first.wait_for(timeout=60000)
        _, frame = map_frame(page)
        frame.locator("path.leaflet-interactive").nth(47).wait_for(timeout=30000)  # 48 stations
        assert frame.locator(".leaflet-marker-icon").count() == 6  # a numbered badge per centre (k = 6)
        assert frame.locator(".evcore-legend").count() == 1
        page.locator("[data-testid=stDataFrame] .dvn-scroller").first.wait_for(timeout=30000)
        scroll, visible = page.evaluate("() => { const s = document.querySelector("
                                        "'[data-testid=stDataFrame] .dvn-scroller'); "
                                        "return [s.scrollWidth, s.clientWidth]; }")
        assert scroll <= visible + 1  # the cluster table's last column is not cut off

        nav.get_by_text("Placement").click()
        page.get_by_text("Mean distance per vehicle").wait_for(timeout=60000)
        _, frame = map_frame(page)
        assert frame.locator(".leaflet-marker-icon").count() == 5  # the proposed sites (k = 5)
        assert not page.errors, page.errors
