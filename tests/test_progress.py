"""Progress lines: drawn on a terminal, absent when piped, in CI or with --quiet."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from servers import oxigraph_binary, oxigraph_server

from ots_kg.progress import Progress

DATA = Path(__file__).resolve().parents[1] / "data" / "core"


def _run_on_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run `ots-kg ARGS` with stderr (and stdout) on a pseudo-terminal; return code and output."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ots_kg", *args], stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal, env=env
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the process is gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return proc.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "OTS_KG_QUIET")}
    env.update(extra)
    return env


def test_terminal_shows_progress_lines(tmp_path: Path) -> None:
    code, out = _run_on_terminal(["validate", str(DATA), "--store", str(tmp_path / "s")], _env())
    assert code in (0, 1), out
    assert "ots-kg: loading" in out and "MB" in out  # the store build counts bytes
    assert "ots-kg: loading: compacting" in out  # then names the compaction
    assert "ots-kg: validating: loading and checking" in out
    assert re.search(r"validating: .*  \d+ of \d+ constraints \(\d+%\)", out), out[-500:]  # checks counted
    assert "\r\x1b[K" in out  # redrawn in place, then erased


def test_piped_shows_none(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ots_kg", "validate", str(DATA), "--store", str(tmp_path / "s")],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "building store" in done.stderr  # the one-line notice stays
    assert "ots-kg: loading" not in done.stderr and "validating" not in done.stderr and "\r" not in done.stderr


@pytest.mark.parametrize("how", ["CI", "--quiet"])
def test_terminal_in_ci_or_quiet_shows_none(tmp_path: Path, how: str) -> None:
    args = ["validate", str(DATA), "--store", str(tmp_path / "s")]
    code, out = _run_on_terminal(
        ["--quiet", *args] if how == "--quiet" else args, _env(**({how: "true"} if how == "CI" else {}))
    )
    assert code in (0, 1), out
    assert "building store" in out
    assert "ots-kg: loading" not in out and "validating:" not in out and "\x1b[K" not in out


def test_docs_names_its_steps_on_a_terminal(tmp_path: Path) -> None:
    code, out = _run_on_terminal(["docs", str(DATA), "-o", str(tmp_path / "site")], _env())
    assert code == 0, out
    assert "ots-kg: docs: entity pages 1 of" in out
    assert "ots-kg: docs: charts" in out


@pytest.mark.skipif(oxigraph_binary() is None, reason="oxigraph server binary not installed")
def test_push_counts_triples_on_a_terminal(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path / "db") as base:
        code, out = _run_on_terminal(
            ["push", "--endpoint", base + "/store", "--replace", "--batch-size", "2000"], _env()
        )
    assert code == 0, out
    assert re.search(r"ots-kg: pushing  \d+ of \d+ triples \(\d+%\)", out), out[-500:]
    assert "\r\x1b[Kpushed " in out  # the line is erased, the summary takes its place


def test_counter_line_reads_done_of_total() -> None:
    shown = Progress("pushing", 2000, unit="triples", show=False)
    shown.advance(500)
    assert shown.line().startswith("ots-kg: pushing  500 of 2000 triples (25%)")


def test_a_streamed_export_counts_what_it_has_written_on_a_terminal(tmp_path: Path) -> None:
    """An export from a store streams for minutes at 10 M triples: the line says how far."""
    out = tmp_path / "out.nt"
    code, shown = _run_on_terminal(["export", str(DATA), "--store", str(tmp_path / "s"), "-o", str(out)], _env())
    assert code == 0, shown
    assert re.search(r"ots-kg: exporting  \d+ MB  \d+\.\d s", shown), shown[-500:]
    assert out.stat().st_size > 100_000 and out.read_bytes().endswith(b" .\n")  # the counted writes all landed


def test_a_total_known_only_once_the_work_starts() -> None:
    shown = Progress("validating", unit="constraints", show=False)
    shown.step("checking")
    shown.count(85, 197)
    assert shown.line().startswith("ots-kg: validating: checking  85 of 197 constraints (43%)")


def test_counter_line_without_a_total_reads_how_far() -> None:
    shown = Progress("exporting", unit="MB", scale=1e6, show=False)
    assert shown.line().startswith("ots-kg: exporting  0.0 s")  # nothing counted yet
    shown.advance(3_400_000)
    assert shown.line().startswith("ots-kg: exporting  3 MB  ")


def test_the_first_count_is_drawn_even_within_the_redraw_interval() -> None:
    """Work that ends within 0.1 s of its step still shows how far it got (a fast validate on a
    terminal showed no count at all, depending on the machine's speed)."""
    import io

    stream = io.StringIO()
    with Progress("validating", unit="constraints", stream=stream, show=True) as shown:
        shown.step("checking")
        shown.count(1, 197)
    assert "checking  1 of 197 constraints" in stream.getvalue()
    stream = io.StringIO()
    with Progress("exporting", unit="MB", scale=1e6, stream=stream, show=True) as shown:
        shown.step("writing")
        shown.advance(2_000_000)
    assert "writing  2 MB" in stream.getvalue()


def test_a_long_query_shows_a_clock_and_a_short_one_nothing() -> None:
    """A stored query on a 10 M-triple store runs for seconds: after a second the line says
    it is still at work (and the warnings of a typed text print above it, whole)."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER (?c = ?f && ?a != ?d) } VALUES ?x { ots:Sumit }"
    code, out = _run_on_terminal(["query", "-q", slow, "--timeout", "2.5"], _env())
    assert code == 2 and "ran longer than the 2.5 s time limit" in out, out[-500:]
    assert re.search(r"ots-kg: querying  [12]\.\d s", out), out[-500:]
    assert "ots-kg: warning: ots:Sumit is not a term of the ontology" in out
    code, out = _run_on_terminal(["query", "members"], _env())
    assert code == 0 and "querying" not in out and "\x1b[K" not in out  # no flicker under a second


def test_nothing_is_drawn_before_the_delay_and_a_note_keeps_its_own_line() -> None:
    import io
    import time

    stream = io.StringIO()
    with Progress("querying", stream=stream, show=True, delay=0.4) as shown:
        shown.note("ots-kg: warning: one")
        assert stream.getvalue() == "ots-kg: warning: one\n"  # before the delay: the warning alone
        time.sleep(0.8)
        assert "ots-kg: querying  0." in stream.getvalue()  # the clock, after the delay
        shown.note("ots-kg: warning: two")
    text = stream.getvalue()
    assert "\r\x1b[Kots-kg: warning: two\n" in text  # the line cleared first, the note whole
    assert text.endswith("\r\x1b[K")  # erased at the end
