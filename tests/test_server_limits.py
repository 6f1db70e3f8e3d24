"""`ots-kg serve` within its limits (issue 14): the row and byte caps are checked while the
answer is read and written, so an oversized answer is refused without being held whole; and
slow queries cannot starve fast ones."""

from __future__ import annotations

import itertools
import json
import threading
import time
import tracemalloc
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest
from servers import ots_server

from ots_kg.model.terms import Term
from ots_kg.render.results import format_results, stream_results
from ots_kg.server.workers import Limits, evaluate
from ots_kg.sparql.catalogue import inline_query
from ots_kg.sparql.engines import OxigraphEngine
from ots_kg.sparql.results import Results

P = ox.NamedNode("http://e/p")
N = 1000
VALUE = "v" * 40  # 1000 x 1000 pairs of 41 characters: a 41 MB GROUP_CONCAT
CONCAT = "SELECT (GROUP_CONCAT(?o) AS ?all) WHERE { ?a <http://e/p> ?o . ?b <http://e/p> ?x }"
PAIRS = "SELECT ?o ?x WHERE { ?a <http://e/p> ?o . ?b <http://e/p> ?x }"  # a million rows


@pytest.fixture(scope="module")
def small_store() -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(ox.NamedNode(f"http://e/s{i}"), P, ox.Literal(f"{VALUE}{i:03}")) for i in range(N))
    return store


def _peak(fn):
    """fn's result and the peak of Python memory it allocated (Oxigraph's own heap not counted)."""
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_huge_group_concat_is_refused_without_a_formatted_copy(small_store):
    engine = OxigraphEngine(small_store, lazy=True)
    answer, peak = _peak(
        lambda: evaluate(engine, CONCAT, "application/sparql-results+json", Limits(max_bytes=1_000_000))
    )
    assert answer.status == 413 and b"more than 1000000 bytes" in answer.body
    size = N * N * (len(VALUE) + 4)
    assert peak < 1.5 * size, (peak, size)  # the value itself once, never its JSON text or its bytes


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv", "application/sparql-results+xml"])
def test_many_rows_are_cut_at_the_byte_cap_while_writing(small_store, accept):
    """A million rows (~90 MB of values) and no row cap to speak of: the writer stops at 1 MB."""
    engine = OxigraphEngine(small_store, lazy=True)
    limits = Limits(max_rows=10**9, max_bytes=1_000_000)
    answer, peak = _peak(lambda: evaluate(engine, PAIRS, accept, limits))
    assert answer.status == 413 and b"bytes" in answer.body
    assert peak < 10_000_000, peak


def test_row_cap_is_checked_while_reading(small_store):
    engine = OxigraphEngine(small_store, lazy=True)
    answer = evaluate(engine, PAIRS, "text/csv", Limits(max_rows=500))
    assert answer.status == 413 and b"more than 500 rows" in answer.body
    answer = evaluate(engine, PAIRS + " LIMIT 500", "text/csv", Limits(max_rows=500))
    assert answer.status == 200 and answer.body.count(b"\r\n") == 501


def test_the_streamed_writer_reads_no_further_than_asked():
    """stream_results pulls rows one at a time: an endless answer can be written in part."""
    endless = ((Term("literal", str(i)),) for i in itertools.count())
    for fmt in ("json", "csv", "tsv", "xml"):
        pieces = stream_results(Results("SELECT", ["n"], endless), fmt)  # type: ignore[arg-type]
        assert len(list(itertools.islice(pieces, 5))) == 5


def test_streamed_and_joined_answers_are_the_same_bytes(small_store):
    rows = OxigraphEngine(small_store).run(inline_query("SELECT ?a ?o ?none WHERE { ?a ?p ?o } ORDER BY ?a LIMIT 3"))
    for fmt in ("json", "csv", "tsv", "xml"):
        assert "".join(stream_results(rows, fmt)) == format_results(rows, fmt)
    empty = Results("SELECT", ["x"], [])
    assert json.loads(format_results(empty, "json")) == {"head": {"vars": ["x"]}, "results": {"bindings": []}}


def test_server_refuses_a_huge_group_concat_and_stays_healthy(small_store):
    with ots_server(small_store, workers=1, max_bytes=1_000_000, timeout=60) as base:
        try:
            with urllib.request.urlopen(f"{base}/sparql?query={urllib.parse.quote(CONCAT)}", timeout=90) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        assert status == 413 and b"bytes" in body
        with urllib.request.urlopen(f"{base}/health", timeout=10) as r:
            assert json.loads(r.read())["status"] == "ok"


def _ask(base: str, query: str, timeout: float = 60) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(f"{base}/sparql?query={urllib.parse.quote(query)}", timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_slow_queries_cannot_starve_a_fast_one(small_store):
    """Three different slow queries (a billion-row count each) on two workers: the fast query
    is answered while the first slow one is still running, not after the slow ones end."""
    slow = [f"SELECT (COUNT(*) AS ?n{i}) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }}" for i in range(3)]
    fast = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    finished: list[tuple[str, int, bytes]] = []
    lock = threading.Lock()

    def run(name: str, query: str) -> None:
        status, body = _ask(base, query)
        with lock:
            finished.append((name, status, body))

    with ots_server(small_store, workers=2, timeout=20, slow_after=0.5) as base:
        threads = []
        for i, query in enumerate(slow):
            threads.append(threading.Thread(target=run, args=(f"slow{i}", query), daemon=True))
            threads[-1].start()
            time.sleep(0.2)
        deadline = time.monotonic() + 30
        while json.loads(urllib.request.urlopen(base + "/health", timeout=10).read())["busy"] < 2:
            assert time.monotonic() < deadline, "the slow queries never occupied the workers"
            time.sleep(0.1)
        time.sleep(1.0)  # both are long by now
        run("fast", fast)
        with lock:
            done = list(finished)
        names = [name for name, _, _ in done]
        assert "fast" in names and done[names.index("fast")][1] == 200, done
        before_fast = done[: names.index("fast")]
        assert all(status == 503 and b"long queries" in body for _, status, body in before_fast), before_fast
        assert len(before_fast) < len(slow)  # a slow query is still running: the fast one did not wait for it
    for thread in threads:
        thread.join(30)


def test_the_queue_serves_clients_in_turn(small_store):
    """One worker; client A queues four queries, then client B (another loopback address)
    one: B's query runs next after A's first, not after all of A's."""
    import http.client

    query = "SELECT (COUNT(*) AS ?n{}) WHERE {{ ?a ?b ?c . ?d ?e ?f }}"  # ~a million rows counted
    finished: list[str] = []
    lock = threading.Lock()

    def send(name: str, source: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=120, source_address=(source, 0))
        text = query.format(name)
        if name == "a0":
            text = text.replace("?f }", "?f . VALUES ?k { " + " ".join(map(str, range(20))) + " } }")
        connection.request("GET", "/sparql?query=" + urllib.parse.quote(text))
        response = connection.getresponse()
        response.read()
        connection.close()
        with lock:
            finished.append(f"{name}:{response.status}")

    with ots_server(small_store, workers=1, timeout=100) as base:
        # a0 counts twenty times as many rows, so every other request is queued before it ends
        threads = [threading.Thread(target=send, args=(f"a{i}", "127.0.0.1")) for i in range(4)]
        threads.append(threading.Thread(target=send, args=("b0", "127.0.0.2")))
        for thread in threads:
            thread.start()
            time.sleep(0.15)
        for thread in threads:
            thread.join(120)
    assert sorted(finished) == ["a0:200", "a1:200", "a2:200", "a3:200", "b0:200"], finished
    assert finished.index("b0:200") == 1, finished  # right after A's first, not after all four
