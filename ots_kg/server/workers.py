"""Query evaluation for the server: worker processes, each holding the graph in an
Oxigraph store and answering through the OxigraphEngine, with content negotiation.

A query runs inside a worker so a runaway one can be stopped by killing its process:
neither Oxigraph nor rdflib can interrupt a query in flight.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, Queue
from typing import Any

from ..errors import QueryError
from ..model.formats import GRAPH_ACCEPT, GRAPH_FORMATS, RESULT_ACCEPT, RESULT_MEDIA_TYPES
from ..sparql.catalogue import StoredQuery
from ..sparql.engines import OxigraphEngine

TEXT = "text/plain; charset=utf-8"


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes


def negotiate(accept: str, table: dict[str, str], default: str) -> str:
    """The best media type of `table` for an Accept header (q-values honoured)."""
    best, best_q = default, 0.0
    for i, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        q -= i * 1e-6  # earlier wins ties
        if media in ("*/*", "application/*", "text/*"):
            media = default
        if media in table and q > best_q:
            best, best_q = media, q
    return best


def evaluate(engine: OxigraphEngine, text: str, accept: str, max_rows: int) -> Answer:
    """Run one query and write the answer in the negotiated format, evaluating it once."""
    from ..render.results import format_results

    try:
        results = engine.run(
            StoredQuery(name="query", path=Path("query.rq"), text=text, summary=""), limit=max_rows + 1
        )
    except QueryError as exc:
        message = str(exc).removeprefix("query: ")
        return Answer(400, TEXT, f"query failed: {message}\n".encode())
    if results.kind in ("CONSTRUCT", "DESCRIBE"):
        if len(results.triples) > max_rows:
            return _capped(max_rows, "triples")
        media = negotiate(accept, GRAPH_ACCEPT, GRAPH_FORMATS["ttl"].media_type)
        fmt = GRAPH_ACCEPT[media]
    else:
        if len(results.rows) > max_rows:
            return _capped(max_rows, "rows")
        media = negotiate(accept, RESULT_ACCEPT, RESULT_MEDIA_TYPES["json"])
        fmt = RESULT_ACCEPT[media]
    return Answer(200, f"{media}; charset=utf-8", format_results(results, fmt).encode("utf-8"))


def _capped(cap: int, what: str) -> Answer:
    return Answer(
        413, TEXT, f"result has more than {cap} {what} (the server's cap); add LIMIT or narrow the query\n".encode()
    )


def _worker(conn: Any, source: bytes | Path) -> None:
    """Answer queries from the graph: N-Triples loaded into memory, or a disk store opened
    read-only (so workers share one copy of a large graph)."""
    if isinstance(source, Path):
        from ..io.store import read_only

        store = read_only(source)
    else:
        from ..io.loader import store_from_ntriples

        store = store_from_ntriples(source)
    engine = OxigraphEngine(store)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        text, accept, max_rows = message
        answer = evaluate(engine, text, accept, max_rows)
        conn.send((answer.status, answer.content_type, answer.body))


class _Worker:
    def __init__(self, ctx: Any, source: bytes | Path) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, source), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """A few worker processes, each holding the graph in an Oxigraph store (N-Triples bytes
    loaded in memory, or the path of a disk store each opens read-only)."""

    def __init__(self, source: bytes | Path, size: int = 2) -> None:
        self._ctx = mp.get_context("fork")
        self._source = source
        self._idle: Queue[_Worker] = Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(max(1, size)):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._ctx, self._source)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def run(self, text: str, accept: str, max_rows: int, timeout: float) -> Answer:
        try:
            worker = self._idle.get(timeout=timeout)
        except Empty:
            return Answer(503, TEXT, b"server busy: no query worker free\n")
        worker.conn.send((text, accept, max_rows))
        if worker.conn.poll(timeout):
            try:
                status, ctype, body = worker.conn.recv()
            except EOFError:
                status, ctype, body = 500, TEXT, b"query worker died\n"
                self._replace(worker)
                return Answer(status, ctype, body)
            self._idle.put(worker)
            return Answer(status, ctype, body)
        self._replace(worker)
        return Answer(503, TEXT, f"query stopped: it ran longer than the {timeout:g} s time limit\n".encode())

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        with self._lock:
            self._all.discard(worker)
        self._add()

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()
