# ruff: noqa: E501  (a mutation is the exact text it replaces)
"""Contributor mistakes applied to a copy of data/: each must make `validate` or
`check-sources` fail and name the file and line of the mistake.

A mutation replaces one exact text (present once) in one file. The expected line is where
the replacement first differs from the original, or the line of `at` (a text in the
mutated file) when a removal leaves nothing to point at. The catch rate is in README.md.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from ots_kg.checks.sources import check_files
from ots_kg.resources import data_dir, sources_dir
from ots_kg.validation.validate import validate

SOURCES = Path("/work/shared/sources") if Path("/work/shared/sources").is_dir() else sources_dir()


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    tool: str = "validate"  # or "sources"
    at: str | None = None


T, A, S = "areas/transport.ttl", "areas/agriculture.ttl", "core/summits.ttl"
ST, AR, S2 = "core/states.ttl", "core/areas.ttl", "summits/2020-2022.ttl"
TRANSPORT_4 = "event:2019-04-17-transport-ministers-4 a ots:MinisterialMeeting ;"
SUMMIT_9 = "event:2022-11-11-summit-9 a ots:Summit ;"
ORDINAL_4 = 'ots:inSeries mech:transport-ministers ;\n    ots:ordinal "4"^^xsd:integer ;'
TAIL_4 = (
    "schema:attendee inst:kazakhstan-kuryk-port ;\n    ots:area area:transport ;\n    prov:wasDerivedFrom aoc:L194 ."
)
SUMMIT_9_2009 = '    ots:ordinal "9"^^xsd:integer ;\n    schema:startDate "2009-10-03"^^xsd:date ;'

MUTATIONS = [
    # typos in classes
    Mutation("class typo MinisterialMeting", T, TRANSPORT_4, TRANSPORT_4.replace("Meeting ;", "Meting ;")),
    Mutation(
        "class typo Forums",
        A,
        "event:2022-07-04-turkic-agro-business-forum-1 a ots:Forum ;",
        "event:2022-07-04-turkic-agro-business-forum-1 a ots:Forums ;",
    ),
    Mutation("class typo Sumit", S, SUMMIT_9, "event:2022-11-11-summit-9 a ots:Sumit ;"),
    Mutation("class typo State", ST, "state:hungary a ots:State ;", "state:hungary a ots:Stat ;"),
    Mutation(
        "class of another vocabulary misspelt",
        AR,
        "area:transport a ots:AreaOfCooperation ;",
        "area:transport a skos:Concpet ;",
    ),
    Mutation(
        "class typo Declaration",
        S2,
        "doc:turkistan-declaration a ots:Declaration ;",
        "doc:turkistan-declaration a ots:Decleration ;",
    ),
    # typos in properties
    Mutation(
        "property typo hostcountry",
        T,
        "    ots:hostCountry state:kyrgyzstan ;\n    schema:attendee inst:kazakhstan-kuryk-port",
        "    ots:hostcountry state:kyrgyzstan ;\n    schema:attendee inst:kazakhstan-kuryk-port",
    ),
    Mutation(
        "property typo startdate",
        S,
        '    schema:startDate "2022-11-11"^^xsd:date ;',
        '    schema:startdate "2022-11-11"^^xsd:date ;',
    ),
    Mutation(
        "property typo inSeries",
        A,
        '    ots:inSeries mech:agriculture-ministers ;\n    ots:ordinal "1"',
        '    ots:inseries mech:agriculture-ministers ;\n    ots:ordinal "1"',
    ),
    Mutation("property typo iso code", ST, '    ots:iso3166Alpha2 "HU" ;', '    ots:iso3166alpha2 "HU" ;'),
    Mutation(
        "property of another vocabulary misspelt",
        AR,
        '    skos:prefLabel "Transport cooperation"@en ;',
        '    skos:preflabel "Transport cooperation"@en ;',
    ),
    Mutation(
        "property typo participant",
        S2,
        "    ots:participant person:ilham-aliyev ; ots:represents state:azerbaijan ;\n    ots:inPost post:azerbaijan-president ; ots:capacity ots:MemberCapacity ; ots:level ots:HeadOfStateLevel ;\n    ots:isChair true ;\n    prov:wasDerivedFrom rec:L400 .",
        "    ots:participants person:ilham-aliyev ; ots:represents state:azerbaijan ;\n    ots:inPost post:azerbaijan-president ; ots:capacity ots:MemberCapacity ; ots:level ots:HeadOfStateLevel ;\n    ots:isChair true ;\n    prov:wasDerivedFrom rec:L400 .",
    ),
    # typos in prefixes and area codes
    Mutation("prefix typo", T, TAIL_4, TAIL_4.replace("area:transport", "aera:transport")),
    Mutation("area code typo", T, TAIL_4, TAIL_4.replace("area:transport", "area:transprot")),
    Mutation(
        "area code typo in summit",
        S,
        "    ots:area area:political ;\n    prov:wasDerivedFrom ref:L19,",
        "    ots:area area:politics ;\n    prov:wasDerivedFrom ref:L19,",
    ),
    Mutation(
        "undeclared prefix in summits", S2, "    prov:wasDerivedFrom rec:L400 .", "    prov:wasDerivedFrom recs:L400 ."
    ),
    Mutation(
        "state code typo",
        T,
        "    ots:hostCountry state:kyrgyzstan ;\n    schema:attendee",
        "    ots:hostCountry state:kyrgystan ;\n    schema:attendee",
    ),
    # shifted, swapped, impossible or mistyped dates
    Mutation(
        "end before start",
        A,
        '    schema:startDate "2023-09-25"^^xsd:date ;\n    schema:endDate "2023-09-26"^^xsd:date ;\n    schema:location place:baku ;\n    ots:hostCountry state:azerbaijan ;\n    schema:attendee',
        '    schema:startDate "2023-09-25"^^xsd:date ;\n    schema:endDate "2023-09-24"^^xsd:date ;\n    schema:location place:baku ;\n    ots:hostCountry state:azerbaijan ;\n    schema:attendee',
        at="event:2023-09-25-agriculture-ministers-2 a ots:MinisterialMeeting ;",  # two triples at fault: the block
    ),
    Mutation(
        "impossible date",
        S,
        '"2022-11-11"^^xsd:date ;\n    schema:location place:samarkand',
        '"2022-11-31"^^xsd:date ;\n    schema:location place:samarkand',
    ),
    Mutation(
        "full date typed as year",
        T,
        '    schema:startDate "2019-04-17"^^xsd:date ;',
        '    schema:startDate "2019-04-17"^^xsd:gYear ;',
    ),
    Mutation(
        "month 13",
        A,
        '"2022-07-04"^^xsd:date ;\n    schema:location place:tashkent ;\n    ots:hostCountry state:uzbekistan ;\n    schema:organizer inst:ots ;',
        '"2022-13-04"^^xsd:date ;\n    schema:location place:tashkent ;\n    ots:hostCountry state:uzbekistan ;\n    schema:organizer inst:ots ;',
    ),
    Mutation("date with slashes", S, SUMMIT_9_2009, SUMMIT_9_2009.replace("2009-10-03", "03/10/2009")),
    Mutation(
        "year as gYearMonth",
        T,
        '    schema:startDate "2019-04-17"^^xsd:date ;',
        '    schema:startDate "2019"^^xsd:gYearMonth ;',
    ),
    Mutation(
        "boolean typo",
        S2,
        "    ots:isChair true ;\n    prov:wasDerivedFrom rec:L400 .",
        '    ots:isChair "yes"^^xsd:boolean ;\n    prov:wasDerivedFrom rec:L400 .',
    ),
    Mutation("ordinal not an integer", T, ORDINAL_4, ORDINAL_4.replace('"4"', '"4th"')),
    Mutation(
        "date shifted by a day",
        T,
        '    schema:startDate "2019-04-17"^^xsd:date ;',
        '    schema:startDate "2019-04-18"^^xsd:date ;',
        "sources",
    ),
    Mutation(
        "event moved to another meeting's date",
        A,
        '    schema:startDate "2022-07-04"^^xsd:date ;\n    schema:location place:tashkent ;\n    ots:hostCountry state:uzbekistan ;\n    schema:organizer inst:ots ;',
        '    schema:startDate "2023-09-25"^^xsd:date ;\n    schema:location place:tashkent ;\n    ots:hostCountry state:uzbekistan ;\n    schema:organizer inst:ots ;',
        "sources",
    ),
    Mutation(
        "summit date swapped day and month",
        S,
        SUMMIT_9_2009,
        SUMMIT_9_2009.replace("2009-10-03", "2009-03-10"),
        "sources",
    ),
    Mutation(
        "date untyped string",
        S,
        '"2022-11-11"^^xsd:date ;\n    schema:location place:samarkand',
        '"2022-11-11" ;\n    schema:location place:samarkand',
    ),
    # removed labels, dates, provenance
    Mutation(
        "label removed",
        T,
        '    rdfs:label "4th Meeting of the Ministers in charge of Transport"@en ;\n',
        "",
        at=TRANSPORT_4,
    ),
    Mutation("start date removed", S, '    schema:startDate "2022-11-11"^^xsd:date ;\n', "", at=SUMMIT_9),
    Mutation("state label removed", ST, '    rdfs:label "Hungary"@en ;\n', "", at="state:hungary a ots:State ;"),
    Mutation(
        "provenance removed",
        A,
        "    ots:area area:agriculture ;\n    prov:wasDerivedFrom aoc:L498, aoc:L500, aoc:L502 .",
        "    ots:area area:agriculture .",
        at="event:2022-07-04-agriculture-ministers-1 a ots:MinisterialMeeting ;",
    ),
    Mutation(
        "type removed",
        ST,
        "state:hungary a ots:State ;\n    rdfs:label",
        "state:hungary\n    rdfs:label",
    ),
    # citations of missing or unrelated lines
    Mutation("citation of a missing line", T, TAIL_4, TAIL_4.replace("aoc:L194", "aoc:L99999"), "sources"),
    Mutation(
        "citation of a misspelt document",  # the passage is derived, written in no file: at its citation
        T,
        TAIL_4,
        TAIL_4.replace("aoc:L194", "<https://w3id.org/ots-kg/id/source/ots-areas-of-cooperaton#L194>"),
    ),
    Mutation(
        "citation replaced by an unrelated passage",
        T,
        TAIL_4,
        TAIL_4.replace("aoc:L194", "aoc:L496"),
        "sources",
        at='    schema:startDate "2019-04-17"^^xsd:date ;',  # the date its citation no longer states
    ),
    Mutation(
        "citation of an empty line",
        ST,
        "    prov:wasDerivedFrom ref:L28, ref:L115, aoc:L79 .",
        "    prov:wasDerivedFrom ref:L28, ref:L115, aoc:L2 .",
        "sources",
    ),
    Mutation(
        "citation of an unknown document",
        S,
        "    prov:wasDerivedFrom ref:L7, ref:L10, ref:L79 .",
        "    prov:wasDerivedFrom <https://w3id.org/ots-kg/id/source/no-such-document#L7> .",
        "sources",
    ),
    # duplicate IRIs and ordinals
    Mutation(
        "duplicate ordinal",
        T,
        ORDINAL_4,
        ORDINAL_4.replace('"4"', '"5"'),
        # a conflict between two nodes is located at the later one (?value), naming both
        at="event:2021-10-14-transport-ministers-5 a ots:MinisterialMeeting ;",
    ),
    Mutation(
        "duplicate IRI: two events merged",
        A,
        "event:2023-09-25-turkic-agro-business-forum-2 a ots:Forum ;",
        "event:2023-09-25-agriculture-ministers-2 a ots:Forum ;",
        at='    rdfs:label "2nd Turkic Agro-Business Forum"@en ;',  # the second label of the merged node
    ),
    Mutation(
        "duplicate ordinal in summits",
        S,
        '    ots:ordinal "9"^^xsd:integer ;\n    schema:startDate "2022-11-11"',
        '    ots:ordinal "8"^^xsd:integer ;\n    schema:startDate "2022-11-11"',
        at=SUMMIT_9,
    ),
    # literals where IRIs belong and the reverse
    Mutation(
        "literal where an IRI belongs", T, "    schema:location place:bishkek ;", '    schema:location "Bishkek" ;'
    ),
    Mutation("IRI where a literal belongs", ST, '    rdfs:label "Hungary"@en ;', "    rdfs:label state:hungary ;"),
    Mutation(
        "literal host country",
        S,
        "    ots:hostCountry state:uzbekistan ;\n    ots:theme",
        '    ots:hostCountry "Uzbekistan"@en ;\n    ots:theme',
    ),
    Mutation(
        "IRI as ordinal",
        A,
        '    ots:ordinal "2"^^xsd:integer ;\n    schema:startDate "2023-09-25"^^xsd:date ;\n    schema:endDate "2023-09-26"^^xsd:date ;\n    schema:location place:baku ;\n    ots:hostCountry state:azerbaijan ;\n    schema:attendee',
        '    ots:ordinal mech:two ;\n    schema:startDate "2023-09-25"^^xsd:date ;\n    schema:endDate "2023-09-26"^^xsd:date ;\n    schema:location place:baku ;\n    ots:hostCountry state:azerbaijan ;\n    schema:attendee',
    ),
    # syntax errors in several files
    Mutation("missing dot", T, TAIL_4, TAIL_4[:-2]),
    Mutation("unclosed string", ST, '    rdfs:label "Hungary"@en ;', '    rdfs:label "Hungary@en ;'),
    Mutation(
        "comma instead of semicolon",
        S2,
        "    ots:isChair true ;\n    prov:wasDerivedFrom rec:L400 .",
        "    ots:isChair true ,\n    prov:wasDerivedFrom rec:L400 .",
        at="    prov:wasDerivedFrom rec:L400 .\npart:2020-04-10-extraordinary-summit-kassym",  # where the parser sees it
    ),
    Mutation(
        "unclosed IRI",
        AR,
        "area:transport a ots:AreaOfCooperation ;",
        "area:transport a <https://w3id.org/ots-kg/ontology#AreaOfCooperation ;",
    ),
]


def _expected_line(text: str, mutation: Mutation) -> int:
    mutated = text.replace(mutation.old, mutation.new)
    if mutation.at is not None:
        return mutated[: mutated.index(mutation.at)].count("\n") + 1
    start = text.index(mutation.old)
    common = 0
    while common < min(len(mutation.old), len(mutation.new)) and mutation.old[common] == mutation.new[common]:
        common += 1
    return text[: start + common].count("\n") + 1


def locations(tool: str, folder: Path) -> set[tuple[str, int]]:
    """Every (file, line) that the tool reports a failing problem at."""
    if tool == "sources":
        _, _, problems = check_files([folder], SOURCES)
        return {(p.file, p.line) for p in problems if p.file}
    report = validate([folder])
    found = {(str(p.file), p.line) for p in report.load_problems}
    found |= {(r.file, r.line) for r in report.violations if r.file}
    return found


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(data_dir(), target)
    return target


def test_there_are_at_least_forty_mutations_over_several_files():
    assert len(MUTATIONS) >= 40
    assert len({m.file for m in MUTATIONS}) >= 5
    assert len({m.name for m in MUTATIONS}) == len(MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.name for m in MUTATIONS])
def test_mistake_is_caught_at_its_file_and_line(mutation: Mutation, data_copy: Path):
    if mutation.tool == "sources" and not SOURCES.is_dir():
        pytest.skip("the source documents (../shared/sources) are not here")
    path = data_copy / mutation.file
    text = path.read_text(encoding="utf-8")
    assert text.count(mutation.old) == 1, f"{mutation.name}: the text to change is not there exactly once"
    path.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")
    expected = (str(path), _expected_line(text, mutation))
    found = locations(mutation.tool, data_copy)
    assert found, f"{mutation.name}: not caught at all (a false green)"
    assert expected in found, f"{mutation.name}: expected {expected}, reported at {sorted(found)}"


def _parses(path: Path) -> bool:
    import pyoxigraph as ox

    try:
        for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
            pass
    except SyntaxError:
        return False
    return True


def _apply_all(folder: Path, parsing: bool, first: str = "") -> list[Mutation]:
    """Every validate mutation whose text is still there once, in one copy (the one named
    `first` before the others): those after which the file still parses (`parsing`), or the
    first that breaks each file (not `parsing`)."""
    applied, broken = [], set()
    for mutation in sorted(MUTATIONS, key=lambda m: m.name != first):
        path = folder / mutation.file
        text = path.read_text(encoding="utf-8")
        if mutation.tool != "validate" or text.count(mutation.old) != 1 or mutation.file in broken:
            continue
        path.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")
        if _parses(path) == parsing:
            applied.append(mutation)
            broken |= set() if parsing else {mutation.file}
        else:
            path.write_text(text, encoding="utf-8")
    return applied


def test_the_store_route_places_every_mistake_where_the_file_route_does(data_copy: Path, tmp_path: Path):
    """`validate --store` (and any input over 50 MB) placed each result at the line where its
    node's block starts: 18 of this suite's 42 mistakes 1-13 lines above the mistake, one in
    another file, a blank node's at no file. Now both routes give every result the same file
    and line; the mistakes that still parse, all in one copy (one store build)."""
    from ots_kg.io.files import input_files
    from ots_kg.io.store import open_disk_store

    applied = _apply_all(data_copy, parsing=True)
    assert len(applied) >= 25, [m.name for m in applied]
    by_file = validate([data_copy])
    by_store = validate(store=open_disk_store(tmp_path / "store", [data_copy]), files=input_files([data_copy]))

    def placed(report) -> list[tuple]:
        results = [(r.file, r.line, r.shape, r.focus.value, r.message) for r in report.results]
        return sorted(results, key=str) + sorted((str(p.file), p.line, p.message) for p in report.load_problems)

    assert placed(by_store) == placed(by_file)
    assert len({(r.file, r.line) for r in by_store.results}) >= len(applied)  # not one line for all
    assert all(r.file and r.line for r in by_store.results)


def test_a_store_build_blames_a_syntax_error_where_the_file_route_does(data_copy: Path, tmp_path: Path):
    """A bulk load's parser notices a missing '.' on the next subject's line; the file route
    points at the line that lacks it, and so does a store build now (it said the next one)."""
    from ots_kg.errors import LoadError
    from ots_kg.io.store import ensure_store

    applied = _apply_all(data_copy, parsing=False, first="missing dot")
    assert any(m.name == "missing dot" for m in applied), [m.name for m in applied]
    with pytest.raises(LoadError) as raised:
        ensure_store(tmp_path / "store", [data_copy])
    first: dict[str, tuple[int, str]] = {}
    for problem in validate([data_copy]).load_problems:
        first.setdefault(str(problem.file), (problem.line, problem.message))
    store_route = {str(issue.file): (issue.line, issue.message) for issue in raised.value.issues}
    assert store_route == first
    assert len(store_route) == len(applied)
