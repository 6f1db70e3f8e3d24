"""Bounded load check of `ots-kg serve`: C concurrent clients x N mixed requests each.

    python bench/load.py [--clients 32] [--queries 100] [--workers 2] [--kill-every 0] [--slow-clients 0]

Starts the server in a subprocess on 127.0.0.1 (free port), sends only loopback traffic:
every stored query with its example values, an ad-hoc POSTed query, /health and the page.
Prints connection errors (no HTTP answer at all) apart from HTTP error statuses, throughput,
latency percentiles and the machine's load average while it ran, then stops the server.
`--kill-every S` SIGKILLs a random query worker every S seconds (a soak run: requests a
killed worker held answer 500, none may go unanswered). `--slow-clients K` adds K clients
that keep sending expensive queries, each text new (starvation: the mixed requests must
still be answered).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import signal
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


def fetch(request: urllib.request.Request) -> int:
    """The HTTP status of one request, the body read; OSError when no answer came at all."""
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kill-every", type=float, default=0.0)
    ap.add_argument("--slow-clients", type=int, default=0, help="clients sending distinct expensive queries meanwhile")
    args = ap.parse_args()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ots_kg", "serve", "--port", "0", "--workers", str(args.workers)],
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline()
    port = int(re.search(r":(\d+)/sparql", line).group(1))
    base = f"http://127.0.0.1:{port}"
    adhoc = b"SELECT ?t (COUNT(*) AS ?n) WHERE { ?s a ?t } GROUP BY ?t ORDER BY DESC(?n) LIMIT 5"
    requests = [urllib.request.Request(example_url(base, q)) for q in catalogue().values()]
    requests += [
        urllib.request.Request(base + "/sparql", adhoc, {"Content-Type": "application/sparql-query"}),
        urllib.request.Request(base + "/health"),
        urllib.request.Request(base + "/"),
    ]
    latencies: list[float] = []
    errors: list[str] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    done = threading.Event()

    def client(index: int) -> None:
        for i in range(args.queries):
            request = requests[(index * args.queries + i) % len(requests)]
            start = time.perf_counter()
            status = 0
            try:
                status = fetch(request)
            except OSError as exc:  # URLError included
                with lock:
                    errors.append(f"{request.full_url}: {exc}")
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    slow_statuses: dict[int, int] = {}

    def slow_client(index: int) -> None:  # a new expensive text each time: no per-text share applies
        for k in itertools.count():
            if done.is_set():
                return
            text = f"SELECT (COUNT(*) AS ?n{index}_{k}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }}"
            headers = {"Content-Type": "application/sparql-query"}
            request = urllib.request.Request(base + "/sparql", text.encode(), headers)
            try:
                status = fetch(request)
            except OSError:
                status = 0
            with lock:
                slow_statuses[status] = slow_statuses.get(status, 0) + 1

    def killer() -> None:
        while not done.wait(args.kill_every):
            kids = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            if kids:
                try:
                    os.kill(int(random.choice(kids)), signal.SIGKILL)
                except ProcessLookupError:
                    pass

    loads: list[float] = []

    def sampler() -> None:  # the machine's 1-minute load average while the clients run
        while not done.wait(1.0):
            loads.append(os.getloadavg()[0])

    try:
        loads.append(os.getloadavg()[0])
        threading.Thread(target=sampler, daemon=True).start()
        if args.kill_every > 0:
            threading.Thread(target=killer, daemon=True).start()
        for i in range(args.slow_clients):
            threading.Thread(target=slow_client, args=(i,), daemon=True).start()
        if args.slow_clients:
            time.sleep(1.0)  # the slow queries are in the workers before the others start
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        wall = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - wall
    finally:
        done.set()
        proc.terminate()
        proc.wait(15)
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    print(
        f"clients={args.clients} requests/client={args.queries} workers={args.workers} "
        f"distinct requests={len(requests)} kill-every={args.kill_every or 'never'} slow-clients={args.slow_clients}"
    )
    print(
        f"requests={len(latencies)} connection errors={len(errors)} statuses={dict(sorted(statuses.items()))} "
        f"wall={wall:.2f}s throughput={len(latencies) / wall:.1f} req/s "
        f"median={statistics.median(latencies) * 1000:.1f}ms "
        f"p95={p95 * 1000:.1f}ms p99={p99 * 1000:.1f}ms max={latencies[-1] * 1000:.1f}ms"
    )
    if args.slow_clients:
        print(f"slow queries answered meanwhile: statuses={dict(sorted(slow_statuses.items()))}")
    print(f"load average (1 min) during the run: min={min(loads):.1f} max={max(loads):.1f} on {os.cpu_count()} cores")
    for e in errors[:5]:
        print("  error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
