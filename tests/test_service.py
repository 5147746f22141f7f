"""The service as users start it: ``python -m evcore serve`` on a free loopback port, a token set,
an upload that survives a restart; and a schemathesis run over the OpenAPI schema that finds no
server error (bounded examples, so it stays short)."""

import os
import socket
import subprocess
import sys
import time
import warnings

import httpx
import pandas as pd
import pytest

from conftest import ROOT
from service_process import free_port, start_service, stop
from evcore.config import Settings
from ocm_stub import StubOpenChargeMap

USAGE = "".join(["station,date,kwh\n"] + [f"{s},{day:%Y-%m-%d},{(d * 3 + i) % 7 + 1}\n"
                                          for d, day in enumerate(pd.date_range("2024-01-01", periods=60))
                                          for i, s in enumerate(["North", "South"])])


def test_serve_on_loopback_with_a_token_and_a_dataset_that_survives_a_restart(tmp_path):
    port = free_port()
    env = {**os.environ, "EVCORE_API_TOKEN": "tok-42"}
    url = f"http://127.0.0.1:{port}"
    auth = {"Authorization": "Bearer tok-42"}
    process = start_service(tmp_path / "ws", port, env)
    try:
        assert httpx.get(f"{url}/datasets").status_code == 401
        created = httpx.post(f"{url}/datasets", headers=auth, data={"name": "January"},
                             files=[("files", ("usage.csv", USAGE.encode(), "text/csv"))])
        assert created.status_code == 201, created.text
        dataset_id = created.json()["id"]
        first = httpx.get(f"{url}/predict-usage", headers=auth, timeout=120,
                          params={"dataset": dataset_id, "horizon": 2})
        assert first.status_code == 200, first.text
    finally:
        stop(process)
    process = start_service(tmp_path / "ws", port, env)
    try:
        listed = httpx.get(f"{url}/datasets", headers=auth).json()
        assert [d["name"] for d in listed] == [listed[0]["name"], "January"]  # the demo, then ours
        again = httpx.get(f"{url}/predict-usage", headers=auth, timeout=120,
                          params={"dataset": dataset_id, "horizon": 2}).json()
        assert again == first.json() and len(again["forecast"]) == 4
        assert httpx.get(f"{url}/openapi.json").status_code == 401  # the token rule of every endpoint
        assert httpx.get(f"{url}/openapi.json", headers=auth).status_code == 200
    finally:
        stop(process)


def test_serve_refuses_a_damaged_workspace_in_one_line(tmp_path):
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "workspace.sqlite").write_bytes(b"not sqlite" * 500)
    result = subprocess.run([sys.executable, "-m", "evcore", "serve", "--port", str(free_port()), "--workspace",
                             str(tmp_path / "ws")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.startswith("error: The workspace") and "damaged" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_refuses_a_port_in_use_or_out_of_range_in_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        for port in (str(taken.getsockname()[1]), "70000"):
            result = subprocess.run([sys.executable, "-m", "evcore", "serve", "--port", port], cwd=ROOT,
                                    capture_output=True, text=True, timeout=60)
            assert result.returncode == 2 and result.stderr.startswith("error: --")
            assert len(result.stderr.strip().splitlines()) == 1


# --- schemathesis over the OpenAPI schema -------------------------------------------------------

schemathesis = pytest.importorskip("schemathesis")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from hypothesis import HealthCheck, settings


def seasonal_naive_table(usage, horizon, settings, progress=None, stations=None):
    """The forecast table's shape from the seasonal-naive baseline: the fuzzing is about what the
    service accepts and answers; the LSTM path is tested above and in tests/test_api.py."""
    from evcore.forecast import SeasonalNaive, daily_matrix, fill_history, forecast_frame

    history = fill_history(daily_matrix(usage))
    return forecast_frame(SeasonalNaive().fit(history), history, horizon)


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    from evcore.api import create_app

    patch = pytest.MonkeyPatch()
    patch.setattr("evcore.forecast.pipeline.forecast_table", seasonal_naive_table)
    with StubOpenChargeMap() as stub:
        app = create_app(Settings(workspace=tmp_path_factory.mktemp("ws"), ocm_url=stub.url,
                                  checkpoints=tmp_path_factory.getbasetemp() / "checkpoints"))
        yield schemathesis.openapi.from_asgi("/openapi.json", app)
    patch.undo()


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=10, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_no_request_gets_a_server_error(case):
    from schemathesis.checks import not_a_server_error

    if case.path == "/place" and isinstance(case.body, dict):
        # The exact solver may take its full 120 s by design (tests/test_placement.py covers it):
        # fuzz the search, with a short time limit, to keep this run short.
        case.body.update(exact=False, time_limit=0.2)
    case.call_and_validate(checks=[not_a_server_error])
