"""A query's own text is checked before it runs: terms the ontology does not declare, nodes
the graph does not hold, selected variables nothing binds (ots_kg.sparql.lint)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from conftest import run_cli
from servers import ots_server

from ots_kg.sparql.catalogue import catalogue
from ots_kg.sparql.engines import open_engine
from ots_kg.sparql.lint import missing_nodes, query_warnings, terms, unbound_selection, unknown_vocabulary

ONT = "https://w3id.org/ots-kg/ontology#"


def test_a_typo_in_an_ad_hoc_query_is_said_with_the_nearest_term_and_the_answer_still_given():
    text = "SELECT ?s ?x WHERE { ?s a ots:Sumit ; ots:hostcountry state:turkey ; schema:startdate ?d }"
    proc = run_cli("query", "-q", text)
    assert proc.returncode == 0, proc.stderr  # the answer is given; an empty one is an answer
    assert "(0 rows)" in proc.stdout
    warnings = [line for line in proc.stderr.splitlines() if line.startswith("ots-kg: warning: ")]
    assert warnings == [
        "ots-kg: warning: ots:Sumit is not a term of the ontology: it matches nothing (did you mean ots:Summit?)",
        "ots-kg: warning: ots:hostcountry is not a term of the ontology: it matches nothing "
        "(did you mean ots:hostCountry?)",
        "ots-kg: warning: schema:startdate is not a term of the ontology: it matches nothing "
        "(did you mean schema:startDate?)",
        "ots-kg: warning: ?x is selected but the query never binds it: its column is always empty",
        "ots-kg: warning: state:turkey names no node in the graph: it matches nothing; "
        "did you mean state:turkiye (Türkiye), state:hungary (Hungary), state:turkmenistan (Turkmenistan)?",
    ]


def test_a_correct_query_and_the_bundled_ones_get_no_warning(tmp_path):
    proc = run_cli("query", "-q", "SELECT (COUNT(?e) AS ?n) WHERE { ?e a ots:Summit ; ots:hostCountry state:turkiye }")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    query = tmp_path / "mine.rq"  # a query file of the user's is checked like -q text
    query.write_text("SELECT ?e WHERE { ?e ots:hostCountry state:turkiye ; a ots:Sumit }\n", encoding="utf-8")
    proc = run_cli("query", str(query))
    assert proc.returncode == 0 and "ots:Sumit is not a term of the ontology" in proc.stderr


def test_no_stored_query_writes_an_unknown_term_an_absent_node_or_an_unbound_column(graph):
    """The catalogue's own queries are not linted when run (this test holds them clean)."""
    engine = open_engine("rdflib", graph=graph)
    for name, query in catalogue().items():
        assert unknown_vocabulary(query.text) == [], name
        assert unbound_selection(query.text) == [], name
        assert missing_nodes(query.text, engine) == [], name
        assert query.bundled, name
    # and the check can fail: one letter off in a stored query's text
    summits = catalogue()["summits"]
    assert "ots:Summit" in summits.text
    assert unknown_vocabulary(summits.text.replace("ots:Summit", "ots:Sumit"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # strings and comments are not terms; a `#` inside an IRI starts no comment
        ('SELECT * { ?s rdfs:label "ots:Nope" } # ots:Nope', ["http://www.w3.org/2000/01/rdf-schema#label"]),
        ("SELECT * { ?s a <https://w3id.org/ots-kg/ontology#Sumit> }", [ONT + "Sumit"]),
        # the query's own PREFIX wins over the project's; a BASE or PREFIX line is no term
        (
            "PREFIX o: <https://w3id.org/ots-kg/ontology#>\nBASE <http://x/>\nSELECT * { ?s a o:Summit }",
            [ONT + "Summit"],
        ),
        ("PREFIX ots: <http://example.org/>\nSELECT * { ?s a ots:Summit }", ["http://example.org/Summit"]),
        # functions are not terms; a comparison is not an IRI; an undeclared prefix is left out
        ("SELECT * { ?s ?p ?o FILTER (xsd:integer(?o) < 3 && ?o<?p) }", []),
        ("SELECT * { ?s ?p ?o FILTER (?o > '1.5'^^xsd:decimal) }", []),
        ("SELECT * { ?s nope:thing ?o ; ots:hostCountry ?c . }", [ONT + "hostCountry"]),
    ],
)
def test_terms_are_read_as_sparql_writes_them(text, expected):
    assert terms(text) == expected


def test_a_construct_template_may_write_new_nodes_but_its_terms_are_still_checked(graph):
    text = "CONSTRUCT { event:new ots:hostcountry ?c } WHERE { ?e ots:hostCountry ?c ; ots:inSeries mech:nope }"
    assert unknown_vocabulary(text) == [
        "ots:hostcountry is not a term of the ontology (did you mean ots:hostCountry?)"  # written, not matched
    ]
    found = missing_nodes(text, open_engine("rdflib", graph=graph), suggest=False)
    assert found == ["mech:nope names no node in the graph: it matches nothing; try 'ots-kg find NAME'"]


def test_a_query_for_another_store_is_judged_only_on_the_ots_namespace():
    """--endpoint: the store may hold other data (schema:name there is no mistake); an ots:
    term the ontology does not declare still is, but whether it matches is the store's."""
    text = "SELECT ?x WHERE { ?x schema:name ?n ; a ots:Sumit }"
    assert query_warnings(text) == ["ots:Sumit is not a term of the ontology (did you mean ots:Summit?)"]
    assert unknown_vocabulary(text)[0].startswith("schema:name is not a term of the ontology: it matches nothing")


def test_datatypes_are_compared_not_matched():
    assert unknown_vocabulary("SELECT * { ?s ?p ?o FILTER (DATATYPE(?o) = xsd:unsignedShort) }") == []
    assert unknown_vocabulary("SELECT * { ?s schema:startdate ?o }")  # but every other namespace is closed


def test_selected_variables_count_as_bound_when_used_or_computed():
    assert unbound_selection("SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s") == []
    assert unbound_selection("SELECT * WHERE { ?s ?p ?o }") == []
    assert unbound_selection("SELECT ?s (COUNT(?oo) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s") == [
        "?oo is selected but the query never binds it: its column is always empty"
    ]
    assert unbound_selection("ASK { ?s ?p ?o }") == []


def test_the_server_answers_the_warnings_of_a_text_for_its_page(graph):
    """POST /lint: what the page shows under a typed or edited query (the text warnings; the
    nodes are the workers' to look up)."""
    text = "SELECT ?e ?when WHERE { ?e a ots:Sumit }"

    def lint(body: bytes, ctype: str) -> list[str]:
        request = urllib.request.Request(base + "/lint", data=body, headers={"Content-Type": ctype})
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.headers["Content-Type"] == "application/json"
            return json.load(answer)["warnings"]

    with ots_server(graph, workers=1) as base:
        form = urllib.parse.urlencode({"query": text}).encode()
        found = lint(form, "application/x-www-form-urlencoded")
        assert found == [
            "ots:Sumit is not a term of the ontology: it matches nothing (did you mean ots:Summit?)",
            "?when is selected but the query never binds it: its column is always empty",
        ]
        assert lint(text.encode(), "application/sparql-query") == found
        clean = urllib.parse.urlencode({"query": "SELECT ?e WHERE { ?e a ots:Summit }"}).encode()
        assert lint(clean, "application/x-www-form-urlencoded") == []


def test_many_unknown_terms_are_counted_not_each_suggested():
    """Each "did you mean" compares the term with every known one: 3,000 of them in one
    text took 14.5 s of CPU (in the server's thread for POST /lint) before the cap."""
    text = "SELECT * WHERE { " + " ".join(f"?s ots:madeUp{i} ?o{i} ." for i in range(25)) + " }"
    found = unknown_vocabulary(text)
    assert len(found) == 11 and found[-1] == "and 15 more terms the ontology does not declare"
    assert all(line.startswith("ots:madeUp") for line in found[:10])
