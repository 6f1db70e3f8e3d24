"""Time the whole test suite of one or more checkouts, alternating, with the machine's speed.

This machine's CPU speed changes by up to 2x within minutes (a fixed loop,
`sum(range(30_000_000))`, takes 0.5 s in one phase and 1.06 s in another, with no steal time
reported), so two suite runs a few minutes apart differ by more than most changes do. A meter
thread times a small fixed loop every 2 s during each run (about 1 % of one core); a run's
*speed* is the median loop time of the fast phase (`--fast`, seconds per loop) divided by
the run's median, and `wall x speed` is the wall time the run would have taken in the fast
phase, to the first order. Runs alternate between the checkouts, so drifts hit them alike.

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
    parser.add_argument(
        "--fast", type=float, default=None, help="loop seconds of the fast phase (default: measured now, best of 20)"
    )
    args = parser.parse_args()
    fast = args.fast or min(_loop_seconds() for _ in range(20))
    print(f"fast-phase loop: {fast * 1000:.1f} ms", flush=True)
    results: dict[Path, list[tuple[float, float]]] = {c: [] for c in args.checkout}
    for round_ in range(1, args.rounds + 1):
        for checkout in args.checkout:
            wall, loop, last = run_suite(checkout.resolve())
            speed = fast / loop
            results[checkout].append((wall, wall * speed))
            print(
                f"round {round_} {checkout}: wall {wall:.1f} s, speed {speed:.2f}, "
                f"fast-phase wall {wall * speed:.1f} s | {last}",
                flush=True,
            )
    for checkout, runs in results.items():
        print(
            f"{checkout}: median wall {statistics.median(r[0] for r in runs):.1f} s, "
            f"median fast-phase wall {statistics.median(r[1] for r in runs):.1f} s"
        )


if __name__ == "__main__":
    main()
