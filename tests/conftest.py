import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A file in ../shared/data, or skip the test when it is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    return path


# A small LSTM for every test: pages that forecast (Forecast, Clusters) train in seconds, not
# minutes. Full-size accuracy is measured by bench/forecast.py, not by the tests.
QUICK_LSTM = {"epochs": 3, "seeds": 1, "average_last": 1, "max_windows_per_epoch": 512}
QUICK_HOURLY = {"epochs": 2, "per_epoch": 64, "batch_size": 32, "average_last": 1, "hidden_size": 8}


@pytest.fixture(autouse=True)
def _quick_lstm_and_private_checkpoints(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("EVCORE_LSTM_SETTINGS", json.dumps(QUICK_LSTM))
    monkeypatch.setenv("EVCORE_HOURLY_SETTINGS", json.dumps(QUICK_HOURLY))
    monkeypatch.setenv("EVCORE_CHECKPOINTS", str(tmp_path_factory.getbasetemp() / "checkpoints"))
    # each test its own empty workspace: never the user's data/workspace
    monkeypatch.setenv("EVCORE_WORKSPACE", str(tmp_path_factory.mktemp("workspace")))
    yield


def shown(markdown: str) -> str:
    """What Streamlit shows for markdown that ``ui.as_text`` escaped: the text without its
    backslash escapes."""
    import re

    return re.sub(r"\\(.)", r"\1", markdown)
