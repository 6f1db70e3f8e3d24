"""The project prefixes, compact/expand of IRIs and passage IRIs: one table, plain strings."""

from __future__ import annotations

import re

from ..errors import QueryError

ONTOLOGY = "https://w3id.org/ots-kg/ontology#"
ID = "https://w3id.org/ots-kg/id/"
SOURCE = ID + "source/"
SHAPES = "https://w3id.org/ots-kg/shapes#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

PREFIXES: dict[str, str] = {
    "ots": ONTOLOGY,
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
    "part": ID + "participation/",
    "dec": ID + "decision/",
    "award": ID + "award/",
    "fw": ID + "framework/",
    "src": SOURCE,
    "aoc": SOURCE + "ots-areas-of-cooperation#",
    "ref": SOURCE + "ots-reference-facts#",
    "news": SOURCE + "ots-news-2024-11-18-diaspora-ministers#",
    "rec": SOURCE + "ots-summit-records#",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": RDF,
    "xsd": XSD,
    "shapes": SHAPES,
    "sh": "http://www.w3.org/ns/shacl#",
}

_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|^`\\]')
_PASSAGE = re.compile(r"^([^#]+)#L(\d+)$")
# longest namespace first, so `aoc:` wins over `src:` for a passage IRI: an alternation
# takes its first matching branch, and one regex match is ~10x cheaper than a loop of
# startswith (a report of 60,000 results compacts every term twice)
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda pn: -len(pn[1]))
_NAMESPACE = re.compile("|".join(re.escape(ns) for _, ns in _BY_LENGTH))
_PREFIX_OF = {ns: prefix for prefix, ns in reversed(_BY_LENGTH)}  # the first prefix of a namespace


def compact_iri(iri: str) -> str:
    """`event:2022-…` for an IRI under a project prefix (the longest match), else the IRI."""
    match = _NAMESPACE.match(iri)
    if match is None:
        return iri
    return f"{_PREFIX_OF[match.group()]}:{iri[match.end() :]}"


def expand_iri(raw: str) -> str:
    """`prefix:local`, `<iri>` or an absolute IRI; anything that could break out of an IRI is refused."""
    value = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise QueryError(f"{raw!r} is not an IRI (use prefix:name or a full IRI)")
    return value


def passage_parts(iri: object) -> tuple[str, int] | None:
    """(document IRI, line) of a passage IRI `<document>#L<line>`, else None."""
    match = _PASSAGE.match(str(iri))
    return (match[1], int(match[2])) if match else None


def source_passage_parts(iri: str) -> tuple[str, int] | None:
    """passage_parts of a cited passage the loader types as ots:Passage
    (`<…/id/source/DOC#L<n>>`), else None."""
    parts = passage_parts(iri)
    return parts if parts is not None and parts[0].startswith(SOURCE) else None


def is_source_passage(iri: str) -> bool:
    """A cited passage the loader types as ots:Passage: `<…/id/source/DOC#L<n>>`."""
    return source_passage_parts(iri) is not None


def local_name(iri: object) -> str:
    """The part after the last # or /: `ofState` for ots:ofState."""
    return re.split(r"[#/]", str(iri))[-1]
