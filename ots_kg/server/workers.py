"""Query evaluation for the server: a supervised pool of worker processes, each holding the
graph in an Oxigraph store and answering through the OxigraphEngine.

A query runs inside a worker so a runaway one can be stopped by killing its process:
neither Oxigraph nor rdflib can interrupt a query in flight. The pool is built to survive
its workers: a supervisor thread replaces any worker that dies (OOM killer, SIGKILL, its
memory limit), the request a dying worker held is answered 500, and /health reports how
many are alive. Workers are forked from a clean fork server (no listening socket, no client
connections), die with the server (PR_SET_PDEATHSIG), run with an address-space limit and,
where the kernel allows it, in an empty network namespace: even a query that slipped past
the parser's SERVICE check could not reach another host.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ..errors import QueryError
from ..model.formats import GRAPH_ACCEPT, GRAPH_FORMATS, RESULT_ACCEPT, RESULT_MEDIA_TYPES
from ..sparql.catalogue import StoredQuery
from ..sparql.engines import OxigraphEngine
from ..sparql.guard import NetworkRefused

TEXT = "text/plain; charset=utf-8"
_PR_SET_PDEATHSIG = 1
_CLONE_NEWUSER, _CLONE_NEWNET = 0x10000000, 0x40000000


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Limits:
    """What one query may use: rows (or triples), answer bytes, worker memory growth."""

    max_rows: int = 10000
    max_bytes: int = 50_000_000
    memory_mb: int = 1024


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


class _OverCap(Exception):
    """An answer passed one of the server's caps while it was being read or written."""


def _within_caps(rows: Iterable[tuple], limits: Limits, noun: str) -> Iterator[tuple]:
    """The rows (or triples) as they are read, stopped at the row cap or as soon as their
    values alone pass the byte cap (a lower bound on the answer's size in any format), so an
    oversized row is refused before any writer formats it."""
    values = 0
    for count, row in enumerate(rows):
        if count >= limits.max_rows:
            raise _OverCap(f"more than {limits.max_rows} {noun}")
        values += sum(len(t.value) for t in row if t is not None)
        if values > limits.max_bytes:
            raise _OverCap(f"more than {limits.max_bytes} bytes")
        yield row


def _collect(pieces: Iterable[str], max_bytes: int) -> bytes:
    """The encoded answer, written piece by piece and refused as soon as it passes the cap:
    never more than `max_bytes` (and one piece) held."""
    parts: list[bytes] = []
    size = 0
    for piece in pieces:
        part = piece.encode("utf-8")
        size += len(part)
        if size > max_bytes:
            raise _OverCap(f"more than {max_bytes} bytes")
        parts.append(part)
    return b"".join(parts)


def evaluate(engine: OxigraphEngine, text: str, accept: str, limits: Limits) -> Answer:
    """Run one query once and write the answer in the negotiated format while reading it:
    the row and byte caps are checked on every row as it comes (SELECT answers are written
    row by row, graph answers serialised once their triples passed the caps). `engine` is
    lazy (OxigraphEngine(lazy=True)), so evaluation errors may surface while writing."""
    from ..render.results import format_results, stream_results

    try:
        results = engine.run(StoredQuery(name="query", path=Path("query.rq"), text=text, summary=""))
    except NetworkRefused as exc:
        found = str(exc).removeprefix("query: ").split(" reaches")[0]
        return Answer(403, TEXT, f"{found} is refused: this endpoint does not contact other servers\n".encode())
    except QueryError as exc:
        message = str(exc).removeprefix("query: ")
        status = 403 if "SPARQL Update" in message else 400
        return Answer(status, TEXT, f"query failed: {message}\n".encode())
    except MemoryError:
        return Answer(507, TEXT, b"query stopped: it needed more memory than the server allows\n")
    try:
        if results.kind in ("CONSTRUCT", "DESCRIBE"):
            media = negotiate(accept, GRAPH_ACCEPT, GRAPH_FORMATS["ttl"].media_type)
            results.triples = list(_within_caps(results.triples, limits, "triples"))  # type: ignore[arg-type]
            pieces: Iterable[str] = [format_results(results, GRAPH_ACCEPT[media])]
        else:
            media = negotiate(accept, RESULT_ACCEPT, RESULT_MEDIA_TYPES["json"])
            results.rows = _within_caps(results.rows, limits, "rows")  # type: ignore[assignment]
            pieces = stream_results(results, RESULT_ACCEPT[media])
        body = _collect(pieces, limits.max_bytes)
    except _OverCap as exc:
        return _capped(str(exc))
    except MemoryError:
        return Answer(507, TEXT, b"query stopped: it needed more memory than the server allows\n")
    except Exception as exc:  # an evaluation error met while reading the rows
        lines = str(exc).strip().splitlines()
        return Answer(400, TEXT, f"query failed: {lines[0][:300] if lines else type(exc).__name__}\n".encode())
    return Answer(200, f"{media}; charset=utf-8", body)


def _capped(what: str) -> Answer:
    return Answer(413, TEXT, f"result has {what} (the server's cap); add LIMIT or narrow the query\n".encode())


# ---- inside a worker process ----------------------------------------------------------
def _die_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent (the fork server, which itself
    ends with the server) dies; a process already orphaned ends now."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(0)


def _leave_network() -> bool:
    """Move into a new, empty network namespace (unprivileged user namespaces): no address
    is reachable from here. Best effort: False where the kernel forbids it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def _limit_memory(extra_mb: int) -> None:
    """Cap the address space at what the loaded worker uses plus `extra_mb`."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        current = pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return
    limit = current + extra_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        pass


def _worker(fd: int) -> None:
    from ..io.loader import store_from_ntriples

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers end
    conn = Connection(fd)
    try:
        source, limits = conn.recv()
    except (EOFError, OSError):
        return
    isolated = _leave_network()
    if isinstance(source, str):  # a disk store: opened read-only, so workers share one copy
        from ..io.store import read_only

        store = read_only(Path(source))
    else:
        store = store_from_ntriples(source)
    engine = OxigraphEngine(store, lazy=True)
    del source
    _limit_memory(limits.memory_mb)
    conn.send(("ready", isolated))
    while True:
        try:
            text, accept = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = evaluate(engine, text, accept, limits)
        except MemoryError:
            answer = Answer(507, TEXT, b"query stopped: it needed more memory than the server allows\n")
        conn.send((answer.status, answer.content_type, answer.body))


# ---- in the server --------------------------------------------------------------------
class _Worker:
    """One worker process and the socket the server talks to it over."""

    def __init__(self, ntriples: bytes | str, limits: Limits) -> None:
        ours, theirs = socket.socketpair()
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ots_kg.server.workers", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        self.conn = Connection(ours.detach())
        self.ready = False
        self.isolated = False
        self.started = 0.0  # when its current query began (monotonic)
        self.stopped_long = False  # killed by the pool to keep a worker free of long queries
        try:
            self.conn.send((ntriples, limits))
        except OSError:
            self.stop()

    def alive(self) -> bool:
        return self.process.poll() is None

    def begin(self) -> None:
        self.started = time.monotonic()

    def age(self) -> float:
        """Seconds its current query has been running (wall time: what a waiting client feels)."""
        return time.monotonic() - self.started

    def stop(self) -> None:
        try:
            self.process.kill()
            self.process.wait(5)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.conn.close()


@dataclass(eq=False)
class _Ticket:
    """One request waiting for (or holding) a worker."""

    seq: int
    key: str  # the query text's hash
    client: str  # the remote address


class WorkerPool:
    """`size` supervised worker processes and a fair queue in front of them.

    Slow queries cannot starve fast ones: at most `size - 1` workers may be busy with queries
    that have run longer than `slow_after` seconds (wall time, in the worker). When one more
    query passes that line, the pool stops it (503, "try again later") and replaces its
    worker, so one worker is always free of long queries and a fast query waits about
    `slow_after` seconds plus a worker's start at most. The query stopped is the last to
    pass the line: the longer-running ones keep their work. Neither Oxigraph nor rdflib can
    pause a query, so stopping is the only way to give a worker back; a pool of one worker
    cannot keep one free, and there the rule is off.

    One query text also holds at most `size - 1` workers, so a burst of one slow query does
    not even start in every worker. Waiting requests are served client by client (remote
    address): the client with the fewest queries running first, then the one served longest
    ago, so one client's burst does not push another's request to the back of the queue.
    """

    def __init__(
        self, ntriples: bytes | str, size: int = 2, limits: Limits | None = None, slow_after: float = 2.0
    ) -> None:
        self._ntriples = ntriples
        self._limits = limits or Limits()
        self.size = max(1, size)
        self.per_query = max(1, self.size - 1)
        self.slow_after = slow_after
        self.stopped_long = 0
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._starting: list[_Worker] = []
        self._running: dict[str, int] = {}  # query text (hash) -> workers on it
        self._clients: dict[str, int] = {}  # remote address -> workers on its queries
        self._served: dict[str, float] = {}  # remote address -> when it last got a worker
        self._waiting: list[_Ticket] = []
        self._seq = 0
        self._closed = False
        self.replaced = 0
        for _ in range(self.size):
            self._starting.append(self._spawn())
        deadline = time.monotonic() + 120
        while self._starting and time.monotonic() < deadline:
            self._check_starting()
            time.sleep(0.02)
        self._supervisor = threading.Thread(target=self._supervise, daemon=True, name="ots-kg-pool")
        self._supervisor.start()

    def _spawn(self) -> _Worker:
        return _Worker(self._ntriples, self._limits)

    # ---- supervision ------------------------------------------------------------------
    def _check_starting(self) -> None:
        """Move workers that finished loading to the idle list; drop ones that died loading."""
        for worker in list(self._starting):
            try:
                if not worker.conn.closed and worker.conn.poll(0):
                    _, worker.isolated = worker.conn.recv()
                    worker.ready = True
            except (EOFError, OSError):
                worker.stop()
            with self._cond:
                if worker.ready:
                    self._starting.remove(worker)
                    self._idle.append(worker)
                    self._cond.notify_all()
                elif not worker.alive():
                    self._starting.remove(worker)

    def _supervise(self) -> None:
        """Every 50 ms: replace dead idle workers, keep the pool at its size."""
        while True:
            with self._cond:
                if self._closed:
                    return
                dead = [w for w in self._idle if not w.alive()]
                for worker in dead:
                    self._idle.remove(worker)
                missing = self.size - len(self._idle) - len(self._busy) - len(self._starting)
            for worker in dead:
                worker.stop()
            for _ in range(max(0, missing)):
                worker = self._spawn()
                with self._cond:
                    self._starting.append(worker)
                    self.replaced += 1
            self._check_starting()
            self._keep_one_worker_for_short_queries()
            time.sleep(0.05)

    def _keep_one_worker_for_short_queries(self) -> None:
        """Stop the newest long queries beyond `size - 1` (see the class's note)."""
        if self.size < 2:
            return
        with self._cond:
            busy = [(w, w.started) for w in self._busy if not w.stopped_long]
        long = [(w, started) for w, started in busy if w.age() >= self.slow_after]
        if len(long) <= self.size - 1:
            return
        long.sort(key=lambda pair: pair[1])
        with self._cond:
            for worker, started in long[self.size - 1 :]:
                if worker not in self._busy or worker.started != started:
                    continue  # it finished meanwhile: nothing to stop
                worker.stopped_long = True
                self.stopped_long += 1
                try:
                    worker.process.kill()  # its request's thread sees the pipe close and answers 503
                except OSError:
                    pass

    def health(self) -> dict[str, Any]:
        """The pool as it is: workers alive and idle, busy, starting, replaced so far."""
        with self._cond:
            idle = sum(1 for w in self._idle if w.alive())
            busy = sum(1 for w in self._busy if w.alive())
            starting = len(self._starting)
            isolated = all(w.isolated for w in [*self._idle, *self._busy])
        return {
            "status": "ok" if idle + busy == self.size else "degraded" if idle + busy else "down",
            "workers": self.size,
            "idle": idle,
            "busy": busy,
            "starting": starting,
            "replaced": self.replaced,
            "stopped_long": self.stopped_long,
            "network_isolated": isolated,
        }

    # ---- queries ----------------------------------------------------------------------
    def _next(self) -> _Ticket | None:
        """The waiting request that gets the next free worker: among those whose query text
        is under its share, the client with the fewest queries running, then the client
        served longest ago (round robin between clients), then the earliest."""
        eligible = [t for t in self._waiting if self._running.get(t.key, 0) < self.per_query]
        return min(
            eligible,
            key=lambda t: (self._clients.get(t.client, 0), self._served.get(t.client, 0.0), t.seq),
            default=None,
        )

    def _acquire(self, ticket: _Ticket, deadline: float) -> _Worker | None:
        with self._cond:
            self._waiting.append(ticket)
            try:
                while True:
                    if self._closed:
                        return None
                    while self._idle and self._next() is ticket:
                        worker = self._idle.pop(0)
                        if self._usable(worker):
                            worker.begin()
                            self._busy.add(worker)
                            self._running[ticket.key] = self._running.get(ticket.key, 0) + 1
                            self._clients[ticket.client] = self._clients.get(ticket.client, 0) + 1
                            self._served[ticket.client] = time.monotonic()
                            return worker
                        self._starting.append(worker)  # dead: the supervisor drops and replaces it
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return None
                    self._cond.wait(min(left, 0.1))
            finally:
                self._waiting.remove(ticket)
                self._cond.notify_all()  # the next in line may go now

    @staticmethod
    def _usable(worker: _Worker) -> bool:
        """An idle worker never speaks first: a readable socket means it died (EOF)."""
        try:
            return worker.alive() and not worker.conn.poll(0)
        except OSError:
            return False

    def _release(self, ticket: _Ticket, worker: _Worker, healthy: bool) -> None:
        with self._cond:
            self._busy.discard(worker)
            for counts, name in ((self._running, ticket.key), (self._clients, ticket.client)):
                counts[name] -= 1
                if not counts[name]:
                    del counts[name]
            if len(self._served) > 4096:  # forget the clients served longest ago
                for client in sorted(self._served, key=self._served.__getitem__)[:2048]:
                    del self._served[client]
            if healthy and not self._closed:
                self._idle.append(worker)
            self._cond.notify_all()
        if not healthy:
            worker.stop()

    def run(self, text: str, accept: str, timeout: float, client: str = "") -> Answer:
        """Evaluate once in a free worker: 503 when none frees up within `timeout` or the
        query outlives it (its worker is killed), 500 when the worker dies under it.
        `client` (the remote address) is what the queue shares workers fairly between."""
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        deadline = time.monotonic() + timeout
        for _attempt in range(3):  # a worker found dead before the query reached it: next one
            with self._cond:
                self._seq += 1
                ticket = _Ticket(self._seq, key, client)
            worker = self._acquire(ticket, deadline)
            if worker is None:
                return Answer(503, TEXT, b"server busy: no query worker free\n")
            try:
                worker.conn.send((text, accept))
            except (OSError, ValueError):
                self._release(ticket, worker, healthy=False)
                continue
            return self._answer(ticket, worker, timeout)
        return Answer(500, TEXT, b"query workers keep dying; try again\n")

    def _answer(self, ticket: _Ticket, worker: _Worker, timeout: float) -> Answer:
        try:
            if not worker.conn.poll(timeout):
                self._release(ticket, worker, healthy=False)
                return Answer(503, TEXT, f"query stopped: it ran longer than the {timeout:g} s time limit\n".encode())
            status, ctype, body = worker.conn.recv()
        except (EOFError, OSError, ValueError):
            self._release(ticket, worker, healthy=False)
            if worker.stopped_long:
                return Answer(
                    503,
                    TEXT,
                    f"server busy: the other workers are running long queries and this one ran past "
                    f"{self.slow_after:g} s, so it was stopped to keep a worker for short ones; "
                    "try again later or narrow the query\n".encode(),
                )
            return Answer(500, TEXT, b"query worker died (killed or over its memory limit); it has been replaced\n")
        self._release(ticket, worker, healthy=True)
        return Answer(status, ctype, body)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            workers = [*self._idle, *self._busy, *self._starting]
            self._idle.clear()
            self._busy.clear()
            self._starting.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.stop()


if __name__ == "__main__":
    _worker(int(sys.argv[1]))
