"""Saving and loading trained models with their metadata, in ``checkpoints/``.

A checkpoint is one ``.pt`` file holding a model's ``state_dict`` and its metadata (a JSON string:
data fingerprint, settings, library versions, training time, backtest figures). Files are named by
a key that hashes the data fingerprint and the settings, so the same data and settings find the
same file, in a new process too, and anything changed finds no file and trains afresh.

Written atomically (temp file + ``os.replace``); read with ``torch.load(..., weights_only=True)``;
a file that cannot be read is treated as missing, so a damaged checkpoint is retrained.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
from pathlib import Path

CHECKPOINTS_ENV = "EVCORE_CHECKPOINTS"
REPO_ROOT = Path(__file__).resolve().parents[1]


def checkpoint_dir(directory: str | os.PathLike | None = None) -> Path:
    """The directory given, else ``$EVCORE_CHECKPOINTS``, else ``checkpoints/`` at the repo root."""
    if directory is None:
        directory = os.environ.get(CHECKPOINTS_ENV) or REPO_ROOT / "checkpoints"
    return Path(directory)


def checkpoint_key(*parts) -> str:
    """A short stable hash of JSON-able parts (data fingerprint, settings, ...)."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def library_versions() -> dict:
    import numpy
    import pandas
    import torch

    return {"python": platform.python_version(), "torch": torch.__version__,
            "numpy": numpy.__version__, "pandas": pandas.__version__}


def save_checkpoint(path: str | os.PathLike, state_dict: dict, metadata: dict) -> Path:
    """Write ``state_dict`` and ``metadata`` to ``path`` atomically; returns the path."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"state_dict": {k: v.detach().cpu() for k, v in state_dict.items()},
               "metadata": json.dumps(metadata, default=str)}
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(payload, handle)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a checkpoint is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path


def load_checkpoint(path: str | os.PathLike) -> tuple[dict, dict] | None:
    """``(state_dict, metadata)`` from ``path``, or None when it is missing or cannot be read."""
    import torch

    path = Path(path)
    if not path.is_file():
        return None
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        state_dict = payload["state_dict"]
        metadata = json.loads(payload["metadata"])
        if not isinstance(state_dict, dict) or not isinstance(metadata, dict):
            return None
        return state_dict, metadata
    except Exception:  # damaged or foreign file: the caller retrains and overwrites it
        return None
