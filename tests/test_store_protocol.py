"""What users of other tools and stores meet: exports that other RDF tools read back as
written, `ots-kg serve` answering the format names clients send, and the SPARQL client
speaking the protocol strictly (media types, auth, graphs, one-line errors) to real stores."""

from __future__ import annotations

import re
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_cli
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from servers import ots_server, oxigraph_binary, oxigraph_server

from ots_kg import load_graph
from ots_kg.errors import QueryError
from ots_kg.io.export import GRAPH_IRI
from ots_kg.io.files import input_files
from ots_kg.model.formats import GRAPH_FORMATS
from ots_kg.model.terms import XSD_STRING
from ots_kg.sparql.catalogue import find_query
from ots_kg.sparql.engines import RemoteEngine, results_from_json, results_from_xml

OTS = "https://w3id.org/ots-kg/ontology#"
HU_QUERY = 'PREFIX ots: <https://w3id.org/ots-kg/ontology#>\nSELECT ?s WHERE { ?s ots:iso3166Alpha2 "HU" }\n'
RDFLIB_PARSER = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml", "trig": "trig"}
OX_FORMAT = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
}


# ---- exports other tools read as written ----------------------------------------------


@pytest.fixture(scope="module")
def exports(exported) -> dict[str, Path]:
    """What `ots-kg export -o` writes in every format (made once per run, see conftest)."""
    return {fmt: exported(fmt) for fmt in GRAPH_FORMATS}


def _ground(triples) -> set[tuple]:
    return {t for t in triples if not any(isinstance(x, (BNode, ox.BlankNode)) for x in t)}


@pytest.fixture(scope="module")
def as_written() -> tuple[set, set, int]:
    """The ontology and data files parsed by rdflib and by pyoxigraph directly (no ots-kg)."""
    by_rdflib, by_ox, with_bnodes = set(), set(), 0
    for path in input_files(None):
        graph = Graph().parse(path, format="turtle")
        by_rdflib |= _ground(graph)
        with_bnodes += len(graph) - len(_ground(graph))
        by_ox |= _ground(
            (q.subject, q.predicate, q.object) for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        )
    return by_rdflib, by_ox, with_bnodes


@pytest.fixture(scope="module")
def graph_canonical(graph):
    """ots-kg's own graph in rdflib's canonical form (its hash made once, not per format)."""
    return to_isomorphic(graph)


@pytest.mark.parametrize("fmt", list(GRAPH_FORMATS))
def test_every_export_reads_back_as_written_in_rdflib_and_pyoxigraph(exports, as_written, graph_canonical, fmt):
    """What `ots-kg export` wrote, parsed once by rdflib (TriG: all its graphs) and once by
    pyoxigraph: rdflib gets back ots-kg's graph (isomorphic: blank nodes too), both find
    every triple of the files as written (parsed without ots-kg), and plain literals stay
    plain (no xsd:string a SPARQL query for "HU" would miss)."""
    by_rdflib, by_ox, with_bnodes = as_written
    text = exports[fmt].read_text(encoding="utf-8")
    if fmt == "trig":  # rdflib as another tool calls it, not through ots-kg
        dataset = Dataset()
        dataset.parse(data=text, format="trig")
        loaded = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            loaded.add((s, p, o))
    else:
        loaded = Graph().parse(data=text, format=RDFLIB_PARSER[fmt])
    assert to_isomorphic(loaded) == graph_canonical, f"rdflib does not read {fmt} back as the graph"
    missing = by_rdflib - set(loaded)
    assert not missing, f"rdflib misses {len(missing)} triples of {fmt}, e.g. {sorted(missing)[:2]}"
    assert len(loaded) - len(_ground(loaded)) >= with_bnodes
    assert len(loaded.query(HU_QUERY)) == 1
    assert not [o for o in loaded.objects() if isinstance(o, Literal) and str(o.datatype or "") == XSD_STRING]
    quads = ox.parse(text.encode("utf-8"), format=OX_FORMAT[fmt])
    missing_ox = by_ox - _ground((q.subject, q.predicate, q.object) for q in quads)
    assert not missing_ox, (
        f"pyoxigraph misses {len(missing_ox)} triples of {fmt}, e.g. {sorted(map(str, missing_ox))[:2]}"
    )


def test_load_graph_keeps_plain_literals_plain(graph):
    hu = list(graph.subjects(URIRef(OTS + "iso3166Alpha2"), Literal("HU")))
    assert hu == [URIRef("https://w3id.org/ots-kg/id/state/hungary")]
    assert not [o for o in graph.objects() if isinstance(o, Literal) and str(o.datatype or "") == XSD_STRING]
    assert len(load_graph().query(HU_QUERY)) == 1


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_query_engine_finds_a_plain_literal(tmp_path, engine):
    query = tmp_path / "hu.rq"
    query.write_text(HU_QUERY)
    proc = run_cli("query", str(query), "--engine", engine, "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["s", "https://w3id.org/ots-kg/id/state/hungary"]


@pytest.mark.early
def test_trig_names_its_graph_or_uses_the_default_graph(tmp_path):
    named = run_cli("export", "--format", "trig")
    assert named.returncode == 0 and f"<{GRAPH_IRI}> {{" in named.stdout
    other = run_cli("export", "--format", "trig", "--graph", "https://example.org/g")
    assert "<https://example.org/g> {" in other.stdout
    default = run_cli("export", "--format", "trig", "--default-graph")
    dataset = ox.Dataset(ox.parse(default.stdout.encode(), format=ox.RdfFormat.TRIG))
    assert len(dataset) == len(load_graph())
    assert all(q.graph_name == ox.DefaultGraph() for q in dataset)
    wrong = run_cli("export", "--format", "nt", "--default-graph")
    assert wrong.returncode == 2 and "--format trig" in wrong.stderr


# ---- ots-kg serve: the names clients send ---------------------------------------------

CONSTRUCT = "CONSTRUCT { state:hungary ?p ?o } WHERE { state:hungary ?p ?o }"


@pytest.fixture(scope="module")
def served(graph):
    with ots_server(graph, timeout=5.0, max_rows=100_000) as base:
        yield base


@pytest.mark.parametrize(
    "name,media",
    [
        ("turtle", "text/turtle"),
        ("ttl", "text/turtle"),
        ("n3", "text/turtle"),
        ("nt", "application/n-triples"),
        ("json-ld", "application/ld+json"),
        ("jsonld", "application/ld+json"),
        ("json", "application/ld+json"),
        ("rdf+xml", "application/rdf+xml"),
        ("rdf", "application/rdf+xml"),
        ("xml", "application/rdf+xml"),
    ],
)
def test_serve_takes_client_format_names_for_graphs(served, name, media):
    url = served + "/sparql?" + urllib.parse.urlencode({"query": CONSTRUCT, "format": name})
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.headers["Content-Type"].startswith(media)
        body = response.read()
    parsed = ox.parse(body, format=ox.RdfFormat.from_media_type(media))
    assert ox.Literal("HU") in {q.object for q in parsed}


@pytest.mark.parametrize(
    "name,media", [("json", "application/sparql-results+json"), ("xml", "application/sparql-results+xml")]
)
def test_serve_format_names_still_mean_results_for_select(served, name, media):
    url = served + "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p 1 } LIMIT 1", "format": name})
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.headers["Content-Type"].startswith(media)


@pytest.mark.parametrize("fmt", ["TURTLE", "N3", "RDFXML", "JSONLD"])
def test_serve_answers_sparqlwrapper_constructs(served, fmt):
    import SPARQLWrapper

    client = SPARQLWrapper.SPARQLWrapper(served + "/sparql", agent="ots-kg-tests")
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(getattr(SPARQLWrapper, fmt))
    graph = client.query().convert()
    if isinstance(graph, bytes):
        graph = Graph().parse(data=graph, format="turtle")
    assert (URIRef("https://w3id.org/ots-kg/id/state/hungary"), URIRef(OTS + "iso3166Alpha2"), Literal("HU")) in graph


def test_serve_logs_a_client_reset_as_one_line(tmp_path):
    log = tmp_path / "serve.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ots_kg", "serve", "--port", "0", "--max-rows", "100000"], stderr=err
        )
    try:
        port = None
        for _ in range(600):
            found = re.search(r"127\.0\.0\.1:(\d+)/sparql", log.read_text())
            if found:
                port = int(found.group(1))
                break
            time.sleep(0.1)
        assert port, log.read_text()
        request = b"GET /sparql?query=CONSTRUCT%7B%3Fs%20%3Fp%20%3Fo%7DWHERE%7B%3Fs%20%3Fp%20%3Fo%7D HTTP/1.1\r\n"
        request += b"Host: 127.0.0.1\r\nAccept: application/n-triples\r\n\r\n"
        for _ in range(3):  # reset mid-answer: SO_LINGER 0 makes close() send RST
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(request)
                sock.recv(1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "closed the connection" not in log.read_text():
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    text = log.read_text()
    assert "Traceback" not in text, text
    assert re.search(r"^ots-kg: 127\.0\.0\.1:\d+ closed the connection before the answer was sent$", text, re.M), text


# ---- the client: strict media types, one-line errors, graphs, auth ----------------------


def test_results_from_virtuoso_json_and_xml():
    """Virtuoso's JSON: `typed-literal`, xsd:string made explicit, booleans as 1/0."""
    data = {
        "head": {"vars": ["b", "a"]},
        "results": {
            "bindings": [
                {
                    "a": {"type": "typed-literal", "datatype": XSD_STRING, "value": "HU"},
                    "b": {
                        "type": "typed-literal",
                        "datatype": "http://www.w3.org/2001/XMLSchema#boolean",
                        "value": "1",
                    },
                }
            ]
        },
    }
    got = results_from_json(data)
    assert got.vars == ["b", "a"]
    assert [t.n3() for t in got.rows[0]] == ['"true"^^<http://www.w3.org/2001/XMLSchema#boolean>', '"HU"']
    with pytest.raises(ValueError):
        results_from_json({"head": {"vars": ["a"]}, "results": {"bindings": [{"a": {"type": "mystery", "value": ""}}]}})
    xml = (
        b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
        b'<variable name="x"/><variable name="y"/></head><results><result><binding name="y">'
        b'<literal xml:lang="tr">T\xc3\xbcrkiye</literal></binding></result></results></sparql>'
    )
    rows = results_from_xml(xml).rows
    assert rows == [(None, rows[0][1])] and rows[0][1].n3() == '"Türkiye"@tr'
    assert results_from_xml(
        b'<sparql xmlns="http://www.w3.org/2005/sparql-results#"><boolean>true</boolean></sparql>'
    ).boolean


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.mark.xfail(
    strict=True,
    reason="measured: Oxigraph server 0.5.13 answers COUNT(*) with default-graph-uri but no rows for a pattern "
    "query (pyoxigraph's default_graph= gives them); query --graph is verified on Virtuoso by the contract test",
)
def test_push_graph_then_query_graph(oxigraph, tmp_path):
    graph = "https://example.org/ots"
    pushed = run_cli("push", "--endpoint", oxigraph + "/store", "--graph", graph, "--replace")
    assert pushed.returncode == 0, pushed.stderr
    query = tmp_path / "hu.rq"
    query.write_text(HU_QUERY)
    plain = run_cli("query", str(query), "--endpoint", oxigraph + "/query", "--format", "csv")
    scoped = run_cli("query", str(query), "--endpoint", oxigraph + "/query", "--graph", graph, "--format", "csv")
    assert scoped.returncode == 0, scoped.stderr
    assert plain.stdout.splitlines() == ["s"]
    assert scoped.stdout.splitlines() == ["s", "https://w3id.org/ots-kg/id/state/hungary"]


def test_query_graph_needs_an_endpoint():
    usage = run_cli("query", "members", "--graph", "https://example.org/ots")
    assert usage.returncode == 2 and "--graph needs --endpoint" in usage.stderr


def test_push_twice_without_replace_is_refused_not_doubled(oxigraph):
    graph = "https://example.org/twice"
    first = run_cli("push", "--endpoint", oxigraph + "/store", "--graph", graph)
    assert first.returncode == 0, first.stderr
    held = int(first.stdout.rsplit("store holds", 1)[1])
    again = run_cli("push", "--endpoint", oxigraph + "/store", "--graph", graph)
    errors = [ln for ln in again.stderr.splitlines() if ln.startswith("ots-kg:")]
    assert again.returncode == 2 and len(errors) == 1 and "--replace" in errors[0]
    url = oxigraph + "/store?graph=" + urllib.parse.quote(graph, safe="")
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "application/n-triples"})) as response:
        assert len([ln for ln in response.read().splitlines() if ln.strip()]) == held


def test_http_errors_are_one_line_with_a_hint(oxigraph, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryError, match=r"HTTP 400 Bad Request: .+") as caught:
        RemoteEngine(oxigraph + "/query").run(find_query(str(bad)))
    assert "\n" not in str(caught.value)
    # a Graph Store URL given as a query endpoint: not SPARQL results, said so
    wrong = run_cli("query", "members", "--endpoint", oxigraph + "/store")
    assert wrong.returncode == 2 and len(wrong.stderr.strip().splitlines()) == 1
    assert re.search(r"HTTP 415|not SPARQL results|HTTP 40\d", wrong.stderr), wrong.stderr
    refused = run_cli("query", "members", "--endpoint", "http://127.0.0.1:9/query")
    assert refused.returncode == 2 and "connection refused" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
