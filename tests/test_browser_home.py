"""End to end in headless Chromium: the app starts, the map draws, an upload is detected."""

import pytest

from browser import chromium_page, map_frame, streamlit_server

pytestmark = pytest.mark.browser


def test_home_map_and_usage_upload(tmp_path):
    usage = tmp_path / "my_usage.csv"
    usage.write_text("\ufeffsite_id;day;sessions\nS1;2024-06-01;4\nS1;2024-06-02;6\nS2;2024-06-01;3\n",
                     encoding="utf-8")
    with streamlit_server(tmp_path) as url, chromium_page() as page:
        page.goto(url)
        page.get_by_text("Demo: Seattle metro (generated)").wait_for(timeout=60000)
        iframe, frame = map_frame(page)
        assert iframe.bounding_box()["height"] > 300
        assert frame.locator("path.leaflet-interactive").count() == 48  # one circle a station

        chooser = page.locator("input[type='file']")
        chooser.wait_for(state="attached", timeout=30000)
        chooser.set_input_files(str(usage))
        page.get_by_text("detected as long table").wait_for(timeout=60000)
        page.get_by_text("Total (sessions)").first.wait_for(timeout=30000)  # the figures are the upload's
        assert page.get_by_text("Demo: Seattle metro (generated)").count() == 0
        page.get_by_text("saved as the new dataset", exact=False).wait_for(timeout=30000)
        page.reload()  # the saved dataset is reopened, not the demo
        page.get_by_text("Total (sessions)").first.wait_for(timeout=60000)
        assert not page.errors, page.errors
