"""The SPARQL 1.1 Service Description the endpoint answers to a GET without a query.

SPARQL 1.1 Service Description, section 2: a service "should return a service description
document at the service endpoint when dereferenced using the HTTP GET operation without any
query parameter strings". Clients and dataset catalogues read it to learn what the endpoint
speaks (SPARQL 1.1 Query; no Update, no federation) and the formats it answers in, without
sending a query first.
"""

from __future__ import annotations

from typing import Any

from ..model.formats import W3C_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"


def service_description(endpoint: str) -> Any:
    """The description of the endpoint at `endpoint` (its full URL) as an rdflib Graph with
    the sd: and formats: prefixes bound, to be written in the format the client accepts."""
    from rdflib import RDF, BNode, Graph, Namespace, URIRef

    sd, formats = Namespace(SD), Namespace(FORMATS)
    graph = Graph()
    graph.bind("sd", sd)
    graph.bind("formats", formats)
    service, dataset, default = BNode("service"), BNode("dataset"), BNode("defaultGraph")
    graph.add((service, RDF.type, sd.Service))
    graph.add((service, sd.endpoint, URIRef(endpoint)))
    graph.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    for name in W3C_FORMATS.values():
        graph.add((service, sd.resultFormat, formats[name]))
    graph.add((service, sd.defaultDataset, dataset))
    graph.add((dataset, RDF.type, sd.Dataset))
    graph.add((dataset, sd.defaultGraph, default))
    graph.add((default, RDF.type, sd.Graph))
    return graph
