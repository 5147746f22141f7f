"""The workspace's users: a name, a role and (optionally) a password; bearer tokens for the API.

Roles, each allowed what the one before it may do and more:

- ``viewer`` reads: every dataset, summary, forecast and map;
- ``analyst`` also writes datasets (upload, append, rename, delete, save a fetch) and runs every
  computation (clustering, placement);
- ``admin`` also manages users.

With no user defined the workspace is open (the dashboard asks no one to sign in, the API asks
only for ``EVCORE_API_TOKEN`` when that is set). Passwords are hashed with Argon2id
(``argon2-cffi``); a token is shown once and only its SHA-256 is kept: tokens are 256 random
bits, so a fast hash is enough to make a stolen database useless, and it lets a request find
its token by one indexed look-up. Removing a user removes its tokens with it.

The tables live in the workspace's database beside the datasets (``users``, ``user_tokens``).
"""

from __future__ import annotations

import hashlib
import re
import secrets

from evcore.errors import InputError

ROLES = ("viewer", "analyst", "admin")
TOKEN_PREFIX = "evc_"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, role TEXT NOT NULL, password TEXT, "
    "created TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS user_tokens (hash TEXT PRIMARY KEY, "
    "name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE, created TEXT NOT NULL)",
)


class UserNotFound(InputError):
    """No user of that name (the service answers 404)."""


def may(role: str | None, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` (a role) may do."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"role: expected one of {', '.join(ROLES)}, got {role!r}.")
    return role


def check_name(name: str) -> str:
    name = str(name).strip()
    if not _NAME.fullmatch(name):
        raise InputError(f"The user name {name[:80]!r} is not valid: expected 1 to 64 letters, digits or . _ @ + - "
                         "(an e-mail address works), starting with a letter or digit.")
    return name


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


class Users:
    """The users of the workspace ``workspace`` (an ``evcore.workspace.Workspace``)."""

    def __init__(self, workspace):
        self.workspace = workspace

    def _write(self):
        return self.workspace.connection(write=True)

    def _select(self, sql: str, params=()) -> list[tuple]:
        with self.workspace.connection() as conn:
            return [] if conn is None else self.workspace.rows(conn, sql, params)

    @staticmethod
    def _create_tables(conn) -> None:
        for statement in _SCHEMA:  # one by one: executescript would commit the open transaction
            conn.execute(statement)

    # --- reading ----------------------------------------------------------------------------

    def any(self) -> bool:
        """Whether any user is defined (else the workspace is open to all)."""
        return bool(self._select("SELECT 1 FROM users LIMIT 1"))

    def list(self) -> list[dict]:
        """Every user: ``name``, ``role``, ``created``, ``password`` (whether one is set) and
        ``tokens`` (how many), by name."""
        rows = self._select("SELECT u.name, u.role, u.created, u.password IS NOT NULL, "
                            "(SELECT COUNT(*) FROM user_tokens t WHERE t.name = u.name) FROM users u ORDER BY u.name")
        return [{"name": n, "role": r, "created": c, "password": bool(p), "tokens": int(t)} for n, r, c, p, t in rows]

    def get(self, name: str) -> dict:
        for user in self.list():
            if user["name"] == name:
                return user
        raise UserNotFound(f"There is no user {name!r}: expected one of the names 'users list' shows.")

    def for_token(self, token: str) -> dict | None:
        """The user (``name``, ``role``) the bearer token belongs to, or None."""
        if not token:
            return None
        rows = self._select("SELECT u.name, u.role FROM user_tokens t JOIN users u ON u.name = t.name "
                            "WHERE t.hash = ?", (token_hash(token),))
        return {"name": rows[0][0], "role": rows[0][1]} if rows else None

    def sign_in(self, name: str, password: str) -> dict | None:
        """The user (``name``, ``role``) when ``password`` is theirs, else None (the same work
        either way, so a wrong name is not told from a wrong password by the time it takes)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        rows = self._select("SELECT name, role, password FROM users WHERE name = ?", (str(name).strip(),))
        hasher = _hasher()
        stored = rows[0][2] if rows and rows[0][2] else _dummy_hash()
        try:
            hasher.verify(stored, str(password))
        except (VerificationError, InvalidHashError):
            return None
        return {"name": rows[0][0], "role": rows[0][1]} if rows and rows[0][2] else None

    # --- writing ----------------------------------------------------------------------------

    def add(self, name: str, role: str, password: str | None = None) -> dict:
        """A new user; ``InputError`` when the name is taken or not valid."""
        from evcore.workspace import now_text

        name, role = check_name(name), check_role(role)
        hashed = _hasher().hash(password) if password else None
        with self._write() as conn:
            self._create_tables(conn)
            if conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise InputError(f"There is already a user {name!r}: remove it first or choose another name.")
            conn.execute("INSERT INTO users (name, role, password, created) VALUES (?, ?, ?, ?)",
                         (name, role, hashed, now_text()))
        return self.get(name)

    def remove(self, name: str) -> None:
        """Remove the user and every token of theirs."""
        with self._write() as conn:
            self._create_tables(conn)
            conn.execute("DELETE FROM user_tokens WHERE name = ?", (name,))
            if conn.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise UserNotFound(f"There is no user {name!r}: expected one of the names 'users list' shows.")

    def new_token(self, name: str) -> str:
        """A new bearer token for the user (returned once: only its hash is kept)."""
        from evcore.workspace import now_text

        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._write() as conn:
            self._create_tables(conn)
            if not conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise UserNotFound(f"There is no user {name!r}: add it first ('users add').")
            conn.execute("INSERT INTO user_tokens (hash, name, created) VALUES (?, ?, ?)",
                         (token_hash(token), name, now_text()))
        return token


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(_hasher().hash(secrets.token_hex(16)))
    return _DUMMY[0]
