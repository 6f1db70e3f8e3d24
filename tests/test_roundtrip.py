"""Property-based: any RDF graph survives export and re-import in every format."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from ots_kg.io.export import ntriples_of, reparse, serialize
from ots_kg.model.formats import GRAPH_FORMATS as FORMATS
from ots_kg.model.terms import from_rdflib

# characters legal in IRIs yet unusual: unicode letters, punctuation, percent escapes
IRI_CHARS = st.sampled_from(list("abcxyzÄöüşğıçəŞĞİ中文Жж0123456789-._~!$&'()*+,;=:@/") + ["%20", "%C3%A9"])
TEXT = st.lists(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
    | st.sampled_from(["\n", "\t", '"', "\\", "'''", '"""', "é", "ə", "𝄞", "\u2028", "\u2029", "\x85"]),
    max_size=120,
).map("".join)
# mixed case too: ntriples_of writes the tag as rdflib keeps it
LANGUAGES = ["en", "tr", "az", "kk", "ky", "uz", "hu", "en-gb", "en-GB", "tr-Latn-TR"]
PREDICATES = [URIRef(f"http://example.org/vocab#p{i}") for i in range(4)] + [
    URIRef("https://schema.org/name"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
]


@st.composite
def iris(draw):
    tail = "".join(draw(st.lists(IRI_CHARS, min_size=1, max_size=20)))
    return URIRef("http://example.org/" + tail)


@st.composite
def literals(draw):
    kind = draw(st.sampled_from(["plain", "lang", "int", "date", "custom", "long"]))
    if kind == "plain":
        return Literal(draw(TEXT))
    if kind == "lang":
        return Literal(draw(TEXT), lang=draw(st.sampled_from(LANGUAGES)))
    if kind == "int":
        return Literal(draw(st.integers(-(10**30), 10**30)), datatype=XSD.integer)
    if kind == "date":
        return Literal(draw(st.dates()).isoformat(), datatype=XSD.date)
    if kind == "long":
        return Literal(draw(TEXT) * 40)
    return Literal(draw(TEXT), datatype=URIRef("http://example.org/dt#" + draw(st.sampled_from(["a", "b-c"]))))


@st.composite
def graphs(draw):
    nodes = draw(st.lists(iris(), min_size=1, max_size=6))
    blanks = [BNode() for _ in range(draw(st.integers(0, 3)))]
    subjects = nodes + blanks
    g = Graph()
    for _ in range(draw(st.integers(1, 25))):
        s = draw(st.sampled_from(subjects))
        p = draw(st.sampled_from(PREDICATES))
        o = draw(st.one_of(st.sampled_from(subjects), literals()))
        g.add((s, p, o))
    return g


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_every_format_round_trips(graph):
    for fmt in FORMATS:
        text = serialize(graph, fmt)
        assert isomorphic(graph, reparse(text, fmt)), fmt
        assert serialize(graph, fmt) == text, f"{fmt} output not deterministic"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_construct_answer_in_ntriples_is_the_export_writers_bytes(graph):
    """The N-Triples fast path of query answers (no rdflib graph built) writes what the export
    writer writes for the same triples, duplicates and line separators in literals included."""
    ground = Graph()
    for triple in graph:
        if not any(isinstance(t, BNode) for t in triple):
            ground.add(triple)
    triples = [tuple(from_rdflib(t) for t in triple) for triple in ground]
    assert ntriples_of(triples + triples[:3]) == serialize(ground, "nt")
    if len(ground) < len(graph):  # blank nodes: their labels need the canonical graph
        assert ntriples_of([tuple(from_rdflib(t) for t in triple) for triple in graph]) is None


def test_a_line_separator_in_a_literal_stays_in_its_ntriples_line():
    """U+2028 and U+0085 are line breaks to str.splitlines, not to N-Triples: sorting the
    export's lines must not cut a literal that holds one."""
    graph = Graph()
    graph.add((URIRef("http://example.org/a"), PREDICATES[0], Literal("one\u2028two\x85three")))
    graph.add((URIRef("http://example.org/b"), PREDICATES[0], Literal("x")))
    text = serialize(graph, "nt")
    assert len(text.split("\n")) == 3
    assert isomorphic(graph, reparse(text, "nt"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs(), st.booleans())
def test_json_answer_is_json_dumps_bytes_and_reads_back(graph, with_unbound):
    """The SPARQL JSON writer (bindings written without json.dumps' slow indenting encoder)
    writes the bytes json.dumps(answer, indent=1) writes, and the answer reads back cell for cell."""
    import json

    from ots_kg.model.terms import to_json
    from ots_kg.render.results import format_results
    from ots_kg.sparql.engines import results_from_json
    from ots_kg.sparql.results import Results

    names = ["s", "p", "o", "nothing"]
    rows = [(*(from_rdflib(t) for t in triple), None) for triple in graph]
    if not with_unbound:
        rows = [row[:3] + (from_rdflib(triple[2]),) for row, triple in zip(rows, graph, strict=True)]
    text = format_results(Results("SELECT", names, rows), "json")
    bindings = [{n: to_json(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows]
    answer = {"head": {"vars": names}, "results": {"bindings": bindings}}
    assert text == json.dumps(answer, indent=1, ensure_ascii=False) + "\n"
    assert results_from_json(json.loads(text)).rows == rows


def test_a_literal_without_a_datatype_is_a_plain_string_in_json():
    """A Term built without a datatype is a plain string (RDF 1.1: xsd:string), not `"datatype": null`."""
    from ots_kg.model.terms import Term, to_json

    assert to_json(Term("literal", "x")) == {"type": "literal", "value": "x"}
