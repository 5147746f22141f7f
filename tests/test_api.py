"""The REST service through FastAPI's TestClient: every endpoint of DESIGN.md, its errors as one
sentence with a 4xx status, the bearer token and the upload limit."""

import json
import warnings

import pytest

with warnings.catch_warnings():  # starlette's note about httpx2, not about our code
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from api_samples import DEMAND, STATIONS, USAGE, assert_one_sentence, upload
from conftest import QUICK_LSTM
from evcore.api import create_app
from evcore.api.app import MAX_UPLOAD_BYTES
from evcore.config import Settings
from ocm_stub import Answer, StubOpenChargeMap

@pytest.fixture
def settings(tmp_path, tmp_path_factory):
    return Settings(workspace=tmp_path / "ws", lstm=QUICK_LSTM,
                    checkpoints=tmp_path_factory.getbasetemp() / "checkpoints")


@pytest.fixture
def client(settings):
    return TestClient(create_app(settings))


def test_health_and_docs(client):
    assert client.get("/health").json() == {"status": "ok"}
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/datasets", "/datasets/{dataset_id}", "/predict-usage", "/fetch-stations", "/cluster",
            "/place"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_datasets_upload_list_get_delete(client):
    (demo,) = client.get("/datasets").json()
    assert demo["id"] == "demo" and demo["kinds"] == ["usage", "stations", "demand"] and demo["days"] == 480
    created = upload(client)
    assert created.status_code == 201
    info = created.json()
    assert info["name"] == "mine" and info["kinds"] == ["usage", "stations", "demand"]
    assert info["stations"] == 2 and info["days"] == 70 and info["usage_unit"] == "sessions" and info["notes"]
    assert [d["id"] for d in client.get("/datasets").json()] == ["demo", info["id"]]
    assert client.get(f"/datasets/{info['id']}").json()["points"] == 3
    assert client.delete(f"/datasets/{info['id']}").status_code == 204
    assert "no dataset" in assert_one_sentence(client.get(f"/datasets/{info['id']}"), 404)
    assert_one_sentence(client.delete(f"/datasets/{info['id']}"), 404)
    assert "built in" in assert_one_sentence(client.delete("/datasets/demo"), 400)


def test_bad_uploads_are_one_sentence(client):
    assert "binary" in assert_one_sentence(upload(client, files=[("x.csv", b"\x00\x01\x02" * 10)]), 400)
    assert "x.csv" in assert_one_sentence(upload(client, files=[("x.csv", b"a,b\n1,2\n")]), 400)
    assert_one_sentence(client.post("/datasets", data={"name": "no files"}), 422)
    assert_one_sentence(upload(client, name=""), 422)
    assert [d["id"] for d in client.get("/datasets").json()] == ["demo"]  # nothing half-saved


def test_upload_limit_is_the_apps_200_mb(client):
    assert MAX_UPLOAD_BYTES == 200 * 1024 * 1024
    big = client.post("/datasets", content=b"x", headers={"content-length": str(MAX_UPLOAD_BYTES + 1),
                                                          "content-type": "multipart/form-data; boundary=b"})
    assert "200 MB" in assert_one_sentence(big, 413)

    def chunks():  # no Content-Length: counted as it comes
        yield b'--b\r\nContent-Disposition: form-data; name="files"; filename="u.csv"\r\n\r\n'
        for _ in range(201):
            yield b"x" * 2**20
    streamed = client.post("/datasets", content=chunks(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert "200 MB" in assert_one_sentence(streamed, 413)


def test_predict_usage_all_stations_one_station_and_errors(client):
    info = upload(client).json()
    answer = client.get("/predict-usage", params={"dataset": info["id"], "horizon": 3}).json()
    assert answer["dataset"] == info["id"] and answer["horizon"] == 3 and answer["unit"] == "sessions"
    rows = answer["forecast"]
    assert len(rows) == 6 and set(rows[0]) == {"station_id", "date", "forecast", "lower", "upper"}
    assert {r["station_id"] for r in rows} == {"A", "B"} and rows[0]["date"] == "2024-03-11"
    assert all(r["lower"] <= r["forecast"] <= r["upper"] and r["lower"] >= 0 for r in rows)
    one = client.get("/predict-usage", params={"dataset": info["id"], "horizon": 3, "station_id": "B"}).json()
    assert one["forecast"] == [r for r in rows if r["station_id"] == "B"]
    assert "'Z'" in assert_one_sentence(client.get("/predict-usage", params={"dataset": info["id"],
                                                                              "horizon": 3, "station_id": "Z"}), 404)
    assert "horizon" in assert_one_sentence(client.get("/predict-usage", params={"horizon": 31}), 422)
    assert "horizon" in assert_one_sentence(client.get("/predict-usage", params={"horizon": "ten"}), 422)
    assert_one_sentence(client.get("/predict-usage", params={"dataset": "missing"}), 404)
    stations_only = upload(client, files=[("s.csv", STATIONS)]).json()
    assert "no usage" in assert_one_sentence(client.get("/predict-usage", params={"dataset": stations_only["id"]}), 400)


def test_a_model_trained_elsewhere_is_reused_from_the_store(settings):
    from evcore.demo import demo_dataset
    from evcore.forecast import forecast_table as library_forecast_table

    usage = demo_dataset().usage
    usage = usage[usage["station_id"].isin(["SEA-001", "SEA-002"])]
    before = library_forecast_table(usage, 2, settings)  # as the dashboard would, same store
    stored = sorted(settings.checkpoints.glob("*.pt"))
    again = library_forecast_table(usage, 2, settings)
    assert sorted(settings.checkpoints.glob("*.pt")) == stored
    assert again.equals(before)


def test_cluster_and_place_on_saved_datasets_give_the_cli_keys(client):
    info = upload(client).json()
    clusters = client.post("/cluster", json={"dataset": info["id"], "method": "kmeans", "k": 2}).json()
    assert len(clusters["labels"]) == 3 and len(clusters["centers"]) == 2
    assert clusters["station_ids"] == ["A", "B", "C"]
    demand = client.post("/cluster", json={"dataset": info["id"], "points": "demand", "method": "dbscan",
                                           "eps_km": 5, "min_samples": 2}).json()
    assert set(demand["labels"]) <= {-1, 0, 1} and "station_ids" not in demand
    place = client.post("/place", json={"dataset": info["id"], "k": 1, "existing": True}).json()
    assert len(place["sites"]) == 1 and len(place["selected"]) == 1 and place["mean_km"] >= 0
    assert "existing_only" in place
    cover = client.post("/place", json={"dataset": "demo", "k": 2, "objective": "coverage", "radius_km": 3}).json()
    assert 0 < cover["share_within_radius"] <= 1
    # as on the dashboard, a dataset's stations stay open unless the body says otherwise
    assert cover["existing_stations"] == 48 and "existing_only" in cover
    alone = client.post("/place", json={"dataset": "demo", "k": 2, "existing": False}).json()
    assert alone["existing_stations"] == 0
    json.dumps(place, allow_nan=False)


@pytest.mark.parametrize("path, body, status, words", [
    ("/cluster", {"method": "kmeans"}, 400, "k"),
    ("/cluster", {"method": "kmeans", "k": 500}, 400, ""),
    ("/cluster", {"method": "dbscan"}, 400, "radius"),
    ("/cluster", {"method": "nope", "k": 2}, 422, "method"),
    ("/cluster", {"method": "kmeans", "k": 2, "extra": 1}, 422, "extra"),
    ("/cluster", {"method": "dbscan", "eps_km": 1e308}, 422, "eps_km"),
    ("/cluster", {"dataset": "gone", "method": "kmeans", "k": 2}, 404, "gone"),
    ("/place", {"k": 2, "objective": "coverage"}, 400, "radius"),
    ("/place", {"k": 0}, 422, "k"),
    ("/place", {"k": 100000}, 422, "k"),
    ("/place", {"k": 2, "radius_km": -1}, 422, "radius_km"),
])
def test_bad_cluster_and_place_requests(client, path, body, status, words):
    assert words in assert_one_sentence(client.post(path, json=body), status)


def test_malformed_json_body_is_422(client):
    assert_one_sentence(client.post("/cluster", content=b"{not json", headers={"content-type": "application/json"}), 422)


def test_fetch_stations_and_save(settings):
    with StubOpenChargeMap() as stub:
        client = TestClient(create_app(settings.replace(ocm_url=stub.url, ocm_api_key="k-123")))
        answer = client.get("/fetch-stations", params={"latitude": 51.5, "longitude": -0.12, "distance_km": 5,
                                                       "max_results": 3}).json()
        assert [s["station_id"] for s in answer["stations"]] == ["101", "102", "103"]
        assert answer["stations"][2]["power_kw"] is None  # missing: null, never NaN
        assert answer["dataset"] is None  # not saved unless asked
        saved = client.get("/fetch-stations", params={"latitude": 51.5, "longitude": -0.12, "save": True,
                                                      "name": "London"}).json()["dataset"]
        assert saved["name"] == "London" and saved["kinds"] == ["stations"] and saved["stations"] == 3
        assert stub.requests[0]["query"]["key"] == "k-123"
        assert_one_sentence(client.get("/fetch-stations", params={"latitude": 91, "longitude": 0}), 422)
        assert_one_sentence(client.get("/fetch-stations", params={"longitude": 0}), 422)


def test_fetch_stations_when_open_charge_map_fails_is_502_with_one_sentence(settings):
    with StubOpenChargeMap([Answer(body=b"<html>down</html>")]) as stub:
        client = TestClient(create_app(settings.replace(ocm_url=stub.url, ocm_api_key="k-123")))
        detail = assert_one_sentence(client.get("/fetch-stations", params={"latitude": 51.5, "longitude": 0}), 502)
    assert "not JSON" in detail and "k-123" not in detail


def test_bearer_token_guards_every_endpoint_but_health(settings):
    client = TestClient(create_app(settings.replace(api_token="s3cret")))
    assert client.get("/health").status_code == 200
    calls = [("get", "/datasets", {}), ("get", "/datasets/demo", {}), ("delete", "/datasets/demo", {}),
             ("get", "/predict-usage", {}), ("get", "/fetch-stations?latitude=1&longitude=1", {}),
             ("post", "/cluster", {"json": {"method": "kmeans", "k": 2}}), ("post", "/place", {"json": {"k": 1}}),
             ("post", "/datasets", {"data": {"name": "x"}, "files": [("files", ("u.csv", USAGE, "text/csv"))]})]
    for method, path, kwargs in calls:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic s3cret"}):
            response = getattr(client, method)(path, headers=headers, **kwargs)
            assert "bearer token" in assert_one_sentence(response, 401), path
            assert response.headers["www-authenticate"] == "Bearer"
    for path in ("/docs", "/openapi.json", "/docs/assets/swagger-ui-bundle.js"):  # as the README says
        response = client.get(path)
        assert "bearer token" in assert_one_sentence(response, 401), path
        assert response.headers["www-authenticate"].startswith("Basic")  # a browser asks for it
        assert client.get(path, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert client.get(path, auth=("anyone", "s3cret")).status_code == 200  # the browser's sign-in box
        assert client.get(path, auth=("anyone", "wrong")).status_code == 401
    good = {"Authorization": "Bearer s3cret"}
    assert client.get("/datasets", headers=good).status_code == 200
    assert client.get("/datasets/demo", headers=good).status_code == 200
    assert [d["id"] for d in client.get("/datasets", headers=good).json()] == ["demo"]  # no upload got through


def test_a_damaged_workspace_is_503_with_one_sentence(settings):
    settings.workspace.mkdir(parents=True)
    (settings.workspace / "workspace.sqlite").write_bytes(b"not sqlite" * 500)
    client = TestClient(create_app(settings))
    assert "damaged" in assert_one_sentence(client.get("/datasets"), 503)
    assert client.get("/health").status_code == 200
