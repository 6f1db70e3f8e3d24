"""Run a computation with a time limit.

Neither rdflib nor Oxigraph can interrupt a query in flight. The computation runs in a
daemon thread; the waiting thread gets the GIL back between bytecodes (pyoxigraph holds it
while it computes a row, and returns to Python between rows), and when the limit passes,
QueryTimeout is raised and the command line ends the whole process, thread included.
Cheaper than a worker process on every query. What runs inside is all the waiting: the
query and the writing of its answer (`ots-kg query` formats a CONSTRUCT graph inside).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from ..errors import QueryError

T = TypeVar("T")


class QueryTimeout(QueryError):
    """The computation is still running: end the process to stop it."""


def run_limited(fn: Callable[[], T], seconds: float, what: str = "query") -> T:
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["ok"] = fn()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True, name="ots-kg-limited")
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise QueryTimeout(f"{what} stopped: it ran longer than the {seconds:g} s time limit (raise it with --timeout)")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["ok"]  # type: ignore[return-value]
