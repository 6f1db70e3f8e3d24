"""One RDF term type and the one converter between it, rdflib and pyoxigraph.

Every engine answers in its own term classes; results, validation findings and the
loader speak `Term`, so rendering and comparing never care which engine answered. Like
oxrdflib's `_converter.py`, each crossing (`from_rdflib`/`to_rdflib`, `from_ox`/`to_ox`,
SPARQL JSON) is written once, here. rdflib and pyoxigraph are imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .prefixes import RDF, XSD, compact_iri

XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
RDF_LANG = RDF + "langString"


@dataclass(frozen=True, slots=True)
class Term:
    """An IRI, blank node or literal. Literals always carry a datatype (RDF 1.1: plain
    strings are xsd:string, language-tagged ones rdf:langString), so two engines' answers
    compare equal exactly when they are the same RDF term."""

    kind: str  # "uri" | "bnode" | "literal"
    value: str
    language: str | None = None
    datatype: str | None = None

    def __str__(self) -> str:
        return self.value

    @property
    def is_iri(self) -> bool:
        return self.kind == "uri"

    @property
    def is_literal(self) -> bool:
        return self.kind == "literal"

    @property
    def is_plain(self) -> bool:
        """A literal without an explicit datatype (xsd:string or language-tagged)."""
        return self.kind == "literal" and self.datatype in (XSD_STRING, RDF_LANG)

    def n3(self) -> str:
        """N-Triples form (escaped), also valid in SPARQL (VALUES blocks)."""
        if self.kind == "uri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = '"' + escape(self.value) + '"'
        if self.language:
            return f"{text}@{self.language}"
        return text if self.datatype == XSD_STRING else f"{text}^^<{self.datatype}>"

    def compact(self) -> str:
        """For people: IRIs with project prefixes, literals as their lexical form."""
        if self.kind == "uri":
            return compact_iri(self.value)
        if self.kind == "bnode":
            return "_:" + self.value
        return self.value


def iri(value: str) -> Term:
    return Term("uri", value)


def literal(value: str, datatype: str | None = None, language: str | None = None) -> Term:
    """A literal with RDF 1.1's implicit datatypes made explicit."""
    if language:
        return Term("literal", value, language, RDF_LANG)
    return Term("literal", value, None, datatype or XSD_STRING)


def bnode(value: str) -> Term:
    return Term("bnode", value)


def escape(value: str) -> str:
    """Escape a lexical form for N-Triples / SPARQL string syntax."""
    return (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


# ---- pyoxigraph ---------------------------------------------------------------------------


def from_ox(term: Any) -> Term | None:
    """A pyoxigraph NamedNode, BlankNode or Literal as a Term."""
    if term is None:
        return None
    # dispatch on the exact class: called once per cell of an answer (10⁶ cells at 10 M)
    convert = _FROM_OX.get(type(term)) or _from_ox_types().get(type(term))
    if convert is None:
        raise TypeError(f"not an Oxigraph term: {term!r}")
    return convert(term)


def _literal_from_ox(term: Any) -> Term:
    language = term.language
    if language:
        return Term("literal", term.value, language, RDF_LANG)
    return Term("literal", term.value, None, term.datatype.value)


_FROM_OX: dict[type, Any] = {}


def _from_ox_types() -> dict[type, Any]:
    """pyoxigraph's term classes, imported on first use (a cold `ots-kg query` on an rdflib
    path never imports it)."""
    if not _FROM_OX:
        import pyoxigraph as ox

        _FROM_OX[ox.NamedNode] = lambda term: Term("uri", term.value)
        _FROM_OX[ox.BlankNode] = lambda term: Term("bnode", term.value)
        _FROM_OX[ox.Literal] = _literal_from_ox
    return _FROM_OX


def from_ox_remembering(*, iris: bool = False) -> Callable[[Any], Term | None]:
    """from_ox for one whole answer, each distinct literal converted once: dates and the labels
    of types, series and areas repeat down their columns, and building a Term costs more than
    looking one up (10 M `events-in-city`, 625 k cells: 0.81 -> 0.61 s). A SELECT's IRIs are
    mostly distinct (the rows' subjects), so they skip the memo; with `iris`, every term is
    remembered: a graph answer names each subject once per triple and each predicate down
    the whole answer (10 M `state-graph`, 1.07 M terms). Not for a streamed answer: the
    memo grows with it."""
    if iris:
        return remembering(from_ox)
    import pyoxigraph as ox

    literal = ox.Literal
    remembered = remembering(_literal_from_ox)

    def convert(term: Any) -> Term | None:
        return remembered(term) if type(term) is literal else from_ox(term)

    return convert


@lru_cache(maxsize=65536)
def _ox_named(value: str):
    import pyoxigraph as ox

    return ox.NamedNode(value)


def to_ox(term: Term):
    """A Term as a pyoxigraph term."""
    import pyoxigraph as ox

    if term.kind == "uri":
        return _ox_named(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.language:
        return ox.Literal(term.value, language=term.language)
    return ox.Literal(term.value, datatype=_ox_named(term.datatype or XSD_STRING))


# ---- rdflib -------------------------------------------------------------------------------


def from_rdflib(term: Any) -> Term | None:
    """An rdflib URIRef, BNode or Literal as a Term."""
    if term is None:
        return None
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return Term("uri", str(term))
    if isinstance(term, BNode):
        return Term("bnode", str(term))
    if isinstance(term, Literal):
        return literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    raise TypeError(f"not an rdflib term: {term!r}")


@lru_cache(maxsize=65536)
def _rdflib_iri(value: str):
    from rdflib import URIRef

    return URIRef(value)


def to_rdflib(term: Term):
    """A Term as an rdflib term. A plain string becomes rdflib's plain Literal (no datatype):
    RDF 1.1 says they are the same term, but rdflib compares `"HU"` and `"HU"^^xsd:string`
    as different, and its serialisers write the datatype out, so keeping it explicit would
    make every export and every rdflib query disagree with the data files."""
    from rdflib import BNode, Literal

    if term.kind == "uri":
        return _rdflib_iri(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype in (None, XSD_STRING):
        return Literal(term.value)
    return Literal(term.value, datatype=_rdflib_iri(term.datatype))


def ox_to_rdflib(term: Any):
    """Straight from pyoxigraph to rdflib (the loader's hot path), through the same rules."""
    return to_rdflib(from_ox(term))


def ox_to_rdflib_remembering() -> Callable[[Any], Any]:
    """ox_to_rdflib for one whole graph, each distinct term converted once: a graph repeats its
    subjects, predicates, classes and dates (the bundled graph: 43 k terms, 5.8 k distinct;
    0.17 -> 0.03 s)."""
    return remembering(ox_to_rdflib)


def rdflib_to_ox_remembering() -> Callable[[Any], Any]:
    """to_ox(from_rdflib(term)) for one whole graph, each distinct term converted once (the
    bundled graph into a store: 0.20 -> 0.10 s)."""
    return remembering(lambda term: to_ox(from_rdflib(term)))


def remembering(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`convert` with a memo keyed on its argument, for one whole answer or graph whose
    values repeat: a term (both libraries' equality is RDF term equality; rdflib's also
    ignores a language tag's case, which pyoxigraph lower-cases anyway) or a string. The
    memo holds no more entries than the answer or graph it feeds."""
    memo: dict[Any, Any] = {}

    def remembered(term: Any) -> Any:
        found = memo.get(term)
        if found is None:
            found = memo[term] = convert(term)
        return found

    return remembered


# ---- SPARQL 1.1 JSON results --------------------------------------------------------------


def from_json(binding: dict | None) -> Term | None:
    """One binding of SPARQL 1.1 JSON results as a Term."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return Term("uri", value)
    if kind == "bnode":
        return Term("bnode", value)
    if kind not in ("literal", "typed-literal"):  # typed-literal: SPARQL 2008 JSON, still sent by Virtuoso
        raise ValueError(f"unknown binding type {kind!r}")
    datatype = binding.get("datatype")
    if datatype == XSD_BOOLEAN and value in ("1", "0"):  # Virtuoso's lexical form of a stored boolean
        value = "true" if value == "1" else "false"
    return literal(value, datatype, binding.get("xml:lang"))


def to_json(term: Term) -> dict[str, str]:
    """A Term as a SPARQL 1.1 JSON results binding (xsd:string left implicit)."""
    out = {"type": term.kind, "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.kind == "literal" and term.datatype not in (None, XSD_STRING):  # None: a plain string
        out["datatype"] = term.datatype
    return out
