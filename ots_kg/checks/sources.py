"""Check the graph against the source texts: every cited passage exists, every dated
fact's date is written in a passage the node itself cites, and an event's IRI carries its
canonical start date.

Only two borrowings are allowed, both explicit: a side event may use the passages of the
event it was held on the margins of (ots:onMarginsOf), and a time:Instant / time:Interval
those of the node that owns it. Passages of other linked nodes never vouch for a date —
otherwise an event moved to another meeting's date, or citing an unrelated passage,
passes because a neighbour happens to mention that date.

This is what a maintainer runs after adding facts from a new press release.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import OtsKgError
from ..io.files import PathLike
from ..model.prefixes import ID, passage_parts
from ..model.vocab import OTS, PROV, SCHEMA, TIME

MONTHS = ("January February March April May June July August September October November December").split()
_DASH = r"\s*[-–—]\s*"
_DATED = {XSD.date, XSD.gYearMonth, XSD.gYear}


@dataclass(frozen=True)
class Problem:
    """One problem; `kind` counts it, `predicate`/`value` locate the triple at fault."""

    node: str
    message: str
    kind: str = "date"
    predicate: str | None = None
    value: str | None = None  # an IRI or a literal's lexical form
    value_is_iri: bool = False
    file: str | None = None
    line: int | None = None


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


_OWNED = (TIME.Instant, TIME.Interval)
_EVENT_DATE = re.compile(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)-\D")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def _citations(graph: Graph, node) -> set[URIRef]:
    """Passages that vouch for a node's dates: its own; a side event's also those of the
    event it was on the margins of; an instant or interval citing nothing borrows from the
    nodes that own it (interval -> membership), up to three hops."""
    cited = set(graph.objects(node, PROV.wasDerivedFrom))
    for main in graph.objects(node, OTS.onMarginsOf):
        cited.update(graph.objects(main, PROV.wasDerivedFrom))
    if cited or not any((node, RDF_TYPE, t) in graph for t in _OWNED):
        return cited
    frontier, seen = [node], {node}
    for _ in range(3):
        frontier = [s for n in frontier for s in graph.subjects(None, n) if s not in seen]
        seen.update(frontier)
        cited = {c for n in frontier for c in graph.objects(n, PROV.wasDerivedFrom)}
        if cited:
            return cited
    return cited


def _iri_date_problems(graph: Graph) -> list[Problem]:
    """An event IRI's date must be its start date, unless a claim about the start date
    gives the IRI's date (the IRI was minted from another source's value)."""
    problems = []
    for event, start in sorted(graph.subject_objects(SCHEMA.startDate), key=lambda so: (str(so[0]), str(so[1]))):
        if not str(event).startswith(ID + "event/"):
            continue
        match = _EVENT_DATE.match(str(event)[len(ID + "event/") :])
        if not match or match.group(1) == str(start):
            continue
        claimed = {
            str(graph.value(claim, OTS.claimedValue))
            for claim in graph.objects(event, OTS.claim)
            if graph.value(claim, OTS.claimedProperty) == SCHEMA.startDate
        }
        if match.group(1) not in claimed:
            problems.append(
                Problem(
                    str(event),
                    f"IRI date {match.group(1)} differs from schema:startDate {start} (and no claim gives it)",
                    "iri-date",
                    str(SCHEMA.startDate),
                    str(start),
                )
            )
    return problems


def check_sources(graph: Graph, sources: Path) -> tuple[int, int, list[Problem]]:
    """(passages checked, dated facts checked, problems)."""
    docs = source_lines(graph, sources)
    problems: list[Problem] = []
    passages = sorted(set(graph.objects(None, PROV.wasDerivedFrom)), key=str)
    citing: dict = {}
    for s, o in graph.subject_objects(PROV.wasDerivedFrom):
        citing[o] = min(citing.get(o, s), s, key=str)
    for passage in passages:
        node, cite = str(citing[passage]), str(PROV.wasDerivedFrom)

        def missing(message: str, kind: str, node: str = node, cite: str = cite, passage=passage) -> Problem:
            return Problem(node, f"cites {passage}: {message}", kind, cite, str(passage), True)

        parts = passage_parts(passage)
        if not parts:
            problems.append(missing("not <document>#L<line>", "passage"))
            continue
        lines = docs.get(parts[0])
        number = parts[1]
        if lines is None:
            problems.append(missing("source document not found in the sources folder", "document"))
        elif not 0 < number <= len(lines) or not lines[number - 1].strip():
            problems.append(missing(f"line {number} does not exist or is empty", "line"))
    dated = sorted(
        ((s, p, o) for s, p, o in graph if isinstance(o, Literal) and o.datatype in _DATED),
        key=lambda spo: (str(spo[0]), str(spo[1]), str(spo[2])),
    )
    for subject, predicate, literal in dated:
        cited = _citations(graph, subject)
        if not cited:
            problems.append(
                Problem(str(subject), f"date {literal} cites no passage", "uncited", str(predicate), str(literal))
            )
            continue
        texts = []
        for passage in cited:
            parts = passage_parts(passage)
            lines = docs.get(parts[0]) if parts else None
            if lines and 0 < parts[1] <= len(lines):
                texts.append(lines[parts[1] - 1])
        if not any(written_in(str(literal), t) for t in texts):
            lines = ", ".join(sorted(str(c).rsplit("/", 1)[-1] for c in cited))
            problems.append(
                Problem(
                    str(subject),
                    f"date {literal} is not written in {lines}",
                    "date",
                    str(predicate),
                    str(literal),
                )
            )
    problems.extend(_iri_date_problems(graph))
    return len(passages), len(dated), problems


def check_files(paths: Sequence[PathLike] | None, sources: Path) -> tuple[int, int, list[Problem]]:
    """check_sources over Turtle files (default: bundled data/), each problem located at the
    file and line of the triple at fault (or of its node's subject block)."""
    from ..io.loader import graph_from, load_checked
    from ..io.locations import Locator

    loaded = load_checked(paths, include_ontology=False)
    passages, dated, problems = check_sources(graph_from(loaded), sources)
    locator = Locator(loaded)
    located = []
    for problem in problems:
        value = None
        if problem.value is not None:
            value = f"<{problem.value}>" if problem.value_is_iri else '"' + problem.value
        predicate = f"<{problem.predicate}>" if problem.predicate else None
        found = locator.where(f"<{problem.node}>", predicate, value)
        located.append(replace(problem, file=str(found[0]), line=found[1]) if found else problem)
    return passages, dated, located
