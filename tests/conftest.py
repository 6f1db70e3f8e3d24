"""Shared helpers: run the real CLI in a process of its own, load the bundled graph once."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from pathlib import Path

import pytest
from forked_cli import Zygote

from ots_kg.io.loader import load_graph
from ots_kg.resources import data_dir

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT.parent / "shared" / "sources"
PREFIXES = (ROOT / "data" / "core" / "places.ttl").read_text(encoding="utf-8").split("\n\n")[0] + "\n"


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers",
        "early: a long test (tens of seconds) that starts first, so that pytest-xdist ends "
        "with both workers busy instead of one waiting for it",
    )


def pytest_xdist_make_scheduler(config, log):
    """`--dist load` (the default), except that each engine's contract tests go to one worker
    as one unit, so each engine's server starts once per run: spread over the workers, each
    worker started its own Comunica, which compiled its code anew (two Comunicas in one run:
    62 s of CPU; one: 55 s). xdist's own `--dist loadgroup` groups nothing under pytest 9.2 (it renames
    items through `item._nodeid`, which pytest 9.2 no longer reads)."""
    if config.getvalue("dist") != "load":
        return None  # the user's --dist
    from test_engine_contract import ENGINES
    from xdist.scheduler import LoadScopeScheduling

    names = sorted(ENGINES, key=len, reverse=True)  # "oxigraph-server" before "oxigraph"

    class OneWorkerPerEngine(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module, _, test = nodeid.partition("::")
            if module.endswith("test_engine_contract.py") and "[" in test:
                params = test.split("[", 1)[1]
                for name in names:
                    if params.startswith((f"{name}-", f"{name}]")):
                        return f"engine {name}"
            return nodeid  # every other test is a unit of its own, as with --dist load

    return OneWorkerPerEngine(config, log)


def pytest_collection_modifyitems(config, items) -> None:
    """The `early` tests first, in their collected order; the rest after, unchanged. (Only
    tests that use no module-scoped fixture are marked: moving them splits no module's setup.)"""
    early = [item for item in items if item.get_closest_marker("early")]
    if early:
        rest = [item for item in items if not item.get_closest_marker("early")]
        items[:] = early + rest


_zygote: Zygote | None = None


def run_cli(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`ots-kg ARGS` in a process of its own; no command may ever print a traceback.

    The process is forked from a zygote that has imported the package (forked_cli.py: the
    same entry point, environment, folder, streams and exit code, without the 0.1–0.5 s of
    start-up each time), or is a fresh interpreter when the environment changes a setting
    the interpreter reads at start-up (PYTHONHASHSEED, the other PYTHON* variables, the locale)."""
    global _zygote
    env = dict(os.environ if env is None else env)
    if _zygote is None:
        _zygote = Zygote()
        atexit.register(_zygote.close)
    if _zygote.can_run(env):
        proc = _zygote.run(list(args), env, cwd, timeout=300)
    else:
        proc = subprocess.run(
            [sys.executable, "-m", "ots_kg", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
        )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="session")
def graph():
    return load_graph()


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory) -> Path:
    """A folder of this test run that every xdist worker shares (for once.once_per_run)."""
    folder = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        folder = folder.parent  # every worker's basetemp is a folder of the run's
    return folder / "shared"


@pytest.fixture(scope="session")
def reference_answers(graph, run_folder):
    """rdflib's answers to stored queries on the bundled graph, shared by the xdist workers."""
    from reference import ReferenceAnswers

    return ReferenceAnswers(graph, run_folder / "reference-answers")


EXPORT_SEED = "1"  # PYTHONHASHSEED of the shared exports (test_export compares another seed with it)


@pytest.fixture(scope="session")
def exported(run_folder):
    """`exported(fmt)`: the file `ots-kg export --format FMT -o FILE` writes (PYTHONHASHSEED
    EXPORT_SEED), made once per run for every test that reads an export."""
    from once import once_per_run

    from ots_kg.model.formats import GRAPH_FORMATS

    def export(fmt: str) -> Path:
        def make(path: Path) -> None:
            env = dict(os.environ, PYTHONHASHSEED=EXPORT_SEED)
            proc = run_cli("export", "--format", fmt, "-o", str(path), env=env)
            assert proc.returncode == 0, proc.stderr

        return once_per_run(run_folder / "exports" / f"ots.{GRAPH_FORMATS[fmt].extension}", make)

    return export


@pytest.fixture(scope="session")
def core_context() -> list[Path]:
    """The minimal context a snippet needs: states, places, areas, sources."""
    core = data_dir() / "core"
    return [core / n for n in ("states.ttl", "places.ttl", "areas.ttl", "sources.ttl")]


@pytest.fixture
def ttl(tmp_path):
    """Write a Turtle snippet (project prefixes prepended) and return its path."""

    def write(body: str, name: str = "snippet.ttl") -> Path:
        path = tmp_path / name
        path.write_text(PREFIXES + body, encoding="utf-8")
        return path

    return write
