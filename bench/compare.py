"""Two checkouts side by side: cold `ots-kg query members` and `ots-kg validate`.

    python bench/compare.py --before /path/to/old/checkout [--repeat 7]

Each step runs in a fresh process with PYTHONPATH pointing at one checkout; runs of the two
checkouts alternate so machine noise hits both alike; the query cache is warmed once per
checkout first (as a user's first run does). Prints medians and the after/before ratio.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = {"query members": ["query", "members"], "validate": ["validate"]}


def seconds(root: Path, args: list[str], cache: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(root), "OTS_KG_CACHE": cache}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ots_kg", *args], capture_output=True, env=env, cwd=root)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{root}: ots-kg {' '.join(args)} failed: {proc.stderr.decode()[-400:]}")
    return elapsed


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=7)
    opts = ap.parse_args()
    roots = {"before": opts.before.resolve(), "after": ROOT}
    for root in roots.values():  # byte-compiled, as `pip install .` leaves a package (see bench/run.compiled)
        compileall.compile_dir(root / "ots_kg", quiet=1)
    caches = {name: tempfile.mkdtemp(prefix=f"ots-kg-compare-{name}-") for name in roots}
    for name, root in roots.items():
        seconds(root, COMMANDS["query members"], caches[name])  # warm the cache
    print("| command | before | after | after / before |\n| --- | --- | --- | --- |")
    for label, args in COMMANDS.items():
        runs: dict[str, list[float]] = {name: [] for name in roots}
        for _ in range(opts.repeat):
            for name, root in roots.items():
                runs[name].append(seconds(root, args, caches[name]))
        before, after = (statistics.median(runs[n]) for n in ("before", "after"))
        print(f"| ots-kg {label} | {before:.3f} s | {after:.3f} s | {after / before:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
