"""Every stored query: its rows are unique per the entity it lists (`#+ key:`), and each
column holds what its name says (a column named city holds cities, a date column dates).

The column types come from the column names (`column_type` below: city, country, state,
event, summit, document, person, area, series, dates such as start/end/since/...Date, year,
ordinal, flags) unless the query's header says otherwise with `#+ column: ?var TYPE`, where
TYPE is `date`, `year`, `positive`, `boolean`, `any` or classes such as
`schema:Country|org:OrganizationalUnit` (members of any of them, or their names).
Without `#+ key:` a query's whole rows must be distinct. The header keys: ots_kg/sparql/catalogue.py.
"""

from __future__ import annotations

import re

import pytest
from rdflib import RDF, RDFS, SKOS, URIRef

from ots_kg.model.prefixes import expand_iri
from ots_kg.sparql.catalogue import catalogue
from ots_kg.sparql.engines import open_engine

SCHEMA = "https://schema.org/"
OTS = "https://w3id.org/ots-kg/ontology#"
# a column name -> what it must hold: a class (its members, or their names), or a literal kind
COLUMN_TYPES = {
    "city": SCHEMA + "City",
    "country": SCHEMA + "Country",
    "state": SCHEMA + "Country",
    "event": SCHEMA + "Event",
    "summit": OTS + "Summit",
    "document": OTS + "Document",
    "person": OTS + "Person",
    "area": OTS + "AreaOfCooperation",
    "series": OTS + "Mechanism",
    "from": "date",
    "to": "date",
    "first": "date",
    "last": "date",
    "firstYear": "year",
    "lastYear": "year",
    "start": "date",
    "end": "date",
    "date": "date",
    "since": "date",
    "until": "date",
    "year": "year",
    "ordinal": "positive",
    "planned": "boolean",
    "online": "boolean",
    "extraordinary": "boolean",
}
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
QUERIES = [q for q in catalogue().values() if q.kind == "SELECT"]


@pytest.fixture(scope="module")
def engine(graph):
    return open_engine("oxigraph", graph=graph)


@pytest.fixture(scope="module")
def members(graph):
    """class IRI -> (its members with subclasses, the names of those members)."""
    out = {}
    wanted = {t for t in COLUMN_TYPES.values() if ":" in t}
    for query in QUERIES:
        for _, kinds in re.findall(r"(?m)^#\+ column:\s*\?(\w+)\s+(\S+)", query.text):
            wanted |= {expand_iri(k) for k in kinds.split("|") if ":" in k}
    for cls in wanted:
        classes = set(graph.transitive_subjects(RDFS.subClassOf, URIRef(cls)))
        nodes = {s for c in classes for s in graph.subjects(RDF.type, c)}
        names = {str(o) for n in nodes for p in (RDFS.label, SKOS.altLabel) for o in graph.objects(n, p)}
        out[cls] = ({str(n) for n in nodes}, names)
    return out


def column_type(query, name: str) -> str | None:
    """What column `name` must hold: the header's `#+ column:`, else what its name says."""
    declared = dict(re.findall(r"(?m)^#\+ column:\s*\?(\w+)\s+(\S+)", query.text))
    if name in declared:
        return declared[name]
    if name in COLUMN_TYPES:
        return COLUMN_TYPES[name]
    if name.endswith(("Date", "Start")):
        return "date"
    if name.endswith("Summit"):
        return COLUMN_TYPES["summit"]
    return None


def key_of(query) -> list[str] | None:
    match = re.search(r"(?m)^#\+ key:\s*(.+)$", query.text)
    return [v.lstrip("?") for v in match.group(1).split()] if match else None


def examples(query) -> list[dict[str, str]]:
    runs = [query.example_values(i) for i in range(len(query.examples))]
    if not any(p.required for p in query.params):
        runs.append({})
    return [r for r in runs if all(p.name in r for p in query.params if p.required)]


def check_cell(kind: str, term, members) -> str | None:
    """None when `term` is what `kind` promises, else why not."""
    if kind == "any":
        return None
    if "|" in kind or ":" in kind and not kind.startswith("http"):
        problems = [check_cell(expand_iri(k) if ":" in k else k, term, members) for k in kind.split("|")]
        return None if None in problems else problems[0]
    value = term.value
    if kind == "date":
        ok = term.is_literal and DATE.match(value)
    elif kind == "year":
        ok = term.is_literal and re.fullmatch(r"\d{4}", value)
    elif kind == "positive":
        ok = term.is_literal and value.isdigit() and int(value) >= 1
    elif kind == "boolean":
        ok = term.is_literal and value in ("true", "false")
    else:
        nodes, names = members[kind]
        if term.is_iri:
            ok = value in nodes
        else:  # a name, or several joined with " | "
            ok = all(part in names for part in value.split(" | "))
    return None if ok else f"{value!r} is not a {kind.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}"


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_rows_unique_per_entity_and_columns_hold_their_names(query, engine, members):
    runs = examples(query)
    assert runs, f"{query.name}: no example runs it (add an '#+ example:' with its required parameters)"
    key = key_of(query)
    for values in runs:
        res = engine.run(query, values)
        names = res.vars
        if key:
            assert set(key) <= set(names), f"{query.name}: key {key} not among the columns {names}"
            index = [names.index(k) for k in key]
            seen = [tuple(row[i] for i in index) for row in res.rows]
        else:
            seen = list(res.rows)
        dupes = {s for s in seen if seen.count(s) > 1}
        example = sorted(map(str, dupes))[0] if dupes else ""
        assert not dupes, f"{query.name} {values}: {len(dupes)} rows repeat {key or 'whole rows'}, e.g. {example}"
        for i, name in enumerate(names):
            kind = column_type(query, name)
            if not kind:
                continue
            for row in res.rows:
                if row[i] is not None:
                    problem = check_cell(kind, row[i], members)
                    assert problem is None, f"{query.name} {values}: column {name}: {problem}"


def test_key_and_column_headers_are_checked(engine, members):
    """The checks can fail: a country in a city column, a repeated key."""
    from ots_kg.model.terms import iri, literal

    assert check_cell(SCHEMA + "City", literal("Uzbekistan"), members)
    assert check_cell(SCHEMA + "City", iri(expand_iri("state:uzbekistan")), members)
    assert check_cell(SCHEMA + "City", literal("Tashkent"), members) is None
    assert check_cell("date", literal("Tashkent"), members)
    assert check_cell("date", literal("2022-10", "http://www.w3.org/2001/XMLSchema#gYearMonth"), members) is None


def test_events_in_area_one_row_per_event_with_city_and_country(engine):
    """Transport 2022: the eTIR operation (Baku; Uzbekistan) once, its country apart from its city."""
    res = engine.run(catalogue()["events-in-area"], {"area": "area:transport", "year": "2022"})
    events = [row[0].value for row in res.rows]
    assert len(events) == len(set(events))
    city, country = res.vars.index("city"), res.vars.index("country")
    etir = next(row for row in res.rows if row[0].value.endswith("etir-multimodal-operation"))
    assert etir[city].value == "Baku"
    assert "Uzbekistan" in etir[country].value.split(" | ")


def test_summits_planned_flag_and_no_presented_publication(engine):
    res = engine.run(catalogue()["summits"])
    rows = {row[0].value.rsplit("/", 1)[-1]: dict(zip(res.vars, row, strict=True)) for row in res.rows}
    assert rows["2026-informal-summit"]["planned"].value == "true"
    assert rows["2022-11-11-summit-9"]["planned"].value == "false"
    # aoc:L47: the SAM publication was only presented to the Heads of State at the 5th Summit
    assert "Rising Actor" not in rows["2015-09-11-summit-5"]["documents"].value
    assert "Declaration of the Fifth Summit" in rows["2015-09-11-summit-5"]["documents"].value
