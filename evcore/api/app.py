"""``create_app(settings)``: the FastAPI application, its error answers and upload limit. The
routes live in ``evcore.api.routes`` (datasets, forecasts, stations, clusters, placement),
``evcore.api.usage`` (usage appended) and ``evcore.api.users``; who may call them, in
``evcore.api.deps``."""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from evcore.config import Settings
from evcore.errors import InputError

MAX_UPLOAD_BYTES = 200 * 1024 * 1024  # as the dashboard's server.maxUploadSize (200 MB)
TOO_LARGE = f"The upload is larger than {MAX_UPLOAD_BYTES // 2**20} MB: send smaller files."


def create_app(settings: Settings | None = None) -> FastAPI:
    """The REST service over the workspace in ``settings.workspace``."""
    from evcore.api import capacity, docs, growth, load, usage, users
    from evcore.api.datasets import LoadedDatasets
    from evcore.api.deps import needs
    from evcore.api.routes import protected, public
    from evcore.forecast.cache import ForecastCache
    from evcore.workspace import Workspace

    settings = settings or Settings()
    app = FastAPI(title="evcore", version="1.0", docs_url=None, redoc_url=None, openapi_url=None,  # evcore.api.docs
                  description="EV charging analytics: saved datasets, usage forecasts, clusters, new "
                              "station sites and live Open Charge Map stations.")
    app.state.settings = settings
    app.state.workspace = Workspace(settings.workspace)
    app.state.datasets = LoadedDatasets(app.state.workspace)
    app.state.forecasts = ForecastCache()
    app.add_middleware(UploadLimit)
    app.include_router(public)
    app.include_router(docs.router)  # /docs and /openapi.json: the token rule of every endpoint, own files
    for router in (protected, usage.router, capacity.router, growth.router, load.router, users.router):  # each route says what more it needs
        app.include_router(router, dependencies=[needs("viewer")])
    _add_error_answers(app)
    return app


def _detail(status: int, sentence: str, headers=None) -> JSONResponse:
    return JSONResponse({"detail": sentence}, status_code=status, headers=headers)


def _add_error_answers(app: FastAPI) -> None:
    from evcore.openchargemap import UpstreamError
    from evcore.uploads import UploadTooLarge
    from evcore.users import UserNotFound
    from evcore.workspace import DatasetNotFound, WorkspaceUnavailable

    statuses = ((DatasetNotFound, 404), (UserNotFound, 404), (UpstreamError, 502), (WorkspaceUnavailable, 503),
                (UploadTooLarge, 413))

    @app.exception_handler(InputError)
    async def input_error(request, exc: InputError):
        status = next((code for kind, code in statuses if isinstance(exc, kind)), 400)
        return _detail(status, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request, exc: RequestValidationError):
        return _detail(422, validation_sentence(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request, exc: StarletteHTTPException):
        return _detail(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request, exc: Exception):  # a bug: still one sentence, never a traceback
        return _detail(500, f"Unexpected {type(exc).__name__} on the server; please report it.")


def validation_sentence(errors) -> str:
    """FastAPI's list of validation errors as one sentence about the first."""
    if not errors:
        return "The request is not valid."
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("query", "body", "path"))
    message = str(first.get("msg", "is not valid")).rstrip(".")
    text = f"{where}: {message}" if where else message
    more = len(errors) - 1
    return text + (f" (and {more} more problem{'s' if more > 1 else ''})." if more else ".")


class UploadLimit:
    """Request bodies over ``MAX_UPLOAD_BYTES`` get 413 with one sentence: at once when the
    declared Content-Length is over, else as soon as the bytes that came in are."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length", b"")
        if length.isdigit() and int(length) > MAX_UPLOAD_BYTES:
            body = json.dumps({"detail": TOO_LARGE}).encode()
            await send({"type": "http.response.start", "status": 413,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        seen = 0

        async def counted_receive():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_UPLOAD_BYTES:  # FastAPI passes HTTPException on to the handler above
                raise StarletteHTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, counted_receive, send)
