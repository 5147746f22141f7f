"""The dashboard with users (AppTest): the sign-in, what a viewer does not see, who changed what;
usage appended on the home page (twice: counted once); the Open Charge Map form's clusters and
matched forecasts."""

import os

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, shown
from evcore import audit
from evcore.users import Users
from evcore.workspace import Workspace
from ocm_stub import StubOpenChargeMap

APP = str(ROOT / "app.py")
USAGE = ("u.csv", b"station,date,sessions\nA,2024-01-01,3\nA,2024-01-02,4\nB,2024-01-01,5\nB,2024-01-02,1\n",
         "text/csv")
NEXT_DAY = ("next.csv", b"station,date,sessions\nA,2024-01-03,7\nB,2024-01-03,2\n", "text/csv")
PASSWORD = "a long password"


def workspace() -> Workspace:
    return Workspace(os.environ["EVCORE_WORKSPACE"])


@pytest.fixture
def users():
    users = Users(workspace())
    users.add("vera", "viewer", PASSWORD)
    users.add("anna", "analyst", PASSWORD)
    return users


def signed_in(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="sign_in_name").set_value(name)
    at.text_input(key="sign_in_password").set_value(PASSWORD)
    return at.button[0].click().run()


def metrics(at):
    return {m.label: m.value for m in at.metric}


def test_with_users_nothing_shows_until_someone_signs_in(users):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception and not at.metric and at.subheader[0].value == "Sign in"
    at.text_input(key="sign_in_name").set_value("vera")
    at.text_input(key="sign_in_password").set_value("not the password")
    at.button[0].click().run()
    assert at.error[0].value == "Wrong user name or password." and not at.metric
    at = signed_in("vera")
    assert not at.exception and metrics(at)["Stations"] == "48"
    assert "**vera** (viewer)" in at.sidebar.caption[0].value


def test_a_viewer_sees_no_upload_rename_or_fetch_and_no_computing_pages(users):
    at = signed_in("vera")
    assert not at.file_uploader
    assert any("signed in as a viewer" in c.value for c in at.caption)
    assert "ocm_key" not in [t.key for t in at.text_input]
    with pytest.raises(Exception):  # Clusters is not in a viewer's navigation
        at.switch_page("pages/2_Clusters.py").run()
        assert not at.exception


def test_an_analyst_appends_the_same_day_twice_and_it_is_counted_once_and_kept_as_theirs(users):
    at = signed_in("anna")
    at.file_uploader[0].set_value([USAGE]).run()
    assert metrics(at)["Days"] == "2" and metrics(at)["Total (sessions)"] == "13"
    for _ in range(2):
        at.file_uploader[1].set_value([NEXT_DAY]).run()
        assert not at.exception and not at.error
        assert metrics(at)["Days"] == "3" and metrics(at)["Total (sessions)"] == "22"  # 13 + 9, once
    assert any("ends on 03 Jan 2024" in shown(s.value) for s in at.success)
    assert any("to 03 Jan 2024" in shown(c.value) for c in at.caption)  # the summary's new last day
    (info,) = workspace().list()[1:]
    assert [(e["action"], e["user"]) for e in audit.history(workspace(), info["id"])] == [
        ("appended", "anna"), ("appended", "anna"), ("added", "anna")]
    assert any("Last change:" in c.value and "anna" in c.value for c in at.caption)


def test_fetched_stations_get_clusters_and_the_matched_stations_forecast():
    stations = ("s.csv", b"station_id,name,latitude,longitude\nA,Alpha,51.5078,-0.1278\nB,Far,51.6,-0.3\n", "text/csv")
    usage = ("u.csv", b"station,date,sessions\n" + b"".join(
        f"{s},2024-01-{d:02d},{(d + i) % 4 + 1}\n".encode() for d in range(1, 32) for i, s in enumerate("AB"))
        + b"".join(f"{s},2024-02-{d:02d},{(d + i) % 4 + 1}\n".encode() for d in range(1, 29) for i, s in enumerate("AB")),
        "text/csv")
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.file_uploader[0].set_value([usage, stations]).run()
    dataset_id = at.session_state["dataset_id"]
    with StubOpenChargeMap() as stub:
        os.environ["EVCORE_OCM_URL"] = stub.url
        try:
            at.number_input[0].set_value(51.5)
            at.number_input[1].set_value(-0.12)
            at.number_input(key="ocm_k").set_value(2)
            at.selectbox(key="ocm_match").set_value(dataset_id)
            at.number_input(key="ocm_horizon").set_value(3)
            at.text_input(key="ocm_key").set_value("k")
            at.button[-1].click().run()
        finally:
            del os.environ["EVCORE_OCM_URL"]
    assert not at.exception and not at.error
    _, annotated, unit = at.session_state["fetched_stations"]
    assert sorted(annotated["cluster"].unique()) == [0, 1] and unit == "sessions"
    matched = annotated.set_index("station_id")["matched_station_id"]
    assert matched["101"] == "A" and matched["102"] is None
    assert [day["date"] for day in annotated.set_index("station_id").loc["101", "predicted_usage"]] == [
        "2024-02-29", "2024-03-01", "2024-03-02"]
    from evcore.viz.clusters import fetched_stations_map

    page = fetched_stations_map(annotated, unit).get_root().render()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt; Car park" in page  # a name from the network
    assert "Matched station (within 100 m)" in page and "Forecast 2024-02-29 (sessions)" in page


AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s", "client_id": "c",
        "client_secret": "x", "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}


def test_the_identity_providers_sign_in_is_offered_only_where_configured_and_maps_to_a_workspace_user(users):
    plain = AppTest.from_file(APP, default_timeout=60).run()
    assert [b.label for b in plain.button] == ["Sign in"]  # no [auth] in secrets.toml: names and passwords only
    users.add("ann@example.org", "analyst")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.run()
    assert "Sign in with your organisation's account" in [b.label for b in at.button]
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "ann@example.org", "name": "Ann"}
    at.run()
    assert not at.exception and metrics(at)["Stations"] == "48" and at.file_uploader  # an analyst
    stranger = AppTest.from_file(APP, default_timeout=60)
    stranger.secrets["auth"] = AUTH
    stranger.user = {"is_logged_in": True, "email": "eve@example.org"}
    stranger.run()
    assert not stranger.metric and "is not a user of this workspace" in stranger.error[0].value
