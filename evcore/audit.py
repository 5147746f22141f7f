"""Who added, changed, renamed or deleted a dataset, and when: one row an action, kept in the
workspace's database (table ``dataset_events``) in the same transaction as the action itself, and
kept after the dataset is deleted."""

from __future__ import annotations

_SCHEMA = ("CREATE TABLE IF NOT EXISTS dataset_events (at TEXT NOT NULL, dataset_id TEXT NOT NULL, "
           "dataset TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL, user TEXT)")
COLUMNS = ("at", "dataset_id", "dataset", "action", "detail", "user")


def record(conn, dataset_id: str, dataset: str, action: str, detail: str = "", user: str | None = None, *,
           at: str) -> None:
    """Keep one action (``added``, ``changed``, ``appended``, ``renamed``, ``deleted``) at time ``at``
    (the workspace's ``now_text()``) inside the open write transaction ``conn``; ``user`` None where
    no one signed in (an open workspace)."""
    conn.execute(_SCHEMA)
    conn.execute("INSERT INTO dataset_events (at, dataset_id, dataset, action, detail, user) VALUES (?, ?, ?, ?, ?, ?)",
                 (at, dataset_id, dataset, action, detail[:500], user))


def history(workspace, dataset_id: str | None = None, limit: int = 100) -> list[dict]:
    """The latest actions, newest first: on one dataset, or on every dataset (deleted ones too)."""
    where, params = ("WHERE dataset_id = ?", (dataset_id,)) if dataset_id else ("", ())
    with workspace.connection() as conn:
        rows = [] if conn is None else workspace.rows(
            conn, f"SELECT {', '.join(COLUMNS)} FROM dataset_events {where} ORDER BY at DESC, rowid DESC LIMIT ?",
            (*params, int(limit)))
    return [dict(zip(COLUMNS, row)) for row in rows]
