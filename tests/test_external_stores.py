"""Smoke test of the third-party stores the engine contract test runs on: each starts on a
loopback port, takes three triples and answers one SELECT. Skipped (outside CI) when the
engine is not installed."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from external_stores import comunica_available, comunica_store, in_ci, virtuoso_available, virtuoso_store

TURTLE = """@prefix ex: <http://example.org/> .
ex:a ex:name "Alpha" ; ex:next ex:b .
ex:b ex:name "Beta" .
"""
SELECT = "SELECT ?name WHERE { ?s <http://example.org/next> ?o . ?o <http://example.org/name> ?name }"
GRAPH = "http://example.org/graph"


def need(available):
    ok, why = available()
    if not ok:
        if in_ci():
            pytest.fail(f"CI must have this engine: {why}")
        pytest.skip(why)


def select(url: str, query: str, **params) -> list[dict]:
    body = urllib.parse.urlencode({"query": query, **params}).encode()
    request = urllib.request.Request(url, data=body, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers["Content-Type"].startswith("application/sparql-results+json")
        return json.loads(response.read())["results"]["bindings"]


def test_virtuoso_takes_a_digest_push_and_answers(tmp_path):
    need(virtuoso_available)
    with virtuoso_store(tmp_path) as store:
        url = store.gsp_url + "?" + urllib.parse.urlencode({"graph": GRAPH})
        put = urllib.request.Request(url, data=TURTLE.encode(), method="PUT", headers={"Content-Type": "text/turtle"})
        with pytest.raises(urllib.error.HTTPError) as refused:  # no credentials: 401 with a Digest challenge
            urllib.request.urlopen(put, timeout=30)
        assert refused.value.code == 401
        assert "digest" in refused.value.headers.get("WWW-Authenticate", "").lower()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, store.base_url, store.user, store.password)
        opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
        with opener.open(put, timeout=30) as response:
            assert response.status in (200, 201, 204)
        rows = select(store.query_url, SELECT, **{"default-graph-uri": GRAPH})
        assert [r["name"]["value"] for r in rows] == ["Beta"]
    assert store.proc.poll() is not None


def test_comunica_serves_a_file(tmp_path):
    need(comunica_available)
    data = tmp_path / "three.ttl"
    data.write_text(TURTLE)
    with comunica_store(data, tmp_path) as store:
        rows = select(store.query_url, SELECT)
        assert [r["name"]["value"] for r in rows] == ["Beta"]
    assert store.proc.poll() is not None
