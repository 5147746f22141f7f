"""The REST service as a real process on a free local port, for end-to-end tests."""

import socket
import subprocess
import sys
import time

import httpx

from conftest import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(workspace, port, env):
    process = subprocess.Popen([sys.executable, "-m", "evcore", "serve", "--port", str(port), "--workspace",
                                str(workspace)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            if process.poll() is not None:
                raise AssertionError(f"the service stopped: {process.stdout.read()}")
            time.sleep(0.2)
    process.kill()
    raise AssertionError("the service did not answer /health within 60 s")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
