"""shapes.ttl parsed once into a model that validation and the documentation site share."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from ..model.graph import compact
from ..model.prefixes import SHAPES, local_name
from ..resources import shapes_file


def shape_name(shapes: Graph, shape: Any) -> str:
    """Named shapes by their compact IRI; an anonymous property shape by its node shape and path."""
    if isinstance(shape, URIRef):
        return compact(shape)
    parent = shapes.value(predicate=SH.property, object=shape) or shapes.value(predicate=SH.sparql, object=shape)
    path = shapes.value(shape, SH.path)
    label = compact(parent) if isinstance(parent, URIRef) else "(anonymous shape)"
    if path is not None and not isinstance(path, BNode):
        label += f" / {compact(path)}"
    return label


@dataclass
class Shapes:
    """The shapes graph and what every reader of it asks first: its named shapes."""

    graph: Graph
    named: list[URIRef] = field(default_factory=list)
    _parsed: list[Shape] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        found = {
            s
            for s in self.graph.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(SHAPES) and str(s) != SHAPES
        }
        self.named = sorted(found, key=lambda s: local_name(s).lower())

    def name(self, shape: Any) -> str:
        return shape_name(self.graph, shape)

    def parsed(self) -> list[Shape]:
        """Every named shape parsed (once): what the documentation site explains."""
        if self._parsed is None:
            named = set(self.named)
            self._parsed = [parse_shape(self.graph, s, named) for s in self.named]
        return self._parsed

    def is_node_shape(self, shape: Any) -> bool:
        return (shape, RDF.type, SH.NodeShape) in self.graph

    def without_sparql(self) -> Graph:
        """The core constraints only (what pySHACL runs when SPARQL ones run compiled)."""
        core = Graph()
        for triple in self.graph:
            if triple[1] != SH.sparql:
                core.add(triple)
        return core


@lru_cache(maxsize=4)
def _parse(path: Path, mtime_ns: int, size: int) -> Shapes:
    from ..io.loader import load_graph

    return Shapes(load_graph([path], include_ontology=False))


def load_shapes(path: Path | None = None) -> Shapes:
    """The shapes model of shapes.ttl (default: the bundled one), parsed once per process."""
    target = path or shapes_file()
    stat = target.stat()
    return _parse(target, stat.st_mtime_ns, stat.st_size)


# ---- the parsed form: what a shape says, read once, for every reader that explains shapes ----

CONSTRAINTS = (  # the value constraints a shape can carry, in the order readers should list them
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH.pattern,
    SH.uniqueLang,
    SH.hasValue,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minLength,
    SH.maxLength,
    SH.node,
)
LOGICAL = (SH["or"], SH.xone, SH["and"])
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass(frozen=True)
class ShapePath:
    """A property path: one IRI, the inverse of a path, a sequence of paths, or one ots-kg
    does not take apart ("complex")."""

    kind: str  # "iri" | "inverse" | "sequence" | "complex"
    iri: URIRef | None = None
    parts: tuple[ShapePath, ...] = ()


@dataclass
class Shape:
    """One shape as its triples say it, without interpretation: targets, counts, value
    constraints, nested shapes, SPARQL parts. Nested shapes are parsed the same way."""

    node: Any
    named: bool
    kinds: list[str] = field(default_factory=list)
    label: str | None = None
    comment: str | None = None
    targets: list[tuple[URIRef, Any]] = field(default_factory=list)  # (sh:targetX, value)
    users: list[str] = field(default_factory=list)  # local names of shapes that use this one
    severity: URIRef | None = None
    path: ShapePath | None = None
    min_count: int | None = None
    max_count: int | None = None
    constraints: list[tuple[URIRef, Any]] = field(default_factory=list)  # (component, value)
    logical: list[tuple[URIRef, list[Shape]]] = field(default_factory=list)  # sh:or/xone/and
    negated: list[Shape] = field(default_factory=list)  # sh:not
    properties: list[Shape] = field(default_factory=list)
    sparql: list[Any] = field(default_factory=list)  # sh:sparql nodes, sorted
    messages: list[str] = field(default_factory=list)
    select: str | None = None


def parse_path(shapes: Graph, node: Any) -> ShapePath:
    if isinstance(node, URIRef):
        return ShapePath("iri", node)
    inverse = shapes.value(node, SH.inversePath)
    if inverse is not None:
        return ShapePath("inverse", parts=(parse_path(shapes, inverse),))
    if (node, RDF.first, None) in shapes:
        return ShapePath("sequence", parts=tuple(parse_path(shapes, p) for p in Collection(shapes, node)))
    return ShapePath("complex")


def parse_shape(shapes: Graph, node: Any, named: set) -> Shape:
    """Read one shape (and the shapes nested in it) from the shapes graph."""
    g = shapes
    label, comment, path = g.value(node, RDFS.label), g.value(node, RDFS.comment), g.value(node, SH.path)
    low, high, select = g.value(node, SH.minCount), g.value(node, SH.maxCount), g.value(node, SH.select)
    return Shape(
        node=node,
        named=node in named,
        kinds=[local_name(t) for t in g.objects(node, RDF.type)],
        label=str(label) if label is not None else None,
        comment=str(comment) if comment is not None else None,
        targets=[(pred, value) for pred in TARGETS for value in sorted(g.objects(node, pred), key=str)],
        users=sorted(
            {local_name(s) for s in g.subjects(SH.property, node)}
            | {local_name(s) for s in g.subjects(SH.sparql, node)}
        ),
        severity=g.value(node, SH.severity),
        path=parse_path(g, path) if path is not None else None,
        min_count=int(low) if low is not None else None,
        max_count=int(high) if high is not None else None,
        constraints=[(pred, value) for pred in CONSTRAINTS for value in sorted(g.objects(node, pred), key=str)],
        logical=[
            (pred, [parse_shape(g, item, named) for item in Collection(g, head)])
            for pred in LOGICAL
            for head in g.objects(node, pred)
        ],
        negated=[parse_shape(g, value, named) for value in g.objects(node, SH["not"])],
        properties=[parse_shape(g, p, named) for p in g.objects(node, SH.property)],
        sparql=sorted(g.objects(node, SH.sparql), key=str),
        messages=sorted(str(m) for m in g.objects(node, SH.message)),
        select=str(select).strip() if select is not None else None,
    )
