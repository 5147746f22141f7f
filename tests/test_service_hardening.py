"""The service where the disk is full or the workspace broken: DELETE still frees space, and no
answer shows a path on the server."""

import contextlib
import os
import shutil
import subprocess
import warnings

import numpy as np
import pandas as pd
import pytest

with warnings.catch_warnings():  # starlette's note about httpx2, not about our code
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conftest import QUICK_LSTM
from evcore.api import create_app
from evcore.config import Settings
from evcore.data import Dataset
from evcore.workspace import Workspace


@contextlib.contextmanager
def small_disk(folder, megabytes=3):
    """A tmpfs of ``megabytes`` at ``folder`` (needs root and mount; else the test is skipped)."""
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def stations(n, seed):
    rng = np.random.default_rng(seed)
    return Dataset(name=f"fill {seed}", stations=pd.DataFrame({
        "station_id": [f"s{i}" for i in range(n)], "name": [rng.bytes(24).hex() for _ in range(n)],
        "latitude": rng.uniform(-60, 60, n), "longitude": rng.uniform(-170, 170, n)}))


def free_bytes(folder) -> int:
    return shutil.disk_usage(folder).free


def test_delete_on_a_full_disk_answers_204_and_gives_the_space_back(tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        settings = Settings(workspace=disk / "ws", lstm=QUICK_LSTM, checkpoints=tmp_path / "models")
        workspace, saved = Workspace(settings.workspace), []
        with pytest.raises(Exception, match="has space"):
            for seed in range(100):  # until the disk is full
                saved.append(workspace.save(stations(4000, seed), source="test")["id"])
        assert len(saved) >= 2 and free_bytes(disk) < 64 * 1024
        client = TestClient(create_app(settings))
        answer = client.delete(f"/datasets/{saved[0]}")
        assert answer.status_code == 204, answer.text
        assert free_bytes(disk) > 200 * 1024  # the dataset's pages went back to the file system
        assert [d["id"] for d in client.get("/datasets").json()][1:] == saved[:0:-1]
        assert client.delete(f"/datasets/{saved[1]}").status_code == 204
        assert client.post("/datasets", data={"name": "after"}, files=[("files", (
            "s.csv", b"station_id,latitude,longitude\nA,47.6,-122.3\n", "text/csv"))]).status_code == 201


def test_no_workspace_error_shows_a_server_path(tmp_path):
    settings = Settings(workspace=tmp_path / "ws", lstm=QUICK_LSTM, checkpoints=tmp_path / "models")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "workspace.sqlite").write_bytes(b"not sqlite" * 500)  # damaged
    damaged = TestClient(create_app(settings)).get("/datasets")
    (tmp_path / "ws" / "workspace.sqlite").unlink()
    (tmp_path / "ws" / "workspace.sqlite").mkdir()  # a folder where the database should be
    unopenable = TestClient(create_app(settings)).post(
        "/datasets", data={"name": "x"}, files=[("files", ("s.csv", b"station_id,latitude,longitude\nA,1,2\n",
                                                           "text/csv"))])
    for answer in (damaged, unopenable):
        assert answer.status_code == 503
        assert str(tmp_path) not in answer.json()["detail"] and "/" not in answer.json()["detail"]


def test_the_store_note_does_not_show_the_server_path(tmp_path):
    from evcore.forecast import forecast_table
    from usage_samples import weekly_usage

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the model store should be")
    table = forecast_table(weekly_usage(), horizon=5, settings=Settings(checkpoints=blocked, lstm=QUICK_LSTM))
    assert "could not be kept" in table.attrs["store_note"] and str(tmp_path) not in table.attrs["store_note"]


# --- large uploads are read in a worker process whose memory is watched ------------------------

USAGE = b"station,date,sessions\n" + b"".join(
    f"{s},{day:%Y-%m-%d},{(d * 7 + i) % 5 + 1}\n".encode()
    for d, day in enumerate(pd.date_range("2024-01-01", periods=70)) for i, s in enumerate(["A", "B"]))


@pytest.fixture
def service(tmp_path):
    return TestClient(create_app(Settings(workspace=tmp_path / "ws", lstm=QUICK_LSTM, checkpoints=tmp_path / "m")))


def post(client, *files, name="big"):
    return client.post("/datasets", data={"name": name}, files=[("files", (n, c, "text/csv")) for n, c in files])


def test_a_large_upload_is_read_in_a_worker_process_with_the_same_result(service, monkeypatch):
    from evcore import uploads

    inline = post(service, ("u.csv", USAGE), name="inline").json()
    workers = []
    real = uploads.subprocess.Popen
    monkeypatch.setattr(uploads, "WORKER_FROM_BYTES", 1)  # every upload counts as large
    monkeypatch.setattr(uploads.subprocess, "Popen", lambda *a, **k: workers.append(a) or real(*a, **k))
    answer = post(service, ("u.csv", USAGE), ("s.csv", b"station_id,latitude,longitude\nA,47.6,-122.3\n"))
    assert answer.status_code == 201, answer.text
    assert len(workers) == 1
    made = answer.json()
    assert (made["stations"], made["days"], made["usage_total"], made["kinds"]) == \
        (inline["stations"], inline["days"], inline["usage_total"], ["usage", "stations"])
    bad = post(service, ("bad.csv", b"\x89PNG\r\n\x1a\n...."))  # the worker's sentence comes through
    assert bad.status_code == 400 and "bad.csv is a PNG image" in bad.json()["detail"]


def test_an_upload_needing_more_memory_than_the_worker_budget_is_413_and_saves_nothing(service, monkeypatch):
    from evcore import uploads

    monkeypatch.setattr(uploads, "WORKER_FROM_BYTES", 1)
    monkeypatch.setattr(uploads, "WORKER_BUDGET_BYTES", 20 * 2**20)  # less than Python with pandas needs
    answer = post(service, ("u.csv", USAGE))
    assert answer.status_code == 413 and "split it into smaller files" in answer.json()["detail"]
    assert [d["id"] for d in service.get("/datasets").json()] == ["demo"]


def test_reading_a_long_usage_csv_needs_less_than_ten_times_its_size_in_memory(tmp_path):
    """What lets a large upload fit the worker's budget (a cell is not a Python string)."""
    import sys

    from conftest import ROOT

    rng = np.random.default_rng(0)
    days = [f"{d:%Y-%m-%d}" for d in pd.date_range("2020-01-01", periods=1000)]
    path = tmp_path / "usage.csv"
    with open(path, "w") as out:
        out.write("station,date,energy_kwh\n")
        for station in range(250):
            out.write("".join(f"STATION-{station:05d},{d},{v:.3f}\n" for d, v in zip(days, rng.gamma(2, 10, 1000))))
    code = ("import resource, sys\nfrom evcore.io import read_file\n"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "reading = read_file(sys.argv[1])\nassert reading.kind == 'usage'\n"
            "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base) * 1024)")
    grew = int(subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.split()[-1])
    assert grew < 10 * path.stat().st_size, f"{grew / 2**20:.0f} MB for a {path.stat().st_size / 2**20:.0f} MB file"


def test_the_service_keeps_loaded_datasets_within_a_memory_bound(tmp_path):
    from evcore.api.datasets import LoadedDatasets, dataset_bytes

    workspace = Workspace(tmp_path / "ws")
    small, large = (workspace.save(stations(n, seed), source="test")["id"] for n, seed in ((10, 1), (20000, 2)))
    loaded = LoadedDatasets(workspace, max_bytes=2 * dataset_bytes(LoadedDatasets(workspace).get(small)) + 1)
    first = loaded.get(small)
    assert loaded.get(small) is first  # kept
    assert loaded.get(large) is not loaded.get(large)  # over the bound alone: read each time, never kept
    assert loaded.get(small) is first
    other = workspace.save(stations(12, 3), source="test")["id"]
    loaded.get(other)  # two small ones are over the bound together: the older goes
    assert loaded.get(small) is not first
