"""The home page in Streamlit's AppTest: the demo, the workspace list (open, rename, delete),
files that are saved as they arrive and ADDED to the open dataset, messages that do not pile up,
the dataset reopened by a new session, and Open Charge Map stations fetched and saved."""

import os

from streamlit.testing.v1 import AppTest

from conftest import ROOT, shown
from evcore.io import combine, read_file
from evcore.workspace import Workspace
from ocm_stub import StubOpenChargeMap

APP = str(ROOT / "app.py")
USAGE = ("u.csv", b"station,date,sessions\nA,2024-01-01,3\nA,2024-01-02,4\nB,2024-01-01,5\n", "text/csv")
STATIONS = ("s.csv", b"station_id,name,latitude,longitude\nA,[click](http://x.test),47.6,-122.3\nB,Two,47.7,-122.2\n",
            "text/csv")
DEMAND = ("d.csv", b"latitude,longitude,vehicles\n47.6,-122.3,10\n47.61,-122.31,5\n", "text/csv")
BAD = ("bad.csv", b"\x00\x01\x02\x03", "text/csv")


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60)


def metrics(at):
    return {m.label: m.value for m in at.metric}


def saved():
    return Workspace(os.environ["EVCORE_WORKSPACE"])


def test_home_shows_demo_figures_chart_and_tables():
    at = app().run()
    assert not at.exception
    assert metrics(at)["Stations"] == "48" and metrics(at)["Days"] == "480"
    assert "Total (kWh)" in metrics(at)
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) == 10  # the ten busiest stations
    assert at.session_state["dataset"] is None  # every page falls back to the demo data
    assert at.selectbox[0].label == "Dataset" and at.selectbox[0].options[0].startswith("Demo")


def test_uploads_are_saved_as_a_new_dataset_and_later_files_are_added():
    at = app().run()
    at.file_uploader[0].set_value([USAGE]).run()
    assert not at.exception
    (info,) = saved().list()[1:]
    assert info["kinds"] == ["usage"] and at.session_state["dataset_id"] == info["id"]
    assert metrics(at)["Stations"] == "2" and "Total (sessions)" in metrics(at)
    assert any("new dataset" in m.value for m in at.info)
    # another page and back: nothing lost; then files ADD to the open dataset
    at.switch_page("pages/1_Forecast.py").run()
    at.switch_page("pages/0_Home.py").run()
    assert at.session_state["dataset_id"] == info["id"]
    at.file_uploader[0].set_value([DEMAND]).run()
    at.file_uploader[0].set_value([STATIONS]).run()
    assert not at.exception
    (info,) = saved().list()[1:]
    assert info["kinds"] == ["usage", "stations", "demand"]
    dataset = at.session_state["dataset"]
    assert dataset.usage is not None and dataset.demand is not None and len(dataset.stations) == 2
    assert any("Added the stations (2 stations)" in m.value for m in at.info)
    assert metrics(at)["Stations"] == "2"
    # a second demand file replaces the first, and says so
    at.file_uploader[0].set_value([("d2.csv", b"latitude,longitude,vehicles\n47,-122,7\n", "text/csv")]).run()
    assert any("Replaced the demand" in m.value for m in at.info)
    assert at.session_state["dataset"].demand["weight"].sum() == 7


def test_error_messages_do_not_pile_up():
    at = app().run()
    at.file_uploader[0].set_value([BAD]).run()
    assert len(at.error) == 1 and "binary" in at.error[0].value
    at.file_uploader[0].set_value([USAGE]).run()
    assert len(at.error) == 0 and any("u.csv" in shown(s.value) for s in at.success)
    at.file_uploader[0].set_value([BAD, STATIONS]).run()
    assert len(at.error) == 1  # this batch's one bad file, not the earlier one too
    assert saved().list()[1]["kinds"] == ["usage", "stations"]


def test_workspace_list_open_rename_delete():
    ws = saved()
    first = ws.save(combine([read_file(USAGE[1], name="u.csv")]), source="upload: u.csv", name="Usage only")
    second = ws.save(combine([read_file(DEMAND[1], name="d.csv")]), source="upload: d.csv", name="Demand only")
    at = app().run()
    assert [o.split(" (")[0] for o in at.selectbox[0].options][1:] == ["Demand only", "Usage only"]
    at.selectbox[0].select(first["id"]).run()
    assert at.session_state["dataset_id"] == first["id"] and metrics(at)["Stations"] == "2"
    assert at.query_params["dataset"] in (first["id"], [first["id"]])  # the address names it
    at.text_input(key=f"rename_{first['id']}").set_value("Seattle sessions")
    at.button(key="rename_button").click().run()
    assert ws.info(first["id"])["name"] == "Seattle sessions"
    assert at.selectbox[0].value == first["id"] and "Seattle sessions" in at.selectbox[0].format_func(first["id"])
    at.checkbox(key="delete_sure").check().run()
    at.button(key="delete_button").click().run()
    assert not at.exception
    assert [d["id"] for d in ws.list()] == ["demo", second["id"]]
    assert at.session_state["dataset"] is None and metrics(at)["Stations"] == "48"


def test_a_new_session_reopens_the_dataset_by_address_or_the_last_opened():
    ws = saved()
    first = ws.save(combine([read_file(USAGE[1], name="u.csv")]), source="upload", name="First")
    second = ws.save(combine([read_file(STATIONS[1], name="s.csv")]), source="upload", name="Second")
    ws.set_last_opened(first["id"])
    at = app().run()  # a reload, or the app restarted
    assert at.session_state["dataset_id"] == first["id"] and metrics(at)["Stations"] == "2"
    at = app()
    at.query_params["dataset"] = second["id"]
    at.run()
    assert at.session_state["dataset_id"] == second["id"] and len(at.session_state["dataset"].stations) == 2
    at = app()
    at.query_params["dataset"] = "deleted-one"
    at.run()
    assert not at.exception and "no dataset" in at.error[0].value and metrics(at)["Stations"] == "48"


def test_a_damaged_workspace_is_one_error_and_the_demo_still_works():
    saved().folder.mkdir(parents=True, exist_ok=True)
    saved().path.write_bytes(b"not a database" * 400)
    at = app().run()
    assert not at.exception
    assert any("damaged" in e.value for e in at.error) and metrics(at)["Stations"] == "48"


def test_fetch_stations_from_open_charge_map_saves_a_stations_dataset(monkeypatch):
    with StubOpenChargeMap() as stub:
        monkeypatch.setenv("EVCORE_OCM_URL", stub.url)
        at = app().run()
        at.number_input[0].set_value(51.5)
        at.number_input[1].set_value(-0.12)
        at.text_input(key="ocm_key").set_value("key-from-the-form")
        at.button[-1].click().run()
    assert not at.exception
    assert stub.requests[0]["query"]["key"] == "key-from-the-form"
    (info,) = saved().list()[1:]
    assert info["kinds"] == ["stations"] and info["stations"] == 3
    assert at.session_state["dataset_id"] == info["id"]
    assert "key-from-the-form" not in saved().path.read_bytes().decode("latin-1")


def test_a_file_name_with_markdown_is_shown_as_text_everywhere():
    name = "![i](http://127.0.0.1:9/x.png) [click](http://e.x).csv"
    at = app().run()
    at.file_uploader[0].set_value([(name, USAGE[1], "text/csv")]).run()
    assert not at.exception and not at.error
    texts = [e.value for kind in (at.caption, at.success, at.info, at.markdown, at.warning) for e in kind]
    assert any(name in shown(t) for t in texts)  # the name is shown ...
    assert not [t for t in texts if "](http" in t]  # ... and never as a link or an image


def test_datasets_of_the_same_name_read_differently_in_the_list():
    """The browser tells a selectbox's options apart by their text: two "Uploaded data" that read
    the same would both open the first."""
    for _ in range(2):
        saved().save(combine([read_file(USAGE[1], name=USAGE[0])], name="Uploaded data"), source="test")
    at = app().run()
    options = at.selectbox[0].options
    assert len(options) == 3 and len(set(options)) == 3
    assert all(option.startswith("Uploaded data") for option in options[1:])
