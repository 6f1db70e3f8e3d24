"""`ots-kg serve`: a read-only SPARQL 1.1 Protocol endpoint over the graph, with a small
offline HTML page to run stored or typed queries.

Every query runs in a worker process (server.workers.WorkerPool) so a time limit can really
stop it; updates, SERVICE and LOAD are refused before they reach the engine.
"""

from __future__ import annotations

import json
import signal
import threading
import urllib.parse
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import OtsKgError
from ..model.formats import SHORT_FORMATS
from ..sparql.catalogue import bind_values, catalogue
from ..sparql.text import bind_with_values, is_update, network_keywords
from .workers import Answer, WorkerPool


@dataclass
class Settings:
    timeout: float = 10.0
    max_rows: int = 10000
    max_body: int = 100_000
    workers: int = 2


def _page() -> bytes:
    return resources.files("ots_kg.server").joinpath("index.html").read_bytes()


class SparqlServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], store: Any, settings: Settings) -> None:
        """`store`: an Oxigraph store (copied to each worker) or a disk store's path (opened)."""
        from ..io.loader import ntriples

        self.settings = settings
        self.pool = WorkerPool(store if isinstance(store, Path) else ntriples(store), settings.workers)
        self.queries = catalogue()
        super().__init__(address, Handler)

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


class Handler(BaseHTTPRequestHandler):
    server: SparqlServer
    server_version = "ots-kg"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet by default
        pass

    # ---- dispatch ---------------------------------------------------------------------
    def do_GET(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/", "/index.html"):
            return self._send(Answer(200, "text/html; charset=utf-8", _page()))
        if url.path == "/health":
            return self._send(Answer(200, "text/plain; charset=utf-8", b"ok\n"))
        if url.path == "/queries.json":
            return self._send(Answer(200, "application/json", self._catalogue_json()))
        if url.path in ("/sparql", "/query"):
            try:
                params = urllib.parse.parse_qs(url.query, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                return self._error(400, "query string is not UTF-8")
            return self._query(params)
        self._error(404, f"no such resource {url.path}; the endpoint is /sparql")

    def do_POST(self) -> None:  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        if url.path not in ("/sparql", "/query", "/update"):
            return self._error(404, f"no such resource {url.path}; the endpoint is /sparql")
        length = self.headers.get("Content-Length")
        if length is None:
            return self._error(411, "Content-Length required")
        try:
            size = int(length)
        except ValueError:
            return self._error(400, "bad Content-Length")
        if size > self.server.settings.max_body:
            self.close_connection = True
            return self._error(413, f"request body over {self.server.settings.max_body} bytes")
        body = self.rfile.read(size)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._error(400, "request body is not UTF-8")
        if url.path == "/update" or ctype == "application/sparql-update":
            return self._error(403, "this endpoint is read-only: SPARQL Update is refused")
        if ctype == "application/sparql-query":
            params = urllib.parse.parse_qs(url.query)
            params["query"] = [text]
        elif ctype in ("application/x-www-form-urlencoded", ""):
            params = urllib.parse.parse_qs(text, keep_blank_values=True)
            params.update({k: v for k, v in urllib.parse.parse_qs(url.query).items() if k not in params})
        else:
            return self._error(415, f"unsupported Content-Type {ctype}")
        self._query(params)

    def _unsupported(self) -> None:
        self._error(405, "method not allowed; use GET or POST", allow="GET, POST")

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
        found = network_keywords(text)
        if found:
            return self._error(
                403, f"{', '.join(sorted(found))} is refused: this endpoint does not contact other servers"
            )
        accept = self.headers.get("Accept", "")
        fmt = (params.get("format") or [""])[0]
        if fmt:
            if fmt not in SHORT_FORMATS:
                return self._error(400, f"unknown format {fmt}; one of {', '.join(SHORT_FORMATS)}")
            accept = SHORT_FORMATS[fmt]
        settings = self.server.settings
        self._send(self.server.pool.run(text, accept, settings.max_rows, settings.timeout))

    def _stored_text(self, name: str, params: dict[str, list[str]]) -> str:
        if name not in self.server.queries:
            raise OtsKgError(f"unknown stored query {name!r}")
        query = self.server.queries[name]
        values = {k[2:]: v[0] for k, v in params.items() if k.startswith("p.") and v and v[0] != ""}
        return bind_with_values(query.text, bind_values(query, values))

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
        self.send_header("Access-Control-Allow-Origin", "*")
        if allow:
            self.send_header("Allow", allow)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)


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
    """Serve until SIGINT or SIGTERM, then close the socket and stop the workers."""
    stop = threading.Event()

    def _stop(*_):
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stop.wait()
    server.shutdown()
    server.server_close()
