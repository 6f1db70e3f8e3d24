"""Counts a user checks first: by class, by area of cooperation, by year."""

from __future__ import annotations

from collections import Counter

from rdflib import RDF, Graph, URIRef

from ..model.graph import events, label
from ..model.vocab import OTS, SCHEMA


def stats(graph: Graph) -> dict[str, dict[str, int]]:
    """{'classes': ..., 'areas': ..., 'years': ..., 'totals': ...}; areas and years count events."""
    classes = Counter(
        graph.namespace_manager.normalizeUri(cls)
        for s, cls in graph.subject_objects(RDF.type)
        if isinstance(s, URIRef) and not str(s).startswith(str(OTS))
    )
    evs = events(graph)
    areas = Counter(label(graph, a) for e in evs for a in graph.objects(e, OTS.area))
    years = Counter(
        str(graph.value(e, SCHEMA.startDate))[:4] for e in evs if graph.value(e, SCHEMA.startDate) is not None
    )
    return {
        "classes": dict(sorted(classes.items())),
        "areas": dict(sorted(areas.items())),
        "years": dict(sorted(years.items())),
        "totals": {"triples": len(graph), "events": len(evs)},
    }
