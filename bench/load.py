"""Bounded load check of `ots-kg serve`: C concurrent clients x N stored queries each.

    python bench/load.py [--clients 8] [--queries 50] [--workers 2]

Starts the server in a subprocess on 127.0.0.1 (free port), sends only loopback traffic,
prints errors, throughput and latency percentiles, stops the server.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from ots_kg.sparql.catalogue import catalogue  # noqa: E402


def example_url(base: str, query) -> str:
    params = {"stored": query.name, **{"p." + k: v for k, v in query.example_values().items()}}
    return f"{base}/sparql?{urllib.parse.urlencode(params)}"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ots_kg", "serve", "--port", "0", "--workers", str(args.workers)],
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()
    port = int(re.search(r":(\d+)/sparql", line).group(1))
    base = f"http://127.0.0.1:{port}"
    urls = [example_url(base, q) for q in catalogue().values()]
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(index: int) -> None:
        for i in range(args.queries):
            url = urls[(index * args.queries + i) % len(urls)]
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, OSError) as exc:
                ok, url = False, f"{url}: {exc}"
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(url)

    try:
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        wall = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - wall
    finally:
        proc.terminate()
        proc.wait(15)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"clients={args.clients} queries/client={args.queries} workers={args.workers} "
        f"distinct stored queries={len(urls)}"
    )
    print(
        f"requests={len(latencies)} errors={len(errors)} wall={wall:.2f}s "
        f"throughput={len(latencies) / wall:.1f} req/s "
        f"median={statistics.median(latencies) * 1000:.1f}ms p95={p95 * 1000:.1f}ms max={latencies[-1] * 1000:.1f}ms"
    )
    for e in errors[:5]:
        print("  error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
