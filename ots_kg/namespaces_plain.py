"""The project prefixes as plain strings (no rdflib import, for the fast CLI path)."""
from __future__ import annotations

import re

ID = "https://w3id.org/ots-kg/id/"
SOURCE = ID + "source/"

PREFIXES = {
    "ots": "https://w3id.org/ots-kg/ontology#",
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
    "src": SOURCE,
    "aoc": SOURCE + "ots-areas-of-cooperation#",
    "ref": SOURCE + "ots-reference-facts#",
    "news": SOURCE + "ots-news-2024-11-18-diaspora-ministers#",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "shapes": "https://w3id.org/ots-kg/shapes#",
    "sh": "http://www.w3.org/ns/shacl#",
}


_PASSAGE = re.compile(r"^([^#]+)#L(\d+)$")


def passage_parts(iri: object) -> tuple[str, int] | None:
    """(document IRI, line) of a passage IRI `<document>#L<line>`, else None."""
    match = _PASSAGE.match(str(iri))
    return (match[1], int(match[2])) if match else None
