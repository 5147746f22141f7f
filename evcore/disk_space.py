"""Room to delete on a full disk, for the workspace's SQLite database.

A delete is a write: SQLite needs a little room for its write-ahead log before it can free
anything. The workspace keeps a small reserve file next to its database (made after each write
while there is room); a delete that finds the disk full gives the reserve up and tries again.
The pages a delete frees are handed back to the file system step by step (a workspace made with
``auto_vacuum = INCREMENTAL``; older ones reuse the pages for the next saves instead), each step
small enough to fit in the room the last one made.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

RESERVE_NAME = "workspace.reserve"
RESERVE_BYTES = 1024 * 1024
VACUUM_STEP_PAGES = 64  # pages freed per step: the log of one step fits in the reserve


def keep_reserve(folder: Path, size: int = RESERVE_BYTES) -> None:
    """Make the reserve file when it is missing (nothing when there is no room for it)."""
    path = Path(folder) / RESERVE_NAME
    if path.exists():
        return
    try:
        with open(path, "wb") as handle:
            os.posix_fallocate(handle.fileno(), 0, size)
    except (OSError, AttributeError):  # no room (or no fallocate): no reserve this time
        try:
            path.unlink()
        except OSError:
            pass


def release_reserve(folder: Path) -> bool:
    """Delete the reserve file; whether there was one."""
    try:
        (Path(folder) / RESERVE_NAME).unlink()
        return True
    except OSError:
        return False


def is_disk_full(exc: BaseException) -> bool:
    """Whether an error from SQLite or the file system means the disk has no room."""
    if isinstance(exc, OSError) and exc.errno == 28:
        return True
    text = str(exc)
    return isinstance(exc, sqlite3.Error) and ("full" in text or "disk I/O" in text)


def give_back_free_pages(conn: sqlite3.Connection, step: int = VACUUM_STEP_PAGES) -> None:
    """Shrink the database file by its free pages, ``step`` pages a transaction, emptying the
    write-ahead log after each (an autocommit connection; nothing for a workspace without
    incremental auto-vacuum)."""
    if conn.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
        return
    left = conn.execute("PRAGMA freelist_count").fetchone()[0]
    while left:
        conn.execute(f"PRAGMA incremental_vacuum({int(step)})").fetchall()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        now = conn.execute("PRAGMA freelist_count").fetchone()[0]
        if now >= left:
            return
        left = now
