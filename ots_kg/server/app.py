"""`ots-kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the graph, with a small
offline HTML page to run stored or typed queries.

Every query runs in a worker process (server.workers.WorkerPool) so a time limit can really
stop it; there the engine refuses updates, SERVICE and FROM (found by parsing, sparql.guard)
before evaluating, and the worker has no network to reach anyway. The parse happens in the
worker, not here: rdflib's parser holds the GIL for up to a second on long queries.

Why the standard library's HTTP server and not uvicorn: the server answers one small page
and a query endpoint whose cost is the query, not the HTTP layer; every request already
hands off to a worker process. What the stdlib server lacked (strict framing, per-connection
timeouts, HEAD/OPTIONS, a real listen backlog, quiet disconnects, draining on SIGTERM) is a
few dozen lines here, against a new dependency tree for every user of the CLI.

CORS: no `Access-Control-Allow-Origin` unless origins are named (--cors-origin). The page is
served by the server itself (same origin), so it needs none; a wildcard would let any web
page the user opens read whatever the endpoint can read. A Host check (loopback names only
when listening on loopback) stops DNS-rebinding pages from posing as same-origin.
"""

from __future__ import annotations

import ipaddress
import json
import re
import signal
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import OtsKgError
from ..model.formats import SHORT_FORMATS
from ..sparql.catalogue import bind_values, catalogue, edited
from ..sparql.text import bind_with_values, is_update
from .workers import Answer, Limits, WorkerPool

_DIGITS = re.compile(r"[0-9]{1,12}")
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}


@dataclass
class Settings:
    timeout: float = 10.0
    max_rows: int = 10000
    max_body: int = 100_000
    workers: int = 2
    max_bytes: int = 50_000_000
    memory_mb: int = 1024
    read_timeout: float = 10.0
    cors_origins: tuple[str, ...] = ()
    slow_after: float = 2.0  # seconds after which a query is long (server.workers.WorkerPool)

    def __post_init__(self) -> None:
        for name in ("timeout", "read_timeout", "slow_after"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and 0 < value < float("inf")):
                raise OtsKgError(f"{name.replace('_', '-')} must be a positive number of seconds, not {value}")
        for name in ("max_rows", "max_body", "workers", "max_bytes", "memory_mb"):
            if getattr(self, name) < 1:
                raise OtsKgError(f"{name.replace('_', '-')} must be at least 1")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _page() -> bytes:
    return resources.files("ots_kg.server").joinpath("index.html").read_bytes()


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # 32 clients at once must not meet SYN retries

    def __init__(self, address: tuple[str, int], store: Any, settings: Settings) -> None:
        """`store`: an Oxigraph store (copied to each worker) or a disk store's path (opened)."""
        from ..io.loader import ntriples

        self.settings = settings
        limits = Limits(settings.max_rows, settings.max_bytes, settings.memory_mb)
        source = str(store) if isinstance(store, Path) else ntriples(store)  # a disk store: its path
        self.pool = WorkerPool(source, settings.workers, limits, settings.slow_after)
        self.queries = catalogue()
        self.in_flight = 0
        self._flight = threading.Condition()
        try:
            super().__init__(address, Handler)
        except BaseException:
            self.pool.close()
            raise
        self.loopback_only = _loopback(address[0])

    def begin(self) -> None:
        with self._flight:
            self.in_flight += 1

    def end(self) -> None:
        with self._flight:
            self.in_flight -= 1
            self._flight.notify_all()

    def drain(self, seconds: float) -> bool:
        """Wait until no request is being answered (True) or `seconds` pass (False)."""
        deadline = time.monotonic() + seconds
        with self._flight:
            while self.in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._flight.wait(left)
        return True

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()

    def client_gone(self, client_address: Any) -> None:
        """The one log line for a client that reset or closed its connection mid-answer."""
        import sys

        who = ":".join(str(part) for part in client_address[:2]) if client_address else "a client"
        print(f"ots-kg: {who} closed the connection before the answer was sent", file=sys.stderr)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line instead of socketserver's traceback: a client that resets or closes
        its connection mid-answer is routine, not a server failure."""
        import sys

        exc = sys.exc_info()[1]
        who = ":".join(str(part) for part in client_address[:2]) if client_address else "a client"
        if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            self.client_gone(client_address)
        else:
            print(f"ots-kg: request from {who} failed: {type(exc).__name__}: {exc}", file=sys.stderr)


class Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "ots-kg"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet by default
        pass

    def setup(self) -> None:
        self.timeout = self.server.settings.read_timeout  # idle and read timeout per connection
        super().setup()

    def handle_one_request(self) -> None:
        """One request, counted while in flight so SIGTERM can wait for it; a client that
        stalls or disconnects just ends its connection."""
        try:
            super().handle_one_request()
        except (TimeoutError, ConnectionError):
            self.close_connection = True
        finally:
            if getattr(self, "_counted", False):
                self._counted = False
                self.server.end()

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        self.server.begin()
        self._counted = True
        return self._framing_ok() and self._host_ok()

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass

    def _framing_ok(self) -> bool:
        """One unambiguous body length or none: no chunked bodies, no duplicate or signed
        Content-Length (the ambiguities request smuggling lives on)."""
        if self.headers.get_all("Transfer-Encoding"):
            self.close_connection = True
            self._error(411, "Transfer-Encoding is not accepted; send the body with a Content-Length")
            return False
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) > 1 or any(not _DIGITS.fullmatch(v.strip()) for v in lengths):
            self.close_connection = True
            self._error(400, "bad Content-Length (one non-negative decimal number expected)")
            return False
        if lengths and self.command != "POST":
            self.close_connection = True  # a body we do not read must not become the next request
        return True

    def _host_ok(self) -> bool:
        """On a loopback server, only loopback Host names: a DNS-rebinding page cannot pose
        as the page's own origin."""
        if not self.server.loopback_only:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        if not host:
            return True  # HTTP/1.0 clients; browsers always send a Host
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name in _LOOPBACK_NAMES or _loopback(name.strip("[]")):
            return True
        self.close_connection = True
        self._error(403, f"Host {host or '(none)'} refused: this endpoint answers loopback names only")
        return False

    # ---- dispatch ---------------------------------------------------------------------
    def do_OPTIONS(self) -> None:  # noqa: N802
        """CORS preflight and capability probe: methods allowed, no body."""
        self._send(Answer(204, "text/plain; charset=utf-8", b""), allow="GET, HEAD, POST, OPTIONS")

    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            return self._send(Answer(200, "text/html; charset=utf-8", _page()))
        if url.path == "/health":
            health = self.server.pool.health()
            status = 200 if health["status"] != "down" else 503
            return self._send(Answer(status, "application/json", json.dumps(health).encode() + b"\n"))
        if url.path == "/queries.json":
            return self._send(Answer(200, "application/json", self._catalogue_json()))
        if url.path in ("/sparql", "/query") and not url.query:
            return self._description(url.path)
        if url.path in ("/sparql", "/query"):
            try:
                params = urllib.parse.parse_qs(url.query, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                return self._error(400, "query string is not UTF-8")
            return self._query(params)
        self._error(404, f"no such resource {url.path}; the endpoint is /sparql")

    def do_POST(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            return self._error(411, "Content-Length required")
        size = int(length)
        if size > self.server.settings.max_body:
            self.close_connection = True
            return self._error(413, f"request body over {self.server.settings.max_body} bytes")
        try:
            body = self.rfile.read(size)
        except TimeoutError:
            body = b""
        if len(body) < size:  # the client stopped sending: answer, never evaluate a partial body
            self.close_connection = True
            return self._error(408, f"request body shorter than its Content-Length ({len(body)} of {size} bytes)")
        if url.path not in ("/sparql", "/query", "/update", "/lint"):
            return self._error(404, f"no such resource {url.path}; the endpoint is /sparql")
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._error(400, "request body is not UTF-8")
        if url.path == "/update" or ctype == "application/sparql-update":
            return self._error(403, "this endpoint is read-only: SPARQL Update is refused")
        if url.path == "/lint":
            return self._lint(text, ctype)
        if ctype == "application/sparql-query":
            params = urllib.parse.parse_qs(url.query)
            params["query"] = [text]
        elif ctype in ("application/x-www-form-urlencoded", ""):
            params = urllib.parse.parse_qs(text, keep_blank_values=True)
            params.update({k: v for k, v in urllib.parse.parse_qs(url.query).items() if k not in params})
        else:
            return self._error(415, f"unsupported Content-Type {ctype}")
        self._query(params)

    do_HEAD = do_GET  # noqa: N815 - same answer, body left out by _send

    def _unsupported(self) -> None:
        self.close_connection = True
        self._error(405, "method not allowed; use GET or POST", allow="GET, HEAD, POST, OPTIONS")

    do_PUT = do_DELETE = do_PATCH = _unsupported  # noqa: N815

    # ---- queries ----------------------------------------------------------------------
    def _query(self, params: dict[str, list[str]]) -> None:
        if "update" in params:
            return self._error(403, "this endpoint is read-only: SPARQL Update is refused")
        text = (params.get("query") or [""])[0]
        stored = (params.get("stored") or [""])[0]
        if stored:
            try:
                text = self._stored_text(stored, params)
            except OtsKgError as exc:
                return self._error(400, str(exc))
        if not text.strip():
            return self._error(400, "missing query: pass ?query=... or a stored query ?stored=NAME")
        if is_update(text):
            return self._error(403, "this endpoint is read-only: SPARQL Update is refused")
        accept = self.headers.get("Accept", "")
        fmt = (params.get("format") or [""])[0]
        if fmt:
            if fmt not in SHORT_FORMATS:
                return self._error(400, f"unknown format {fmt}; one of {', '.join(SHORT_FORMATS)}")
            accept = SHORT_FORMATS[fmt]
        settings = self.server.settings
        self._send(self.server.pool.run(text, accept, settings.timeout, client=str(self.client_address[0])))

    def _description(self, path: str) -> None:
        """GET of the endpoint without a query: its SPARQL 1.1 Service Description, in the
        graph format the client accepts (Turtle by default)."""
        from ..io.export import serialize
        from ..model.formats import GRAPH_ACCEPT, GRAPH_FORMATS
        from .description import service_description
        from .workers import negotiate

        host = self.headers.get("Host") or ""
        if not re.fullmatch(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?", host):
            address, port = self.server.server_address[:2]  # none, or not a host name: our own
            host = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
        media = negotiate(self.headers.get("Accept", ""), GRAPH_ACCEPT, GRAPH_FORMATS["ttl"].media_type)
        text = serialize(service_description(f"http://{host}{path}"), GRAPH_ACCEPT[media])
        self._send(Answer(200, f"{media}; charset=utf-8", text.encode("utf-8")))

    def _lint(self, body: str, ctype: str) -> None:
        """POST /lint (the query text as `query=` or application/sparql-query): the warnings
        `ots-kg query` prints for a typed text, as JSON, for the page. Only those read from
        the text (sparql.lint): the graph is the workers' to read."""
        from ..sparql.lint import text_warnings

        text = body if ctype == "application/sparql-query" else (urllib.parse.parse_qs(body).get("query") or [""])[0]
        answer = json.dumps({"warnings": text_warnings(text)}, ensure_ascii=False).encode("utf-8")
        self._send(Answer(200, "application/json", answer))

    def _stored_text(self, name: str, params: dict[str, list[str]]) -> str:
        if name not in self.server.queries:
            raise OtsKgError(f"unknown stored query {name!r}")
        query = self.server.queries[name]
        if (params.get("query") or [""])[0].strip():  # its text edited on the page: bind what it still uses
            query = edited(query, params["query"][0])
        values = {k[2:]: v[0] for k, v in params.items() if k.startswith("p.") and v and v[0] != ""}
        return bind_with_values(query.text, bind_values(query, values, spelling="p.{}=..."))

    def _catalogue_json(self) -> bytes:
        return json.dumps(
            [q.describe(with_text=True) for q in self.server.queries.values()], ensure_ascii=False
        ).encode("utf-8")

    # ---- responses --------------------------------------------------------------------
    def _error(self, status: int, message: str, allow: str | None = None) -> None:
        self._send(Answer(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8")), allow)

    def _send(self, answer: Answer, allow: str | None = None) -> None:
        self.send_response(answer.status, HTTPStatus(answer.status).phrase)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        origin = self.headers.get("Origin") if self.headers else None
        if origin and origin in self.server.settings.cors_origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Vary", "Origin")
            if self.command == "OPTIONS":
                self.send_header("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS")
                self.send_header("Access-Control-Allow-Headers", "Accept, Content-Type")
        if allow:
            self.send_header("Allow", allow)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(answer.body)
            except OSError:
                self.close_connection = True
                self.server.client_gone(self.client_address)


def make_server(source: Any, host: str = "127.0.0.1", port: int = 0, settings: Settings | None = None) -> SparqlServer:
    """A ready server over an Oxigraph store, a disk store's path or an rdflib graph (port 0
    picks a free one: see server.server_address)."""
    import pyoxigraph as ox

    from ..io.loader import store_from_graph

    store = source if isinstance(source, ox.Store | Path) else store_from_graph(source)
    try:
        return SparqlServer((host, port), store, settings or Settings())
    except OSError as exc:
        raise OtsKgError(f"cannot listen on {host}:{port} ({exc.strerror})") from None


def serve_forever(server: SparqlServer) -> None:
    """Serve until SIGINT or SIGTERM; then stop accepting, let the requests in flight get
    their answers (up to the query time limit and a little), and stop the workers."""
    stop = threading.Event()

    def _stop(*_):
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop.wait()
    server.shutdown()
    server.socket.close()
    server.drain(server.settings.timeout * 2 + 5)
    server.server_close()
