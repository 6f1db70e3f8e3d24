"""Oxigraph-backed query evaluation with content negotiation, for the server.

Runs inside worker processes so a runaway query can be stopped by killing its process:
neither Oxigraph nor rdflib can interrupt a query in flight.
"""
from __future__ import annotations

import multiprocessing as mp
import threading
from dataclasses import dataclass
from queue import Empty, Queue

from .namespaces import PREFIXES

SELECT_TYPES = {
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "application/xml": "XML",
    "text/csv": "CSV", "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {
    "text/turtle": "TURTLE", "application/n-triples": "N_TRIPLES", "text/plain": "N_TRIPLES",
    "application/ld+json": "JSON_LD", "application/rdf+xml": "RDF_XML",
}
SHORT = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
         "csv": "text/csv", "tsv": "text/tab-separated-values", "ttl": "text/turtle",
         "nt": "application/n-triples", "jsonld": "application/ld+json"}


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


def evaluate(store, text: str, accept: str, max_rows: int) -> Answer:
    """Run one query on a pyoxigraph store and serialise the answer as negotiated."""
    import pyoxigraph as ox

    try:
        result = store.query(text, prefixes=PREFIXES)
    except SyntaxError as exc:
        return Answer(400, "text/plain; charset=utf-8", f"query syntax error: {exc}\n".encode())
    except Exception as exc:  # evaluation errors are the query's
        return Answer(400, "text/plain; charset=utf-8", f"query failed: {exc}\n".encode())
    if isinstance(result, ox.QueryTriples):
        media = negotiate(accept, GRAPH_TYPES, "text/turtle")
        triples = list(result)
        if len(triples) > max_rows:
            return _capped(max_rows, "triples")
        body = ox.serialize(triples, format=getattr(ox.RdfFormat, GRAPH_TYPES[media]))
        return Answer(200, f"{media}; charset=utf-8", body)
    media = negotiate(accept, SELECT_TYPES, "application/sparql-results+json")
    fmt = getattr(ox.QueryResultsFormat, SELECT_TYPES[media])
    if isinstance(result, ox.QuerySolutions):
        count = sum(1 for _ in result)
        if count > max_rows:
            return _capped(max_rows, "rows")
        result = store.query(text, prefixes=PREFIXES)
    return Answer(200, f"{media}; charset=utf-8", result.serialize(format=fmt))


def _capped(cap: int, what: str) -> Answer:
    return Answer(413, "text/plain; charset=utf-8",
                  f"result has more than {cap} {what} (the server's cap); "
                  "add LIMIT or narrow the query\n".encode())


def _worker(conn, ntriples: bytes) -> None:
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        text, accept, max_rows = message
        answer = evaluate(store, text, accept, max_rows)
        conn.send((answer.status, answer.content_type, answer.body))


class _Worker:
    def __init__(self, ctx, ntriples: bytes):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker, args=(child, ntriples), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class WorkerPool:
    """A few worker processes, each holding the graph in an Oxigraph store."""

    def __init__(self, ntriples: bytes, size: int = 2):
        self._ctx = mp.get_context("fork")
        self._ntriples = ntriples
        self._idle: Queue[_Worker] = Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        for _ in range(max(1, size)):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._ctx, self._ntriples)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def run(self, text: str, accept: str, max_rows: int, timeout: float) -> Answer:
        try:
            worker = self._idle.get(timeout=timeout)
        except Empty:
            return Answer(503, "text/plain; charset=utf-8", b"server busy: no query worker free\n")
        worker.conn.send((text, accept, max_rows))
        if worker.conn.poll(timeout):
            try:
                status, ctype, body = worker.conn.recv()
            except EOFError:
                status, ctype, body = 500, "text/plain; charset=utf-8", b"query worker died\n"
                self._replace(worker)
                return Answer(status, ctype, body)
            self._idle.put(worker)
            return Answer(status, ctype, body)
        self._replace(worker)
        return Answer(503, "text/plain; charset=utf-8",
                      f"query stopped: it ran longer than the {timeout:g} s time limit\n".encode())

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
