"""The served page in Debian's chromium, at desktop and phone widths: a searchable query list,
parameter boxes that fit their values, and an edited stored query that keeps the parameters
its text still uses bound and says which can no longer be bound. Screenshots go to
artifacts/ (looked at when the page changes)."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from browser import CHROMIUM, NO_CHROMIUM, chromium
from conftest import ROOT
from servers import ots_server

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
ARTIFACTS = ROOT / "artifacts"
WIDTHS = {"desktop": "1280,900", "phone": "390,844"}


@pytest.fixture(scope="module")
def served(graph):
    with ots_server(graph, timeout=10.0, max_rows=5000) as base:
        yield base


def browse(tmp_path, url: str, *extra: str) -> str:
    """The DOM after the page's scripts ran (15 s of virtual time)."""
    return chromium(tmp_path / "profile", url, "--virtual-time-budget=15000", *extra).stdout


def page(served, **state: str) -> str:
    return served + "/?" + urlencode(state)


def test_stored_query_with_parameters_runs_bound(served, tmp_path):
    url = page(served, stored="events-in-area", **{"p.area": "area:transport", "p.year": "2022"}, run="1")
    dom = browse(tmp_path, url, "--dump-dom")
    assert '<table id="results">' in dom
    assert re.search(r"9 rows in \d+ ms<", dom), re.findall(r'id="status"[^<]*<', dom)
    assert 'id="unbound" role="alert"></div>' in dom  # nothing to warn about


def _rows(served, **params: str) -> int:
    """Rows the endpoint answers (JSON), to compare the page against."""
    import json
    import urllib.request

    with urllib.request.urlopen(served + "/sparql?" + urlencode({**params, "format": "json"}), timeout=60) as answer:
        return len(json.load(answer)["results"]["bindings"])


def test_edited_stored_query_keeps_its_parameters_bound(served, tmp_path):
    from ots_kg.sparql.catalogue import catalogue

    bound = {"p.area": "area:transport", "p.year": "2022"}
    expected = _rows(served, stored="events-in-area", **bound)
    assert (
        0
        < expected
        < 50
        == _rows(served, query=catalogue()["events-in-area"].text.replace("?_area", "?a") + " LIMIT 50")
    )
    text = catalogue()["events-in-area"].text + "\nLIMIT 50"
    dom = browse(tmp_path, page(served, stored="events-in-area", **bound, query=text, run="1"), "--dump-dom")
    assert re.search(rf">{expected} rows? in \d+ ms<", dom), re.findall(r'id="status"[^<]*<', dom)
    note = re.search(r'id="unbound" role="alert" class="show">(.*?)</div>', dom)  # says what still applies
    assert note and "<code>?_area</code>, <code>?_year</code> are still bound" in note[1]
    assert "no longer" not in note[1]
    assert not re.search(r'<input id="p\.(area|year)"[^>]*disabled', dom)


def test_edit_that_drops_a_parameter_says_it_is_no_longer_bound(served, tmp_path):
    from ots_kg.sparql.catalogue import catalogue

    bound = {"p.area": "area:transport", "p.year": "2022"}
    text = catalogue()["events-in-area"].text.replace("?_year", "?noYear")
    expected = _rows(served, stored="events-in-area", **{"p.area": "area:transport"})
    dom = browse(tmp_path, page(served, stored="events-in-area", **bound, query=text, run="1"), "--dump-dom")
    assert 'class="show lost"' in dom
    assert "<code>?_area</code> is still bound" in dom and "<code>?_year</code> can no longer be bound" in dom
    assert re.search(rf">{expected} rows in \d+ ms \(edited text; not bound: year\)<", dom)
    assert re.search(r'<input id="p\.year"[^>]*disabled', dom) and 'id="restore"' in dom


def test_a_typed_query_with_a_misspelt_class_says_so_under_the_answer(served, tmp_path):
    text = "SELECT ?summit WHERE { ?summit a ots:Sumit }"
    dom = browse(tmp_path, page(served, query=text, run="1"), "--dump-dom")
    assert re.search(r">0 rows in \d+ ms<", dom), re.findall(r'id="status"[^<]*<', dom)
    box = re.search(r'<div id="lint" role="status" class="show">(.*?)</div>', dom)
    assert (
        box
        and "<li>ots:Sumit is not a term of the ontology: it matches nothing (did you mean ots:Summit?)</li>" in box[1]
    )
    clean = browse(
        tmp_path, page(served, stored="events-in-area", **{"p.area": "area:transport"}, run="1"), "--dump-dom"
    )
    assert '<div id="lint" role="status"></div>' in clean  # a stored query's own text is not sent


def test_query_list_is_searchable(served, tmp_path):
    dom = browse(tmp_path, page(served, filter="summit"), "--dump-dom")
    shown = re.findall(r'<li role="option" tabindex="0" data-name="([^"]+)"(?! hidden)[^>]*>', dom)
    hidden = re.findall(r'data-name="([^"]+)"[^>]*hidden', dom)
    assert "summits" in shown and "members" in hidden
    assert re.search(r'id="count">\d+ queries match<', dom)


@pytest.mark.parametrize("name", sorted(WIDTHS))
def test_screenshots_at_desktop_and_phone_width(served, tmp_path, name):
    ARTIFACTS.mkdir(exist_ok=True)
    for view, state in {
        "bound": {"stored": "events-in-area", "p.area": "area:transport", "p.year": "2022", "run": "1"},
        "edited": {
            "stored": "documents-at-event",
            "p.event": "event:2022-11-11-summit-9",
            "filter": "event",
            "query": "SELECT * WHERE { ?d ots:signedAt ?_event } LIMIT 50",
            "run": "1",
        },
        "dropped": {
            "stored": "events-in-area",
            "p.area": "area:transport",
            "p.year": "2022",
            "query": "SELECT ?event WHERE { ?event ots:area ?_area } LIMIT 50",
            "run": "1",
        },
    }.items():
        shot = ARTIFACTS / f"page-{name}-{view}.png"
        shot.unlink(missing_ok=True)
        browse(tmp_path, page(served, **state), f"--window-size={WIDTHS[name]}", f"--screenshot={shot}")
        assert shot.exists() and shot.stat().st_size > 10_000
