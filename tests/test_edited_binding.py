"""An edited stored query keeps the parameters its text still uses (served page, endpoint)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from servers import ots_server

from ots_kg.sparql.catalogue import edited, find_query

BOUND = {"p.area": "area:transport", "p.year": "2022"}


@pytest.fixture(scope="module")
def served(graph):
    with ots_server(graph, timeout=10.0, max_rows=5000) as base:
        yield base


def rows(base: str, **form: str) -> int:
    body = urllib.parse.urlencode(form).encode()
    request = urllib.request.Request(base + "/sparql", data=body, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return len(json.load(answer)["results"]["bindings"])


def test_edited_text_keeps_the_parameters_it_still_uses():
    query = find_query("events-in-area")
    assert [p.name for p in edited(query, query.text + "\nLIMIT 50").params] == ["area", "year"]
    without_year = query.text.replace("?_year", "?noYear")
    assert [p.name for p in edited(query, without_year).params] == ["area"]
    in_a_comment = "# ?_area\nSELECT * WHERE { ?s ?p '?_year' }"
    assert edited(query, in_a_comment).params == ()  # comments and strings do not count


def test_endpoint_binds_the_edited_text(served):
    query = find_query("events-in-area")
    stored = rows(served, stored="events-in-area", **BOUND)
    assert 0 < stored < 50
    assert rows(served, stored="events-in-area", query=query.text + "\nLIMIT 50", **BOUND) == stored
    assert rows(served, query=query.text.replace("?_area", "?a").replace("?_year", "?y") + "\nLIMIT 50") == 50


def test_a_value_for_a_parameter_the_edit_dropped_is_refused(served):
    text = find_query("events-in-area").text.replace("?_year", "?noYear")
    with pytest.raises(urllib.error.HTTPError) as caught:
        rows(served, stored="events-in-area", query=text, **BOUND)
    assert (
        caught.value.code == 400
        and b"unknown parameter 'year' for the edited text of events-in-area (parameters: area)" in caught.value.read()
    )


def test_a_missing_parameter_is_named_as_the_endpoint_takes_it(served):
    """Not the command line's `-p`: the form field, with the header's description and example."""
    with pytest.raises(urllib.error.HTTPError) as caught:
        rows(served, stored="series-timeline")
    assert caught.value.code == 400
    assert b"series-timeline needs parameter series (p.series=...): the series, e.g. mech:" in caught.value.read()
