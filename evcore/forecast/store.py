"""The model store: trained models with their metadata, one ``.pt`` file each, in a folder.

A checkpoint holds a model's ``state_dict`` and its metadata (a JSON string: data fingerprint,
settings, library versions, training time, backtest figures). Files are named by a key that
hashes the data fingerprint and the settings, so the same data and settings find the same file,
in a new process too, and anything changed finds no file and trains afresh.

Written atomically (temp file + ``os.replace``; temp files left by a killed writer are removed
by the next save); read with ``torch.load(..., weights_only=True)`` onto the CPU; a file that
cannot be read is treated as missing, so a damaged checkpoint is retrained.

One model, one training: ``model_lock`` holds an advisory lock (``fcntl.flock``) on a
``.lock`` file next to the checkpoint while a model is trained, so a second process or thread
asking for the same model waits and then loads it. The kernel drops the lock when its holder
dies, so a killed trainer leaves no stale lock behind; the holder removes the file when it is
done, and a file left by a killed holder is removed with the stale temp files.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

NOTE = "store_note"  # metadata / DataFrame.attrs key: the sentence saying a model could not be kept here
STALE_TEMP_SECONDS = 600  # a temp file this old belongs to a writer that died mid-save


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


def remove_stale_temp_files(folder: Path, older_than: float = STALE_TEMP_SECONDS) -> None:
    """Delete ``*.tmp`` files in ``folder`` that no live save can still be writing, and
    ``*.lock`` files that old that nobody holds (left by a killed holder)."""
    now = time.time()
    for leftover in [*Path(folder).glob("*.tmp"), *Path(folder).glob("*.lock")]:
        try:
            if now - leftover.stat().st_mtime <= older_than:
                continue
            if leftover.suffix == ".tmp":
                leftover.unlink()
            else:
                _remove_unheld_lock(leftover)
        except OSError:  # gone already, or not ours to delete
            pass


def _remove_unheld_lock(path: Path) -> None:
    import fcntl

    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # held: a training in progress
            return
        if _same_file(handle, path):  # removed while we hold it: see model_lock
            path.unlink()


def _same_file(handle, path) -> bool:
    """Whether the open ``handle`` is still the file at ``path`` (not removed or replaced)."""
    try:
        return os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


def with_store_note(metadata: dict, *tables) -> tuple:
    """``tables`` with the sentence saying their model could not be kept in the store (when
    ``metadata`` has one) in each table's ``attrs[NOTE]``."""
    if metadata.get(NOTE):
        for table in tables:
            table.attrs[NOTE] = metadata[NOTE]
    return tables


def networks_state(networks: list) -> dict:
    """Several networks' weights as one ``state_dict``, each key prefixed by its network's number."""
    return {f"{i}.{k}": v for i, net in enumerate(networks) for k, v in net.state_dict().items()}


def load_networks(state: dict, build) -> list:
    """The networks ``networks_state`` saved in ``state`` (its other keys are the model's own),
    each made by ``build()``, loaded and in eval mode."""
    count = len({k.split(".", 1)[0] for k in state if k[0].isdigit()})
    networks = []
    for i in range(count):
        net = build()
        net.load_state_dict({k.split(".", 1)[1]: v for k, v in state.items() if k.startswith(f"{i}.")})
        networks.append(net.eval())
    return networks


class Checkpoint(NamedTuple):
    state_dict: dict
    metadata: dict
    arrays: dict  # other tensors kept with the model (the backtest's errors)


def save_checkpoint(path: str | os.PathLike, state_dict: dict, metadata: dict, arrays: dict | None = None) -> Path:
    """Write ``state_dict``, ``metadata`` and ``arrays`` to ``path`` atomically; returns the path.

    Raises ``OSError`` when the folder cannot be written (read-only, full); nothing is left
    behind then.
    """
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(path.parent)
    payload = {"state_dict": {k: v.detach().cpu() for k, v in state_dict.items()},
               "metadata": json.dumps(metadata, default=str),
               "arrays": {k: v.detach().cpu() for k, v in (arrays or {}).items()}}
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


def load_checkpoint(path: str | os.PathLike) -> Checkpoint | None:
    """``(state_dict, metadata, arrays)`` from ``path`` (tensors on the CPU, whichever device
    saved them), or None when it is missing or cannot be read."""
    import torch

    path = Path(path)
    if not path.is_file():
        return None
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
        state_dict = payload["state_dict"]
        metadata = json.loads(payload["metadata"])
        arrays = payload.get("arrays", {})
        if not all(isinstance(part, dict) for part in (state_dict, metadata, arrays)):
            return None
        return Checkpoint(state_dict, metadata, arrays)
    except Exception:  # damaged or foreign file: the caller retrains and overwrites it
        return None


FOREIGN = ("The model stored under this data's name was made for other data or settings (a copied or "
           "planted file): it was not used; the model was trained again.")


def stored_checkpoint(path: str | os.PathLike, expected: dict):
    """The checkpoint at ``path`` when its metadata has the ``expected`` values (the data's
    fingerprint, the settings, the model version); None when missing or damaged; ``FOREIGN``
    when the file is another model's (copied or planted under this name): never used."""
    checkpoint = load_checkpoint(path)
    if checkpoint is None:
        return None
    as_json = lambda value: json.dumps(value, sort_keys=True, default=str)  # noqa: E731 (tuples == lists)
    if any(as_json(checkpoint.metadata.get(key)) != as_json(value) for key, value in expected.items()):
        return FOREIGN
    return checkpoint


@contextmanager
def model_lock(path: str | os.PathLike, progress=None, poll_seconds: float = 0.25):
    """Hold the lock of the checkpoint at ``path`` (waiting while another process or thread
    holds it; ``progress(0.0, message)`` says so once). Yields True when locked, False where no
    lock can be taken (a read-only folder, no ``fcntl``): the caller then works unlocked.

    The lock file is removed by its holder before the lock is let go; a waiter that then gets
    the lock of the removed file opens the path again (so two callers never hold two files)."""
    lock_path = f"{path}.lock"
    try:
        import fcntl

        Path(path).parent.mkdir(parents=True, exist_ok=True)
    except (ImportError, OSError):
        yield False
        return
    told = False
    while True:
        try:
            handle = open(lock_path, "a+")
        except OSError:
            yield False
            return
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if progress is not None and not told:
                    progress(0.0, "waiting: the same model is being trained elsewhere")
                    told = True
                time.sleep(poll_seconds)
        if _same_file(handle, lock_path):
            break
        handle.close()  # its holder removed it: lock the file now at the path
    try:
        yield True
    finally:
        try:
            os.unlink(lock_path)
        except OSError:
            pass
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()
