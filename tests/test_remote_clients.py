"""The remote clients (`query --endpoint`, `push`) against hostile stores on loopback: a
server that drips its answer, one that answers without end, redirects that would carry the
credentials to another origin or turn a POST into a body-less GET (issue 14)."""

from __future__ import annotations

import base64
import json
import time
from http.server import BaseHTTPRequestHandler

import pytest
from conftest import run_cli
from rdflib import Graph, Literal, URIRef
from servers import loopback_server

from ots_kg.errors import OtsKgError, QueryError
from ots_kg.io.http import HttpClient, HttpError
from ots_kg.io.push import push
from ots_kg.sparql.catalogue import inline_query
from ots_kg.sparql.engines import RemoteEngine

RESULTS = json.dumps(
    {"head": {"vars": ["s"]}, "results": {"bindings": [{"s": {"type": "uri", "value": "http://e/ok"}}]}}
).encode()
BASIC = "Basic " + base64.b64encode(b"alice:secret").decode()


class _Store(BaseHTTPRequestHandler):
    """A store that misbehaves by path; every request it sees is recorded."""

    def log_message(self, *args) -> None:
        pass

    def _handle(self) -> None:
        srv = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        srv.seen.append((self.command, self.path, self.headers.get("Authorization"), body))  # type: ignore[attr-defined]
        path = self.path.split("?")[0]
        if path == "/drip-body":  # headers at once, then one byte every 0.3 s
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(RESULTS)))
            self.end_headers()
            self._drip(RESULTS)
        elif path == "/drip-head":  # even the status line comes one byte at a time
            self._drip(b"HTTP/1.0 200 OK\r\nContent-Type: application/sparql-results+json\r\n\r\n" + RESULTS)
        elif path == "/endless":  # no Content-Length, closes never: 1 MiB chunks for as long as read
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.end_headers()
            chunk = b" " * (1 << 20)
            try:
                for _ in range(256):
                    self.wfile.write(chunk)
                    srv.sent += len(chunk)  # type: ignore[attr-defined]
            except OSError:
                pass
        elif path == "/declared-huge":
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(10**12))
            self.end_headers()
        elif path.startswith("/redirect-"):  # /redirect-307?to=URL; with credentials asked first
            if srv.want_auth and self.headers.get("Authorization") != BASIC:  # type: ignore[attr-defined]
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="store"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(int(path.removeprefix("/redirect-")))
            self.send_header("Location", self.path.split("to=", 1)[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif path == "/ask-credentials":
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="elsewhere"')
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(RESULTS)))
            self.end_headers()
            self.wfile.write(RESULTS)

    def _drip(self, data: bytes) -> None:
        try:
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                self.server.sent += 1  # type: ignore[attr-defined]
                time.sleep(0.3)
        except OSError:
            pass

    do_GET = do_POST = do_PUT = do_HEAD = _handle  # noqa: N815


def store(want_auth: bool = False):
    return loopback_server(_Store, seen=[], sent=0, want_auth=want_auth)


QUERY = inline_query("SELECT ?s WHERE { ?s ?p ?o }")


# ---- a total deadline, not one per read ------------------------------------------------------
@pytest.mark.parametrize("path", ["/drip-body", "/drip-head"])
def test_a_dripping_store_is_cut_at_the_total_deadline(path):
    """Every byte arrives well within the per-read limit; the whole answer would take ~60 s."""
    with store() as srv:
        with pytest.raises(QueryError) as err:
            RemoteEngine(srv.base + path, timeout=1.5).run(QUERY)
        message = str(err.value)
        assert "no complete answer within 1.5 s" in message and "\n" not in message
        assert 0 < srv.sent < len(RESULTS) // 2  # cut while still dripping


def test_cli_query_on_a_dripping_endpoint_is_one_line_exit_2():
    with store() as srv:
        proc = run_cli(
            "query", "-q", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", srv.base + "/drip-body", "--timeout", "1"
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "within 1 s" in proc.stderr and "Traceback" not in proc.stderr


# ---- a size cap on answers -------------------------------------------------------------------
def test_an_endless_answer_is_refused_at_the_size_cap():
    with store() as srv:
        with pytest.raises(QueryError, match="over the 1000000-byte cap") as err:
            RemoteEngine(srv.base + "/endless", timeout=30, max_bytes=1_000_000).run(QUERY)
        assert "\n" not in str(err.value)
        time.sleep(0.5)
        assert srv.sent < 200 * (1 << 20)  # the client stopped reading: the server could not send it all


def test_cli_max_answer_mb_refuses_a_larger_answer_with_one_line():
    with store() as srv:
        proc = run_cli(
            "query", "-q", "SELECT * WHERE { ?s ?p ?o }", "--endpoint", srv.base + "/endless", "--max-answer-mb", "2"
        )
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "2097152-byte cap" in proc.stderr, proc.stderr
        assert srv.sent < 200 * (1 << 20)


def test_a_declared_length_over_the_cap_is_refused_before_reading():
    with store() as srv:
        client = HttpClient(timeout=10, user_agent="test", max_bytes=1000)
        with pytest.raises(HttpError, match="1000000000000 bytes, over the 1000-byte cap"):
            client.send("GET", srv.base + "/declared-huge")


def test_an_answer_within_the_cap_is_read_whole():
    with store() as srv:
        assert RemoteEngine(srv.base + "/sparql", max_bytes=len(RESULTS)).run(QUERY).rows[0][0].value == "http://e/ok"
        with pytest.raises(QueryError, match="cap"):
            RemoteEngine(srv.base + "/sparql", max_bytes=len(RESULTS) - 1).run(QUERY)


def test_settings_are_checked():
    with pytest.raises(OtsKgError, match="positive number of seconds"):
        HttpClient(timeout=float("nan"), user_agent="test")
    with pytest.raises(QueryError, match="at least 1 byte"):
        RemoteEngine("http://127.0.0.1:1/", max_bytes=-5)


# ---- credentials stay with their origin ------------------------------------------------------
def test_credentials_are_not_sent_to_a_redirect_on_another_origin():
    with store(want_auth=True) as home, store() as other:
        target = other.base + "/sparql"
        engine = RemoteEngine(f"{home.base}/redirect-307?to={target}", user="alice", password="secret")
        assert engine.run(QUERY).rows[0][0].value == "http://e/ok"
        assert any(auth == BASIC for _, _, auth, _ in home.seen)  # the home store got them
        assert other.seen and all(auth is None for _, _, auth, _ in other.seen), other.seen


def test_a_redirect_target_asking_for_credentials_gets_none():
    with store(want_auth=True) as home, store() as other:
        engine = RemoteEngine(
            f"{home.base}/redirect-307?to={other.base}/ask-credentials", user="alice", password="secret"
        )
        with pytest.raises(QueryError, match="never sent across origins"):
            engine.run(QUERY)
        assert all(auth is None for _, _, auth, _ in other.seen)


def test_a_redirect_on_the_same_origin_keeps_the_credentials():
    with store(want_auth=True) as home:
        engine = RemoteEngine(f"{home.base}/redirect-308?to=/sparql", user="alice", password="secret")
        assert engine.run(QUERY).rows
        assert [auth for method, path, auth, _ in home.seen if (method, path) == ("POST", "/sparql")] == [BASIC]


# ---- redirects keep method and body, or fail -------------------------------------------------
@pytest.mark.parametrize("code", [307, 308])
def test_307_and_308_keep_the_post_and_its_body(code):
    with store() as home, store() as other:
        RemoteEngine(f"{home.base}/redirect-{code}?to={other.base}/sparql").run(QUERY)
        [(method, _, _, body)] = other.seen
        assert method == "POST" and b"query=" in body


@pytest.mark.parametrize("code", [301, 302, 303])
def test_a_post_redirected_by_301_302_303_fails_with_one_line(code):
    with store() as home, store() as other:
        with pytest.raises(QueryError) as err:
            RemoteEngine(f"{home.base}/redirect-{code}?to={other.base}/sparql").run(QUERY)
        message = str(err.value)
        assert f"HTTP {code}" in message and "without its body" in message and "\n" not in message
        assert other.seen == []  # no body-less GET went out


def test_push_redirected_by_302_fails_and_sends_no_get():
    graph = Graph()
    graph.add((URIRef("http://e/a"), URIRef("http://e/b"), Literal("c")))
    with store() as home, store() as other:
        with pytest.raises(HttpError, match="PUT answered HTTP 302"):
            push(graph, f"{home.base}/redirect-302?to={other.base}/store", replace=True, timeout=10)
        assert other.seen == []


def test_a_get_follows_a_303_and_redirect_loops_end():
    with store() as home:
        client = HttpClient(timeout=10, user_agent="test")
        assert client.send("GET", f"{home.base}/redirect-303?to=/sparql").body == RESULTS
        with pytest.raises(HttpError, match="more than 5 redirects"):
            client.send("GET", f"{home.base}/loop")
