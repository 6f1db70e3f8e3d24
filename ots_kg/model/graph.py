"""Questions asked of a loaded rdflib graph: labels, most specific classes, node kinds,
events. The rdflib side of `model` (kinds themselves are in model.kinds)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from .kinds import KINDS
from .prefixes import ID, PREFIXES, expand_iri, local_name  # noqa: F401  (local_name re-exported)
from .terms import from_rdflib

_EVENTS = "SELECT DISTINCT ?e WHERE { ?e a/rdfs:subClassOf* schema:Event }"
_ROOTS = tuple((kind.name, frozenset(URIRef(r) for r in kind.roots)) for kind in KINDS)


def compact(term: Any) -> str:
    """An rdflib term for people: IRIs with project prefixes, literals as their text."""
    return "" if term is None else from_rdflib(term).compact()


def expand(raw: str) -> URIRef:
    """`prefix:local`, `<iri>` or an absolute IRI as a URIRef (checked by expand_iri)."""
    return URIRef(expand_iri(raw.strip()))


def is_data(term: Any) -> bool:
    """True for IRIs of the data (id/...), as opposed to vocabulary terms and outside IRIs."""
    return isinstance(term, URIRef) and str(term).startswith(ID)


def label(graph: Graph, node: Any) -> str:
    """The English (or any) skos:prefLabel / rdfs:label, else the compact IRI."""
    for prop in (SKOS.prefLabel, RDFS.label):
        values = list(graph.objects(node, prop))
        if values:
            english = [v for v in values if getattr(v, "language", None) in ("en", None)]
            return str(sorted(english or values)[0])
    return compact(node)


def events(graph: Graph) -> list[URIRef]:
    """Every node typed with schema:Event or a subclass of it, sorted."""
    rows = graph.query(_EVENTS, initNs=PREFIXES)
    return sorted({row[0] for row in rows if isinstance(row[0], URIRef)}, key=str)


class Classifier:
    """Most specific classes and coarse kinds of nodes, from the rdfs:subClassOf closure.

    Built once per graph: the closure is what makes `kind` cheap for a thousand nodes.
    """

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        direct: dict[URIRef, set[URIRef]] = defaultdict(set)
        for sub, sup in graph.subject_objects(RDFS.subClassOf):
            if isinstance(sub, URIRef) and isinstance(sup, URIRef):
                direct[sub].add(sup)
        self._direct = direct
        self._supers: dict[URIRef, set[URIRef]] = {}

    def supers(self, cls: URIRef) -> set[URIRef]:
        """cls and every class above it."""
        if cls not in self._supers:
            seen, todo = {cls}, [cls]
            while todo:
                for sup in self._direct.get(todo.pop(), ()):
                    if sup not in seen:
                        seen.add(sup)
                        todo.append(sup)
            self._supers[cls] = seen
        return self._supers[cls]

    def types(self, node: Any) -> list[URIRef]:
        """The node's classes that no other class of it specialises, sorted."""
        classes = {c for c in self.graph.objects(node, RDF.type) if isinstance(c, URIRef)}
        return sorted(c for c in classes if not any(other != c and c in self.supers(other) for other in classes))

    def kind(self, node: Any) -> str:
        """One word for what the node is (event, state, mechanism, ...), or 'other'."""
        classes: set[URIRef] = set()
        for cls in self.graph.objects(node, RDF.type):
            if isinstance(cls, URIRef):
                classes |= self.supers(cls)
        for name, roots in _ROOTS:
            if classes & roots:
                return name
        return "other"
