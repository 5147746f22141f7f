"""The workspace: datasets survive a new process, adding files adds, concurrent writers are safe,
and a damaged database is reported, never emptied."""

import sqlite3
import subprocess
import sys
import threading
from contextlib import closing

import pandas as pd
import pytest

from conftest import ROOT
from evcore.demo import demo_dataset
from evcore.errors import InputError
from evcore.io import combine, read_file
from evcore.workspace import DEMO_ID, DatasetNotFound, Workspace, merge_datasets

USAGE = b"station,date,sessions\nA,2024-01-01,3\nA,2024-01-02,4\nB,2024-01-01,5\n"
STATIONS = b"station_id,name,latitude,longitude\nA,=cmd|' /C calc'!A0,47.6,-122.3\nB,<b>Two</b>,47.7,-122.2\n"
DEMAND = b"latitude,longitude,vehicles\n47.6,-122.3,10\n47.61,-122.31,5\n"


def dataset_of(*files):
    return combine([read_file(content, name=name) for name, content in files], name="Mine")


def test_demo_is_listed_first_and_cannot_be_changed(tmp_path):
    ws = Workspace(tmp_path / "ws")
    (demo,) = ws.list()
    assert demo["id"] == DEMO_ID and demo["stations"] == 48 and demo["days"] == 480
    assert ws.load(DEMO_ID).fingerprint() == demo_dataset().fingerprint()
    assert not (tmp_path / "ws").exists()  # reading creates nothing
    for change in (lambda: ws.delete(DEMO_ID), lambda: ws.rename(DEMO_ID, "x")):
        with pytest.raises(InputError, match="built in"):
            change()


def test_saved_dataset_comes_back_identical_in_another_process(tmp_path):
    ws = Workspace(tmp_path / "ws")
    dataset = dataset_of(("u.csv", USAGE), ("s.csv", STATIONS), ("d.csv", DEMAND))
    info = ws.save(dataset, source="upload: u.csv, s.csv, d.csv")
    assert info["kinds"] == ["usage", "stations", "demand"] and info["stations"] == 2 and info["days"] == 2
    assert info["name"] == "Mine" and info["created"]
    code = ("import sys; from evcore.workspace import Workspace; d = Workspace(sys.argv[1]).load(sys.argv[2]); "
            "print(d.fingerprint(), d.usage_unit, d.stations.loc[0, 'name'])")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "ws"), info["id"]], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout.split(maxsplit=2)
    assert out[0] == dataset.fingerprint() and out[1] == "sessions"
    assert out[2].strip() == dataset.stations.loc[0, "name"]  # text kept as text
    loaded = ws.load(info["id"])
    pd.testing.assert_frame_equal(loaded.usage, dataset.usage)
    assert loaded.notes == dataset.notes


def test_adding_files_adds_and_says_what_it_added_or_replaced(tmp_path):
    ws = Workspace(tmp_path / "ws")
    info = ws.save(dataset_of(("u.csv", USAGE), ("d.csv", DEMAND)), source="upload")
    info, changes = ws.add_to(info["id"], dataset_of(("s.csv", STATIONS)))
    assert changes == ["Added the stations (2 stations)."]
    assert info["kinds"] == ["usage", "stations", "demand"]
    info, changes = ws.add_to(info["id"], dataset_of(("d2.csv", b"latitude,longitude,vehicles\n47,-122,7\n")))
    assert changes == ["Replaced the demand (1 locations, 7 vehicles)."]
    loaded = ws.load(info["id"])
    assert loaded.usage is not None and len(loaded.stations) == 2 and loaded.demand["weight"].sum() == 7


def test_merge_keeps_what_the_addition_lacks():
    current = dataset_of(("u.csv", USAGE))
    merged, changes = merge_datasets(current, dataset_of(("d.csv", DEMAND)))
    assert merged.usage is current.usage and merged.demand is not None and merged.usage_unit == "sessions"
    assert changes == ["Added the demand (2 locations, 15 vehicles)."]


def test_rename_delete_and_last_opened(tmp_path):
    ws = Workspace(tmp_path / "ws")
    first = ws.save(dataset_of(("u.csv", USAGE)), source="upload")
    second = ws.save(dataset_of(("d.csv", DEMAND)), source="upload")
    assert [d["id"] for d in ws.list()] == [DEMO_ID, second["id"], first["id"]]
    assert ws.rename(first["id"], "  Seattle   2024 ")["name"] == "Seattle 2024"
    with pytest.raises(InputError, match="name"):
        ws.rename(first["id"], "   ")
    ws.set_last_opened(first["id"])
    assert Workspace(tmp_path / "ws").last_opened() == first["id"]
    ws.delete(first["id"])
    assert ws.last_opened() == DEMO_ID
    with pytest.raises(DatasetNotFound):
        ws.load(first["id"])
    with pytest.raises(DatasetNotFound):
        ws.delete(first["id"])
    assert [d["id"] for d in ws.list()] == [DEMO_ID, second["id"]]


def at_once(work, threads: int) -> list:
    """Run ``work`` in ``threads`` threads started together; the exceptions they raised."""
    start, errors = threading.Barrier(threads), []

    def run():
        start.wait()
        try:
            work()
        except Exception as exc:  # noqa: BLE001 (collected for the assertion)
            errors.append(exc)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return errors


def test_concurrent_writers_lose_nothing(tmp_path):
    dataset = dataset_of(("u.csv", USAGE))

    def writer():
        ws = Workspace(tmp_path / "ws")  # each writer its own object, as the app and the service
        for _ in range(5):
            info = ws.save(dataset, source="upload")
            ws.rename(info["id"], "renamed")

    assert at_once(writer, 6) == []
    saved = Workspace(tmp_path / "ws").list()[1:]
    assert len(saved) == 30 and all(d["name"] == "renamed" for d in saved)
    with closing(sqlite3.connect(tmp_path / "ws" / "workspace.sqlite")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_writers_that_create_the_workspace_together_all_save(tmp_path):
    # the first writes of a new workspace switch it to WAL; SQLite answered "database is locked"
    # at once to a writer that came in during another's switch (2-3 of 100 such starts failed)
    dataset = dataset_of(("u.csv", USAGE))
    for trial in range(30):
        folder = tmp_path / f"ws{trial}"
        assert at_once(lambda: Workspace(folder).save(dataset, source="upload"), 8) == []
        assert len(Workspace(folder).list()) == 1 + 8


def test_a_save_waits_out_the_switch_to_wal_instead_of_failing(tmp_path, monkeypatch):
    # what SQLite does to a writer that comes in during another's switch, made certain
    refusals = iter(range(3))

    class Switching(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith("PRAGMA journal_mode") and next(refusals, None) is not None:
                raise sqlite3.OperationalError("database is locked")
            return super().execute(sql, *args)

    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, factory=Switching, **k))
    info = Workspace(tmp_path / "ws").save(dataset_of(("u.csv", USAGE)), source="upload", name="kept")
    assert next(refusals, None) is None  # all three refusals were met, and waited out
    monkeypatch.undo()
    assert Workspace(tmp_path / "ws").info(info["id"])["name"] == "kept"
    with closing(sqlite3.connect(tmp_path / "ws" / "workspace.sqlite")) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_damaged_workspace_is_one_sentence_and_left_as_it_was(tmp_path):
    folder = tmp_path / "ws"
    folder.mkdir()
    junk = b"this is not a database" * 300
    (folder / "workspace.sqlite").write_bytes(junk)
    ws = Workspace(folder)
    for call in (ws.list, lambda: ws.save(dataset_of(("u.csv", USAGE)), source="upload"), ws.last_opened):
        with pytest.raises(InputError, match="damaged") as err:
            call()
        assert "\n" not in str(err.value)
    assert (folder / "workspace.sqlite").read_bytes() == junk


def test_a_damaged_table_is_reported_when_loaded(tmp_path):
    ws = Workspace(tmp_path / "ws")
    info = ws.save(dataset_of(("u.csv", USAGE)), source="upload")
    with sqlite3.connect(ws.path) as conn:
        conn.execute("UPDATE dataset_tables SET data = ?", (b"garbage",))
    with pytest.raises(InputError, match="damaged"):
        ws.load(info["id"])


def test_a_read_only_workspace_says_it_cannot_be_written(tmp_path):
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    ws = Workspace(tmp_path / "ws")
    ws.save(dataset_of(("u.csv", USAGE)), source="upload")
    os.chmod(tmp_path / "ws", 0o500)
    os.chmod(ws.path, 0o400)
    try:
        with pytest.raises(InputError, match="cannot be"):
            ws.save(dataset_of(("u.csv", USAGE)), source="upload")
        assert len(ws.list()) == 2
    finally:
        os.chmod(tmp_path / "ws", 0o700)
        os.chmod(ws.path, 0o600)


def test_a_workspace_that_cannot_be_opened_is_one_sentence(tmp_path):
    (tmp_path / "ws" / "workspace.sqlite").mkdir(parents=True)  # a folder where the database should be
    with pytest.raises(InputError, match="cannot be") as err:
        Workspace(tmp_path / "ws").save(dataset_of(("u.csv", USAGE)), source="upload")
    assert "\n" not in str(err.value)


def test_a_writer_that_comes_in_between_is_not_overwritten(tmp_path, monkeypatch):
    ws = Workspace(tmp_path / "ws")
    info = ws.save(dataset_of(("u.csv", USAGE)), source="upload")
    other = Workspace(tmp_path / "ws")  # the service, say, adding at the same moment
    load = Workspace.load
    calls = []

    def load_then_other_writer(self, dataset_id):
        loaded = load(self, dataset_id)
        if self is ws and not calls:  # between our read and our write, the other adds demand
            calls.append(1)
            other.add_to(dataset_id, dataset_of(("d.csv", DEMAND)))
        return loaded

    monkeypatch.setattr(Workspace, "load", load_then_other_writer)
    ws.add_to(info["id"], dataset_of(("s.csv", STATIONS)))
    assert calls and ws.info(info["id"])["kinds"] == ["usage", "stations", "demand"]
