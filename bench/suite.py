"""Time the whole test suite of one or more checkouts, alternating, with a meter of the machine.

This machine's speed changes within minutes (the fixed loop `sum(range(30_000_000))` takes
0.5–0.65 s in one phase and 0.99–1.09 s in another, with no steal time reported), so two
suite runs a few minutes apart differ by more than most changes do. Runs alternate between
the checkouts, so drifts hit them alike; a meter thread times a small fixed loop every 2 s
during each run (about 1 % of one core) and its median is printed beside the wall time, as a
hint of the phase the run met (it does not capture every slowdown: see bench/README.md).

    .venv/bin/python bench/suite.py --checkout /tmp/old --checkout . --rounds 2

Each checkout runs `python -m pytest -q -p no:cacheprovider` in its own folder with this
interpreter and CI=1 (a store that is missing fails instead of skipping).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

LOOP = 1_000_000  # about 20 ms in the fast phase


def _loop_seconds() -> float:
    start = time.thread_time()
    sum(range(LOOP))
    return time.thread_time() - start


class Meter:
    """Times the fixed loop every `every` seconds until stopped."""

    def __init__(self, every: float = 2.0) -> None:
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)

    def _run(self, every: float) -> None:
        while not self._stop.wait(every):
            self.samples.append(_loop_seconds())

    def __enter__(self) -> Meter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_suite(checkout: Path) -> tuple[float, float, str]:
    """Wall seconds, median loop seconds during the run, pytest's last line."""
    env = {**os.environ, "CI": "1"}
    with Meter() as meter:
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
            cwd=checkout,
            env=env,
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - start
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-200:]
    return wall, statistics.median(meter.samples), last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkout", action="append", type=Path, required=True, help="a checkout (repeatable)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(f"loop now: {min(_loop_seconds() for _ in range(20)) * 1000:.1f} ms (best of 20)", flush=True)
    walls: dict[Path, list[float]] = {c: [] for c in args.checkout}
    for round_ in range(1, args.rounds + 1):
        for checkout in args.checkout:
            wall, loop, last = run_suite(checkout.resolve())
            walls[checkout].append(wall)
            print(f"round {round_} {checkout}: wall {wall:.1f} s, loop {loop * 1000:.1f} ms | {last}", flush=True)
    for checkout, runs in walls.items():
        print(f"{checkout}: median wall {statistics.median(runs):.1f} s")


if __name__ == "__main__":
    main()
