"""What the endpoints are given (FastAPI dependencies): the settings, the workspace and the
service's caches, and who is calling with which role.

Who is calling: with no user in the workspace the service is open (``EVCORE_API_TOKEN``, when
set, is still needed: 401 without it). With users, a request needs a user's bearer token or
``EVCORE_API_TOKEN`` (which acts as an admin): 401 without one, 403 when the role may not act
(``evcore.users``: viewer reads, analyst also writes and computes, admin also manages users).
Each route says the least role it needs with ``needs(role)``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from evcore.api.datasets import LoadedDatasets
from evcore.config import Settings
from evcore.forecast.cache import ForecastCache
from evcore.users import Users, may
from evcore.workspace import Workspace


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def _datasets(request: Request) -> LoadedDatasets:
    return request.app.state.datasets


def _forecasts(request: Request) -> ForecastCache:
    return request.app.state.forecasts


SettingsDep = Annotated[Settings, Depends(_settings)]
WorkspaceDep = Annotated[Workspace, Depends(_workspace)]
DatasetsDep = Annotated[LoadedDatasets, Depends(_datasets)]
ForecastsDep = Annotated[ForecastCache, Depends(_forecasts)]

_bearer = HTTPBearer(auto_error=False, description="a user's token ('python -m evcore users token NAME') or "
                                                   "EVCORE_API_TOKEN")
API_TOKEN_USER = "EVCORE_API_TOKEN"


@dataclass(frozen=True)
class Caller:
    """Who is calling: ``name`` (None in an open workspace) and ``role``."""

    name: str | None
    role: str


def _unauthorised(users_defined: bool) -> HTTPException:
    what = "a user's token ('python -m evcore users token NAME') or EVCORE_API_TOKEN" if users_defined \
        else "EVCORE_API_TOKEN"
    return HTTPException(401, f"A valid bearer token is needed: send 'Authorization: Bearer <token>' with {what}.",
                         headers={"WWW-Authenticate": "Bearer"})


def caller(settings: SettingsDep, workspace: WorkspaceDep,
           credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> Caller:
    given = credentials.credentials if credentials is not None else ""
    if settings.api_token and secrets.compare_digest(given.encode(), settings.api_token.encode()):
        return Caller(API_TOKEN_USER, "admin")
    users = Users(workspace)
    users_defined = users.any()
    if not users_defined:
        if settings.api_token:
            raise _unauthorised(False)
        return Caller(None, "admin")  # an open workspace, as before users existed
    user = users.for_token(given)
    if user is None:
        raise _unauthorised(True)
    return Caller(user["name"], user["role"])


CallerDep = Annotated[Caller, Depends(caller)]


def check_may(who: Caller, role: str, action: str) -> None:
    """403 with one sentence unless ``who`` has ``role`` or more."""
    if not may(who.role, role):
        raise HTTPException(403, f"The {who.role} {who.name!r} may not {action}: it needs the {role} role or more.")


def needs(role: str):
    """A route dependency: the caller must have ``role`` or more."""
    action = {"viewer": "read", "analyst": "change datasets or run computations", "admin": "manage users"}[role]

    async def check(who: CallerDep) -> Caller:  # no worker thread for a comparison
        check_may(who, role, action)
        return who

    check.__name__ = f"needs_{role}"
    return Depends(check)
