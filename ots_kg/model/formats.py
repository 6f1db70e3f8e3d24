"""Every output format and media type, once: the CLI's choices, the server's content
negotiation and the writers all read these tables."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GraphFormat:
    name: str
    rdflib: str  # rdflib serializer / parser name
    extension: str
    media_type: str


GRAPH_FORMATS: dict[str, GraphFormat] = {
    f.name: f
    for f in (
        GraphFormat("ttl", "longturtle", "ttl", "text/turtle"),
        GraphFormat("nt", "nt11", "nt", "application/n-triples"),
        GraphFormat("jsonld", "json-ld", "jsonld", "application/ld+json"),
        GraphFormat("xml", "xml", "rdf", "application/rdf+xml"),
        GraphFormat("trig", "trig", "trig", "application/trig"),
    )
}

# SPARQL 1.1 result formats (SELECT / ASK) by short name
RESULT_MEDIA_TYPES: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
# what a client may send in Accept, and the short name it gets
RESULT_ACCEPT: dict[str, str] = {
    **{media: name for name, media in RESULT_MEDIA_TYPES.items()},
    "application/json": "json",
    "application/xml": "xml",
}
SERVED_GRAPH_FORMATS = ("ttl", "nt", "jsonld", "xml")
GRAPH_ACCEPT: dict[str, str] = {
    **{GRAPH_FORMATS[n].media_type: n for n in SERVED_GRAPH_FORMATS},
    "text/plain": "nt",
}
# `?format=` on the server: a short name for either kind of answer
SHORT_FORMATS: dict[str, str] = {
    **RESULT_MEDIA_TYPES,
    **{n: GRAPH_FORMATS[n].media_type for n in ("ttl", "nt", "jsonld")},
}

# the command line
QUERY_FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt", "jsonld")
EXPORT_FORMATS = (*GRAPH_FORMATS, "graphml", "csv")
REPORT_FORMATS = ("text", "json", "github", "sarif", "junit", "ttl")
LISTING_FORMATS = ("text", "json")
# a graph answer asked for in a table format: which graph format to write
GRAPH_FOR_TABLE = {"table": "ttl", "csv": "nt", "tsv": "nt", "json": "jsonld"}
CHART_SUFFIXES = (".png", ".svg")
