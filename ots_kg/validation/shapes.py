"""shapes.ttl parsed once into a model that validation and the documentation site share."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from rdflib import RDF, BNode, Graph, URIRef
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

    def __post_init__(self) -> None:
        found = {
            s
            for s in self.graph.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(SHAPES) and str(s) != SHAPES
        }
        self.named = sorted(found, key=lambda s: local_name(s).lower())

    def name(self, shape: Any) -> str:
        return shape_name(self.graph, shape)

    def without_sparql(self) -> Graph:
        """The core constraints only (what pySHACL runs when SPARQL ones run compiled)."""
        core = Graph()
        for triple in self.graph:
            if triple[1] != SH.sparql:
                core.add(triple)
        return core


@lru_cache(maxsize=4)
def _parse(path: Path, mtime: float) -> Shapes:
    from ..io.loader import load_graph

    return Shapes(load_graph([path], include_ontology=False))


def load_shapes(path: Path | None = None) -> Shapes:
    """The shapes model of shapes.ttl (default: the bundled one), parsed once per process."""
    target = path or shapes_file()
    return _parse(target, target.stat().st_mtime)
