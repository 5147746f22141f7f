"""The live Open Charge Map client: stations around a point, read by the same parser as an
uploaded Open Charge Map JSON file (``evcore.io.read_file``).

``GET {settings.ocm_url}/poi/`` with ``latitude``, ``longitude``, ``distance``,
``distanceunit=KM``, ``maxresults`` and ``key``. Every request has a time-out; a 429 or 5xx
answer (or a dropped connection) is retried with exponential back-off, waiting what the
server's ``Retry-After`` asks for when it says so. Whatever goes wrong ends in one
``InputError`` sentence. The key comes from the caller (the dashboard's password field) or
``settings.ocm_api_key``; it is sent, never written into a message or a log.
"""

from __future__ import annotations

import http.client
import json
import math
import time
import urllib.error
import urllib.parse
import urllib.request
from email.utils import parsedate_to_datetime

from evcore.config import Settings
from evcore.errors import InputError
from evcore.io import Reading, read_file

SOURCE_NAME = "Open Charge Map"
MAX_DISTANCE_KM = 500.0
MAX_RESULTS = 5000
MAX_ANSWER_BYTES = 200 * 1024 * 1024
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class UpstreamError(InputError):
    """Open Charge Map cannot be reached or answers nonsense (the REST service answers 502)."""


class OpenChargeMapClient:
    """Fetch POIs from Open Charge Map.

    Parameters: ``base_url`` and ``api_key`` (from ``settings`` unless given), ``timeout``
    (seconds per request), ``retries`` (extra tries after the first), ``backoff`` (first wait in
    seconds, doubled each retry), ``max_wait`` (the longest ``Retry-After`` honoured).
    """

    def __init__(self, settings: Settings | None = None, api_key: str | None = None,
                 base_url: str | None = None, timeout: float = 15.0, retries: int = 3,
                 backoff: float = 0.5, max_wait: float = 30.0, sleep=time.sleep):
        settings = settings or Settings()
        self.base_url = (base_url or settings.ocm_url).rstrip("/")
        self.api_key = api_key or settings.ocm_api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self._sleep = sleep

    def __repr__(self) -> str:  # the key stays out of logs and tracebacks
        return f"OpenChargeMapClient(base_url={self.base_url!r}, key={'set' if self.api_key else 'none'})"

    def fetch_stations(self, latitude: float, longitude: float, distance_km: float = 10.0,
                       max_results: int = 100) -> Reading:
        """The stations within ``distance_km`` of the point, as a stations ``Reading``."""
        params = check_query(latitude, longitude, distance_km, max_results)
        if self.api_key:
            params["key"] = self.api_key
        raw = self._get("/poi/", params)
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
        reading = read_file(raw, name=f"{SOURCE_NAME} ({where})")
        reading.dataset.name = f"{SOURCE_NAME}: {where}"
        return reading

    def _get(self, path: str, params: dict) -> bytes:
        url = f"{self.base_url}{path}?{urllib.parse.urlencode(params)}"  # holds the key: never in a message
        try:
            request = urllib.request.Request(url, headers={"Accept": "application/json",
                                                           "User-Agent": "evcore (EV charging planner)"})
        except ValueError:
            raise UpstreamError(f"{SOURCE_NAME}: the address {self.base_url!r} is not an http or https URL "
                                "(check EVCORE_OCM_URL).") from None
        problem = "no answer"
        for attempt in range(self.retries + 1):
            wait = self.backoff * 2 ** attempt
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    return answer.read(MAX_ANSWER_BYTES)
            except urllib.error.HTTPError as exc:
                if exc.code in (401, 403):
                    raise UpstreamError(f"{SOURCE_NAME} refused the request (HTTP {exc.code}): set a valid "
                                     "API key (OCM_API_KEY or the key field).") from None
                if exc.code not in RETRY_STATUSES:
                    raise UpstreamError(f"{SOURCE_NAME} answered HTTP {exc.code} ({exc.reason}): expected "
                                     "a list of POIs.") from None
                problem = f"HTTP {exc.code}"
                asked = retry_after_seconds(exc.headers.get("Retry-After"))
                if asked is not None:
                    if asked > self.max_wait:
                        raise UpstreamError(f"{SOURCE_NAME} asks to wait {asked:.0f} s before asking again "
                                         f"(HTTP {exc.code}): try again later.") from None
                    wait = asked
            except (http.client.HTTPException, ValueError) as exc:  # a malformed address or answer
                problem = type(exc).__name__
            except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                problem = "a time-out" if isinstance(reason, TimeoutError) or "timed out" in str(reason) \
                    else f"{type(reason).__name__}: {str(reason)[:120]}"
            if attempt < self.retries:
                self._sleep(wait)
        raise UpstreamError(f"{SOURCE_NAME} cannot be reached at {self.base_url} ({problem} after "
                         f"{self.retries + 1} tries): check the network or EVCORE_OCM_URL, and try again later.")


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
