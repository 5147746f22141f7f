"""End to end in headless Chromium, with users in the workspace: nothing shows before the sign-in,
a viewer cannot upload (no file chooser, no computing pages), an analyst can, and a user removed
while signed in is asked to sign in again at their next click."""

import os

import pytest

from browser import chromium_page, streamlit_server
from evcore.users import Users
from evcore.workspace import Workspace

pytestmark = pytest.mark.browser
PASSWORD = "a long password"


def sign_in(page, name: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Demo: Seattle metro (generated)").wait_for(timeout=60000)


def test_sign_in_a_viewer_who_cannot_upload_and_a_removed_analyst(tmp_path):
    users = Users(Workspace(os.environ["EVCORE_WORKSPACE"]))
    users.add("vera", "viewer", PASSWORD)
    users.add("anna", "analyst", PASSWORD)
    with streamlit_server(tmp_path) as url, chromium_page() as page:
        page.goto(url)
        page.get_by_role("button", name="Sign in").wait_for(timeout=60000)
        assert page.get_by_text("Demo: Seattle metro (generated)").count() == 0  # nothing before the sign-in
        page.get_by_label("User name").fill("vera")
        page.get_by_label("Password", exact=True).fill("wrong password")
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Wrong user name or password.").wait_for(timeout=30000)

        sign_in(page, "vera")
        page.get_by_text("signed in as a viewer", exact=False).wait_for(timeout=30000)
        assert page.locator("input[type='file']").count() == 0  # no upload, no append
        assert page.get_by_text("Fetch stations from Open Charge Map").count() == 0
        nav = page.locator("[data-testid='stSidebarNav']")
        assert nav.get_by_text("Forecast").count() == 1 and nav.get_by_text("Clusters").count() == 0

        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="Sign in").wait_for(timeout=30000)
        sign_in(page, "anna")
        page.locator("input[type='file']").first.wait_for(state="attached", timeout=30000)
        assert page.locator("[data-testid='stSidebarNav']").get_by_text("Clusters").count() == 1

        users.remove("anna")
        page.locator("[data-testid='stSidebarNav']").get_by_text("Forecast").click()
        page.get_by_role("button", name="Sign in").wait_for(timeout=60000)
        assert page.locator("input[type='file']").count() == 0
        assert not page.errors, page.errors
