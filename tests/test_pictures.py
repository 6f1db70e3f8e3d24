"""Pictures that tell the truth: the attendance matrix equals an independent count, the
timeline uses a colour-blind-safe palette with few categories and says where coverage ends,
series labels keep what tells them apart."""

from __future__ import annotations

import pytest
from conftest import ROOT, run_cli

from ots_kg.render import charts
from ots_kg.sparql.catalogue import StoredQuery, find_query
from ots_kg.sparql.engines import open_engine


@pytest.fixture(scope="module")
def engine(graph):
    return open_engine("oxigraph", graph=graph)


def count(engine, text: str) -> int:
    res = engine.run(
        StoredQuery("count", ROOT / "count.rq", "PREFIX ots: <https://w3id.org/ots-kg/ontology#>\n" + text, "count")
    )
    return int(res.rows[0][0].value)


def test_attendance_cells_equal_an_independent_count(engine, tmp_path):
    res = engine.run(find_query("representation-level"))
    rows = [{v: t.value for v, t in zip(res.vars, row, strict=True) if t is not None} for row in res.rows]
    matrix = charts.attendance(rows, tmp_path / "a.png")
    assert (tmp_path / "a.png").stat().st_size > 20_000
    pairs = count(
        engine,
        """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?state ?summit WHERE {
        ?summit a ots:Summit ; ots:participation ?p . ?p ots:represents ?state ; ots:participant [] ; ots:capacity [] .
        ?state a ots:State } }""",
    )
    assert len(matrix.cells) == pairs
    heads = count(
        engine,
        """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?state ?summit WHERE {
        ?summit a ots:Summit ; ots:participation ?p . ?p ots:represents ?state ; ots:level ots:HeadOfStateLevel ;
        ots:participant [] ; ots:capacity [] . ?state a ots:State } }""",
    )
    assert sum(1 for level in matrix.cells.values() if level == "head of state") == heads
    summits = count(
        engine,
        """SELECT (COUNT(DISTINCT ?summit) AS ?n) WHERE {
        ?summit a ots:Summit ; ots:participation/ots:represents ?state . ?state a ots:State }""",
    )
    assert len(matrix.summits) == summits


def test_plot_attendance_command(tmp_path):
    proc = run_cli("plot", "attendance", "-o", str(tmp_path / "a.svg"))
    assert proc.returncode == 0, proc.stderr
    assert "states x" in proc.stdout and (tmp_path / "a.svg").read_text().startswith("<?xml")
