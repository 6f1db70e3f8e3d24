"""Run a computation in a forked child with a time limit.

Neither rdflib nor Oxigraph can interrupt a query in flight, so a runaway query (a
cartesian product) is stopped by ending the process that runs it.
"""
from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable

from .errors import OtsKgError, QueryError


def _child(conn, fn: Callable[[], str]) -> None:
    try:
        conn.send(("ok", fn()))
    except OtsKgError as exc:
        conn.send(("error", str(exc)))
    except Exception as exc:  # reported, not raised: the parent prints one line
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_limited(fn: Callable[[], str], seconds: float, what: str = "query") -> str:
    """fn() computed in a child process; QueryError if it takes longer than `seconds`."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, fn), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(seconds):
            raise QueryError(f"{what} stopped: it ran longer than the {seconds:g} s time limit "
                             "(raise it with --timeout)")
        try:
            status, payload = parent.recv()
        except EOFError:
            raise QueryError(f"{what} failed: the worker process died") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join(5)
        parent.close()
    if status != "ok":
        raise QueryError(payload)
    return payload
