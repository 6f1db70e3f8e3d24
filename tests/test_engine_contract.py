"""One contract for every engine: each stored query's examples give the reference answer.

The reference is rdflib on the loaded graph. An engine passes when SELECT rows are the same
multiset (after normalising only what SPARQL leaves open: blank node labels, and the lexical
form of numbers), ASK gives the same boolean, and CONSTRUCT/DESCRIBE graphs are isomorphic.

Engines are a small registry: each entry is a name and a context manager that, given the
loaded rdflib graph and conftest's `exported` (export files made once per run), yields an
Engine. A further server is one more `register(...)` call.
The real third-party stores users deploy are here too: the Oxigraph server, OpenLink
Virtuoso 7 (loaded by `ots-kg push` through its Digest-authenticated Graph Store endpoint)
and Comunica (serving the file `ots-kg export` wrote). Outside CI a missing store skips.

Where an engine is simply wrong and no portable query form exists, the query's header says
so (`#+ engine-exception: ENGINE: reason`, the reason naming its bug in docs/engine-bugs.md);
exactly those (query, engine) pairs must differ: a pair that gives the reference answer fails
the test as a stale exception, so the header never outlives the bug. An example during which
a Comunica worker died (read from its log) is asked again once the store answers, at most
twice: a query that kills the worker every time still fails.

With OTS_KG_CONFORMANCE=DIR each (engine, query) cell (ok / exception / differs) is
written to DIR/ENGINE/QUERY.json; `python bench/conformance.py` runs this test that way and
writes the query x engine matrix docs/conformance.md.
"""

from __future__ import annotations

import json
import os
import re
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from conftest import run_cli
from external_stores import (
    COMUNICA_CLIENT_SECONDS,
    comunica_available,
    comunica_store,
    in_ci,
    virtuoso_available,
    virtuoso_store,
)
from rdflib.compare import isomorphic
from servers import free_port, oxigraph_binary, oxigraph_server, wait_for

from ots_kg.errors import QueryError
from ots_kg.model.terms import XSD_STRING, Term
from ots_kg.sparql.catalogue import StoredQuery, catalogue, inline_query
from ots_kg.sparql.engines import Engine, RemoteEngine, open_engine
from ots_kg.sparql.results import Results

EngineFactory = Callable[[object, Callable[[str], Path]], AbstractContextManager[Engine]]
ENGINES: dict[str, EngineFactory] = {}
# engine name -> a check that lists the server's own failures during the run (dead workers)
SERVER_FAILURES: dict[str, Callable[[], list[str]]] = {}


def register(name: str) -> Callable[[EngineFactory], EngineFactory]:
    def add(factory: EngineFactory) -> EngineFactory:
        ENGINES[name] = factory
        return factory

    return add


@register("rdflib")
@contextmanager
def _rdflib(graph, exported) -> Iterator[Engine]:
    yield open_engine("rdflib", graph=graph)


@register("oxigraph")
@contextmanager
def _oxigraph(graph, exported) -> Iterator[Engine]:
    yield open_engine("oxigraph", graph=graph)


@register("ots-kg-serve")
@contextmanager
def _ots_serve(graph, exported) -> Iterator[Engine]:
    """The real command in its own process, on a free loopback port."""
    import os
    import subprocess
    import sys

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ots_kg", "serve", "--port", str(port), "--max-rows", "100000"],
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/health", 60)
        yield RemoteEngine(f"http://127.0.0.1:{port}/sparql")
    finally:
        proc.terminate()
        proc.wait(10)


@register("oxigraph-server")
@contextmanager
def _oxigraph_server(graph, exported) -> Iterator[Engine]:
    """The `oxigraph` server from PyPI, loaded with `ots-kg push`."""
    import tempfile

    from ots_kg.io.push import push

    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    with tempfile.TemporaryDirectory() as folder, oxigraph_server(folder) as base:
        push(graph, base + "/store", replace=True)
        yield RemoteEngine(base + "/query")


GRAPH = "https://w3id.org/ots-kg/id/graph"


def _needs(available: tuple[bool, str]) -> None:
    ok, why = available
    if not ok:
        if in_ci():
            pytest.fail(f"CI must run every engine: {why}")
        pytest.skip(why)


@register("virtuoso")
@contextmanager
def _virtuoso(graph, exported) -> Iterator[Engine]:
    """Virtuoso 7: `ots-kg push` with Digest into /sparql-graph-crud-auth, a named graph,
    queried as the default graph (Virtuoso's own default graph is the union of all graphs)."""
    import tempfile

    _needs(virtuoso_available())
    with tempfile.TemporaryDirectory() as folder, virtuoso_store(folder) as store:
        pushed = run_cli(
            "push", "--endpoint", store.gsp_url, "--graph", GRAPH, "--replace",
            "--user", store.user, "--password", store.password,
        )  # fmt: skip
        assert pushed.returncode == 0, pushed.stderr
        yield RemoteEngine(store.query_url, graph=GRAPH)


@register("comunica")
@contextmanager
def _comunica(graph, exported) -> Iterator[Engine]:
    """Comunica over the N-Triples file `ots-kg export` writes."""
    import tempfile

    _needs(comunica_available())
    with tempfile.TemporaryDirectory() as folder:
        with comunica_store(exported("nt"), folder) as store:
            SERVER_FAILURES["comunica"] = store.worker_deaths
            try:
                yield RemoteEngine(store.query_url, timeout=COMUNICA_CLIENT_SECONDS)
            finally:
                SERVER_FAILURES.pop("comunica", None)


# ---- comparing answers ---------------------------------------------------------------------

_NUMERIC = {"http://www.w3.org/2001/XMLSchema#" + t for t in ("integer", "decimal", "double", "float", "long", "int")}


def normal(term: Term | None) -> tuple | None:
    """What SPARQL leaves open: blank node labels, the lexical form of a number."""
    if term is None:
        return None
    if term.kind == "bnode":
        return ("bnode",)
    if term.kind == "literal" and term.datatype in _NUMERIC:
        try:
            return ("number", Decimal(term.value).normalize())
        except InvalidOperation:
            pass
    if term.kind == "literal":
        return ("literal", term.value, term.language, term.datatype or XSD_STRING)
    return (term.kind, term.value)


def group_concats(text: str) -> dict[str, str]:
    """`GROUP_CONCAT(... ; separator="s") AS ?v` in a query: {v: s}. SPARQL leaves the order
    of the concatenated values open, so those columns compare as sorted lists."""
    from ots_kg.sparql.text import blank_out

    bare = blank_out(text)
    found = {}
    for match in re.finditer(r"GROUP_CONCAT\s*\(", bare, re.I):
        depth, end = 1, match.end()
        while depth and end < len(bare):
            depth += {"(": 1, ")": -1}.get(bare[end], 0)
            end += 1
        inner = text[match.end() : end - 1]
        sep = re.search(r"separator\s*=\s*(\"([^\"]*)\"|'([^']*)')", inner, re.I)
        name = re.match(r"[\s)]*AS\s+\?(\w+)", bare[end:], re.I)
        if name:
            found[name.group(1)] = (sep.group(2) if sep.group(2) is not None else sep.group(3)) if sep else " "
    return found


def _sorted_concat(term: Term | None, separator: str) -> tuple | None:
    if term is None or term.kind != "literal":
        return normal(term)
    return ("concat", tuple(sorted(term.value.split(separator))), term.language)


def same_answer(expected: Results, got: Results, concats: dict[str, str] | None = None) -> bool:
    if expected.kind != got.kind and {expected.kind, got.kind} != {"CONSTRUCT", "DESCRIBE"}:
        return False
    if expected.kind == "ASK":
        return expected.boolean == got.boolean
    if expected.kind in ("CONSTRUCT", "DESCRIBE"):
        return isomorphic(expected.graph, got.graph)
    if expected.vars != got.vars:
        return False
    seps = [(concats or {}).get(v) for v in expected.vars]

    def key(row: tuple) -> tuple:
        return tuple(normal(t) if sep is None else _sorted_concat(t, sep) for t, sep in zip(row, seps, strict=True))

    return Counter(map(key, expected.rows)) == Counter(map(key, got.rows))


QUERIES = sorted(catalogue())


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine(request, graph, exported) -> Iterator[Engine]:
    with ENGINES[request.param](graph, exported) as running:
        yield running


REFERENCE = "rdflib"  # the engine whose answers are the reference


def outcome(query: StoredQuery, index: int, engine: Engine | None, expected: Results) -> tuple[str, str]:
    """("ok" | "differs" | "error", detail) for one example on one engine; None: the engine
    is the reference, whose answer `expected` is (computed once per run, not asked again)."""
    try:
        got = expected if engine is None else engine.run(query, query.example_values(index))
    except QueryError as exc:
        return "error", str(exc)
    if same_answer(expected, got, group_concats(query.text)):
        return "ok", ""
    if expected.kind == "ASK":
        return "differs", f"{got.boolean}, expected {expected.boolean}"
    unit = "rows" if expected.kind == "SELECT" else "triples"
    return "differs", f"{len(got.rows or got.triples)} {unit}, expected {len(expected.rows or expected.triples)}"


def _every_example(
    query: StoredQuery, engine: Engine, name_of_engine: str, reference, deaths: Callable[[], list[str]]
) -> list[tuple[int, str, str]]:
    """(index, result, detail) of every example of the query. An example during which a
    store worker died is asked again (twice at most) once the store answers: a query that
    kills the worker every time still fails."""
    found = []
    for index in range(max(1, len(query.examples))):
        expected = reference.example(query.name, index)
        for _ in range(3):
            before = len(deaths())
            result, detail = outcome(query, index, None if name_of_engine == REFERENCE else engine, expected)
            if len(deaths()) == before:
                break
            _answering_again(engine)
        found.append((index, result, detail))
    return found


def _answering_again(engine: Engine, seconds: float = 180.0) -> None:
    """After a worker died, wait until the endpoint answers a trivial query again."""
    probe = inline_query("ASK { }")
    deadline = time.monotonic() + seconds
    while True:
        try:
            engine.run(probe)
            return
        except QueryError:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


@pytest.mark.parametrize("name", QUERIES)
def test_every_stored_query_example_gives_the_reference_answer(request, engine, name, reference_answers):
    """Every example of the query gives the reference answer on the engine, unless the
    query's header carries an engine-exception for it: then some example must still differ.

    One test per (engine, query), so pytest-xdist spreads the slow engines (Comunica)
    over its workers. rdflib's own column is the reference answers themselves (the
    reference is rdflib), so for rdflib this checks that no header excuses it.

    Comunica 4.5's worker dies now and then (uncaught exception; every example run alone
    and in sequence gave 0 deaths, so no query is to blame): an example during which it
    died is asked again once the store answers, and the deaths are reported as a warning."""
    name_of_engine = request.node.callspec.params["engine"]
    query = catalogue()[name]
    deaths = SERVER_FAILURES.get(name_of_engine, list)
    died_before = len(deaths())
    found = _every_example(query, engine, name_of_engine, reference_answers, deaths)
    if len(deaths()) > died_before:
        warnings.warn(f"{name_of_engine}: store workers died: {' | '.join(deaths()[died_before:])}", stacklevel=1)
    excused = query.engine_exception(name_of_engine)
    differing = [(index, result, detail) for index, result, detail in found if result != "ok"]
    entry = {"result": "ok"}
    if differing:
        _, result, detail = differing[-1]
        entry = {"result": "exception" if excused else result, "detail": excused or detail}
    if os.environ.get("OTS_KG_CONFORMANCE"):
        folder = Path(os.environ["OTS_KG_CONFORMANCE"]) / name_of_engine
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.json").write_text(json.dumps(entry, indent=1, sort_keys=True))
    if not excused:
        wrong = [f"example {i} ({result}: {detail})" if detail else f"example {i}" for i, result, detail in differing]
        assert not wrong, f"{name_of_engine} differs from rdflib on {name}: {', '.join(wrong)}"
    # stale: the header excuses the engine, yet every example gives the reference answer
    assert differing or not excused, f"{name_of_engine} now agrees on {name}: remove its engine-exception header"


def test_select_ask_construct_are_typed(engine):
    _answering_again(engine)  # a worker that died in the test before is back
    queries = catalogue()
    by_kind = {q.kind: q for q in queries.values() if not q.params or q.examples}
    assert by_kind.keys() >= {"SELECT", "ASK", "CONSTRUCT"}
    select = queries["members"]  # a light SELECT run without values (the examples test the rest)
    assert select.kind == "SELECT" and not any(p.required for p in select.params)
    assert engine.select(select).kind == "SELECT"
    ask = next(q for q in queries.values() if q.kind == "ASK")
    assert isinstance(engine.ask(ask, ask.example_values()), bool)
    construct = next(q for q in queries.values() if q.kind == "CONSTRUCT")
    assert engine.construct(construct, construct.example_values()).triples
