"""A real Streamlit server and a real headless Chromium for end-to-end tests.

Uses Debian's Chromium (/usr/bin/chromium) through Playwright; never a browser download.
Tests skip when either is missing, so the library tests still run on any machine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager

import pytest

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(tmp_path):
    port = _free_port()
    env = dict(os.environ, EVCORE_CHECKPOINTS=str(tmp_path / "checkpoints"))
    log = open(tmp_path / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("streamlit did not start: " + (tmp_path / "streamlit.log").read_text())
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextmanager
def chromium_page(**context):
    """A page of a fresh headless Chromium; ``context``: Playwright's context options (e.g.
    ``http_credentials``)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium chromium-driver)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, **context)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.errors = errors
        try:
            yield page
        finally:
            browser.close()


def map_frame(page, timeout_ms: int = 60000, index: int = 0):
    """The content frame of the index-th folium map, once Leaflet has drawn into it."""
    iframe = page.locator("iframe[title='streamlit_folium.st_folium']").nth(index)
    iframe.wait_for(state="attached", timeout=timeout_ms)
    frame = page.frame_locator("iframe[title='streamlit_folium.st_folium']").nth(index)
    frame.locator(".leaflet-container").first.wait_for(timeout=timeout_ms)
    return iframe, frame
