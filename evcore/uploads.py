"""One way to put uploaded files into the workspace (the home page, ``POST /datasets`` and
``POST /datasets/{id}/usage``): read each file, combine them, save them as a new dataset or add
them to one.

Large uploads are read in a worker process (``save_uploads_in_worker``): reading a 200 MB CSV
takes minutes of CPU and several times its size in memory, which in the service's own process
would stall every other request and could exhaust the machine. The worker's memory is watched;
past its budget it is stopped and the upload refused in one sentence. One worker runs at a time,
so several large uploads at once queue instead of multiplying the memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import shutil
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from evcore.errors import InputError
from evcore.io import Reading, combine, read_file

WORKER_FROM_BYTES = 16 * 1024 * 1024  # smaller uploads are read in the caller's thread
WORKER_BUDGET_BYTES = 1536 * 1024 * 1024  # the worker's most resident memory
TREE_BUDGET_BYTES = 1800 * 1024 * 1024  # and with the calling process's, under 2 GB (sampled every 0.1 s)
_ONE_WORKER = threading.Lock()
NEW, ADD, APPEND = "new", "add", "append"


class UploadTooLarge(InputError):
    """The upload needs more memory to read than the service gives a worker (the service answers 413)."""


def read_uploads(files, measure: str | None = None) -> list[Reading]:
    """Each ``(name, content)`` (content: bytes or a path) read as a ``Reading`` (``measure``: what
    usage tables' values are, see ``read_file``)."""
    return [read_file(content, name=name, measure=measure) for name, content in files]


def save_readings(workspace, readings: list[Reading], action: str = NEW, name: str | None = None,
                  dataset_id: str | None = None, by: str | None = None) -> tuple[dict, list[str]]:
    """Combine the readings and save them: ``new`` (a dataset called ``name``), ``add`` (tables
    added to or replacing those of ``dataset_id``) or ``append`` (usage appended to it). Returns
    the dataset's summary and one sentence per table added or replaced (none for a new one)."""
    if action == NEW:
        dataset = combine(readings, name=name)
        source = "upload: " + ", ".join(r.source for r in readings)
        return workspace.save(dataset, source=source[:500], name=name or dataset.name, by=by), []
    if action == APPEND:
        for reading in readings:
            if reading.kind != "usage":
                raise InputError(f"{reading.source} holds {reading.kind}, not usage: expected usage files only.")
        return workspace.append_usage(dataset_id, combine(readings, name="appended usage"), by=by)
    return workspace.add_to(dataset_id, combine(readings), by=by)


def save_uploads(workspace, files, action: str = NEW, name: str | None = None, dataset_id: str | None = None,
                 by: str | None = None, measure: str | None = None) -> tuple[dict, list[str]]:
    """``read_uploads`` then ``save_readings``, in a worker process when the files are large."""
    sizes = [len(content) if isinstance(content, (bytes, bytearray)) else _size(content) for _, content in files]
    if sum(sizes) >= WORKER_FROM_BYTES and all(not isinstance(c, (bytes, bytearray)) for _, c in files):
        return save_uploads_in_worker(workspace, files, action, name, dataset_id, by, measure=measure)
    return save_readings(workspace, read_uploads(files, measure), action, name, dataset_id, by)


@contextmanager
def files_on_disk(uploads):
    """Each ``(name, file object)`` copied in chunks to a private temporary folder, as ``(name,
    path)`` (never the whole file in memory); the folder is removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="evcore-upload-") as folder:
        files = []
        for number, (name, handle) in enumerate(uploads):
            path = Path(folder) / f"{number}.upload"
            with open(path, "wb") as out:
                shutil.copyfileobj(handle, out, 1024 * 1024)
            files.append((name, path))
        yield files


def _size(path) -> int:
    try:
        return os.path.getsize(path)
    except (OSError, TypeError):
        return 0


def save_uploads_in_worker(workspace, files, action: str = NEW, name: str | None = None,
                           dataset_id: str | None = None, by: str | None = None,
                           budget: int | None = None, measure: str | None = None) -> tuple[dict, list[str]]:
    """``save_uploads`` for files on disk (``(name, path)``), in a worker process whose resident
    memory is kept under ``budget`` bytes (by default ``WORKER_BUDGET_BYTES``), and under what
    leaves this process and the worker together within ``TREE_BUDGET_BYTES`` (checked as it runs:
    memory this process gives back meanwhile is room for the worker)."""
    budget = WORKER_BUDGET_BYTES if budget is None else budget
    job = json.dumps({"folder": str(workspace.folder), "files": [[n, str(p)] for n, p in files], "action": action,
                      "name": name, "dataset_id": dataset_id, "by": by, "measure": measure})
    root = Path(__file__).resolve().parents[1]
    with _ONE_WORKER:
        give_memory_back()  # what earlier requests freed (a large dataset loaded) becomes the worker's room
        worker = subprocess.Popen([sys.executable, "-m", "evcore.uploads"], cwd=root, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)  # -m: evcore from root
        over, output = _watch(worker, job.encode(), budget)
    if over:
        total = sum(_size(p) for _, p in files)
        room = min(budget, TREE_BUDGET_BYTES - resident_bytes(os.getpid()))
        raise UploadTooLarge(f"The upload ({total / 2**20:.0f} MB) needs more than the {room / 2**30:.1f} GB the "
                             "service can read an upload in now: split it into smaller files (for example by "
                             "year) and add them one after another.")
    answer = _answer_of(output, worker.returncode)
    if "error" in answer:
        from evcore.workspace import DatasetNotFound, WorkspaceUnavailable

        kind = {"not_found": DatasetNotFound, "unavailable": WorkspaceUnavailable}.get(answer["kind"], InputError)
        raise kind(answer["error"])
    return answer["info"], answer["changes"]


def _watch(worker: subprocess.Popen, job: bytes, budget: int) -> tuple[bool, bytes]:
    """Send the job, then watch the worker's memory until it ends: (stopped over budget, its output)."""
    output: list[bytes] = []
    reader = threading.Thread(target=lambda: output.append(worker.communicate(job)[0]), daemon=True)
    reader.start()
    while reader.is_alive():
        used = resident_bytes(worker.pid)
        if used > budget or used + resident_bytes(os.getpid()) > TREE_BUDGET_BYTES:
            worker.kill()
            reader.join()
            return True, b""
        reader.join(0.1)
    return False, (output or [b""])[0]


def _answer_of(output: bytes, exit_code) -> dict:
    try:
        return json.loads(output.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"Reading the upload stopped unexpectedly (exit code {exit_code}): try again, or split "
                         "it into smaller files.", "kind": "input"}


def give_memory_back() -> None:
    """Hand memory this process has freed back to the system: Python's cycles, Arrow's pool and
    the C allocator keep it otherwise (after a large dataset was loaded: 0.4 of 0.5 GB)."""
    import ctypes
    import gc

    gc.collect()
    try:
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    except (ImportError, AttributeError):
        pass
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def resident_bytes(pid: int) -> int:
    """A process's resident memory (Linux; 0 where it cannot be read)."""
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _work(job: dict) -> dict:
    from evcore.workspace import DatasetNotFound, Workspace, WorkspaceUnavailable

    try:
        info, changes = save_readings(Workspace(job["folder"]), read_uploads(job["files"], job.get("measure")),
                                      job["action"],
                                      job["name"], job["dataset_id"], job["by"])
        return {"info": info, "changes": changes}
    except DatasetNotFound as exc:
        return {"error": str(exc), "kind": "not_found"}
    except WorkspaceUnavailable as exc:
        return {"error": str(exc), "kind": "unavailable"}
    except InputError as exc:
        return {"error": str(exc), "kind": "input"}
    except MemoryError:
        return {"error": "The upload needs more memory than there is: split it into smaller files.", "kind": "input"}


if __name__ == "__main__":  # the worker: one job as JSON on stdin, the answer as JSON on stdout's last line
    print(json.dumps(_work(json.loads(sys.stdin.read())), default=str), flush=True)
