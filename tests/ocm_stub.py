"""A local stand-in for Open Charge Map: an HTTP server on 127.0.0.1 that answers /poi/ with
scripted answers (status, headers, body, a delay before answering, a body dripped a byte at a
time), and records the requests it got."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

POIS = [
    {"ID": 101, "AddressInfo": {"Title": "<img src=x onerror=alert(1)> Car park", "Latitude": 51.5074,
                                "Longitude": -0.1278, "Town": "London"},
     "NumberOfPoints": 2, "Connections": [{"PowerKW": 22}, {"PowerKW": 7}]},
    {"ID": 102, "AddressInfo": {"Title": "King's Cross ${alert(1)}", "Latitude": 51.5308, "Longitude": -0.1238,
                                "Town": "London"}, "Connections": [{"PowerKW": 50}]},
    {"ID": 103, "AddressInfo": {"Title": "Brixton", "Latitude": 51.4613, "Longitude": -0.1156}},
]
POIS_JSON = json.dumps(POIS).encode()


class Answer:
    def __init__(self, status: int = 200, body: bytes = POIS_JSON, headers: dict | None = None, delay: float = 0.0,
                 drip: float = 0.0):
        self.status, self.body, self.headers, self.delay, self.drip = status, body, headers or {}, delay, drip


class StubOpenChargeMap:
    """``answers`` are served in order; the last one is repeated when they run out."""

    def __init__(self, answers: list[Answer] | None = None):
        self.answers = list(answers or [Answer()])
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                url = urlparse(self.path)
                stub.requests.append({"path": url.path, "query": {k: v[0] for k, v in parse_qs(url.query).items()}})
                answer = stub.answers.pop(0) if len(stub.answers) > 1 else stub.answers[0]
                if answer.delay:
                    time.sleep(answer.delay)
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer.body)))
                    for key, value in answer.headers.items():
                        self.send_header(key, value)
                    self.end_headers()
                    if answer.drip:
                        for i in range(len(answer.body)):
                            self.wfile.write(answer.body[i:i + 1])
                            self.wfile.flush()
                            time.sleep(answer.drip)
                    else:
                        self.wfile.write(answer.body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (time-out)
                    pass

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v3"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
