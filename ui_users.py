"""Streamlit glue for the workspace's users: the sign-in the app asks for when users are defined,
what the signed-in role may do, and who changed which dataset.

With no user in the workspace the dashboard is open, as before (``may`` is always true). With
users, ``sign_in_gate()`` (called by app.py before any page) shows the sign-in form until someone
signs in with a name and password (``python -m evcore users add NAME --role ROLE``). Where the
deployment has an identity provider configured for Streamlit (an ``[auth]`` section in
``.streamlit/secrets.toml``; see the README), the form also offers ``st.login``: the provider's
e-mail address (or, failing that, its name) must be a workspace user's name, whose role applies.
"""

from __future__ import annotations

import streamlit as st

from ui import as_text, workspace

USER_KEY = "signed_in_user"  # {"name", "role"} of who signed in this session


def _users():
    from evcore.users import Users

    return Users(workspace())


def users_defined() -> bool | None:
    """Whether the workspace has users; None when it cannot be read (damaged, busy)."""
    from evcore.errors import InputError

    try:
        return _users().any()
    except InputError:  # the home page says what is wrong
        return None


def signed_in() -> dict | None:
    return st.session_state.get(USER_KEY)


def signed_in_name() -> str | None:
    """Who is acting, for the workspace's history (None in an open workspace)."""
    user = signed_in()
    return user["name"] if user else None


def may(role: str) -> bool:
    """Whether this session may do what ``role`` may (always, in an open workspace)."""
    from evcore.users import may as role_may

    user = signed_in()
    if user:
        return role_may(user["role"], role)
    defined = users_defined()
    return role == "viewer" if defined is None else not defined  # unreadable: look, but change nothing


def identity_provider() -> bool:
    """Whether Streamlit's own sign-in (OpenID Connect) is configured for this deployment."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets.toml at all (Streamlit raises its own error type): not configured
        return False


def sign_in_gate() -> None:
    """Stop every page until someone signs in, when the workspace has users; otherwise nothing.
    A signed-in user who was removed, or whose role changed, is seen on the next run."""
    defined = users_defined()
    if defined is None:  # nobody can be checked, nothing can be changed: the demo may still be seen
        return
    if not defined:
        st.session_state.pop(USER_KEY, None)
        return
    user = signed_in()
    if user is not None:
        _refresh(user)
        if signed_in() is not None:
            _sidebar()
            return
    if identity_provider() and getattr(st.user, "is_logged_in", False):
        _from_identity_provider()
    if signed_in() is None and not _sign_in_form():
        st.stop()
    _sidebar()


def _refresh(user: dict) -> None:
    from evcore.errors import InputError

    try:
        current = _users().get(user["name"])
    except InputError:
        st.session_state.pop(USER_KEY, None)
        return
    st.session_state[USER_KEY] = {"name": current["name"], "role": current["role"]}


def _from_identity_provider() -> None:
    from evcore.errors import InputError

    identity = st.user.get("email") or st.user.get("name") or ""
    try:
        user = _users().get(str(identity))
    except InputError:
        st.error(f"{as_text(identity)} signed in, but is not a user of this workspace: ask an admin to add "
                 "them ('python -m evcore users add NAME --role viewer').")
        st.button("Sign out", on_click=st.logout)
        st.stop()
    st.session_state[USER_KEY] = {"name": user["name"], "role": user["role"]}


def _sign_in_form() -> bool:
    """The sign-in form; True when someone just signed in (the form is then taken away)."""
    slot = st.empty()
    with slot.container():
        st.title("⚡ EV charging planner")
        st.subheader("Sign in")
        with st.form("sign_in"):
            name = st.text_input("User name", key="sign_in_name")
            password = st.text_input("Password", type="password", key="sign_in_password")
            submitted = st.form_submit_button("Sign in")
        if identity_provider():
            st.button("Sign in with your organisation's account", on_click=st.login, key="sign_in_provider")
    if not submitted:
        return False
    user = _users().sign_in(name, password)
    if user is None:
        st.error("Wrong user name or password.")
        return False
    st.session_state[USER_KEY] = user
    slot.empty()
    return True


def _sidebar() -> None:
    user = signed_in()
    st.sidebar.caption(f"Signed in as **{as_text(user['name'])}** ({user['role']})")
    st.sidebar.button("Sign out", key="sign_out", on_click=_sign_out)


def _sign_out() -> None:  # a callback: the next run starts signed out
    st.session_state.pop(USER_KEY, None)
    if identity_provider() and getattr(st.user, "is_logged_in", False):
        st.logout()


def history_lines(dataset_id: str | None = None, limit: int = 20) -> list[str]:
    """Who added, changed, appended to, renamed or deleted a dataset and when, newest first, as
    markdown lines (names escaped)."""
    from evcore import audit

    lines = []
    for event in audit.history(workspace(), dataset_id, limit=limit):
        when = event["at"][:16].replace("T", " ")
        who = as_text(event["user"]) if event["user"] else "someone (no sign-in)"
        detail = f": {as_text(event['detail'])}" if event["detail"] and event["action"] != "added" else ""
        lines.append(f"- {when} UTC, **{who}** {event['action']} **{as_text(event['dataset'])}**{detail}")
    return lines
