"""The fast route (Oxigraph over the parsed-graph cache) answers exactly like rdflib, and
its cache never serves a stale graph."""
from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, run_cli

from ots_kg.catalogue import catalogue
from ots_kg.fast import cache_dir, open_store, run_store
from ots_kg.query import run_local
from ots_kg.results import format_results


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OTS_KG_CACHE", str(tmp_path / "cache"))


def test_every_stored_query_gives_identical_rows(graph):
    store = open_store()
    compared = 0
    for name, query in catalogue().items():
        if query.kind not in ("SELECT", "ASK"):
            continue
        values = query.example_values()
        for fmt in ("tsv", "csv"):
            fast = format_results(run_store(store, query, values), fmt).splitlines()
            slow = format_results(run_local(graph, query, values), fmt).splitlines()
            assert fast[:1] == slow[:1], name
            assert sorted(fast[1:]) == sorted(slow[1:]), name
        compared += 1
    assert compared >= 8


def test_cli_engines_print_the_same(tmp_path):
    for args in (["members"], ["series-timeline", "-p", "series=mech:education-ministers"]):
        fast = run_cli("query", *args, "--format", "tsv")
        slow = run_cli("query", *args, "--format", "tsv", "--engine", "rdflib")
        assert fast.returncode == slow.returncode == 0
        assert sorted(fast.stdout.splitlines()) == sorted(slow.stdout.splitlines())


def test_cache_is_invalidated_when_a_data_file_changes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    count = catalogue()["members"]
    first = run_store(open_store([data]), count)
    assert len(first.rows) == 8
    assert len(list(cache_dir().glob("*.nt"))) == 1
    # a second run reuses the cache
    run_store(open_store([data]), count)
    assert len(list(cache_dir().glob("*.nt"))) == 1
    states = data / "core" / "states.ttl"
    states.write_text(states.read_text(encoding="utf-8").replace(
        'rdfs:label "Hungary"@en ;', 'rdfs:label "Hungary (edited)"@en ;'), encoding="utf-8")
    second = run_store(open_store([data]), count)
    names = {str(row[1].value) for row in second.rows}
    assert "Hungary (edited)" in names and "Hungary" not in names
    assert len(list(cache_dir().glob("*.nt"))) == 2


def test_broken_file_is_reported_not_cached(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n")
    proc = run_cli("query", "members", "--data", str(bad),
                   env={**__import__("os").environ, "OTS_KG_CACHE": str(tmp_path / "c")})
    assert proc.returncode == 2 and f"{bad}:2:" in proc.stderr
    assert not list((tmp_path / "c").glob("*.nt")) if (tmp_path / "c").exists() else True


def test_direct_oxigraph_load_equals_the_rdflib_loader(graph):
    """The loader used for large graphs gives the same triples (passages included)."""
    from ots_kg.fast import load_store_direct
    from ots_kg.results import term_parts

    def key(triple):
        return tuple(("bnode",) if p[0] == "bnode" else p for p in map(term_parts, triple))

    direct = sorted(key((q.subject, q.predicate, q.object)) for q in load_store_direct())
    reference = sorted(key(t) for t in graph)
    assert direct == reference
