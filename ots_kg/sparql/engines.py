"""The Engine protocol and its three implementations, and the one function that picks one.

An engine answers a stored query with typed parameters: `select`, `ask`, `construct`
(CONSTRUCT and DESCRIBE), or `run` for whichever the query is. Every engine binds the same
Terms (catalogue.bind_values) and answers in Terms (sparql.results), so the CLI, the server,
the documentation site and the tests never care which one answered:

- RdflibEngine: the reference, rdflib's SPARQL over an rdflib Graph (initBindings).
- OxigraphEngine: an Oxigraph Store (parameters as a VALUES block of typed terms).
- RemoteEngine: any SPARQL 1.1 endpoint over HTTP (VALUES, prefixes declared, strict media types).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import islice
from typing import Any, Protocol

from .. import __version__
from ..errors import QueryError
from ..model.prefixes import PREFIXES
from ..model.terms import Term, from_json, from_ox, from_ox_remembering, from_rdflib, to_rdflib
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
        result = self.graph.query(_prepared(query.text), initBindings=init)
        if result.type == "ASK":
            return Results("ASK", boolean=bool(result.askAnswer))
        if result.type in GRAPH_FORMS:
            triples = [tuple(from_rdflib(t) for t in triple) for triple in result.graph]
            return Results(result.type, triples=triples)  # type: ignore[arg-type]
        names = [str(v) for v in result.vars]
        rows = [tuple(from_rdflib(row[i]) for i in range(len(names))) for row in result]
        return Results("SELECT", names, rows)


@lru_cache(maxsize=256)
def _prepared(text: str) -> Any:
    """rdflib's parsed and translated query, made once per text: parsing is a third of
    rdflib's time on the stored queries (2.1 s for the 45 texts), and the same text runs
    again with other bindings (every example, every test). A parse error raises here, as
    Graph.query would."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=PREFIXES)


class OxigraphEngine(_Base):
    """An Oxigraph Store; parameters travel as a VALUES block of typed terms (Oxigraph's
    own substitutions only reach projected variables). With `lazy`, rows and triples come as
    iterators read once, evaluated as they are read (the server stops at its caps while
    writing); errors then surface while reading."""

    name = "oxigraph"

    def __init__(self, store: Any, *, lazy: bool = False) -> None:
        self.store = store
        self.lazy = lazy

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
            # a solution iterates its values in the order of `variables` (indexing by name
            # costs pyoxigraph a failed integer conversion per cell)
            if self.lazy:  # flat memory while streaming: no memo
                rows = (tuple(map(from_ox, s)) for s in islice(result, self._limit))
                return Results("SELECT", names, rows)  # type: ignore[arg-type]
            convert = from_ox_remembering()
            rows = (tuple(map(convert, s)) for s in islice(result, self._limit))
            return Results("SELECT", names, _read_all(rows))  # type: ignore[arg-type]
        kind = query.kind if query.kind in GRAPH_FORMS else "CONSTRUCT"
        term = from_ox if self.lazy else from_ox_remembering(iris=True)
        triples = ((term(t.subject), term(t.predicate), term(t.object)) for t in islice(result, self._limit))
        return Results(kind, triples=triples if self.lazy else _read_all(triples))  # type: ignore[arg-type]


def _read_all(items: Iterator[tuple]) -> list[tuple]:
    """Every row or triple, with Python's cyclic collector paused: a large answer is
    hundreds of thousands of new tuples and Terms (no cycles among them), and the collector
    would otherwise rescan them as they pile up (40 % of the conversion at 10 M)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return list(items)
    finally:
        if enabled:
            gc.enable()


SELECT_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"


class RemoteEngine(_Base):
    """A SPARQL 1.1 query endpoint, spoken to strictly: the query as a form-encoded POST,
    Accept asks only for SPARQL result media types (N-Triples/Turtle for graphs), and the
    answer is read by the Content-Type it comes back with (anything else is an error).
    `graph` is sent as default-graph-uri, to query what `push --graph` loaded. `timeout` is a
    deadline for the whole exchange and `max_bytes` caps the answer (io.http)."""

    name = "remote"

    def __init__(
        self,
        endpoint: str,
        *,
        timeout: float = 60.0,
        user: str | None = None,
        password: str | None = None,
        user_agent: str | None = None,
        graph: str | None = None,
        max_bytes: int | None = None,
    ) -> None:
        from ..io.http import MAX_ANSWER, HttpClient, HttpError

        self.endpoint = endpoint
        self.graph = graph
        try:
            self.client = HttpClient(
                timeout=timeout,
                user=user,
                password=password,
                user_agent=user_agent or USER_AGENT,
                max_bytes=MAX_ANSWER if max_bytes is None else max_bytes,
            )
        except HttpError as exc:
            raise QueryError(str(exc)) from None

    def _evaluate(self, query: StoredQuery, bindings: dict[str, Term]) -> Results:
        from urllib.parse import urlencode

        from ..io.http import HttpError

        form = [("query", declare_prefixes(bind_with_values(query.text, bindings), PREFIXES))]
        if self.graph:
            form.append(("default-graph-uri", self.graph))
        graph_form = query.kind in GRAPH_FORMS
        try:
            answer = self.client.send(
                "POST",
                self.endpoint,
                urlencode(form).encode("utf-8"),
                content_type="application/x-www-form-urlencoded",
                accept=GRAPH_ACCEPT if graph_form else SELECT_ACCEPT,
            )
        except HttpError as exc:
            raise QueryError(str(exc)) from None
        if graph_form:
            return Results(query.kind, triples=self._triples(answer.body, answer.content_type))
        return self._results(answer.body, answer.content_type)

    def _results(self, raw: bytes, content_type: str) -> Results:
        try:
            if content_type == "application/sparql-results+json":
                return results_from_json(json.loads(raw))
            if content_type == "application/sparql-results+xml":
                return results_from_xml(raw)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise QueryError(f"{self.endpoint}: unreadable {content_type} answer ({_first_line(exc)})") from None
        raise QueryError(
            f"{self.endpoint}: answered {content_type or 'without a Content-Type'}, not SPARQL results "
            "(is this URL a SPARQL 1.1 query endpoint?)"
        )

    def _triples(self, raw: bytes, content_type: str) -> list:
        import pyoxigraph as ox

        formats = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}
        if content_type not in formats:
            raise QueryError(
                f"{self.endpoint}: answered {content_type or 'without a Content-Type'}, not N-Triples or Turtle"
            )
        try:
            parsed = ox.parse(raw, format=formats[content_type])
            return [(from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in parsed]
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"{self.endpoint}: unreadable {content_type} answer ({_first_line(exc)})") from None


def results_from_json(data: dict) -> Results:
    """SPARQL 1.1 JSON results as Results (variables in head.vars order)."""
    if "boolean" in data:
        if not isinstance(data["boolean"], bool):  # JSON results carry a real boolean; "false" is truthy
            raise ValueError(f"boolean is not true or false: {data['boolean']!r}")
        return Results("ASK", boolean=data["boolean"])
    names = data["head"]["vars"]
    bindings = data["results"]["bindings"]
    return Results("SELECT", names, [tuple(from_json(b.get(v)) for v in names) for b in bindings])


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "false", "0"):
        return str(value).lower() in ("true", "1")
    raise ValueError(f"not a boolean: {value!r}")


_SR = "{http://www.w3.org/2005/sparql-results#}"


def results_from_xml(raw: bytes) -> Results:
    """SPARQL Query Results XML as Results, through the same JSON binding rules."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(raw)
    boolean = root.find(f"{_SR}boolean")
    if boolean is not None:
        return Results("ASK", boolean=_boolean((boolean.text or "").strip()))
    names = [v.get("name") for v in root.iter(f"{_SR}variable")]
    rows = []
    for result in root.iter(f"{_SR}result"):
        found: dict[str, dict] = {}
        for binding in result.findall(f"{_SR}binding"):
            term = binding[0]
            kind = term.tag.removeprefix(_SR)
            entry = {"type": "uri" if kind == "uri" else kind, "value": term.text or ""}
            if term.get("datatype"):
                entry["datatype"] = term.get("datatype")
            lang = term.get("{http://www.w3.org/XML/1998/namespace}lang")
            if lang:
                entry["xml:lang"] = lang
            found[binding.get("name")] = entry
        rows.append(tuple(from_json(found.get(n)) for n in names))
    return Results("SELECT", [n for n in names if n], rows)


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

    An endpoint gives RemoteEngine (remote options: timeout, user, password, user_agent, graph,
    max_bytes).
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
