"""GET /growth and /place's year on a saved dataset with an adoption history."""

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from evcore.api import create_app
from evcore.config import Settings

from growth_samples import DEMAND, HISTORY, LOAD, SESSIONS


@pytest.fixture
def client(tmp_path):
    return TestClient(create_app(Settings(workspace=tmp_path / "ws")))


def saved(client, files):
    response = client.post("/datasets", data={"name": "growth"},
                           files=[("files", (name, content, "text/csv")) for name, content in files])
    assert response.status_code == 201, response.text
    return response.json()


def test_growth_projects_each_area_up_to_the_year(client):
    info = saved(client, [("h.csv", HISTORY.encode()), ("d.csv", DEMAND.encode())])
    assert info["kinds"] == ["demand", "history"]
    answer = client.get("/growth", params={"dataset": info["id"], "until": 2025}).json()
    assert answer["last_year"] == 2022 and {row["year"] for row in answer["areas"]} == {2023, 2024, 2025}
    by_area = {row["area"]: row for row in answer["areas"] if row["year"] == 2025}
    assert by_area["fast"]["vehicles"] > 2 * 160 and by_area["slow"]["vehicles"] < 30
    assert all(row["lower"] <= row["vehicles"] <= row["upper"] for row in answer["areas"])
    assert "/growth" in client.get("/openapi.json").json()["paths"]


def test_growth_and_place_refuse_in_one_sentence(client):
    info = saved(client, [("d.csv", DEMAND.encode())])
    for response in (client.get("/growth", params={"dataset": info["id"], "until": 2030}),
                     client.post("/place", json={"dataset": info["id"], "k": 1, "year": 2030})):
        assert response.status_code == 400 and "history" in response.json()["detail"]
    with_history = saved(client, [("h.csv", HISTORY.encode()), ("d.csv", DEMAND.encode())])
    response = client.get("/growth", params={"dataset": with_history["id"], "until": 2021})
    assert response.status_code == 400 and "not between" in response.json()["detail"]
    assert client.get("/growth", params={"dataset": "nope", "until": 2030}).status_code == 404


def test_place_for_a_year_follows_the_growing_area(client):
    info = saved(client, [("h.csv", HISTORY.encode()), ("d.csv", DEMAND.encode())])
    today = client.post("/place", json={"dataset": info["id"], "k": 1}).json()
    later = client.post("/place", json={"dataset": info["id"], "k": 1, "year": 2026}).json()
    assert today["sites"] == [[47.0, -121.0]] and today["year"] is None
    assert later["sites"] == [[47.0, -122.0]] and later["year"] == 2026


def test_capacity_for_a_year_uses_the_datasets_history(client):
    from evcore.capacity import erlang_b

    history = "year,county,vehicles\n" + "".join(f"{y},King,{100 * 2 ** i}\n" for i, y in enumerate(range(2019, 2024)))
    info = saved(client, [("s.csv", SESSIONS.encode()), ("h.csv", history.encode())])
    answer = client.get("/capacity", params={"dataset": info["id"], "year": 2024, "rate": 100}).json()
    assert answer["year"] == 2024 and answer["growth"] == pytest.approx(2.0)
    assert answer["stations"][0]["blocking"] == pytest.approx(erlang_b(2, 2 * LOAD), abs=1e-3)
    fitted = client.get("/capacity", params={"dataset": info["id"], "year": 2026}).json()
    assert fitted["growth"] > 2  # doubling every year does not stop at once
    without = saved(client, [("s.csv", SESSIONS.encode())])
    response = client.get("/capacity", params={"dataset": without["id"], "year": 2026})
    assert response.status_code == 400 and "history" in response.json()["detail"]
