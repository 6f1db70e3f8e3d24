"""Every output format and media type, once: the CLI's choices, the server's content
negotiation and the writers all read these tables."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GraphFormat:
    name: str
    rdflib: str  # rdflib serializer / parser name
    extension: str
    media_type: str
    label: str  # the syntax's own name, for messages


GRAPH_FORMATS: dict[str, GraphFormat] = {
    f.name: f
    for f in (
        GraphFormat("ttl", "longturtle", "ttl", "text/turtle", "Turtle"),
        GraphFormat("nt", "nt11", "nt", "application/n-triples", "N-Triples"),
        GraphFormat("jsonld", "json-ld", "jsonld", "application/ld+json", "JSON-LD"),
        GraphFormat("xml", "xml", "rdf", "application/rdf+xml", "RDF/XML"),
        GraphFormat("trig", "trig", "trig", "application/trig", "TriG"),
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
# the W3C's IRI for each media type the server answers in (www.w3.org/ns/formats/), named by
# its Service Description (sd:resultFormat)
W3C_FORMATS: dict[str, str] = {
    RESULT_MEDIA_TYPES["json"]: "SPARQL_Results_JSON",
    RESULT_MEDIA_TYPES["xml"]: "SPARQL_Results_XML",
    RESULT_MEDIA_TYPES["csv"]: "SPARQL_Results_CSV",
    RESULT_MEDIA_TYPES["tsv"]: "SPARQL_Results_TSV",
    GRAPH_FORMATS["ttl"].media_type: "Turtle",
    GRAPH_FORMATS["nt"].media_type: "N-Triples",
    GRAPH_FORMATS["jsonld"].media_type: "JSON-LD",
    GRAPH_FORMATS["xml"].media_type: "RDF_XML",
}
GRAPH_ACCEPT: dict[str, str] = {
    **{GRAPH_FORMATS[n].media_type: n for n in SERVED_GRAPH_FORMATS},
    # older or informal names that SPARQLWrapper, rdflib and curl users send
    "text/plain": "nt",
    "application/turtle": "ttl",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",  # Turtle is N3's RDF subset
    "text/rdf+n3": "ttl",
    "application/x-json+ld": "jsonld",
    "application/json": "jsonld",
    "application/xml": "xml",
}
# `?format=` on the server: a name for either kind of answer, as an Accept header that the
# SELECT/ASK and the CONSTRUCT/DESCRIBE negotiation each read their half of. Besides the
# short names, the names SPARQLWrapper sends (`turtle`, `n3`, `rdf`, `rdf+xml`, `json-ld`)
# and the file extensions people type.
_TURTLE = GRAPH_FORMATS["ttl"].media_type
_NT = GRAPH_FORMATS["nt"].media_type
_JSONLD = GRAPH_FORMATS["jsonld"].media_type
_RDFXML = GRAPH_FORMATS["xml"].media_type
SHORT_FORMATS: dict[str, str] = {
    "json": f"{RESULT_MEDIA_TYPES['json']}, {_JSONLD}",
    "xml": f"{RESULT_MEDIA_TYPES['xml']}, {_RDFXML}",
    "csv": RESULT_MEDIA_TYPES["csv"],
    "tsv": RESULT_MEDIA_TYPES["tsv"],
    **dict.fromkeys(("ttl", "turtle", "n3"), _TURTLE),
    **dict.fromkeys(("nt", "ntriples", "n-triples"), _NT),
    **dict.fromkeys(("jsonld", "json-ld"), _JSONLD),
    **dict.fromkeys(("rdf", "rdf+xml", "rdfxml"), _RDFXML),
}

# the command line
# xml: SPARQL XML results for SELECT/ASK, RDF/XML for CONSTRUCT/DESCRIBE (as the server serves them)
QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", "ttl", "nt", "jsonld")
EXPORT_FORMATS = (*GRAPH_FORMATS, "graphml", "csv")
REPORT_FORMATS = ("text", "json", "github", "sarif", "junit", "ttl")
LISTING_FORMATS = ("text", "json")
# a graph answer asked for in a table format: which graph format to write
GRAPH_FOR_TABLE = {"table": "ttl", "csv": "nt", "tsv": "nt", "json": "jsonld"}
# the format a file's suffix names, for `-o FILE` without --format: each graph format's own
# extension, and the others (.srj/.srx: SPARQL results)
SUFFIX_FORMATS = {
    **{f".{f.extension}": f.name for f in GRAPH_FORMATS.values()},
    **{".xml": "xml", ".graphml": "graphml", ".csv": "csv", ".tsv": "tsv", ".json": "json"},
    **{".srj": "json", ".srx": "xml"},
}


CHART_SUFFIXES = (".png", ".svg")


def format_for(given: str | None, output: str | Path | None, choices: Sequence[str], default: str) -> str:
    """--format if given; else the one `-o`'s suffix names, if it is among the command's
    choices; else the default. (`export -o ots.nt` once wrote Turtle into ots.nt.)"""
    if given is not None:
        return given
    named = SUFFIX_FORMATS.get(Path(output).suffix.lower()) if output is not None else None
    return named if named in choices else default
