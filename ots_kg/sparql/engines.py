"""The Engine protocol and its three implementations, and the one function that picks one.

An engine answers a stored query with typed parameters: `select`, `ask`, `construct`
(CONSTRUCT and DESCRIBE), or `run` for whichever the query is. Every engine binds the same
Terms (catalogue.bind_values) and answers in Terms (sparql.results), so the CLI, the server,
the documentation site and the tests never care which one answered:

- RdflibEngine: the reference, rdflib's SPARQL over an rdflib Graph (initBindings).
- OxigraphEngine: an Oxigraph Store (parameters as a VALUES block of typed terms).
- RemoteEngine: any SPARQL 1.1 endpoint through SPARQLWrapper (VALUES, prefixes declared).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from itertools import islice
from typing import Any, Protocol

from .. import __version__
from ..errors import QueryError
from ..model.prefixes import PREFIXES
from ..model.terms import Term, from_json, from_ox, from_rdflib, to_rdflib
from .catalogue import StoredQuery, bind_values
from .results import Results
from .text import bind_with_values, check_safe, declare_prefixes

ENGINES = ("oxigraph", "rdflib")
USER_AGENT = f"ots-kg/{__version__} (+https://w3id.org/ots-kg)"
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


class Engine(Protocol):
    """What every engine offers; see _Base for the shared checks and errors."""

    name: str

    def run(
        self,
        query: StoredQuery,
        values: Mapping[str, str] | None = None,
        *,
        allow_network: bool = False,
        limit: int | None = None,
    ) -> Results: ...

    def select(self, query: StoredQuery, values: Mapping[str, str] | None = None) -> Results: ...

    def ask(self, query: StoredQuery, values: Mapping[str, str] | None = None) -> bool: ...

    def construct(self, query: StoredQuery, values: Mapping[str, str] | None = None) -> Results: ...


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


class _Base:
    """Checks the query (read-only, no outbound requests unless allowed), binds parameters
    as Terms, turns engine failures into one-line QueryErrors; subclasses evaluate."""

    name = "engine"
    _limit: int | None = None

    def run(
        self,
        query: StoredQuery,
        values: Mapping[str, str] | None = None,
        *,
        allow_network: bool = False,
        limit: int | None = None,
    ) -> Results:
        """The answer; with `limit`, an engine may stop reading rows or triples after that many."""
        check_safe(query, allow_network)
        bindings = bind_values(query, values or {})
        self._limit = limit
        try:
            return self._evaluate(query, bindings)
        except QueryError:
            raise
        except Exception as exc:  # parse and evaluation errors: the query's fault
            raise QueryError(f"{query.name}: {_first_line(exc)}") from None

    def _expect(self, query: StoredQuery, kinds: Sequence[str]) -> None:
        if query.kind not in kinds:
            raise QueryError(f"{query.name} is a {query.kind} query, not {' or '.join(kinds)}")

    def select(self, query: StoredQuery, values: Mapping[str, str] | None = None) -> Results:
        self._expect(query, ("SELECT",))
        return self.run(query, values)

    def ask(self, query: StoredQuery, values: Mapping[str, str] | None = None) -> bool:
        self._expect(query, ("ASK",))
        return bool(self.run(query, values).boolean)

    def construct(self, query: StoredQuery, values: Mapping[str, str] | None = None) -> Results:
        self._expect(query, GRAPH_FORMS)
        return self.run(query, values)

    def _evaluate(self, query: StoredQuery, bindings: dict[str, Term]) -> Results:
        raise NotImplementedError


class RdflibEngine(_Base):
    """rdflib's SPARQL engine over a Graph, parameters as typed initBindings."""

    name = "rdflib"

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    def _evaluate(self, query: StoredQuery, bindings: dict[str, Term]) -> Results:
        from rdflib import Variable

        init = {Variable(k): to_rdflib(v) for k, v in bindings.items()}
        result = self.graph.query(query.text, initBindings=init, initNs=PREFIXES)
        if result.type == "ASK":
            return Results("ASK", boolean=bool(result.askAnswer))
        if result.type in GRAPH_FORMS:
            triples = [tuple(from_rdflib(t) for t in triple) for triple in result.graph]
            return Results(result.type, triples=triples)  # type: ignore[arg-type]
        names = [str(v) for v in result.vars]
        rows = [tuple(from_rdflib(row[i]) for i in range(len(names))) for row in result]
        return Results("SELECT", names, rows)


class OxigraphEngine(_Base):
    """An Oxigraph Store; parameters travel as a VALUES block of typed terms (Oxigraph's
    own substitutions only reach projected variables)."""

    name = "oxigraph"

    def __init__(self, store: Any) -> None:
        self.store = store

    def _evaluate(self, query: StoredQuery, bindings: dict[str, Term]) -> Results:
        import pyoxigraph as ox

        try:
            result = self.store.query(bind_with_values(query.text, bindings), prefixes=PREFIXES)
        except SyntaxError as exc:
            raise QueryError(f"{query.name}: {_first_line(exc)}") from None
        if isinstance(result, ox.QueryBoolean):
            return Results("ASK", boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            solutions = islice(result, self._limit)
            return Results("SELECT", names, [tuple(from_ox(s[n]) for n in names) for s in solutions])
        triples = [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in islice(result, self._limit)]
        return Results(query.kind if query.kind in GRAPH_FORMS else "CONSTRUCT", triples=triples)


class RemoteEngine(_Base):
    """A SPARQL 1.1 query endpoint through SPARQLWrapper (POST, with a User-Agent)."""

    name = "remote"

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = 60.0,
        user: str | None = None,
        password: str | None = None,
        user_agent: str | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.user, self.password = user, password
        self.user_agent = user_agent or USER_AGENT

    def _evaluate(self, query: StoredQuery, bindings: dict[str, Term]) -> Results:
        from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        client = SPARQLWrapper(self.endpoint, agent=self.user_agent)
        client.setMethod(POST)
        client.setOnlyConneg(True)  # the SPARQL 1.1 Protocol: Accept header only, no format=n3 parameter
        client.setTimeout(int(max(1, self.timeout)))
        if self.user is not None:
            client.setCredentials(self.user, self.password or "")
        client.setQuery(declare_prefixes(bind_with_values(query.text, bindings), PREFIXES))
        graph_form = query.kind in GRAPH_FORMS
        client.setReturnFormat(N3 if graph_form else JSON)
        if graph_form:
            client.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
        try:
            response = client.query()
            raw = response.response.read()
            content_type = response.response.headers.get("Content-Type", "")
        except SPARQLWrapperException as exc:
            raise QueryError(f"{self.endpoint}: the endpoint refused the query: {_first_line(exc)}") from None
        except OSError as exc:  # URLError, timeouts, refused connections
            reason = getattr(exc, "reason", exc)
            raise QueryError(f"{self.endpoint}: endpoint unreachable ({reason})") from None
        except Exception as exc:
            raise QueryError(f"{self.endpoint}: {_first_line(exc)}") from None
        if graph_form:
            return Results(query.kind, triples=self._triples(raw, content_type))
        try:
            return results_from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise QueryError(f"{self.endpoint}: answer is not SPARQL JSON results ({content_type})") from None

    def _triples(self, raw: bytes, content_type: str) -> list:
        import pyoxigraph as ox

        nt = "n-triples" in content_type or "text/plain" in content_type
        try:
            parsed = ox.parse(raw, format=ox.RdfFormat.N_TRIPLES if nt else ox.RdfFormat.TURTLE)
            return [(from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in parsed]
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"{self.endpoint}: unreadable RDF answer ({_first_line(exc)})") from None


def results_from_json(data: dict) -> Results:
    """SPARQL 1.1 JSON results as Results."""
    if "boolean" in data:
        if not isinstance(data["boolean"], bool):  # "false" is a string, and truthy
            raise ValueError("boolean is not true or false")
        return Results("ASK", boolean=data["boolean"])
    names = data.get("head", {}).get("vars", [])
    bindings = data.get("results", {}).get("bindings", [])
    return Results("SELECT", names, [tuple(from_json(b.get(v)) for v in names) for b in bindings])


def open_engine(
    name: str = "oxigraph",
    *,
    paths: Sequence[Any] | None = None,
    graph: Any = None,
    store: Any = None,
    endpoint: str | None = None,
    allow_network: bool = False,
    **remote: Any,
) -> Engine:
    """The one place an engine is chosen.

    An endpoint gives RemoteEngine (remote options: timeout, user, password, user_agent).
    Otherwise "oxigraph" answers from a given store, a store built from a given graph, or the
    cached store of `paths`; "rdflib" from a given graph or one loaded from `paths`. Oxigraph
    makes no outbound requests, so --allow-network (SERVICE) takes the rdflib engine.
    """
    if endpoint:
        return RemoteEngine(endpoint, **remote)
    if name not in ENGINES:
        raise QueryError(f"unknown engine {name!r}; one of {', '.join(ENGINES)}")
    if name == "oxigraph" and not allow_network:
        if store is None:
            if graph is not None:
                from ..io.loader import store_from_graph

                store = store_from_graph(graph)
            else:
                from ..io.cache import open_store

                store = open_store(list(paths) if paths else None)
        return OxigraphEngine(store)
    if graph is None:
        from ..io.loader import load_graph

        graph = load_graph(list(paths) if paths else None)
    return RdflibEngine(graph)
