"""Each SHACL shape, fed a graph that breaks it, reports that specific violation."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph
from rdflib.namespace import SH

from ots_kg.io.loader import load_graph
from ots_kg.resources import shapes_file
from ots_kg.validation.validate import validate

GOOD_EVENT = """
mech:test-series a ots:MeetingSeries ; rdfs:label "Test series"@en ; ots:area area:transport ;
    prov:wasDerivedFrom aoc:L190 .
"""

# shape, snippet, focus node, words of the message, severity
CASES = [
    (
        "shapes:Event",
        GOOD_EVENT
        + """
event:x a ots:MinisterialMeeting ; rdfs:label "X"@en ; ots:area area:transport ;
    schema:location place:baku ; prov:wasDerivedFrom aoc:L190 .""",
        "event:x",
        "needs exactly one schema:startDate",
        "Violation",
    ),
    (
        "shapes:Event",
        """
event:x a ots:Forum ; rdfs:label "X"@en ; schema:startDate "2022-10-28" ; ots:area area:transport ;
    schema:location place:baku ; prov:wasDerivedFrom aoc:L190 .""",
        "event:x",
        "typed xsd:date, xsd:gYearMonth or xsd:gYear",
        "Violation",
    ),
    (
        "shapes:Event",
        """
event:x a ots:Forum ; rdfs:label "X"@en ; schema:startDate "2022-10-28"^^xsd:date ;
    schema:location place:baku ; prov:wasDerivedFrom aoc:L190 .""",
        "event:x",
        "needs an area of cooperation",
        "Violation",
    ),
    (
        "shapes:Event",
        """
event:x a ots:Forum ; rdfs:label "X"@en ; schema:startDate "2022-10-28"^^xsd:date ;
    schema:location place:baku ; ots:area area:transport .""",
        "event:x",
        "cites no source passage",
        "Violation",
    ),
    (
        "shapes:EndNotBeforeStart",
        """
event:x a ots:Forum ; rdfs:label "X"@en ; schema:startDate "2022-10-28"^^xsd:date ;
    schema:endDate "2022-10"^^xsd:gYearMonth ; schema:location place:baku ; ots:area area:transport ;
    prov:wasDerivedFrom aoc:L190 .
event:y a ots:Forum ; rdfs:label "Y"@en ; schema:startDate "2022-10-28"^^xsd:date ;
    schema:endDate "2022-10-27"^^xsd:date ; schema:location place:baku ; ots:area area:transport ;
    prov:wasDerivedFrom aoc:L190 .""",
        "event:y",
        "is before start date",
        "Violation",
    ),
    (
        "shapes:OrdinalNeedsSeries",
        """
event:x a ots:Forum ; rdfs:label "X"@en ; schema:startDate "2022-10-28"^^xsd:date ;
    ots:ordinal "4"^^xsd:integer ; schema:location place:baku ; ots:area area:transport ;
    prov:wasDerivedFrom aoc:L190 .""",
        "event:x",
        "has an ordinal but no series",
        "Violation",
    ),
    (
        "shapes:EventPlace",
        """
event:x a ots:Forum ; rdfs:label "X"@en ; schema:startDate "2022-10-28"^^xsd:date ;
    ots:area area:transport ; prov:wasDerivedFrom aoc:L190 .""",
        "event:x",
        "neither a place",
        "Warning",
    ),
    (
        "shapes:Series",
        GOOD_EVENT
        + """
event:a a ots:MinisterialMeeting ; rdfs:label "A"@en ; ots:inSeries mech:test-series ;
    ots:ordinal "6"^^xsd:integer ; schema:startDate "2022-10-28"^^xsd:date ;
    schema:location place:tashkent ; ots:area area:transport ; prov:wasDerivedFrom aoc:L216 .
event:b a ots:MinisterialMeeting ; rdfs:label "B"@en ; ots:inSeries mech:test-series ;
    ots:ordinal "6"^^xsd:integer ; schema:startDate "2022-10-29"^^xsd:date ;
    schema:location place:tashkent ; ots:area area:transport ; prov:wasDerivedFrom aoc:L216 .""",
        "mech:test-series",
        "two events share ordinal 6",
        "Violation",
    ),
    (
        "shapes:SeriesOrder",
        GOOD_EVENT
        + """
event:a a ots:MinisterialMeeting ; rdfs:label "A"@en ; ots:inSeries mech:test-series ;
    ots:ordinal "5"^^xsd:integer ; schema:startDate "2022-10-28"^^xsd:date ;
    schema:location place:tashkent ; ots:area area:transport ; prov:wasDerivedFrom aoc:L216 .
event:b a ots:MinisterialMeeting ; rdfs:label "B"@en ; ots:inSeries mech:test-series ;
    ots:ordinal "6"^^xsd:integer ; schema:startDate "2021-10-14"^^xsd:date ;
    schema:location place:tashkent ; ots:area area:transport ; prov:wasDerivedFrom aoc:L210 .""",
        "mech:test-series",
        "ordinals out of date order",
        "Warning",
    ),
    (
        "shapes:Mechanism",
        """
mech:x a ots:Programme ; rdfs:label "X"@en ; prov:wasDerivedFrom aoc:L37 .""",
        "mech:x",
        "needs an area of cooperation",
        "Violation",
    ),
    (
        "shapes:Document",
        """
doc:x a ots:Agreement ; rdfs:label "X"@en ; ots:signedAt place:baku ; prov:wasDerivedFrom aoc:L182 .""",
        "doc:x",
        "ots:signedAt must point to an event",
        "Violation",
    ),
    (
        "shapes:Organization",
        """
inst:x a ots:GovernmentBody ; prov:wasDerivedFrom aoc:L182 .""",
        "inst:x",
        "needs one rdfs:label",
        "Violation",
    ),
    (
        "shapes:State",
        """
state:x a ots:State ; rdfs:label "X"@en ; ots:iso3166Alpha2 "xx" ; prov:wasDerivedFrom ref:L110 .""",
        "state:x",
        "two capital letters",
        "Violation",
    ),
    (
        "shapes:City",
        """
place:x a schema:City ; rdfs:label "X"@en ; prov:wasDerivedFrom aoc:L196 .""",
        "place:x",
        "lies in exactly one state",
        "Violation",
    ),
    (
        "shapes:Person",
        """
person:x a ots:Person ; rdfs:label "X"@en .""",
        "person:x",
        "cites no source passage",
        "Violation",
    ),
    (
        "shapes:Post",
        """
post:x a ots:Post ; rdfs:label "X"@en ; prov:wasDerivedFrom ref:L65 .""",
        "post:x",
        "a post needs org:postIn",
        "Violation",
    ),
    (
        "shapes:Membership",
        """
ms:x a org:Membership ; rdfs:label "X"@en ; org:member state:hungary ; org:organization inst:ots ;
    org:role ots:ObserverRole ; prov:wasDerivedFrom ref:L28 .""",
        "ms:x",
        "needs a beginning",
        "Violation",
    ),
    (
        "shapes:Instant",
        """
ms:x-start a time:Instant ; time:inXSDDate "2019-10-15"^^xsd:date ; time:inXSDgYear "2019"^^xsd:gYear .""",
        "ms:x-start",
        "exactly one date",
        "Violation",
    ),
    (
        "shapes:Passage",
        """
state:x a ots:State ; rdfs:label "X"@en ;
    prov:wasDerivedFrom <https://w3id.org/ots-kg/id/source/no-such-document#L3> .""",
        "src:no-such-document#L3",
        "unknown source document",
        "Violation",
    ),
    (
        "shapes:Claim",
        """
state:x a ots:State ; rdfs:label "X"@en ; prov:wasDerivedFrom ref:L110 ; ots:claim claim:a, claim:b .
claim:a a ots:Claim ; rdfs:label "A"@en ; ots:claimedProperty rdfs:label ; ots:claimedValue "A" ;
    ots:isCanonical true ; prov:wasDerivedFrom ref:L110 .
claim:b a ots:Claim ; rdfs:label "B"@en ; ots:claimedProperty rdfs:label ; ots:claimedValue "B" ;
    ots:isCanonical true ; prov:wasDerivedFrom ref:L110 .""",
        "claim:a",
        "also canonical",
        "Violation",
    ),
    (
        "shapes:StatedAggregate",
        """
mech:x a ots:Programme ; rdfs:label "X"@en ; ots:area area:political ; prov:wasDerivedFrom aoc:L37 ;
    ots:statedAggregate agg:x .
agg:x a ots:StatedAggregate ; rdfs:label "X"@en ; ots:countedThing "diplomats"@en ;
    prov:wasDerivedFrom aoc:L39 .""",
        "agg:x",
        "integer ots:countValue",
        "Violation",
    ),
    (
        "shapes:Area",
        """
area:x a ots:AreaOfCooperation ; skos:inScheme area:scheme .""",
        "area:x",
        "needs a skos:prefLabel",
        "Violation",
    ),
    (
        "shapes:MostSpecificTypeOnly",
        """
place:x a schema:CivicStructure, schema:EventVenue ; rdfs:label "X"@en ; prov:wasDerivedFrom aoc:L190 .""",
        "place:x",
        "and its superclass",
        "Violation",
    ),
]


SUMMIT_PREFIXES = """
@prefix rec:   <https://w3id.org/ots-kg/id/source/ots-summit-records#> .
@prefix part:  <https://w3id.org/ots-kg/id/participation/> .
@prefix dec:   <https://w3id.org/ots-kg/id/decision/> .
@prefix award: <https://w3id.org/ots-kg/id/award/> .
@prefix fw:    <https://w3id.org/ots-kg/id/framework/> .
event:x a ots:Summit ; rdfs:label "X"@en ; schema:startDate "2022-11-11"^^xsd:date ; ots:area area:political ;
    schema:location place:baku ; prov:wasDerivedFrom rec:L512 .
person:x a ots:Person ; rdfs:label "X"@en ; prov:wasDerivedFrom rec:L524 .
"""

# the summit record (issue 13) and places that are not cities
CASES += [
    (
        "shapes:Participation",
        SUMMIT_PREFIXES
        + """
event:x ots:participation part:x .
part:x a ots:Participation ; ots:participant person:x ; ots:represents state:hungary ;
    ots:level ots:HeadOfGovernmentLevel ; prov:wasDerivedFrom rec:L524 .""",
        "part:x",
        "exactly one ots:capacity",
        "Violation",
    ),
    (
        "shapes:Participation",
        SUMMIT_PREFIXES
        + """
part:x a ots:Participation ; ots:participant person:x ; ots:capacity ots:ObserverCapacity ;
    prov:wasDerivedFrom rec:L524 .""",
        "part:x",
        "belongs to exactly one event",
        "Violation",
    ),
    (
        "shapes:Decision",
        SUMMIT_PREFIXES
        + """
dec:x a ots:Decision ; rdfs:label "X"@en ; prov:wasDerivedFrom rec:L784 .""",
        "dec:x",
        "needs the event it was taken at",
        "Violation",
    ),
    (
        "shapes:AwardDecision",
        SUMMIT_PREFIXES
        + """
dec:x a ots:AwardDecision ; rdfs:label "X"@en ; ots:decidedAt event:x ; ots:decisionObject person:x ;
    prov:wasDerivedFrom rec:L784 .""",
        "dec:x",
        "names exactly one award",
        "Violation",
    ),
    (
        "shapes:Appointment",
        SUMMIT_PREFIXES
        + """
dec:x a ots:Appointment ; rdfs:label "X"@en ; ots:decidedAt event:x ; ots:decisionObject person:x ;
    prov:wasDerivedFrom rec:L784 .""",
        "dec:x",
        "names exactly one post",
        "Violation",
    ),
    (
        "shapes:StatusDecision",
        SUMMIT_PREFIXES
        + """
dec:x a ots:StatusDecision ; rdfs:label "X"@en ; ots:decidedAt event:x ; ots:decisionObject state:hungary ;
    prov:wasDerivedFrom rec:L784 .""",
        "dec:x",
        "names the role granted",
        "Violation",
    ),
    (
        "shapes:Designation",
        SUMMIT_PREFIXES
        + """
dec:x a ots:Designation ; rdfs:label "X"@en ; ots:decidedAt event:x ; ots:decisionObject person:x ;
    ots:designatedAs "Capital"@en ; prov:wasDerivedFrom rec:L784 .""",
        "dec:x",
        "names the place designated",
        "Violation",
    ),
    (
        "shapes:NonCityPlace",
        SUMMIT_PREFIXES
        + """
fw:x a ots:Framework ; rdfs:label "X"@en ; prov:wasDerivedFrom rec:L784 .
place:x a ots:TransportCorridor ; rdfs:label "X"@en ; ots:connects fw:x ; prov:wasDerivedFrom rec:L784 .""",
        "place:x",
        "ots:connects must point to a place",
        "Violation",
    ),
    (
        "shapes:PlaceLabelled",
        """
place:x a schema:Place ; prov:wasDerivedFrom aoc:L190 .""",
        "place:x",
        "label",
        "Violation",
    ),
    (
        "shapes:Venue",
        SUMMIT_PREFIXES
        + """
fw:x a ots:Framework ; rdfs:label "X"@en ; prov:wasDerivedFrom rec:L784 .
event:x ots:venue fw:x .""",
        "event:x",
        "ots:venue must point to a place",
        "Violation",
    ),
    (
        "shapes:VenueOnlyOnEvents",
        SUMMIT_PREFIXES
        + """
person:x ots:venue place:baku .""",
        "person:x",
        "ots:venue is for events only",
        "Violation",
    ),
    (
        "shapes:Framework",
        SUMMIT_PREFIXES
        + """
fw:x a ots:Framework ; rdfs:label "X"@en .""",
        "fw:x",
        "cites no source passage",
        "Violation",
    ),
    (
        "shapes:ConcernsPlace",
        SUMMIT_PREFIXES
        + """
event:x ots:concernsPlace person:x .""",
        "event:x",
        "for an organisation visited use ots:visited",
        "Violation",
    ),
]


def _hits(results: list, focus: str, words: str, severity: str) -> list:
    """The results on `focus` (compact form) of that severity whose message holds `words`."""
    return [r for r in results if r.focus.compact() == focus and words in r.message and r.severity == severity]


def _shape_of(result_shape: str) -> str:
    return result_shape.split(" / ")[0]


@pytest.mark.parametrize("engine", ["oxigraph"])  # the pyshacl engine: every case at once, below
@pytest.mark.parametrize("shape,snippet,focus,words,severity", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_shape_reports_its_violation(shape, snippet, focus, words, severity, engine, ttl, core_context):
    report = validate(data=load_graph([*core_context, ttl(snippet)]), engine=engine)
    got = "\n".join(map(str, report.results))
    assert _hits(report.results, focus, words, severity), f"expected {severity} '{words}' on {focus}; got:\n{got}"
    assert report.conforms == (severity != "Violation")


def test_the_context_alone_conforms(core_context):
    assert validate(data=load_graph(core_context)).conforms


def test_every_node_shape_has_a_violating_case():
    shapes = Graph().parse(shapes_file())
    named = {shapes.namespace_manager.normalizeUri(s) for s in shapes.subjects(RDF.type, SH.NodeShape)}
    named |= {shapes.namespace_manager.normalizeUri(s) for s in shapes.subjects(RDF.type, SH.SPARQLConstraint)}
    covered = {c[0] for c in CASES}
    # each SPARQL constraint belongs to a node shape and is tested by name or through it
    assert named - covered <= {"shapes:OneEventPerOrdinal", "shapes:OrdinalsInDateOrder", "shapes:OneCanonicalClaim"}


def _own_iris(text: str, i: int) -> str:
    """Case i's snippet (or focus) with its own IRIs, so the snippets do not interfere."""
    return (
        text.replace("event:x", f"event:x{i}")
        .replace("event:y", f"event:y{i}")
        .replace("event:a ", f"event:a{i} ")
        .replace("event:b ", f"event:b{i} ")
        .replace("mech:test-series", f"mech:test-series{i}")
        .replace("mech:x ", f"mech:x{i} ")
        .replace("mech:x .", f"mech:x{i} .")
        .replace("person:x ", f"person:x{i} ")
        .replace("part:x ", f"part:x{i} ")
        .replace("dec:x ", f"dec:x{i} ")
        .replace("place:x ", f"place:x{i} ")
        .replace("fw:x ", f"fw:x{i} ")
        .replace("fw:x .", f"fw:x{i} .")
        .replace("person:x .", f"person:x{i} .")
        .replace("part:x .", f"part:x{i} .")
    )


def test_engines_find_the_same_results_as_plain_pyshacl(ttl, core_context):
    """Every seeded error above at once: the fast engines report what pySHACL reports, and
    each case's own result (focus, words, severity) is among them — for the pyshacl engine
    this is its negative test of every shape (the oxigraph engine, the default, also runs
    each case alone above)."""
    snippets = [_own_iris(case[1], i) for i, case in enumerate(CASES)]
    graph = load_graph([*core_context, ttl("\n".join(snippets))])

    def key(r):
        return (r.severity, r.shape, r.focus, r.path)

    reference = {key(r) for r in validate(data=graph, engine="pyshacl-full").results}
    assert len(reference) >= len(CASES)
    for engine in ("pyshacl", "oxigraph"):
        results = validate(data=graph, engine=engine).results
        assert {key(r) for r in results} == reference, engine
        for i, (_, _, focus, words, severity) in enumerate(CASES):
            node = _own_iris(focus + " ", i).strip()
            expected = f"{engine}: expected {severity} '{words}' on {node} (case {i})"
            assert _hits(results, node, words, severity), expected
