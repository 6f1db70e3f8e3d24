"""One contract for every engine: each stored query's examples give the reference answer.

The reference is rdflib on the loaded graph. An engine passes when SELECT rows are the same
multiset (after normalising only what SPARQL leaves open: blank node labels, and the lexical
form of numbers), ASK gives the same boolean, and CONSTRUCT/DESCRIBE graphs are isomorphic.

Engines are a small registry: each entry is a name and a context manager that, given the
loaded rdflib graph, yields an Engine. A further server is one more `register(...)` call
(tests/external_stores.py may add its own with `ENGINES.update(...)`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from decimal import Decimal, InvalidOperation

import pytest
from rdflib.compare import isomorphic
from servers import free_port, oxigraph_binary, oxigraph_server, wait_for

from ots_kg import run_query
from ots_kg.errors import QueryError
from ots_kg.model.terms import XSD_STRING, Term
from ots_kg.sparql.catalogue import catalogue
from ots_kg.sparql.engines import Engine, RemoteEngine, open_engine
from ots_kg.sparql.results import Results

EngineFactory = Callable[[object], AbstractContextManager[Engine]]
ENGINES: dict[str, EngineFactory] = {}


def register(name: str) -> Callable[[EngineFactory], EngineFactory]:
    def add(factory: EngineFactory) -> EngineFactory:
        ENGINES[name] = factory
        return factory

    return add


@register("rdflib")
@contextmanager
def _rdflib(graph) -> Iterator[Engine]:
    yield open_engine("rdflib", graph=graph)


@register("oxigraph")
@contextmanager
def _oxigraph(graph) -> Iterator[Engine]:
    yield open_engine("oxigraph", graph=graph)


@register("ots-kg-serve")
@contextmanager
def _ots_serve(graph) -> Iterator[Engine]:
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
def _oxigraph_server(graph) -> Iterator[Engine]:
    """The `oxigraph` server from PyPI, loaded with `ots-kg push`."""
    import tempfile

    from ots_kg.io.push import push

    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (pip install oxigraph) is not installed")
    with tempfile.TemporaryDirectory() as folder, oxigraph_server(folder) as base:
        push(graph, base + "/store", replace=True)
        yield RemoteEngine(base + "/query")


try:  # further real servers, prepared separately (Virtuoso, Comunica): one entry each
    import external_stores  # type: ignore[import-not-found]

    ENGINES.update(getattr(external_stores, "ENGINES", {}))
except ImportError:
    pass


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


def same_answer(expected: Results, got: Results) -> bool:
    if expected.kind != got.kind and {expected.kind, got.kind} != {"CONSTRUCT", "DESCRIBE"}:
        return False
    if expected.kind == "ASK":
        return expected.boolean == got.boolean
    if expected.kind in ("CONSTRUCT", "DESCRIBE"):
        return isomorphic(expected.graph, got.graph)
    if expected.vars != got.vars:
        return False
    return Counter(tuple(map(normal, r)) for r in expected.rows) == Counter(tuple(map(normal, r)) for r in got.rows)


EXAMPLES = [(name, index) for name, query in catalogue().items() for index in range(max(1, len(query.examples)))]


@pytest.fixture(scope="module")
def reference(graph) -> dict[tuple[str, int], Results]:
    return {
        (name, index): run_query(name, catalogue()[name].example_values(index), graph=graph) for name, index in EXAMPLES
    }


@pytest.fixture(scope="module", params=sorted(ENGINES))
def engine(request, graph) -> Iterator[Engine]:
    with ENGINES[request.param](graph) as running:
        yield running


def test_every_stored_query_example_gives_the_reference_answer(engine, reference):
    queries = catalogue()
    wrong = []
    for name, index in EXAMPLES:
        query = queries[name]
        try:
            got = engine.run(query, query.example_values(index))
        except QueryError as exc:
            wrong.append(f"{name} example {index} ({exc})")
            continue
        if not same_answer(reference[(name, index)], got):
            wrong.append(f"{name} example {index}")
    assert not wrong, f"{engine.name} differs from rdflib on: {', '.join(wrong)}"


def test_select_ask_construct_are_typed(engine):
    queries = catalogue()
    by_kind = {q.kind: q for q in queries.values() if not q.params or q.examples}
    assert by_kind.keys() >= {"SELECT", "ASK", "CONSTRUCT"}
    select = next(q for q in queries.values() if q.kind == "SELECT" and not any(p.required for p in q.params))
    assert engine.select(select).kind == "SELECT"
    ask = next(q for q in queries.values() if q.kind == "ASK")
    assert isinstance(engine.ask(ask, ask.example_values()), bool)
    construct = next(q for q in queries.values() if q.kind == "CONSTRUCT")
    assert engine.construct(construct, construct.example_values()).triples
