"""End to end in headless Chromium: what an analyst hit on the pages (issue 19, items 1 to 5)."""

import pytest

from browser import chromium_page, map_frame, streamlit_server

pytestmark = pytest.mark.browser


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
        chooser = page.locator("input[type='file']")

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
        page.get_by_text("Replaced the usage", exact=False).wait_for(timeout=60000)
        page.locator("[data-testid=stSelectbox]").filter(has_text="Dataset").click()
        assert page.get_by_role("option").count() == 3  # the demo and the two saved datasets
        assert not page.errors, page.errors
