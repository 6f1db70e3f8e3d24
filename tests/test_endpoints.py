"""Remote endpoints for real: push into an Oxigraph server and query it; query `ots-kg serve`."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from browser import CHROMIUM, NO_CHROMIUM, chromium
from conftest import ROOT, run_cli
from servers import ots_server, oxigraph_binary, oxigraph_server
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from ots_kg.errors import QueryError
from ots_kg.sparql.catalogue import find_query
from ots_kg.sparql.engines import RemoteEngine


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        proc = run_cli("push", "--endpoint", base + "/store", "--replace", "--batch-size", "2000")
        assert proc.returncode == 0, proc.stderr
        assert re.search(r"pushed (\d+) triples in \d+ batches; store holds \1", proc.stdout)
        yield base


def test_remote_query_through_the_cli(oxigraph):
    proc = run_cli(
        "query",
        "series-timeline",
        "-p",
        "series=mech:education-ministers",
        "--endpoint",
        oxigraph + "/query",
        "--format",
        "csv",
    )
    assert proc.returncode == 0, proc.stderr
    assert "2013-11-22,,Eskişehir" in proc.stdout


def test_push_replace_twice_keeps_the_count(oxigraph):
    proc = run_cli(
        "push", "--endpoint", oxigraph + "/store", "--graph", "https://w3id.org/ots-kg/id/graph", "--replace"
    )
    assert proc.returncode == 0, proc.stderr
    again = run_cli(
        "push", "--endpoint", oxigraph + "/store", "--graph", "https://w3id.org/ots-kg/id/graph", "--replace"
    )
    assert again.stdout.split("store holds")[1] == proc.stdout.split("store holds")[1]


def test_push_keeps_a_literal_with_a_line_separator_whole(oxigraph):
    """U+2028 is a line break to str.splitlines, not to N-Triples: the batches are cut at
    "\n" only, so such a literal reaches the store whole (it was once sent in two halves)."""
    from rdflib import Graph, Literal, URIRef

    from ots_kg.io.push import push

    graph = Graph()
    graph.add((URIRef("http://example.org/a"), URIRef("http://example.org/p"), Literal("one\u2028two\x85three")))
    graph.add((URIRef("http://example.org/b"), URIRef("http://example.org/p"), Literal("x")))
    push(graph, oxigraph + "/store", graph_iri="http://example.org/g", replace=True, batch_size=1)
    client = SPARQLWrapper(oxigraph + "/query")
    client.setQuery("SELECT ?o WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }")
    client.setReturnFormat(JSON)
    values = sorted(b["o"]["value"] for b in client.queryAndConvert()["results"]["bindings"])
    assert values == ["one\u2028two\x85three", "x"]


def test_unreachable_endpoint_is_one_line_exit_2():
    proc = run_cli("query", "members", "--endpoint", "http://127.0.0.1:9/query")
    assert proc.returncode == 2 and "connection refused" in proc.stderr
    proc = run_cli("push", "--endpoint", "http://127.0.0.1:9/store")
    assert proc.returncode == 2 and "connection refused" in proc.stderr


def test_endpoint_error_answer_is_reported(oxigraph, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryError, match="answered HTTP 400"):
        RemoteEngine(oxigraph + "/query").run(find_query(str(bad)))


# ---- ots-kg serve ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(graph):
    with ots_server(graph, timeout=3.0, max_rows=5000, max_body=20_000) as base:
        yield base


def _get(url: str, accept: str | None = None, method: str = "GET", data: bytes | None = None, ctype: str | None = None):
    headers = {}
    if accept:
        headers["Accept"] = accept
    if ctype:
        headers["Content-Type"] = ctype
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type"), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type"), exc.read().decode("utf-8", "replace")


def test_serve_answers_sparqlwrapper(served):
    client = SPARQLWrapper(served + "/sparql", agent="ots-kg-tests")
    client.setQuery("SELECT ?l WHERE { event:2022-11-11-summit-9 rdfs:label ?l }")
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["l"]["value"] for r in rows] == ["9th Summit (Samarkand)"]
    client.setMethod(POST)
    client.setQuery("ASK { state:hungary a ots:State }")
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize(
    "accept,ctype,marker",
    [
        ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
        ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
        ("text/csv", "text/csv", "state,name"),
        ("text/tab-separated-values", "text/tab-separated-values", "?state\t?name"),
    ],
)
def test_select_content_negotiation(served, accept, ctype, marker):
    status, got, body = _get(served + "/sparql?stored=members", accept)
    assert status == 200 and got.startswith(ctype) and marker in body


@pytest.mark.parametrize(
    "accept,ctype,marker",
    [
        ("text/turtle", "text/turtle", "9th Summit (Samarkand)"),
        ("application/n-triples", "application/n-triples", "<https://w3id.org/ots-kg/id/event/2022-11-11-summit-9>"),
        ("application/ld+json", "application/ld+json", '"@id"'),
    ],
)
def test_construct_content_negotiation(served, accept, ctype, marker):
    q = "CONSTRUCT { event:2022-11-11-summit-9 ?p ?o } WHERE { event:2022-11-11-summit-9 ?p ?o }"
    status, got, body = _get(served + "/sparql", accept, "POST", q.encode(), "application/sparql-query")
    assert status == 200 and got.startswith(ctype) and marker in body


@pytest.mark.parametrize("how", ["form", "direct"])
def test_updates_are_refused(served, how):
    if how == "form":
        form = b"update=INSERT+DATA+%7B%3Ca%3E+%3Cb%3E+%3Cc%3E%7D"
        status, _, body = _get(served + "/sparql", None, "POST", form, "application/x-www-form-urlencoded")
    else:
        status, _, body = _get(
            served + "/sparql", None, "POST", b"INSERT DATA { <a> <b> <c> }", "application/sparql-update"
        )
    assert status == 403 and "read-only" in body


def test_service_and_load_are_refused(served):
    for q in (
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "LOAD <http://127.0.0.1:9/data.ttl>",
    ):
        status, _, body = _get(served + "/sparql", None, "POST", q.encode(), "application/sparql-query")
        assert status == 403, (q, status, body)


@pytest.mark.parametrize(
    "method,path,data,ctype,expected",
    [
        ("GET", "/sparql?format=json", None, None, 400),  # missing query (no query at all: the description)
        ("GET", "/sparql?query=%FF%FE", None, None, 400),  # bad encoding
        ("POST", "/sparql", b"\xff\xfe", "application/sparql-query", 400),  # bad body encoding
        ("POST", "/sparql", b"query=" + b"x" * 30_000, "application/x-www-form-urlencoded", 413),
        ("PUT", "/sparql", b"", "text/plain", 405),
        ("DELETE", "/sparql", None, None, 405),
        ("GET", "/nowhere", None, None, 404),
        ("POST", "/sparql", b"{}", "application/json", 415),
        ("GET", "/sparql?query=SELECT%20WHERE", None, None, 400),  # syntax error
        ("GET", "/sparql?stored=no-such-query", None, None, 400),
    ],
)
def test_malformed_requests_get_4xx(served, method, path, data, ctype, expected):
    status, _, _ = _get(served + path, None, method, data, ctype)
    assert status == expected


def test_a_get_without_a_query_describes_the_service(served):
    """SPARQL 1.1 Service Description, section 2: the endpoint dereferenced without a query
    describes itself, in the graph format the client accepts."""
    from rdflib import Graph, Namespace, URIRef

    sd, formats = Namespace("http://www.w3.org/ns/sparql-service-description#"), "http://www.w3.org/ns/formats/"
    status, ctype, body = _get(served + "/sparql")
    assert status == 200 and ctype == "text/turtle; charset=utf-8" and "PREFIX sd:" in body
    graph = Graph().parse(data=body, format="turtle")
    service = graph.value(predicate=sd.endpoint, object=URIRef(served + "/sparql"))
    assert service is not None and (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    served_formats = {str(f).removeprefix(formats) for f in graph.objects(service, sd.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_CSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML"} <= served_formats
    assert (service, sd.feature, None) not in graph  # no SERVICE, no update: nothing claimed
    status, ctype, body = _get(served + "/query", "application/n-triples")
    assert status == 200 and ctype.startswith("application/n-triples")
    assert len(Graph().parse(data=body, format="nt")) == len(graph) and f"<{served}/query>" in body


def test_runaway_query_is_stopped_by_the_time_limit(served):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    status, _, body = _get(served + "/sparql", None, "POST", q.encode(), "application/sparql-query")
    assert status == 503 and "time limit" in body
    status, _, _ = _get(served + "/sparql?stored=members", "text/csv")  # the server still answers
    assert status == 200


def test_result_cap(served):
    status, _, body = _get(served + "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D", "text/csv")
    assert status == 413 and "cap" in body


def test_serve_stops_cleanly_on_sigterm():
    proc = subprocess.Popen([sys.executable, "-m", "ots_kg", "serve", "--port", "0"], stderr=subprocess.PIPE, text=True)
    line = proc.stderr.readline()
    assert "SPARQL endpoint at http://127.0.0.1:" in line
    port = int(re.search(r":(\d+)/sparql", line).group(1))
    status, _, _ = _get(f"http://127.0.0.1:{port}/health")
    assert status == 200
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(15) == 0


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_page_runs_a_stored_query_in_chromium(served, tmp_path):
    url = served + "/?stored=summits&run=1"
    profile = tmp_path / "profile"
    dom = chromium(profile, url, "--virtual-time-budget=15000", "--dump-dom", timeout=120).stdout
    assert '<table id="results">' in dom
    assert "9th Summit (Samarkand)" in dom and "rows in" in dom
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shot = artifacts / "serve-page.png"
    chromium(profile, url, "--virtual-time-budget=15000", "--window-size=1280,900", f"--screenshot={shot}", timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000
