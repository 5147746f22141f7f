"""Load on the REST service: warm ``/predict-usage`` requests on the demo, N at a time.

Starts ``python -m evcore serve`` on a free loopback port (its own empty workspace; the model
store is the project's, so the demo's shipped model is loaded, not trained), sends one request to
warm it, then REQUESTS more, CONCURRENCY at a time, and prints p50, p95, the slowest and the
errors. Target on a 2-core machine: no error, p95 under 1 s.

    python bench/service.py                       # 200 requests, 20 at a time
    python bench/service.py --requests 500 --concurrency 50 --horizon 10
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the service stopped with exit code {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    sys.exit("the service did not answer /health in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--horizon", type=int, default=10)
    args = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as workspace:
        env = {k: v for k, v in os.environ.items() if k != "EVCORE_API_TOKEN"}
        process = subprocess.Popen([sys.executable, "-m", "evcore", "serve", "--port", str(port),
                                    "--workspace", workspace], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_up(url, process)
            params = {"dataset": "demo", "horizon": args.horizon}
            started = time.perf_counter()
            first = httpx.get(f"{url}/predict-usage", params=params, timeout=600)
            first.raise_for_status()
            print(f"first request (loads or trains the model): {time.perf_counter() - started:.2f} s, "
                  f"{len(first.json()['forecast'])} forecast rows")

            with httpx.Client(base_url=url, timeout=60,
                              limits=httpx.Limits(max_connections=args.concurrency)) as client:
                def one(_):
                    t0 = time.perf_counter()
                    try:
                        ok = client.get("/predict-usage", params=params).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    return time.perf_counter() - t0, ok

                started = time.perf_counter()
                with ThreadPoolExecutor(args.concurrency) as pool:
                    results = list(pool.map(one, range(args.requests)))
                wall = time.perf_counter() - started
        finally:
            process.terminate()
            process.wait(timeout=30)

    seconds = np.array([r[0] for r in results])
    errors = sum(not r[1] for r in results)
    print(f"{args.requests} warm requests, {args.concurrency} at a time, in {wall:.2f} s "
          f"({args.requests / wall:.0f} per second)")
    print(f"p50 {np.percentile(seconds, 50) * 1000:.0f} ms, p95 {np.percentile(seconds, 95) * 1000:.0f} ms, "
          f"slowest {seconds.max() * 1000:.0f} ms, errors {errors}")


if __name__ == "__main__":
    main()
