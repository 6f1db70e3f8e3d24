"""Counts a user checks first: by class, by area of cooperation, by year."""
from __future__ import annotations

from collections import Counter

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from .namespaces import OTS, SCHEMA


def _name(graph: Graph, node) -> str:
    label = graph.value(node, SKOS.prefLabel) or graph.value(node, URIRef(
        "http://www.w3.org/2000/01/rdf-schema#label"))
    return str(label) if label else graph.namespace_manager.normalizeUri(node)


def events(graph: Graph) -> set:
    query = "SELECT DISTINCT ?e WHERE { ?e a/rdfs:subClassOf* schema:Event }"
    return {row[0] for row in graph.query(query, initNs={"schema": SCHEMA, "rdfs": RDF_S})}


RDF_S = "http://www.w3.org/2000/01/rdf-schema#"


def stats(graph: Graph) -> dict[str, dict[str, int]]:
    """{'classes': ..., 'areas': ..., 'years': ...}; areas and years count events."""
    classes = Counter(
        graph.namespace_manager.normalizeUri(cls)
        for s, cls in graph.subject_objects(RDF.type)
        if isinstance(s, URIRef) and not str(s).startswith(str(OTS))
    )
    evs = events(graph)
    areas = Counter(_name(graph, a) for e in evs for a in graph.objects(e, OTS.area))
    years = Counter(str(graph.value(e, SCHEMA.startDate))[:4] for e in evs
                    if graph.value(e, SCHEMA.startDate) is not None)
    return {
        "classes": dict(sorted(classes.items())),
        "areas": dict(sorted(areas.items())),
        "years": dict(sorted(years.items())),
        "totals": {"triples": len(graph), "events": len(evs)},
    }
