"""The cache of the loaded graph never serves a stale graph, never caches a broken one,
and the warm `ots-kg query` path never imports rdflib."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, run_cli

from ots_kg.io.cache import cache_dir, open_store
from ots_kg.sparql.catalogue import catalogue
from ots_kg.sparql.engines import OxigraphEngine


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("OTS_KG_CACHE", str(tmp_path / "cache"))


def test_cache_is_invalidated_when_a_data_file_changes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    members = catalogue()["members"]
    first = OxigraphEngine(open_store([data])).run(members)
    assert len(first.rows) == 8
    assert len(list(cache_dir().glob("*.nt"))) == 1
    OxigraphEngine(open_store([data])).run(members)  # a second run reuses the cache
    assert len(list(cache_dir().glob("*.nt"))) == 1
    states = data / "core" / "states.ttl"
    states.write_text(
        states.read_text(encoding="utf-8").replace('rdfs:label "Hungary"@en ;', 'rdfs:label "Hungary (edited)"@en ;'),
        encoding="utf-8",
    )
    second = OxigraphEngine(open_store([data])).run(members)
    names = {row[1].value for row in second.rows}
    assert "Hungary (edited)" in names and "Hungary" not in names
    assert len(list(cache_dir().glob("*.nt"))) == 2


def test_broken_file_is_reported_not_cached(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n")
    proc = run_cli("query", "members", "--data", str(bad), env={**os.environ, "OTS_KG_CACHE": str(tmp_path / "c")})
    assert proc.returncode == 2 and f"{bad}:2:" in proc.stderr
    assert not list((tmp_path / "c").glob("*.nt")) if (tmp_path / "c").exists() else True


def test_warm_cache_query_imports_no_rdflib(tmp_path):
    env = {**os.environ, "OTS_KG_CACHE": str(tmp_path / "c")}
    assert run_cli("query", "members", env=env).returncode == 0  # fills the cache
    code = (
        "import sys; sys.argv = ['ots-kg', 'query', 'members']\n"
        "from ots_kg.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyshacl', 'SPARQLWrapper'))\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "state:hungary" in proc.stdout
    assert "HEAVY []" in proc.stderr, proc.stderr
