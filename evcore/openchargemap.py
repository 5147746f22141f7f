"""The live Open Charge Map client: stations around a point, read by the same parser as an
uploaded Open Charge Map JSON file (``evcore.io.read_file``).

``GET {settings.ocm_url}/poi/`` with ``latitude``, ``longitude``, ``distance``,
``distanceunit=KM``, ``maxresults`` and ``key``. A whole call has one deadline (30 s): requests,
retries of a 429 or 5xx answer (or a dropped connection) with exponential back-off, and the
server's ``Retry-After`` when it fits in what is left; a server that drips or stays silent is cut
off at the deadline. A redirect is followed only on the same scheme, host and port (the key is
never sent elsewhere); the answer is read up to a size that ``maxresults`` stations can fill, and
at most ``maxresults`` stations are kept. Whatever goes wrong ends in one ``InputError``
sentence. The key comes from the caller (the dashboard's password field) or
``settings.ocm_api_key``; it is sent, never written into a message or a log.
"""

from __future__ import annotations

import http.client
import json
import math
import socket
import threading
import time
import urllib.parse
from email.utils import parsedate_to_datetime

from evcore.config import Settings
from evcore.errors import InputError
from evcore.io import Reading, read_file

SOURCE_NAME = "Open Charge Map"
MAX_DISTANCE_KM = 500.0
MAX_RESULTS = 5000
DEADLINE_SECONDS = 30.0
MAX_REDIRECTS = 3
BYTES_PER_STATION = 16 * 1024  # a compact POI is about 1 KB (the recorded London answer: 1.1 KB)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class UpstreamError(InputError):
    """Open Charge Map cannot be reached or answers nonsense (the REST service answers 502)."""


class _Retryable(Exception):
    """One try failed in a way another try may not: ``problem`` says how, ``wait`` (seconds) is
    what the server asked for, if anything."""

    def __init__(self, problem: str, wait: float | None = None):
        super().__init__(problem)
        self.problem, self.wait = problem, wait


class OpenChargeMapClient:
    """Fetch POIs from Open Charge Map.

    Parameters: ``base_url`` and ``api_key`` (from ``settings`` unless given), ``timeout``
    (seconds per network wait), ``retries`` (extra tries after the first), ``backoff`` (first
    wait in seconds, doubled each retry), ``deadline`` (seconds for the whole call, every try and
    wait included).
    """

    def __init__(self, settings: Settings | None = None, api_key: str | None = None,
                 base_url: str | None = None, timeout: float = 15.0, retries: int = 3,
                 backoff: float = 0.5, deadline: float = DEADLINE_SECONDS, sleep=time.sleep):
        settings = settings or Settings()
        self.base_url = (base_url or settings.ocm_url).rstrip("/")
        self.api_key = api_key or settings.ocm_api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.deadline = deadline
        self._sleep = sleep

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"OpenChargeMapClient(base_url={self.base_url!r}, key={'set' if self.api_key else 'none'})"

    def fetch_stations(self, latitude: float, longitude: float, distance_km: float = 10.0,
                       max_results: int = 100) -> Reading:
        """The stations within ``distance_km`` of the point (at most ``max_results``), as a
        stations ``Reading``."""
        params = check_query(latitude, longitude, distance_km, max_results)
        if self.api_key:
            params["key"] = self.api_key
        raw = self._get("/poi/", params, limit=1024 * 1024 + max_results * BYTES_PER_STATION)
        where = f"within {params['distance']:g} km of {params['latitude']:g}, {params['longitude']:g}"
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            raise UpstreamError(f"{SOURCE_NAME} answered with something that is not JSON: expected a "
                             "list of POIs (is EVCORE_OCM_URL the v3 API?).") from None
        if isinstance(data, list) and not data:
            raise InputError(f"{SOURCE_NAME} has no stations {where}: try a larger distance.")
        if not (isinstance(data, list) and all(isinstance(p, dict) and "AddressInfo" in p for p in data)):
            raise UpstreamError(f"{SOURCE_NAME} answered with JSON that is not a list of POIs: expected "
                             "the /poi/ answer of the v3 API (is EVCORE_OCM_URL right?).")
        sent = len(data)
        if sent > max_results:
            raw = json.dumps(data[:max_results]).encode()
        reading = read_file(raw, name=f"{SOURCE_NAME} ({where})")
        reading.dataset.name = f"{SOURCE_NAME}: {where}"
        if sent > max_results:
            reading.dataset.notes.append(f"{SOURCE_NAME} sent {sent} stations for at most {max_results}: "
                                         f"the first {max_results} were kept.")
        return reading

    def _get(self, path: str, params: dict, limit: int) -> bytes:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"  # holds the key: never in a message
        ends = time.monotonic() + self.deadline
        problem, tries = "no answer", 0
        for attempt in range(self.retries + 1):
            tries += 1
            wait = self.backoff * 2 ** attempt
            try:
                return self._request(url, ends, limit)
            except _Retryable as failed:
                problem = failed.problem
                if failed.wait is not None:
                    left = ends - time.monotonic()
                    if failed.wait >= left:
                        raise UpstreamError(f"{SOURCE_NAME} asks to wait {failed.wait:.0f} s before asking again "
                                            f"({problem}), more than the {max(left, 0):.0f} s left of the "
                                            f"{self.deadline:g} s a search may take: try again later.") from None
                    wait = failed.wait
            if time.monotonic() >= ends:
                problem = f"{problem}; no complete answer within the {self.deadline:g} s a search may take"
                break
            if attempt < self.retries:
                self._sleep(min(wait, max(0.0, ends - time.monotonic())))
        raise UpstreamError(f"{SOURCE_NAME} cannot be reached at {_origin_text(self.base_url)} ({problem} after "
                         f"{tries} tr{'y' if tries == 1 else 'ies'}): check the network or EVCORE_OCM_URL, and try "
                            "again later.")

    def _request(self, url: str, ends: float, limit: int) -> bytes:
        """One try: the answer's body, following same-origin redirects, cut off at ``ends``."""
        for _ in range(MAX_REDIRECTS + 1):
            left = ends - time.monotonic()
            if left <= 0:
                raise _Retryable("a time-out")
            parts = urllib.parse.urlsplit(url)
            try:
                kind = {"https": http.client.HTTPSConnection, "http": http.client.HTTPConnection}[
                    parts.scheme if parts.hostname else ""]
                connection = kind(parts.hostname, parts.port, timeout=min(self.timeout, left))
            except (KeyError, ValueError, http.client.InvalidURL):  # not http(s), no host, a bad port or character
                raise UpstreamError(f"{SOURCE_NAME}: the address {_origin_text(self.base_url)} is not an http or "
                                    "https URL (check EVCORE_OCM_URL).") from None
            cutoff = None
            try:
                connection.connect()  # within min(timeout, left); then the cut-off watches the socket
                cutoff = _Cutoff(connection.sock, ends - time.monotonic())
                connection.request("GET", urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, "")),
                                   headers={"Accept": "application/json", "User-Agent": "evcore (EV charging planner)"})
                answer = connection.getresponse()
                if answer.status in REDIRECT_STATUSES:
                    target = urllib.parse.urljoin(url, answer.getheader("Location") or "")
                    if _origin(target) != _origin(url):
                        raise UpstreamError(f"{SOURCE_NAME} redirected the search to another address "
                                            f"({_origin_text(target)}); not followed, so the key goes nowhere "
                                            "else: check EVCORE_OCM_URL.")
                    url = target
                    continue
                _check_status(answer)
                body = _read_limited(answer, limit)
                if cutoff.fired:  # an answer without a length ends where the cut-off ended it
                    raise _Retryable("a time-out")
                return body
            except (http.client.HTTPException, OSError) as exc:
                if cutoff is not None and cutoff.fired:
                    raise _Retryable("a time-out") from None
                raise _Retryable(_network_problem(exc)) from None
            finally:
                if cutoff is not None:
                    cutoff.cancel()
                connection.close()
        raise UpstreamError(f"{SOURCE_NAME} redirected the search more than {MAX_REDIRECTS} times: check "
                            "EVCORE_OCM_URL.")


class _Cutoff:
    """Shuts a socket down ``seconds`` from now, ending any wait on it at once (the response
    keeps reading from the socket after http.client lets go of the connection)."""

    def __init__(self, sock: socket.socket, seconds: float):
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def _check_status(answer: http.client.HTTPResponse) -> None:
    status = answer.status
    if status == 200:
        return
    if status in (401, 403):
        raise UpstreamError(f"{SOURCE_NAME} refused the request (HTTP {status}): set a valid API key "
                            "(OCM_API_KEY or the key field).")
    if status not in RETRY_STATUSES:
        raise UpstreamError(f"{SOURCE_NAME} answered HTTP {status} ({answer.reason[:80]}): expected a list of POIs.")
    raise _Retryable(f"HTTP {status}", retry_after_seconds(answer.getheader("Retry-After")))


def _read_limited(answer: http.client.HTTPResponse, limit: int) -> bytes:
    """The body, refused once it is over ``limit`` bytes (declared or read)."""
    too_large = UpstreamError(f"{SOURCE_NAME} answered with more than {limit / 2**20:.1f} MB, more than the "
                              "stations asked for can fill: not read.")
    declared = answer.getheader("Content-Length") or ""
    if declared.strip().isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    while chunk := answer.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _network_problem(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError) or "timed out" in str(exc):
        return "a time-out"
    if isinstance(exc, http.client.HTTPException):
        return type(exc).__name__
    return f"{type(exc).__name__}: {str(getattr(exc, 'strerror', None) or exc)[:120]}"


def _origin(url: str) -> tuple:
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = "?"
    return parts.scheme.lower(), (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(parts.scheme)


def _origin_text(url: str) -> str:
    """scheme://host:port of an address: its path and query (which may hold the key) left out."""
    scheme, host, port = _origin(url)
    return f"{scheme}://{host}:{port}"


def check_query(latitude, longitude, distance_km, max_results) -> dict:
    """The query parameters, checked: one sentence for the first that is out of range."""
    values = {}
    for label, value, low, high in (("latitude", latitude, -90, 90), ("longitude", longitude, -180, 180),
                                    ("distance_km", distance_km, 0, MAX_DISTANCE_KM)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise InputError(f"{label}: expected a number, got {value!r}.") from None
        if not math.isfinite(number) or not low <= number <= high or (label == "distance_km" and number <= 0):
            raise InputError(f"{label}: expected a number {'above' if label == 'distance_km' else 'from'} "
                             f"{low} {'up ' if label == 'distance_km' else ''}to {high}, got {value!r}.")
        values[label] = number
    if isinstance(max_results, bool) or not isinstance(max_results, int) or not 1 <= max_results <= MAX_RESULTS:
        raise InputError(f"max_results: expected a whole number from 1 to {MAX_RESULTS}, got {max_results!r}.")
    return {"latitude": values["latitude"], "longitude": values["longitude"],
            "distance": values["distance_km"], "distanceunit": "KM", "maxresults": max_results,
            "compact": "true", "verbose": "false"}


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    from datetime import datetime, timezone

    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def fetch_stations(latitude: float, longitude: float, distance_km: float = 10.0, max_results: int = 100,
                   settings: Settings | None = None, api_key: str | None = None) -> Reading:
    """Stations around a point from Open Charge Map, with the default client."""
    return OpenChargeMapClient(settings, api_key=api_key).fetch_stations(latitude, longitude, distance_km,
                                                                         max_results)
