"""A large upload against the REST service: the memory of the service's process tree and how fast
``/health`` answers meanwhile (issue 18: under 2 GB, /health p99 within 0.5 s).

Starts ``python -m evcore serve`` (its own empty workspace), warms it with the demo's forecast
(the model in memory, as a service that has served forecasts), writes a long usage CSV of each
size asked for (stations x days, ``station,date,energy_kwh``), uploads it with POST /datasets
while another client asks /health every 50 ms, and samples the resident memory of the service
and its children every 0.1 s. Prints, per size: the answer (status, seconds, its sentence),
the peak memory of the process tree and of the service alone, /health p50, p99 and slowest.

    python bench/upload.py                      # 190 MB and 60 MB: several minutes on 2 busy cores
    python bench/upload.py --megabytes 150
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from service import free_port, wait_until_up  # noqa: E402


def write_usage_csv(path: Path, megabytes: float) -> None:
    rng = np.random.default_rng(0)
    days = [f"{d:%Y-%m-%d}" for d in __import__("pandas").date_range("2018-01-01", periods=1700)]
    with open(path, "w") as out:
        out.write("station,date,energy_kwh\n")
        station = 0
        while out.tell() < megabytes * 1e6:
            values = rng.gamma(2, 10, len(days)).round(3)
            out.write("".join(f"STATION-{station:05d},{d},{v}\n" for d, v in zip(days, values)))
            station += 1


def tree_rss(pid: int) -> tuple[int, int]:
    """(resident bytes of ``pid`` and all its descendants, of ``pid`` alone)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    total, todo, own = 0, [pid], 0
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                rss = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            rss = 0
        own = rss if current == pid else own
        total += rss
        todo.extend(children.get(current, []))
    return total, own


def measure(url: str, pid: int, path: Path) -> dict:
    done = threading.Event()
    health, memory = [], []

    def ask_health():
        with httpx.Client(base_url=url, timeout=30) as client:
            while not done.is_set():
                began = time.perf_counter()
                client.get("/health").raise_for_status()
                health.append(time.perf_counter() - began)
                time.sleep(0.05)

    def sample_memory():
        while not done.is_set():
            memory.append(tree_rss(pid))
            time.sleep(0.1)

    watchers = [threading.Thread(target=ask_health), threading.Thread(target=sample_memory)]
    for w in watchers:
        w.start()
    began = time.perf_counter()
    with open(path, "rb") as handle:
        answer = httpx.post(f"{url}/datasets", data={"name": "large"}, files={"files": ("usage.csv", handle)},
                            timeout=3600)
    seconds = time.perf_counter() - began
    done.set()
    for w in watchers:
        w.join()
    latencies = np.array(health) * 1000
    body = answer.json()
    return {"status": answer.status_code, "seconds": seconds,
            "said": body.get("detail") or f"{body.get('stations')} stations, {body.get('days')} days",
            "tree_peak": max(m[0] for m in memory) / 2**30, "service_peak": max(m[1] for m in memory) / 2**30,
            "health_p50": np.percentile(latencies, 50), "health_p99": np.percentile(latencies, 99),
            "health_max": latencies.max(), "health_n": len(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=float, nargs="+", default=[190.0, 60.0])
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k not in ("EVCORE_API_TOKEN", "EVCORE_CHECKPOINTS")}
        process = subprocess.Popen([sys.executable, "-m", "evcore", "serve", "--port", str(port), "--workspace",
                                    str(Path(folder) / "ws")], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_up(url, process)
            httpx.get(f"{url}/predict-usage", params={"dataset": "demo"}, timeout=600).raise_for_status()
            print(f"service warm (demo forecast served): {tree_rss(process.pid)[0] / 2**30:.2f} GB", flush=True)
            for megabytes in args.megabytes:
                path = Path(folder) / f"usage-{megabytes:g}.csv"
                write_usage_csv(path, megabytes)
                figures = measure(url, process.pid, path)
                print(f"{path.stat().st_size / 1e6:.0f} MB upload: HTTP {figures['status']} in {figures['seconds']:.0f} s "
                      f"({figures['said'][:140]}); memory peak {figures['tree_peak']:.2f} GB for the process tree, "
                      f"{figures['service_peak']:.2f} GB the service alone; /health ({figures['health_n']} asked) "
                      f"p50 {figures['health_p50']:.0f} ms, p99 {figures['health_p99']:.0f} ms, slowest "
                      f"{figures['health_max']:.0f} ms", flush=True)
                path.unlink()
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
