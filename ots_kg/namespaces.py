"""The project's namespaces, in one place so modules and tests agree on IRIs."""
from __future__ import annotations

from rdflib import Namespace

OTS = Namespace("https://w3id.org/ots-kg/ontology#")
ID = "https://w3id.org/ots-kg/id/"
SOURCE = Namespace(ID + "source/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
TIME = Namespace("http://www.w3.org/2006/time#")

PREFIXES = {
    "ots": str(OTS),
    "inst": ID + "org/",
    "state": ID + "state/",
    "place": ID + "place/",
    "mech": ID + "mechanism/",
    "event": ID + "event/",
    "doc": ID + "document/",
    "person": ID + "person/",
    "post": ID + "post/",
    "area": ID + "area/",
    "ms": ID + "membership/",
    "claim": ID + "claim/",
    "agg": ID + "aggregate/",
    "src": str(SOURCE),
    "aoc": str(SOURCE) + "ots-areas-of-cooperation#",
    "ref": str(SOURCE) + "ots-reference-facts#",
    "news": str(SOURCE) + "ots-news-2024-11-18-diaspora-ministers#",
    "schema": str(SCHEMA),
    "org": str(ORG),
    "prov": str(PROV),
    "time": str(TIME),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def bind_all(graph) -> None:
    """Bind the project prefixes so every serialisation reads the same way."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, Namespace(iri), override=True, replace=True)
