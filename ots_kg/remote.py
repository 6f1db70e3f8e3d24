"""Stored queries on any SPARQL 1.1 endpoint through SPARQLWrapper, with the same results
model and output formats as local runs."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping

from rdflib import BNode, Graph, Literal, URIRef

from .catalogue import StoredQuery
from .errors import QueryError
from .namespaces import PREFIXES
from .query import Results, bind_params, check_safe
from .sparql_text import bind_with_values, blank_out

USER_AGENT = "ots-kg/0.1 (+https://w3id.org/ots-kg)"


def prepared_text(query: StoredQuery, values: Mapping[str, str] | None) -> str:
    """The query text with parameters bound as a VALUES block of typed terms, and the
    project prefixes declared, since a remote store knows none of them."""
    text = bind_with_values(query.text, bind_params(query, values or {}))
    declared = set(re.findall(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", blank_out(text)))
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in sorted(PREFIXES.items()) if p not in declared]
    return "\n".join(missing + [text])


def run_remote(
    endpoint: str, query: StoredQuery, values: Mapping[str, str] | None = None, *,
    timeout: float = 60.0, user: str | None = None, password: str | None = None,
    allow_network: bool = False, user_agent: str = USER_AGENT,
) -> Results:
    """Run a query on a remote endpoint; unreachable endpoints and error answers are QueryErrors."""
    from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

    check_safe(query, allow_network)
    text = prepared_text(query, values)
    client = SPARQLWrapper(endpoint, agent=user_agent)
    client.setMethod(POST)
    client.setTimeout(int(max(1, timeout)))
    if user is not None:
        client.setCredentials(user, password or "")
    client.setQuery(text)
    graph_form = query.kind in ("CONSTRUCT", "DESCRIBE")
    client.setReturnFormat(N3 if graph_form else JSON)
    if graph_form:
        client.addCustomHttpHeader("Accept", "application/n-triples, text/turtle;q=0.9")
    try:
        response = client.query()
        raw = response.response.read()
        content_type = response.response.headers.get("Content-Type", "")
    except SPARQLWrapperException as exc:
        raise QueryError(f"{endpoint}: the endpoint refused the query: {_first(exc)}") from None
    except OSError as exc:  # URLError, timeouts, refused connections
        reason = getattr(exc, "reason", exc)
        raise QueryError(f"{endpoint}: endpoint unreachable ({reason})") from None
    except Exception as exc:
        raise QueryError(f"{endpoint}: {_first(exc)}") from None
    if graph_form:
        fmt = "nt" if "n-triples" in content_type or "text/plain" in content_type else "turtle"
        graph = Graph()
        try:
            graph.parse(data=raw.decode("utf-8"), format=fmt)
        except Exception as exc:
            raise QueryError(f"{endpoint}: unreadable RDF answer ({_first(exc)})") from None
        return Results(query.kind, [], [], graph=graph)
    try:
        data = json.loads(raw)
    except ValueError:
        raise QueryError(f"{endpoint}: answer is not SPARQL JSON results ({content_type})") from None
    return from_json(data)


def from_json(data: dict) -> Results:
    """SPARQL 1.1 JSON results -> Results with rdflib terms."""
    if "boolean" in data:
        return Results("ASK", [], [], boolean=bool(data["boolean"]))
    names = data.get("head", {}).get("vars", [])
    rows = [tuple(_term(b.get(v)) for v in names) for b in data.get("results", {}).get("bindings", [])]
    return Results("SELECT", names, rows)


def _term(binding: dict | None):
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    return Literal(value, datatype=URIRef(datatype) if datatype else None)


def _first(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__
