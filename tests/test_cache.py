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


def test_warm_validate_imports_no_rdflib_and_reports_the_same(tmp_path):
    """The bundled shapes come compiled from the cache on a second run: no rdflib, and the
    same report as the run that compiled them."""
    env = {**os.environ, "OTS_KG_CACHE": str(tmp_path / "c")}
    first = run_cli("validate", "--format", "json", env=env)
    assert first.returncode == 0 and len(list((tmp_path / "c").glob("shapes-*.json"))) == 1
    code = (
        "import sys; sys.argv = ['ots-kg', 'validate', '--format', 'json']\n"
        "from ots_kg.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('rdflib', 'pyshacl'))\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert "HEAVY []" in proc.stderr, proc.stderr
    assert proc.stdout == first.stdout


def test_compiled_shapes_follow_the_shapes_file_and_ignore_a_tampered_entry(tmp_path):
    """A changed shapes file is compiled again (never an old entry), and an entry whose
    checksum does not match is compiled again rather than trusted."""
    from ots_kg.resources import shapes_file
    from ots_kg.validation.compiled import compiled_checks

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(shapes_file().read_text(encoding="utf-8"), encoding="utf-8")
    checks, unsupported = compiled_checks(shapes)
    assert checks and not unsupported
    assert compiled_checks(shapes) == (checks, unsupported)  # from the entry: equal Checks
    shapes.write_text(
        shapes.read_text(encoding="utf-8") + "\nshapes:Extra a sh:NodeShape ; sh:targetNode ots:x ; sh:closed true .\n",
        encoding="utf-8",
    )
    again, unsupported = compiled_checks(shapes)
    assert not again and any("sh:closed" in u for u in unsupported)  # not the old entry
    entries = sorted(cache_dir().glob("shapes-*.json"))
    assert len(entries) == 2
    for entry in entries:
        entry.write_bytes(entry.read_bytes().replace(b"too few values", b"too few valueZ"))
    assert compiled_checks(shapes) == (again, unsupported)
    shapes.write_text(shapes_file().read_text(encoding="utf-8"), encoding="utf-8")
    assert all("valueZ" not in c.message for c in compiled_checks(shapes)[0])
