"""The closed vocabulary: every class, property, vocabulary individual and datatype the data
uses must be declared — ots: terms in ontology/ots.ttl, reused ones in
ontology/reused-terms.ttl.

Without it a typo is a false green: `a ots:MinisterialMeting` takes the node out of every
shape's target, `ots:hostcountry` is just another property. An unknown term is reported
where it is written, with the nearest known term; a subject with no known class is
reported at its subject block.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..model.prefixes import ONTOLOGY, PREFIXES, compact_iri
from ..resources import ontology_file, resource_dir

RDF_TYPE = PREFIXES["rdf"] + "type"
_LIST_TERMS = (PREFIXES["rdf"] + "first", PREFIXES["rdf"] + "rest")
FOAF = "http://xmlns.com/foaf/0.1/"
# namespaces whose terms are vocabulary (closed); data IRIs (…/id/…) are not
VOCABULARIES = (
    ONTOLOGY,
    *(PREFIXES[p] for p in ("schema", "org", "prov", "time", "skos", "dct", "owl", "rdfs", "rdf", "xsd")),
    FOAF,
)
# what a reused-terms or ontology declaration types a term as
_ROLES = {
    "class": {"Class", "rdfs:Class", "owl:Class"},
    "property": {"rdf:Property", "owl:ObjectProperty", "owl:DatatypeProperty", "owl:AnnotationProperty"},
    "datatype": {"rdfs:Datatype"},
}


def reused_terms_file() -> Path:
    return resource_dir("ontology") / "reused-terms.ttl"


@dataclass(frozen=True)
class Vocabulary:
    """Known terms by role: class, property, datatype; `any` holds every declared term."""

    classes: frozenset[str]
    properties: frozenset[str]
    datatypes: frozenset[str]
    any: frozenset[str]

    def nearest(self, term: str, role: str) -> str | None:
        """The closest known term of the role (by compact form), for "did you mean"."""
        import difflib  # only when a term is unknown

        pool = {"class": self.classes, "property": self.properties, "datatype": self.datatypes}.get(role, self.any)
        names = {compact_iri(t): t for t in pool}
        close = difflib.get_close_matches(compact_iri(term), list(names), n=1, cutoff=0.6)
        if not close:  # a case slip (ots:hostcountry) scores low on ratio: try case-folded
            folded = {k.lower(): k for k in names}
            close = [folded[c] for c in difflib.get_close_matches(compact_iri(term).lower(), list(folded), n=1)]
        return close[0] if close else None


@lru_cache(maxsize=2)
def _vocabulary(ontology: Path, reused: Path, mtimes: tuple[float, float]) -> Vocabulary:
    import pyoxigraph as ox

    roles: dict[str, set[str]] = {"class": set(), "property": set(), "datatype": set()}
    known: set[str] = set()
    for path in (ontology, reused):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            subject = quad.subject
            if not isinstance(subject, ox.NamedNode) or quad.predicate.value != RDF_TYPE:
                continue
            if not subject.value.startswith(VOCABULARIES):
                continue
            known.add(subject.value)
            kind = compact_iri(quad.object.value)
            for role, types in _ROLES.items():
                if kind in types:
                    roles[role].add(subject.value)
    return Vocabulary(
        frozenset(roles["class"]), frozenset(roles["property"]), frozenset(roles["datatype"]), frozenset(known)
    )


def vocabulary() -> Vocabulary:
    """The known terms of the bundled ontology and reused-terms list, read once per process."""
    ontology, reused = ontology_file(), reused_terms_file()
    return _vocabulary(ontology, reused, (ontology.stat().st_mtime, reused.stat().st_mtime))


@dataclass(frozen=True)
class Unknown:
    """One vocabulary problem: the node it is on, the triple's terms, and the message. The
    file is the one that writes the triple; None for a node without a known class, which is
    reported at its home (io.locations.Locator: where it is typed, else most written)."""

    file: Path | None
    subject: Any
    predicate: str | None
    obj: Any
    message: str


@lru_cache(maxsize=4096)
def _term_message(term: str, role: str, vocab: Vocabulary) -> str:
    """Cached: a mistyped term is usually used many times, and "did you mean" compares it with
    every known term."""
    near = vocab.nearest(term, role)
    hint = f" (did you mean {compact_iri(near)}?)" if near else ""
    return f"unknown {role} {compact_iri(term)}: not declared in ots.ttl or reused-terms.ttl{hint}"


def check_vocabulary(files: Iterable[tuple[Path, list[Any]]], vocab: Vocabulary | None = None) -> list[Unknown]:
    """Unknown terms in the given files' quads, and subjects without any known class (but
    not a subject whose class is unknown: that one mistake is already reported, with a
    "did you mean")."""
    import pyoxigraph as ox

    vocab = vocab or vocabulary()
    properties, classes, datatypes, known = vocab.properties, vocab.classes, vocab.datatypes, vocab.any
    named, literal = ox.NamedNode, ox.Literal
    found: list[Unknown] = []
    typed: set[Any] = set()
    seen: dict[Any, None] = {}  # every subject once, in first-seen order
    for path, quads in files:
        for quad in quads:
            subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
            seen[subject] = None
            if predicate not in properties:
                found.append(Unknown(path, subject, predicate, obj, _term_message(predicate, "property", vocab)))
            if predicate in _LIST_TERMS:  # collection cells need no class
                typed.add(subject)
            kind = type(obj)
            if kind is named:
                value = obj.value
                if predicate == RDF_TYPE:
                    typed.add(subject)  # an unknown class is reported here, not again as "no known class"
                    if value not in classes:
                        found.append(Unknown(path, subject, predicate, obj, _term_message(value, "class", vocab)))
                elif value not in known and value.startswith(VOCABULARIES):
                    found.append(Unknown(path, subject, predicate, obj, _term_message(value, "term", vocab)))
            elif kind is literal and not obj.language and obj.datatype.value not in datatypes:
                found.append(
                    Unknown(path, subject, predicate, obj, _term_message(obj.datatype.value, "datatype", vocab))
                )
    found += [
        Unknown(None, subject, None, None, "has no known class (rdf:type missing or misspelt)")
        for subject in seen
        if subject not in typed
    ]
    return found


# The same rules over an Oxigraph store (the disk route: tens of millions of triples). A pass
# over every quad in Python, as check_vocabulary does, took 143 s of CPU at 10 M triples; the
# store answers which predicates, classes, datatypes and vocabulary objects occur in a few
# aggregate queries (about 50 s there, io.store.object_summary among them), and only a term
# found unknown is then looked up triple by triple, so a conforming graph pays for the
# summary alone.
_PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
_CLASSES = "SELECT DISTINCT ?c WHERE { ?s a ?c }"
_CLASSLESS = f"""SELECT DISTINCT ?s WHERE {{
  ?s ?p ?o
  MINUS {{ ?s a ?c }} MINUS {{ ?s <{_LIST_TERMS[0]}> ?first }} MINUS {{ ?s <{_LIST_TERMS[1]}> ?rest }}
}}"""


def check_store_vocabulary(store: Any, vocab: Vocabulary | None = None, objects: Any = None) -> list[Unknown]:
    """check_vocabulary's findings for the graph in an Oxigraph store (file None: the store
    keeps no positions), the ontology's own triples left out as the file route leaves out its
    file. `objects`: the store's io.store.ObjectSummary, when the caller has it already."""
    import pyoxigraph as ox

    from ..io.store import object_summary
    from ..resources import ontology_file

    vocab = vocab or vocabulary()
    objects = objects or object_summary(store)
    ontology = {
        (q.subject, q.predicate, q.object) for q in ox.parse(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)
    }
    in_ontology = {s for s, _, _ in ontology}

    def rows(query: str) -> list[Any]:
        return list(store.query(query))

    def triples(predicate: Any = None, obj: Any = None) -> list[tuple[Any, Any, Any]]:
        """The store's triples with this predicate and/or object (an index lookup), the
        ontology's own left out."""
        found = ((q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, predicate, obj))
        return [t for t in found if t not in ontology]

    found: list[Unknown] = []

    def add(subject: Any, predicate: Any, obj: Any, term: str, role: str) -> None:
        found.append(Unknown(None, subject, predicate.value, obj, _term_message(term, role, vocab)))

    for row in rows(_PREDICATES):
        predicate = row["p"].value
        if predicate not in vocab.properties:
            for s, p, o in triples(predicate=row["p"]):
                add(s, p, o, predicate, "property")
    for row in rows(_CLASSES):
        cls = row["c"].value
        if cls not in vocab.classes:
            for s, p, o in triples(predicate=ox.NamedNode(RDF_TYPE), obj=row["c"]):
                add(s, p, o, cls, "class")
    language = PREFIXES["rdf"] + "langString"  # a language-tagged string: no datatype to check
    datatypes = {d for d in objects.datatypes if d not in vocab.datatypes and d != language}
    terms = {t for t in objects.iris if t.startswith(VOCABULARIES) and t not in vocab.any}
    for term in sorted(terms):
        for s, p, o in triples(obj=ox.NamedNode(term)):
            if p.value != RDF_TYPE:  # a class is checked as a class above
                add(s, p, o, term, "term")
    if datatypes:  # one scan for all of them: only a graph with such a mistake pays for it
        listed = ", ".join(f"<{d}>" for d in sorted(datatypes))
        test = f'isLiteral(?o) && LANG(?o) = "" && DATATYPE(?o) IN ({listed})'
        for row in rows(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER ({test}) }}"):
            if (row["s"], row["p"], row["o"]) not in ontology:
                add(row["s"], row["p"], row["o"], row["o"].datatype.value, "datatype")
    found += [
        Unknown(None, row["s"], None, None, "has no known class (rdf:type missing or misspelt)")
        for row in rows(_CLASSLESS)
        if row["s"] not in in_ontology
    ]
    return found
