"""``serve``: the REST service (FastAPI on uvicorn) over the workspace."""

from __future__ import annotations

from evcore.cli.common import log
from evcore.errors import InputError


def add_parser(sub, formatter) -> None:
    p = sub.add_parser("serve", help="start the REST service",
                       description="Start the REST service (OpenAPI at /docs). With EVCORE_API_TOKEN set, "
                                   "every endpoint but /health needs 'Authorization: Bearer <token>'.",
                       formatter_class=formatter)
    p.add_argument("--host", default="127.0.0.1", help="the address to listen on (0.0.0.0: every interface)")
    p.add_argument("--port", type=int, default=8000, help="the port to listen on")
    p.add_argument("--workspace", help="the workspace folder (default: EVCORE_WORKSPACE or data/workspace)")
    p.set_defaults(func=run)


def run(args) -> int:
    import uvicorn

    from evcore.api import create_app
    from evcore.workspace import Workspace

    if not 0 <= args.port <= 65535:
        raise InputError(f"--port: expected a port number from 0 to 65535, got {args.port}.")
    _check_address(args.host, args.port)
    settings = args.settings
    if args.workspace:
        settings = settings.replace(workspace=args.workspace)
    Workspace(settings.workspace).list()  # a damaged workspace: one error line now, not on each request
    log(f"serving the workspace {settings.workspace} on http://{args.host}:{args.port} (docs at /docs)"
        + ("; a bearer token is needed" if settings.api_token else ""))
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def _check_address(host: str, port: int) -> None:
    """One error line now for an address in use or not on this machine (uvicorn would log a
    traceback-like message and exit 1)."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(infos[0][4])
    except OSError as exc:
        raise InputError(f"--host/--port: cannot listen on {host}:{port} ({exc.strerror or exc}): choose "
                         "another port, or an address of this machine.") from None
