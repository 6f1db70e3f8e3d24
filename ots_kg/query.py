"""Run SPARQL on an rdflib graph with parameters bound as typed RDF terms.

The reference route: every engine must answer like this one (see tests/test_fast.py).
"""
from __future__ import annotations

from collections.abc import Mapping

from rdflib import Graph, Literal, URIRef, Variable

from .catalogue import StoredQuery, bind_values, expand_iri  # noqa: F401  (expand_iri re-exported)
from .errors import QueryError
from .namespaces import PREFIXES
from .results import Results, format_results  # noqa: F401  (re-exported for callers)
from .sparql_text import check_safe  # noqa: F401  (re-exported for callers)


def to_rdflib(kind: str, lexical: str, datatype: str | None):
    """A checked parameter value (catalogue.parse_value) as an rdflib term."""
    if kind == "iri":
        return URIRef(lexical)
    return Literal(lexical, datatype=URIRef(datatype) if datatype else None)


def bind_params(query: StoredQuery, values: Mapping[str, str]) -> dict[str, object]:
    """rdflib terms for the `?_name` variables: given values, then defaults."""
    return {name: to_rdflib(*parts) for name, parts in bind_values(query, values).items()}


def run_local(graph: Graph, query: StoredQuery, values: Mapping[str, str] | None = None, *,
              allow_network: bool = False) -> Results:
    """Evaluate a query on an rdflib graph with typed initBindings."""
    check_safe(query, allow_network)
    init = {Variable(k): v for k, v in bind_params(query, values or {}).items()}
    try:
        result = graph.query(query.text, initBindings=init, initNs=PREFIXES)
        return from_rdflib(result)
    except QueryError:
        raise
    except Exception as exc:  # parse errors and engine errors: the query's fault
        raise QueryError(f"{query.name}: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def from_rdflib(result) -> Results:
    if result.type == "ASK":
        return Results("ASK", [], [], boolean=bool(result.askAnswer))
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        graph = Graph()
        for triple in result.graph:
            graph.add(triple)
        return Results(result.type, [], [], graph=graph)
    names = [str(v) for v in result.vars]
    rows = [tuple(row[i] for i in range(len(names))) for row in result]
    return Results("SELECT", names, rows)
