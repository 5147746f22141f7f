"""How long a whole Open Charge Map call takes against hostile stand-ins (tests/ocm_stub.py),
with the client's real settings (30 s deadline, 15 s per network wait, 3 retries):

    python bench/ocm_deadline.py            # about 2 minutes: each hostile case runs to its end

Prints, per upstream, the seconds the call took and the sentence it ended with. Before issue 18
(no overall deadline) the probe measured: drip-feed 150 s, silent 64 s, Retry-After: 30 90 s.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from ocm_stub import POIS_JSON, Answer, StubOpenChargeMap  # noqa: E402

from evcore.config import Settings  # noqa: E402
from evcore.errors import InputError  # noqa: E402
from evcore.openchargemap import OpenChargeMapClient  # noqa: E402

MANY = json.dumps([{"ID": i, "AddressInfo": {"Title": f"S{i}", "Latitude": 51 + i / 1e6, "Longitude": 0.1}}
                   for i in range(200_000)]).encode()

CASES = {
    "drip-feed (a byte every 5 s)": lambda stub: [Answer(drip=5.0)],
    "silent (never answers)": lambda stub: [Answer(delay=3600)],
    "Retry-After: 30 on every answer": lambda stub: [Answer(429, b"", {"Retry-After": "30"})],
    "Retry-After: 10 on every answer": lambda stub: [Answer(429, b"", {"Retry-After": "10"})],
    "HTTP 503 on every answer": lambda stub: [Answer(503, b"")],
    "302 to another host": lambda stub: [Answer(302, b"", {"Location": "http://localhost:9/poi/?x=1"})],
    "200,000 POIs for max_results=50": lambda stub: [Answer(body=MANY)],
    "a healthy answer": lambda stub: [Answer(body=POIS_JSON)],
}


def main() -> None:
    for label, answers in CASES.items():
        with StubOpenChargeMap() as stub:
            stub.answers = answers(stub)
            client = OpenChargeMapClient(Settings(ocm_url=stub.url, ocm_api_key="k"))
            began = time.monotonic()
            try:
                reading = client.fetch_stations(51.5, -0.12, max_results=50)
                outcome = f"{len(reading.dataset.stations)} stations"
            except InputError as exc:
                outcome = str(exc)
            print(f"{label:34s} {time.monotonic() - began:6.1f} s  {len(stub.requests)} requests  {outcome[:150]}",
                  flush=True)


if __name__ == "__main__":
    main()
