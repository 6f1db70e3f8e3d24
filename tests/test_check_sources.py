"""check-sources: passes on the bundled data, catches a wrong date or a missing passage."""

from __future__ import annotations

import pytest
from conftest import ROOT, SOURCES, run_cli

pytestmark = pytest.mark.skipif(not SOURCES.is_dir(), reason="../shared/sources not present")


def test_bundled_data_matches_the_sources():
    proc = run_cli("check-sources", "--sources", str(SOURCES))
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert ", 0 problems" in proc.stdout


def test_a_wrong_date_and_a_missing_line_are_reported(ttl):
    snippet = ttl("""
event:x a ots:MinisterialMeeting ; rdfs:label "X"@en ; schema:startDate "2022-10-29"^^xsd:date ;
    ots:area area:transport ; prov:wasDerivedFrom aoc:L216 .
event:y a ots:Forum ; rdfs:label "Y"@en ; schema:startDate "2022"^^xsd:gYear ;
    ots:area area:transport ; prov:wasDerivedFrom aoc:L99999 .
""")
    proc = run_cli(
        "check-sources", "--sources", str(SOURCES), str(ROOT / "data" / "core" / "sources.ttl"), str(snippet)
    )
    assert proc.returncode == 1
    # each problem at the file and line of the fact (the snippet's prefix block comes first)
    assert f"{snippet}:29: event:x: date 2022-10-29 is not written in ots-areas-of-cooperation#L216" in proc.stdout
    assert f"{snippet}:32: event:y: cites" in proc.stdout and "#L99999: line 99999 does not exist" in proc.stdout


def test_the_sources_default_to_the_folder_beside_the_checkout(monkeypatch, tmp_path):
    """As for `docs` and `query`: ../shared/sources when present; without it, a usage error."""
    proc = run_cli("check-sources")
    assert proc.returncode == 0 and ", 0 problems" in proc.stdout, proc.stderr
    from click.testing import CliRunner

    from ots_kg.cli import cli

    monkeypatch.setattr("ots_kg.io.passages.sources_dir", lambda: tmp_path / "none")
    result = CliRunner().invoke(cli, ["check-sources"])
    assert result.exit_code == 2 and "no sources folder: give --sources DIR" in result.output
