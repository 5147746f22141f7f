"""Users and roles over the REST service: the role matrix over every endpoint the app has (read
from its routes, so a new endpoint is covered without editing this file), usage appended (twice,
never counted twice), the users endpoints and the annotated /fetch-stations."""

import re
import warnings

import pandas as pd
import pytest

with warnings.catch_warnings():  # starlette's note about httpx2, not about our code
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api_samples import STATIONS, USAGE, assert_one_sentence, upload
from conftest import QUICK_LSTM
from evcore.api import create_app
from evcore.config import Settings
from evcore.users import Users
from evcore.workspace import Workspace
from ocm_stub import StubOpenChargeMap

API_TOKEN = "the-service-token"
CALLERS = ("nobody", "wrong token", "removed user", "viewer", "analyst", "admin", "EVCORE_API_TOKEN")
RANK = {"viewer": 0, "analyst": 1, "admin": 2, "EVCORE_API_TOKEN": 2}


def needed_role(method: str, path: str) -> str:
    """DESIGN.md's rule, independent of how the service declares it: users are the admin's; every
    GET is a viewer's; every other method writes a dataset or runs a computation (an analyst's)."""
    if path.startswith("/users"):
        return "admin"
    return "viewer" if method in ("GET", "HEAD") else "analyst"


def openapi_paths() -> dict:
    return create_app(Settings(workspace="/nonexistent/never-written")).openapi()["paths"]


def endpoints() -> list[tuple[str, str]]:
    """Every endpoint the app lists in its OpenAPI schema (what /docs shows), but /health."""
    return sorted((method.upper(), path) for path, operations in openapi_paths().items()
                  for method in operations if path != "/health")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A service whose workspace has a user of each role (and one removed), with their tokens."""
    folder = tmp_path_factory.mktemp("roles")
    users = Users(Workspace(folder / "ws"))
    tokens = {"wrong token": "evc_not-a-token"}
    for role in ("viewer", "analyst", "admin", "removed"):
        users.add(f"{role}-user", "viewer" if role == "removed" else role)
        tokens[role if role != "removed" else "removed user"] = users.new_token(f"{role}-user")
    users.remove("removed-user")
    tokens["EVCORE_API_TOKEN"] = API_TOKEN
    settings = Settings(workspace=folder / "ws", lstm=QUICK_LSTM, checkpoints=folder / "checkpoints",
                        api_token=API_TOKEN)
    return TestClient(create_app(settings)), tokens


def headers_of(caller: str, tokens: dict) -> dict:
    return {} if caller == "nobody" else {"Authorization": f"Bearer {tokens[caller]}"}


def call(client, method: str, path: str, headers: dict):
    """The endpoint with nothing valid in it: a caller who may act gets 404 or 422 (nothing runs,
    nothing changes), one who may not gets 401 or 403 first."""
    operation = client.app.openapi()["paths"][path][method.lower()]
    params = {p["name"]: "not-valid" for p in operation.get("parameters", []) if p["in"] == "query"}
    return client.request(method, re.sub(r"\{[^}]+\}", "missing", path), params=params, headers=headers)


@pytest.mark.parametrize("method,path", endpoints(), ids=lambda value: value)
def test_role_matrix(served, method, path):
    client, tokens = served
    needed = needed_role(method, path)
    for caller in CALLERS:
        response = call(client, method, path, headers_of(caller, tokens))
        if caller not in RANK:
            assert "bearer token" in assert_one_sentence(response, 401), caller
            assert response.headers["www-authenticate"] == "Bearer"
        elif RANK[caller] < RANK[needed]:
            assert f"needs the {needed} role" in assert_one_sentence(response, 403), caller
        else:
            assert response.status_code not in (401, 403), (caller, response.text)


def test_the_matrix_covers_every_endpoint_of_the_design():
    covered = {path for _, path in endpoints()}
    assert {"/datasets", "/datasets/{dataset_id}", "/datasets/{dataset_id}/usage", "/predict-usage",
            "/fetch-stations", "/cluster", "/place", "/users", "/users/{name}", "/users/{name}/tokens",
            "/history"} <= covered


def test_without_users_the_service_is_open_and_the_api_token_still_guards_it(tmp_path):
    open_client = TestClient(create_app(Settings(workspace=tmp_path / "open")))
    guarded = TestClient(create_app(Settings(workspace=tmp_path / "guarded", api_token=API_TOKEN)))
    for method, path in endpoints():
        assert call(open_client, method, path, {}).status_code not in (401, 403), path
        assert_one_sentence(call(guarded, method, path, {}), 401)
        assert call(guarded, method, path, {"Authorization": f"Bearer {API_TOKEN}"}).status_code not in (401, 403)


def test_roles_act_and_are_kept_as_who_did_what(served):
    client, tokens = served
    viewer, analyst = headers_of("viewer", tokens), headers_of("analyst", tokens)
    assert_one_sentence(upload(client, headers=viewer), 403)
    made = upload(client, name="Depot", headers=analyst)
    assert made.status_code == 201, made.text
    dataset_id = made.json()["id"]
    assert client.get(f"/datasets/{dataset_id}", headers=viewer).json()["history"][0]["user"] == "analyst-user"
    assert_one_sentence(client.delete(f"/datasets/{dataset_id}", headers=viewer), 403)
    assert client.delete(f"/datasets/{dataset_id}", headers=analyst).status_code == 204
    events = client.get("/history", headers=viewer).json()
    assert [(e["action"], e["user"], e["dataset"]) for e in events[:2]] == [
        ("deleted", "analyst-user", "Depot"), ("added", "analyst-user", "Depot")]


def test_users_are_managed_by_admins_only_and_removed_users_lose_their_tokens(served):
    client, tokens = served
    admin = headers_of("admin", tokens)
    assert_one_sentence(client.post("/users", json={"name": "eve", "role": "admin"},
                                    headers=headers_of("analyst", tokens)), 403)
    assert client.post("/users", json={"name": "carol", "role": "viewer"}, headers=admin).status_code == 201
    token = client.post("/users/carol/tokens", headers=admin).json()["token"]
    assert client.get("/datasets", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert "carol" in [u["name"] for u in client.get("/users", headers=admin).json()]
    assert client.delete("/users/carol", headers=admin).status_code == 204
    assert_one_sentence(client.get("/datasets", headers={"Authorization": f"Bearer {token}"}), 401)
    assert_one_sentence(client.delete("/users/carol", headers=admin), 404)


def test_fetching_and_saving_needs_an_analyst_only_to_save(served):
    client, tokens = served
    with StubOpenChargeMap() as stub:
        client.app.state.settings = client.app.state.settings.replace(ocm_url=stub.url, ocm_api_key="k")
        query = {"latitude": 51.5, "longitude": -0.12, "save": True}
        assert "save fetched stations" in assert_one_sentence(
            client.get("/fetch-stations", params=query, headers=headers_of("viewer", tokens)), 403)
        assert stub.requests == []  # refused before asking Open Charge Map
        assert client.get("/fetch-stations", params=query, headers=headers_of("analyst", tokens)).status_code == 200


def rows(day: str, values: dict) -> dict:
    return {"rows": [{"station_id": station, "date": day, "usage": value} for station, value in values.items()]}


def test_appending_the_same_rows_twice_counts_them_once_and_the_forecast_starts_after_them(client_open):
    client = client_open
    dataset_id = upload(client, files=(("u.csv", USAGE), ("s.csv", STATIONS))).json()["id"]
    before = client.get(f"/datasets/{dataset_id}").json()
    assert before["end"] == "2024-03-10"
    day = rows("2024-03-11", {"A": 4.0, "B": 6.0})
    once = client.post(f"/datasets/{dataset_id}/usage", json=day)
    assert once.status_code == 200, once.text
    twice = client.post(f"/datasets/{dataset_id}/usage", json=day).json()
    assert once.json()["end"] == twice["end"] == "2024-03-11" and twice["days"] == before["days"] + 1
    assert twice["usage_total"] == pytest.approx(before["usage_total"] + 10.0)  # not + 20
    corrected = client.post(f"/datasets/{dataset_id}/usage", json=rows("2024-03-11", {"A": 1.0})).json()
    assert corrected["usage_total"] == pytest.approx(before["usage_total"] + 7.0)  # A's day replaced
    forecast = client.get("/predict-usage", params={"dataset": dataset_id, "horizon": 2}).json()["forecast"]
    assert sorted({row["date"] for row in forecast}) == ["2024-03-12", "2024-03-13"]
    assert [e["action"] for e in client.get(f"/datasets/{dataset_id}").json()["history"]][:3] == ["appended"] * 3


def test_appending_files_in_any_usage_layout_and_hours(client_open):
    client = client_open
    dataset_id = upload(client, files=(("u.csv", USAGE),)).json()["id"]
    wide = b"date,A,B\n2024-03-10,9,9\n2024-03-11,2,3\n"  # kWh: this dataset counts sessions
    detail = assert_one_sentence(client.post(f"/datasets/{dataset_id}/usage",
                                             files=[("files", ("new.csv", wide, "text/csv"))]), 400)
    assert "in kWh but the dataset's is in sessions" in detail
    long = b"station,date,sessions\nA,2024-03-10,9\nB,2024-03-10,9\nA,2024-03-11,2\nB,2024-03-11,3\n"
    answer = client.post(f"/datasets/{dataset_id}/usage", files=[("files", ("new.csv", long, "text/csv"))])
    assert answer.status_code == 200, answer.text
    assert answer.json()["end"] == "2024-03-11"
    hours = {"rows": [{"station_id": "A", "time": "2024-03-12 08:00", "usage": 1.5},
                      {"station_id": "A", "time": "2024-03-12 09:00", "usage": 2.5}]}
    assert client.post(f"/datasets/{dataset_id}/usage", json=hours).json()["end"] == "2024-03-12"
    usage = Workspace(client.app.state.settings.workspace).load(dataset_id).usage
    assert usage.loc[(usage["station_id"] == "A") & (usage["date"] == pd.Timestamp("2024-03-12")), "usage"].item() == 4.0


@pytest.mark.parametrize("body,words", [
    ({"rows": [{"station_id": "A", "date": "yesterday", "usage": 1}]}, "rows[0].date"),
    ({"rows": [{"station_id": "A", "date": "2024-03-11", "usage": -1}]}, "rows[0].usage"),
    ({"rows": [{"station_id": "A", "date": "2024-03-11", "time": "2024-03-11 10:00", "usage": 1}]}, "not both"),
    ({"rows": []}, "at least one row"),
    ({"lines": []}, '{"rows"'),
])
def test_bad_rows_are_one_sentence(client_open, body, words):
    dataset_id = upload(client_open, files=(("u.csv", USAGE),)).json()["id"]
    assert words in assert_one_sentence(client_open.post(f"/datasets/{dataset_id}/usage", json=body), 400)


def test_appending_to_the_demo_or_a_stations_file_is_refused(client_open):
    assert "demo" in assert_one_sentence(client_open.post("/datasets/demo/usage", json=rows("2024-01-01", {"A": 1})), 400)
    dataset_id = upload(client_open, files=(("u.csv", USAGE),)).json()["id"]
    detail = assert_one_sentence(client_open.post(f"/datasets/{dataset_id}/usage",
                                                  files=[("files", ("s.csv", STATIONS, "text/csv"))]), 400)
    assert "s.csv holds stations" in detail


@pytest.fixture
def client_open(tmp_path, tmp_path_factory):
    return TestClient(create_app(Settings(workspace=tmp_path / "ws", lstm=QUICK_LSTM,
                                          checkpoints=tmp_path_factory.getbasetemp() / "checkpoints")))


def test_fetched_stations_get_clusters_and_the_forecast_of_the_station_within_100_m(client_open):
    near_101 = b"station_id,name,latitude,longitude\nA,Alpha,51.5078,-0.1278\nB,Far,51.6,-0.3\n"  # A ~45 m away
    dataset_id = upload(client_open, files=(("u.csv", USAGE), ("s.csv", near_101))).json()["id"]
    with StubOpenChargeMap() as stub:
        client_open.app.state.settings = client_open.app.state.settings.replace(ocm_url=stub.url, ocm_api_key="k")
        answer = client_open.get("/fetch-stations", params={"latitude": 51.5, "longitude": -0.12, "k": 2,
                                                            "dataset": dataset_id, "horizon": 3})
    assert answer.status_code == 200, answer.text
    stations = {s["station_id"]: s for s in answer.json()["stations"]}
    assert sorted({s["cluster"] for s in stations.values()}) == [0, 1]
    assert stations["101"]["matched_station_id"] == "A"
    expected = client_open.get("/predict-usage", params={"dataset": dataset_id, "station_id": "A", "horizon": 3})
    assert stations["101"]["predicted_usage"] == [{k: v for k, v in row.items() if k != "station_id"}
                                                  for row in expected.json()["forecast"]]
    for other in ("102", "103"):  # both keys present, null
        assert stations[other]["matched_station_id"] is None and stations[other]["predicted_usage"] is None


def test_fetch_stations_refuses_a_k_larger_than_the_stations_and_a_dataset_without_stations(client_open):
    dataset_id = upload(client_open, files=(("u.csv", USAGE),)).json()["id"]
    with StubOpenChargeMap() as stub:
        client_open.app.state.settings = client_open.app.state.settings.replace(ocm_url=stub.url, ocm_api_key="k")
        query = {"latitude": 51.5, "longitude": -0.12}
        assert "only 3 stations" in assert_one_sentence(client_open.get("/fetch-stations", params={**query, "k": 5}), 400)
        assert "no stations" in assert_one_sentence(
            client_open.get("/fetch-stations", params={**query, "dataset": dataset_id}), 400)


def test_a_wide_hourly_file_is_appended_in_the_datasets_own_unit_charging_hours(client_open):
    def wide(day: str) -> bytes:
        return b"time,A,B\n" + b"".join(f"{day} {h:02d}:00,{h % 2},1\n".encode() for h in range(24))

    made = client_open.post("/datasets", data={"name": "hours", "measure": "occupancy"},
                            files=[("files", ("h1.csv", wide("2024-03-01"), "text/csv"))]).json()
    assert made["usage_unit"] == "hours"
    answer = client_open.post(f"/datasets/{made['id']}/usage", files=[("files", ("h2.csv", wide("2024-03-02"), "text/csv"))])
    assert answer.status_code == 200, answer.text
    assert answer.json()["end"] == "2024-03-02" and answer.json()["usage_total"] == pytest.approx(2 * (12 + 24))
