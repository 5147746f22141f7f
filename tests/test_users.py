"""The workspace's users (library and ``python -m evcore users``), the audit log, and usage
appended in the library."""

import subprocess
import sys

import pandas as pd
import pytest

from evcore import audit
from evcore.appending import append_usage, usage_from_rows
from evcore.data import Dataset
from evcore.errors import InputError
from evcore.users import Users
from evcore.workspace import Workspace

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def users_cli(*args, stdin: str = ""):
    return subprocess.run([sys.executable, "-m", "evcore", "users", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=60)


def test_users_cli_adds_lists_gives_a_token_once_and_removes(tmp_path):
    folder = str(tmp_path / "ws")
    added = users_cli("--workspace", folder, "add", "ann", "--role", "analyst", "--password-stdin",
                      stdin="correct horse\n")
    assert added.returncode == 0 and added.stdout == "", added.stderr
    token = users_cli("--workspace", folder, "token", "ann")
    assert token.returncode == 0
    printed = token.stdout.strip().splitlines()[-1]
    users = Users(Workspace(folder))
    assert users.for_token(printed) == {"name": "ann", "role": "analyst"}
    assert users.sign_in("ann", "correct horse") == {"name": "ann", "role": "analyst"}
    assert users.sign_in("ann", "wrong horse") is None and users.sign_in("bob", "correct horse") is None
    database = (tmp_path / "ws" / "workspace.sqlite").read_bytes()
    assert printed.encode() not in database and b"correct horse" not in database  # hashed, both
    listed = users_cli("--workspace", folder, "list")
    assert listed.stdout.startswith("ann\tanalyst\tpassword: yes\ttokens: 1")
    assert users_cli("--workspace", folder, "remove", "ann").returncode == 0
    assert users.for_token(printed) is None and not users.any()


@pytest.mark.parametrize("args,stdin,words", [
    (("add", "ann", "--role", "boss"), "", "invalid choice"),
    (("add", "an n", "--role", "viewer"), "", "not valid"),
    (("add", "ann", "--role", "viewer", "--password-stdin"), "short\n", "shorter than 8"),
    (("add", "ann", "--role", "viewer", "--password-stdin"), "", "empty"),
    (("remove", "nobody"), "", "no user 'nobody'"),
    (("token", "nobody"), "", "no user 'nobody'"),
])
def test_users_cli_refuses_bad_input_in_one_line(tmp_path, args, stdin, words):
    result = users_cli("--workspace", str(tmp_path / "ws"), *args, stdin=stdin)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("error:") and words in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_user_name_is_taken_once(tmp_path):
    users = Users(Workspace(tmp_path))
    users.add("ann", "viewer")
    with pytest.raises(InputError, match="already a user 'ann'"):
        users.add("ann", "admin")
    assert users.get("ann")["role"] == "viewer" and users.sign_in("ann", "") is None  # no password: tokens only


def test_who_added_renamed_and_deleted_is_kept_after_the_dataset_is_gone(tmp_path):
    ws = Workspace(tmp_path)
    info = ws.save(Dataset("Depot", usage=daily({"A": 1.0}, "2024-01-01")), source="test", by="ann")
    ws.rename(info["id"], "Depot north", by="bob")
    ws.delete(info["id"], by="carol")
    events = audit.history(ws)
    assert [(e["action"], e["user"], e["dataset"]) for e in events] == [
        ("deleted", "carol", "Depot north"), ("renamed", "bob", "Depot north"), ("added", "ann", "Depot")]
    assert events[1]["detail"] == "from Depot" and events[0]["at"] >= events[2]["at"]


def daily(values: dict, day: str) -> pd.DataFrame:
    return pd.DataFrame({"station_id": list(values), "date": pd.Timestamp(day), "usage": list(values.values())})


def test_appending_the_same_rows_twice_counts_them_once():
    current = Dataset("x", usage=pd.concat([daily({"A": 1.0, "B": 2.0}, "2024-01-01"),
                                            daily({"A": 3.0, "B": 4.0}, "2024-01-02")], ignore_index=True))
    added = usage_from_rows([{"station_id": "A", "date": "2024-01-02", "usage": 5},
                             {"station_id": "A", "date": "2024-01-03", "usage": 6}])
    once, changes = append_usage(current, added)
    twice, again = append_usage(once, added)
    assert "1 new station-days, 1 replaced" in changes[0] and "0 new station-days, 2 replaced" in again[0]
    assert "ends on 03 Jan 2024" in again[0]
    assert twice.usage["usage"].sum() == once.usage["usage"].sum() == 1 + 2 + 5 + 4 + 6
    assert not twice.usage.duplicated(["station_id", "date"]).any()


def test_hourly_rows_are_summed_to_their_day_and_units_must_agree():
    added = usage_from_rows([{"station_id": "A", "time": "2024-01-03 10:00", "usage": 1.5},
                             {"station_id": "A", "time": "2024-01-03 11:30", "usage": 2.0}])
    assert added.usage.to_dict("records") == [{"station_id": "A", "date": pd.Timestamp("2024-01-03"), "usage": 3.5}]
    sessions = Dataset("x", usage=daily({"A": 1.0}, "2024-01-01"), usage_unit="sessions")
    with pytest.raises(InputError, match="in kWh but the dataset's is in sessions"):
        append_usage(sessions, added)


def test_hours_appended_to_an_hourly_dataset_add_to_the_hours_already_there():
    hourly = pd.DataFrame({"station_id": ["A", "A"], "time": pd.to_datetime(["2024-01-03 09:00", "2024-01-03 10:00"]),
                           "energy": [1.0, 2.0], "occupancy": [1.0, 1.0]})
    current = Dataset("x", usage=daily({"A": 3.0}, "2024-01-03"), hourly=hourly)
    later = usage_from_rows([{"station_id": "A", "time": "2024-01-03 10:00", "usage": 4.0},  # replaces 2.0
                             {"station_id": "A", "time": "2024-01-03 11:00", "usage": 5.0}])
    merged, _ = append_usage(current, later)
    assert merged.usage["usage"].tolist() == [1.0 + 4.0 + 5.0]
    assert merged.hourly["energy"].tolist() == [1.0, 4.0, 5.0]
