"""Check the graph against the source texts: every cited passage exists, and every dated
fact's date is written in a passage it (or the node that owns it) cites.

This is what a maintainer runs after adding facts from a new press release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import OtsKgError
from ..model.prefixes import passage_parts
from ..model.vocab import OTS, PROV

MONTHS = ("January February March April May June July August September October November December").split()
_DASH = r"\s*[-–—]\s*"
_DATED = {XSD.date, XSD.gYearMonth, XSD.gYear}


@dataclass(frozen=True)
class Problem:
    node: str
    message: str


def date_patterns(value: str) -> list[re.Pattern[str]]:
    """Ways the sources write one ISO date value: '6 February 2020', '17-18 October 2023',
    'December 27, 2022', 'November 2017', '2014'."""
    parts = value.split("-")
    year = parts[0]
    if len(parts) == 1:
        return [re.compile(rf"\b{year}\b")]
    month = MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return [re.compile(rf"\b{month}\b[^.]{{0,40}}?\b{year}\b", re.I)]
    day = str(int(parts[2]))
    return [
        re.compile(
            rf"(?<!\d){day}(?:st|nd|rd|th)?(?:{_DASH}\d{{1,2}})?\s+{month}\b"
            rf"[^.]{{0,40}}?\b{year}\b",
            re.I,
        ),
        re.compile(rf"\d{{1,2}}{_DASH}{day}\s+{month}\b[^.]{{0,12}}?\b{year}\b", re.I),
        re.compile(rf"(?<!\d){day}\s+{month}{_DASH}\d{{1,2}}\s+\w+\s+{year}\b", re.I),
        re.compile(rf"\b{month}\s+{day}(?:{_DASH}\d{{1,2}})?,?\s+{year}\b", re.I),
        re.compile(rf"\b{month}\s+\d{{1,2}}{_DASH}{day},?\s+{year}\b", re.I),
    ]


def written_in(value: str, text: str) -> bool:
    return any(p.search(text) for p in date_patterns(value))


def source_lines(graph: Graph, sources: Path) -> dict[str, list[str]]:
    """Lines of each source document the graph declares (by ots:fileName), keyed by IRI."""
    if not sources.is_dir():
        raise OtsKgError(f"{sources}: sources folder not found")
    docs: dict[str, list[str]] = {}
    for doc, name in graph.subject_objects(OTS.fileName):
        path = sources / str(name)
        if path.is_file():
            docs[str(doc)] = path.read_text(encoding="utf-8").split("\n")
    return docs


def _citations(graph: Graph, node) -> set[URIRef]:
    """Passages that vouch for a node's dates: its own and those of the nodes it links to
    (a side event takes its date from the event it was held on the margins of); a node
    citing nothing (an instant) borrows from the nodes that own it, up to three hops."""
    near = [node, *(o for o in graph.objects(node, None) if isinstance(o, URIRef))]
    cited = {c for n in near for c in graph.objects(n, PROV.wasDerivedFrom)}
    frontier, seen = [node], {node}
    for _ in range(3):
        if cited:
            return cited
        frontier = [s for n in frontier for s in graph.subjects(None, n) if s not in seen]
        seen.update(frontier)
        cited = {c for n in frontier for c in graph.objects(n, PROV.wasDerivedFrom)}
    return cited


def check_sources(graph: Graph, sources: Path) -> tuple[int, int, list[Problem]]:
    """(passages checked, dated facts checked, problems)."""
    docs = source_lines(graph, sources)
    problems: list[Problem] = []
    passages = sorted(set(graph.objects(None, PROV.wasDerivedFrom)), key=str)
    for passage in passages:
        parts = passage_parts(passage)
        if not parts:
            problems.append(Problem(str(passage), "cited passage is not <document>#L<line>"))
            continue
        lines = docs.get(parts[0])
        number = parts[1]
        if lines is None:
            problems.append(Problem(str(passage), "source document not found in the sources folder"))
        elif not 0 < number <= len(lines) or not lines[number - 1].strip():
            problems.append(Problem(str(passage), f"line {number} does not exist or is empty"))
    dated = sorted(
        ((s, o) for s, _, o in graph if isinstance(o, Literal) and o.datatype in _DATED),
        key=lambda so: (str(so[0]), str(so[1])),
    )
    for subject, literal in dated:
        cited = _citations(graph, subject)
        if not cited:
            problems.append(Problem(str(subject), f"date {literal} cites no passage"))
            continue
        texts = []
        for passage in cited:
            parts = passage_parts(passage)
            lines = docs.get(parts[0]) if parts else None
            if lines and 0 < parts[1] <= len(lines):
                texts.append(lines[parts[1] - 1])
        if not any(written_in(str(literal), t) for t in texts):
            lines = ", ".join(sorted(str(c).rsplit("/", 1)[-1] for c in cited))
            problems.append(Problem(str(subject), f"date {literal} is not written in {lines}"))
    return len(passages), len(dated), problems
