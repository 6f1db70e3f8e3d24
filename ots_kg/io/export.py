"""Deterministic serialisation: the same graph gives byte-identical output in every format."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.plugins.serializers.nt import _nt_row, _quote_encode, _quoteLiteral
from rdflib.term import _is_valid_uri

from ..errors import OtsKgError
from ..model.formats import GRAPH_FORMATS
from ..model.terms import RDF_LANG, XSD_STRING, Term, remembering, to_rdflib
from ..model.vocab import bind_all
from .canonical import canonical_triples

GRAPH_IRI = URIRef("https://w3id.org/ots-kg/id/graph")  # TriG's graph name unless told otherwise


class _SortedGraph(Graph):
    """A graph whose subject iteration is sorted: rdflib's RDF/XML writer walks subjects()."""

    def subjects(self, predicate=None, object=None, unique=False):  # noqa: A002
        return iter(sorted(set(super().subjects(predicate, object)), key=lambda t: t.n3()))


def canonical(graph: Graph, identifier: URIRef | None = GRAPH_IRI) -> Graph:
    """A graph of canonical_triples(graph) inserted sorted by their N3, with the graph's prefixes.

    rdflib's serialisers follow insertion order (and the hash seed for blank node ids);
    fixing both makes the bytes depend on the triples alone.
    """
    out = _SortedGraph(identifier=identifier)
    bind_all(out)
    for prefix, ns in graph.namespaces():
        if prefix not in dict(out.namespaces()):
            out.bind(prefix, ns)
    ordered = sorted(canonical_triples(graph), key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
    out.store.addN((s, p, o, out) for s, p, o in ordered)
    return out


def serialize(graph: Graph, fmt: str = "ttl", *, graph_name: str | None = str(GRAPH_IRI)) -> str:
    """The graph as text in one of model.formats.GRAPH_FORMATS.

    TriG is the one format with graph names: the triples go in the named graph `graph_name`
    (GRAPH_IRI by default, the name `push --graph` suggests) or, with graph_name=None, in
    the default graph, where tools that read TriG as Turtle-plus-graphs look first.
    """
    if fmt not in GRAPH_FORMATS:
        raise OtsKgError(f"unknown format {fmt!r}; choose one of {', '.join(GRAPH_FORMATS)}")
    if fmt == "nt":  # rdflib's N-Triples writer is `_nt_row` per triple: no graph to build, lines sorted
        return _sorted_lines(_nt_row(triple)[:-1] for triple in canonical_triples(graph))
    canon = canonical(graph, URIRef(graph_name) if graph_name else None)
    rdflib_format = GRAPH_FORMATS[fmt].rdflib
    if fmt == "trig" and not graph_name:  # Turtle is TriG whose triples are all in the default graph
        rdflib_format = GRAPH_FORMATS["ttl"].rdflib
    if fmt == "jsonld":
        return _jsonld(canon)
    return canon.serialize(format=rdflib_format)


def ntriples_of(triples: Sequence[tuple[Term, Term, Term]]) -> str:
    """What serialize(graph of these triples, "nt") writes, without building the graph: each
    distinct triple's line as rdflib's own N-Triples row writer writes it, sorted (the same
    bytes; building the graph and its canonical copy was two thirds of a 35,742-triple
    `state-graph` answer). Blank nodes are named as canonical_triples names them, from the
    triples that hold one (their names depend on nothing else): a few of them among 300,000
    triples sent the whole answer through an rdflib graph (9.9 s; now 2.8 s).
    tests/test_roundtrip.py holds the lines to serialize()'s on random graphs."""
    # each distinct IRI checked and written once: subjects recur once per triple, predicates
    # down the whole answer (10 M `state-graph`: 893 k IRIs written, 89 k distinct)
    iri = remembering(_nt_iri)
    lines, blank = set(), []
    for triple in triples:
        if any(term.kind == "bnode" for term in triple):
            blank.append(tuple(to_rdflib(term) for term in triple))
        else:
            lines.add(_nt_line(*triple, iri))
    if blank:
        lines.update(_nt_row(triple)[:-1] for triple in canonical_triples(blank))
    return _sorted_lines(lines)


def _nt_line(subject: Term, predicate: Term, obj: Term, iri: Callable[[str], str]) -> str:
    """rdflib's `_nt_row` for one triple (without its newline); `iri` writes an IRI (_nt_iri,
    remembered). IRIs and strings are written here with rdflib's own escaping, as rdflib
    would: making an rdflib term of every cell was most of the writing at 10 M triples.
    Typed literals go through rdflib once per distinct value (it normalises their lexical
    forms), and so does anything unusual (a subject or predicate that is not an IRI, as a
    remote store's generalised answer might hold). No blank node comes here: ntriples_of
    names them first."""
    if subject.kind != "uri" or predicate.kind != "uri":
        return _rdflib_row((subject, predicate, obj))
    if obj.kind == "uri":
        tail = iri(obj.value)
    elif obj.language:
        tail = f"{_quote_encode(obj.value)}@{_nt_language(obj.language)}"
    elif obj.datatype in (None, XSD_STRING):
        tail = _quote_encode(obj.value)
    else:
        tail = _nt_typed(obj.value, obj.datatype)
    return f"{iri(subject.value)} {iri(predicate.value)} {tail} ."


def _rdflib_row(triple: tuple[Term, Term, Term]) -> str:
    return _nt_row(tuple(to_rdflib(term) for term in triple))[:-1]


def _nt_iri(value: str) -> str:
    # URIRef.n3(): the same check, and the same exception for an IRI it refuses
    return f"<{value}>" if _is_valid_uri(value) else URIRef(value).n3()


@lru_cache(maxsize=1024)
def _nt_language(language: str) -> str:
    """The tag as rdflib keeps it; an rdflib Literal checks it (ValueError, as before)."""
    return str(to_rdflib(Term("literal", "", language, RDF_LANG)).language)


@lru_cache(maxsize=65536)
def _nt_typed(value: str, datatype: str) -> str:
    return _quoteLiteral(to_rdflib(Term("literal", value, None, datatype)))


def ntriples_lines(text: str) -> list[str]:
    r"""The non-blank lines of N-Triples text, split at "\n" only: the writer escapes \n and
    \r in literals but not U+2028, U+0085 and the like, where str.splitlines also breaks."""
    return [line for line in text.split("\n") if line.strip()]


def _sorted_lines(lines: Iterable[str]) -> str:
    """N-Triples lines sorted, blank ones dropped."""
    return "\n".join(sorted(line for line in lines if line.strip())) + "\n"


def reparse(text: str, fmt: str) -> Graph:
    """Read an export back (TriG into its default graph), for round-trip checks."""
    from rdflib import Dataset

    parser = {"ttl": "turtle", "nt": "nt"}.get(fmt, GRAPH_FORMATS[fmt].rdflib)
    if fmt == "trig":
        dataset = Dataset()
        dataset.parse(data=text, format=parser)
        graph = Graph()
        for s, p, o, _ in dataset.quads((None, None, None, None)):
            graph.add((s, p, o))
        return graph
    return Graph().parse(data=text, format=parser)


def _jsonld(graph: Graph) -> str:
    """Flattened, expanded JSON-LD written directly: rdflib's serialiser drops a blank node
    that points at itself, and its key order depends on the hash seed."""
    from rdflib import BNode, Literal

    def ref(term) -> str:
        return f"_:{term}" if isinstance(term, BNode) else str(term)

    nodes: dict[str, dict[str, list]] = {}
    for s, p, o in graph:
        node = nodes.setdefault(ref(s), {})
        if isinstance(o, Literal):
            value: dict[str, str] = {"@value": str(o)}
            if o.language:
                value["@language"] = o.language
            elif o.datatype:
                value["@type"] = str(o.datatype)
        else:
            value = {"@id": ref(o)}
        key = "@type" if str(p) == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and "@id" in value else str(p)
        node.setdefault(key, []).append(value["@id"] if key == "@type" else value)
    out = []
    for node_id in sorted(nodes):
        props = nodes[node_id]
        entry: dict[str, object] = {"@id": node_id}
        for key in sorted(props):
            entry[key] = sorted(props[key], key=lambda v: json.dumps(v, sort_keys=True))
        out.append(entry)
    return json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
