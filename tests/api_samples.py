"""What the REST service's tests send: small usage, stations and demand files, an upload, and
the check that an error is one sentence."""

import pandas as pd

USAGE = b"station,date,sessions\n" + b"".join(
    f"{s},{day:%Y-%m-%d},{(d * 7 + i) % 5 + 1}\n".encode()
    for d, day in enumerate(pd.date_range("2024-01-01", periods=70)) for i, s in enumerate(["A", "B"]))
STATIONS = b"station_id,name,latitude,longitude\nA,Alpha,47.6,-122.3\nB,Beta,47.7,-122.2\nC,Gamma,47.65,-122.25\n"
DEMAND = b"latitude,longitude,vehicles\n47.6,-122.3,10\n47.61,-122.31,5\n47.7,-122.2,3\n"


def upload(client, name="mine", files=(("u.csv", USAGE), ("s.csv", STATIONS), ("d.csv", DEMAND)), **kwargs):
    return client.post("/datasets", data={"name": name}, files=[("files", (n, c, "text/csv")) for n, c in files],
                       **kwargs)


def assert_one_sentence(response, status):
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["detail"] and isinstance(body["detail"], str) and "\n" not in body["detail"]
    return body["detail"]
