"""Work done once per test run and shared by the pytest-xdist workers through files.

Several tests need the same expensive result (rdflib's answers to the stored queries, the
files `ots-kg export` writes): the first test that asks makes it under a file lock, in a
folder every worker of the run shares (the `run_folder` fixture); the other worker waits
for it instead of making it again, and later asks read the file.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path


def once_per_run(path: Path, make: Callable[[Path], None]) -> Path:
    """`path`, made by `make(partial)` unless a test of this run made it already; `make`
    writes a partial path that becomes `path` only when it returns (a failure leaves none)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f"{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not path.exists():
            partial = path.parent / f"partial-{os.getpid()}-{path.name}"
            make(partial)
            partial.replace(path)
    return path
