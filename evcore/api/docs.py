"""The service's own documentation: ``/openapi.json`` and ``/docs`` (Swagger UI 5, which reads
FastAPI's OpenAPI 3.1, served from the files the pinned ``fastapi-offline`` package bundles, so it
draws with no network). They follow the token rule of every other endpoint; a browser, which
cannot send a bearer header when it opens a page, may give the token as the password of the
sign-in box it shows (HTTP Basic, any user name)."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials
from starlette.exceptions import HTTPException

from evcore.api.deps import SettingsDep, WorkspaceDep, caller, check_may

ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css", "favicon.png": "image/png"}


def _assets_folder() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def _token(request: Request) -> HTTPAuthorizationCredentials | None:
    """The bearer token, or the password of HTTP Basic credentials (what a browser sends)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return HTTPAuthorizationCredentials(scheme="Bearer", credentials=value.strip())
    if scheme.lower() == "basic":
        try:
            password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return None
        return HTTPAuthorizationCredentials(scheme="Bearer", credentials=password)
    return None


def _reader(request: Request, settings: SettingsDep, workspace: WorkspaceDep) -> None:
    try:
        who = caller(settings, workspace, _token(request))
    except HTTPException as exc:
        if exc.status_code != 401:
            raise
        raise HTTPException(401, f"{exc.detail} A browser may give the token as the password of its sign-in box.",
                            headers={"WWW-Authenticate": 'Basic realm="evcore API", charset="UTF-8"'}) from None
    check_may(who, "viewer", "read")


router = APIRouter(dependencies=[Depends(_reader)], include_in_schema=False)


@router.get("/openapi.json")
def openapi(request: Request) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs")
def docs(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{request.app.title} - Swagger UI",
                               swagger_js_url="/docs/assets/swagger-ui-bundle.js",
                               swagger_css_url="/docs/assets/swagger-ui.css",
                               swagger_favicon_url="/docs/assets/favicon.png")


@router.get("/docs/assets/{name}")
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, f"There is no documentation file {name!r}.")
    return FileResponse(_assets_folder() / name, media_type=ASSETS[name])
