"""Load on the REST service: warm ``/predict-usage`` requests on the demo's whole network (48
stations x 10 days), N at a time from one keep-alive client.

Starts ``python -m evcore serve`` on a free loopback port (its own empty workspace; the model
store is the project's, so the demo's shipped model is loaded, not trained), sends one request to
warm it, then REQUESTS more, CONCURRENCY at a time through one ``httpx.Client`` (keep-alive), and
prints p50, p95, the slowest and the errors. With ``--baseline REF`` the same load runs first
against the code at git REF (a temporary worktree) and the ratios are printed. Target (issue 18):
no error, p95 at most 100 ms with 20 at a time on the 2-core machine. Timings are noisy when
the machine is shared: compare figures of one run.

    python bench/service.py                               # 400 requests, 20 at a time
    python bench/service.py --baseline be12e4d             # before (that commit) and after
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


def measure(tree: Path, args) -> dict:
    """Start the service from the source tree ``tree`` and put the load on it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as workspace:
        env = {k: v for k, v in os.environ.items() if k not in ("EVCORE_API_TOKEN", "EVCORE_CHECKPOINTS")}
        process = subprocess.Popen([sys.executable, "-m", "evcore", "serve", "--port", str(port),
                                    "--workspace", workspace], cwd=tree, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_up(url, process)
            params = {"dataset": "demo", "horizon": args.horizon}
            started = time.perf_counter()
            first = httpx.get(f"{url}/predict-usage", params=params, timeout=600)
            first.raise_for_status()
            first_seconds, rows = time.perf_counter() - started, len(first.json()["forecast"])

            with httpx.Client(base_url=url, timeout=60,
                              limits=httpx.Limits(max_connections=args.concurrency)) as client:
                def one(_):
                    t0 = time.perf_counter()
                    try:
                        ok = client.get("/predict-usage", params=params).status_code == 200
                    except httpx.HTTPError:
                        ok = False
                    return time.perf_counter() - t0, ok

                with ThreadPoolExecutor(args.concurrency) as pool:
                    list(pool.map(one, range(args.concurrency * 2)))  # connections opened, code paths warm
                    cpu_before = cpu_seconds(process.pid)
                    started = time.perf_counter()
                    results = list(pool.map(one, range(args.requests)))
                wall = time.perf_counter() - started
                cpu = cpu_seconds(process.pid) - cpu_before
        finally:
            process.terminate()
            process.wait(timeout=30)
    seconds = np.array([r[0] for r in results])
    return {"first": first_seconds, "rows": rows, "per_second": args.requests / wall,
            "p50": np.percentile(seconds, 50) * 1000, "p95": np.percentile(seconds, 95) * 1000,
            "slowest": seconds.max() * 1000, "errors": sum(not r[1] for r in results),
            "cpu_ms": cpu / args.requests * 1000}


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) the process has used: steadier than latency on a busy machine."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(label: str, figures: dict, args) -> None:
    print(f"{label}: first request {figures['first']:.2f} s ({figures['rows']} forecast rows); "
          f"{args.requests} warm requests, {args.concurrency} at a time: {figures['per_second']:.0f} per second, "
          f"p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, slowest {figures['slowest']:.0f} ms, "
          f"errors {figures['errors']}; the service's CPU {figures['cpu_ms']:.2f} ms a request", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--horizon", type=int, default=10)
    parser.add_argument("--baseline", metavar="REF", help="also measure the code at this git commit, first")
    args = parser.parse_args()

    before = None
    if args.baseline:
        with tempfile.TemporaryDirectory() as folder:
            tree = Path(folder) / "baseline"
            subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.baseline], cwd=ROOT, check=True,
                           capture_output=True)
            try:
                before = measure(tree, args)
                report(f"before ({args.baseline})", before, args)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    after = measure(ROOT, args)
    report("now", after, args)
    if before:
        print(f"ratios now/before: p50 {after['p50'] / before['p50']:.2f}, p95 {after['p95'] / before['p95']:.2f}, "
              f"requests per second {after['per_second'] / before['per_second']:.2f}, CPU a request "
              f"{after['cpu_ms'] / before['cpu_ms']:.2f}")


if __name__ == "__main__":
    main()
