"""The analyst's desk: ask in one line, find by name, read tables that fit the terminal."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import SOURCES, run_cli

from ots_kg.render.results import fit_widths, plural, show_iri, table
from ots_kg.sparql.search import fold, rank


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    out.update(extra)
    return out


def test_inline_sparql_with_project_prefixes():
    proc = run_cli("query", "-q", "SELECT ?s WHERE { ?s ots:inSeries mech:summit ; ots:ordinal 9 }")
    assert proc.returncode == 0, proc.stderr
    assert "event:2022-11-11-summit-9" in proc.stdout and "(1 row)" in proc.stdout


def test_sparql_from_standard_input():
    proc = subprocess.run(
        [sys.executable, "-m", "ots_kg", "query", "-", "--format", "csv"],
        input="SELECT ?s WHERE { ?s ots:inSeries mech:summit ; ots:ordinal 9 }",
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["s", "https://w3id.org/ots-kg/id/event/2022-11-11-summit-9"]


def test_sparql_text_as_the_name_runs_too():
    proc = run_cli("query", "ASK { ?s a ots:Summit }")
    assert (proc.returncode, proc.stdout) == (0, "true\n"), proc.stderr


def test_bad_inline_sparql_is_one_line_exit_2():
    proc = run_cli("query", "-q", "SELECT ?s WHERE { ?s a ")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_a_parameter_naming_no_node_is_an_error_with_nearest_matches():
    proc = run_cli("query", "documents-at-event", "-p", "event=event:2022-11-11-samarkand")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("ots-kg: no event:2022-11-11-samarkand in the graph")
    assert "did you mean event:2022-11-11-summit-9 (9th Summit (Samarkand))" in proc.stderr


def test_a_parameter_naming_a_node_runs():
    proc = run_cli("query", "documents-at-event", "-p", "event=event:2022-11-11-summit-9", "--format", "csv")
    assert proc.returncode == 0 and "samarkand-declaration" in proc.stdout


def test_find_ranks_exact_before_prefix_before_word_and_ignores_accents():
    proc = run_cli("find", "turkiye", "--format", "csv", "-n", "0")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "node,kind,label,also named,match"
    assert lines[1].startswith("https://w3id.org/ots-kg/id/state/turkiye,state,Türkiye,")
    ranks = [line.rsplit(",", 1)[1] for line in lines[1:]]
    order = ["exact", "prefix", "word", "substring"]
    assert ranks == sorted(ranks, key=order.index)


def test_find_shows_kind_and_compact_iri_and_finds_other_names():
    proc = run_cli("find", "Turkic Council", env=env(COLUMNS="200"))
    assert proc.returncode == 0
    first = proc.stdout.splitlines()[2].split()
    assert first[0] == "inst:ots" and "exact" in proc.stdout.splitlines()[2]
    assert run_cli("find", "no-such-name-anywhere").returncode == 1


def test_a_kind_without_a_label_is_its_class_name_in_words():
    """schema:AdministrativeArea has no English label in the graph: its kind read
    "administrativearea" before."""
    proc = run_cli("find", "Turkistan region", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[1]
    assert first.startswith("https://w3id.org/ots-kg/id/place/turkistan-region,administrative area,")
    proc = run_cli("find", "Samarkand", "--format", "csv")
    assert proc.stdout.splitlines()[1].startswith("https://w3id.org/ots-kg/id/place/samarkand,city,")


def test_rank_and_fold():
    assert fold("Şuşa Türkiye İstanbul") == "susa turkiye istanbul"
    assert rank("samarkand", "Samarkand") == 0
    assert rank("samar", "Samarkand Declaration") == 1
    assert rank("samarkand", "9th Summit (Samarkand)") == 2
    assert rank("arkand", "Samarkand") == 3
    assert rank("tashkent", "Samarkand") is None


def test_tables_fit_the_terminal_and_wide_disables_it():
    fitted = run_cli("query", "summits", env=env(COLUMNS="100"))
    assert fitted.returncode == 0
    lines = fitted.stdout.splitlines()
    assert max(map(len, lines)) <= 100, max(map(len, lines))
    assert "…" in fitted.stdout and "event:2022-11-11-summit-9" in fitted.stdout  # IRIs are never cut
    wide = run_cli("query", "summits", "--wide", env=env(COLUMNS="100"))
    assert max(map(len, wide.stdout.splitlines())) > 300 and "…" not in wide.stdout


def test_fit_widths_gives_way_widest_first():
    assert fit_widths([10, 50, 80], [5, 5, 5], 100) == [10, 45, 45]
    assert fit_widths([10, 20], [5, 5], 100) == [10, 20]
    assert table(["a"], [["x"]]).endswith("(1 row)\n")
    assert table(["a"], [["x"], ["y"]]).endswith("(2 rows)\n")
    assert plural(0, "row") == "0 rows"


def test_iris_compact_everywhere_even_inside_literals():
    proc = run_cli("query", "unresolved-conflicts", "--wide")
    assert proc.returncode == 0
    assert "https://w3id.org/ots-kg/" not in proc.stdout


def test_passages_as_document_line_with_their_text():
    iri = "https://w3id.org/ots-kg/id/source/ots-areas-of-cooperation#L141"
    assert show_iri(iri) == "ots-areas-of-cooperation:141"
    assert show_iri(iri, lambda doc, line: f"{doc} line {line}") == (
        "ots-areas-of-cooperation:141 “ots-areas-of-cooperation line 141”"
    )
    proc = run_cli("query", "passages-of-node", "-p", "node=event:2022-11-11-summit-9", "--wide")
    assert proc.returncode == 0 and "aoc:L" not in proc.stdout
    assert "ots-areas-of-cooperation:" in proc.stdout or "ots-summit-records:" in proc.stdout


def test_passage_text_from_a_sources_folder(tmp_path):
    (tmp_path / "ots-areas-of-cooperation.txt").write_text("one\ntwo\nthree\n", encoding="utf-8")
    (tmp_path / "ots-summit-records.md").write_text("a\nb\nc\n" * 500, encoding="utf-8")
    proc = run_cli(
        "query", "passages-of-node", "-p", "node=event:2022-11-11-summit-9", "--wide", "--sources", str(tmp_path)
    )
    assert proc.returncode == 0
    assert "“" in proc.stdout
    assert run_cli("query", "members", "--sources", str(tmp_path / "missing")).returncode == 2


def test_default_sources_beside_a_checkout_give_the_text():
    if not SOURCES.is_dir():
        import pytest

        pytest.skip(f"no sources folder at {SOURCES}")
    proc = run_cli("query", "passages-of-node", "-p", "node=event:2022-11-11-summit-9", "--wide")
    assert "“" in proc.stdout
