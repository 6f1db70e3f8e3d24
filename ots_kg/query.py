"""Run SPARQL on the local graph with parameters bound as typed RDF terms, and format results."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD

from .catalogue import Param, StoredQuery
from .errors import QueryError
from .namespaces import PREFIXES

_IRI_FORBIDDEN = re.compile(r'[\s<>"{}|^`\\]')
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Results:
    """A SELECT/ASK answer (vars + rows, or a boolean) or a CONSTRUCT/DESCRIBE graph."""

    kind: str
    vars: list[str]
    rows: list[tuple]
    boolean: bool | None = None
    graph: Graph | None = None

    def as_set(self) -> set[tuple]:
        return set(self.rows)


def to_term(param: Param, raw: str):
    """A parameter value as the RDF term its declared type says, or a QueryError."""
    if param.type == "iri":
        return expand_iri(raw)
    if param.type == "string":
        return Literal(raw)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", raw):
            raise QueryError(f"parameter {param.name}: {raw!r} is not an integer")
        return Literal(int(raw), datatype=XSD.integer)
    if param.type == "year":
        if not re.fullmatch(r"\d{4}", raw):
            raise QueryError(f"parameter {param.name}: {raw!r} is not a year (YYYY)")
        return Literal(raw, datatype=XSD.gYear)
    if param.type == "date":
        lit = Literal(raw, datatype=XSD.date)
        if not _DATE.match(raw) or getattr(lit, "ill_typed", False):
            raise QueryError(f"parameter {param.name}: {raw!r} is not a date (YYYY-MM-DD)")
        return lit
    if param.type == "boolean":
        if raw.lower() not in ("true", "false"):
            raise QueryError(f"parameter {param.name}: {raw!r} is not true or false")
        return Literal(raw.lower() == "true")
    raise QueryError(f"parameter {param.name}: unknown type {param.type}")


def expand_iri(raw: str) -> URIRef:
    """`prefix:local`, `<iri>` or an absolute IRI; anything that could break out of an IRI is refused."""
    value = raw[1:-1] if raw.startswith("<") and raw.endswith(">") else raw
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        value = PREFIXES[prefix] + local
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", value) or _IRI_FORBIDDEN.search(value):
        raise QueryError(f"{raw!r} is not an IRI (use prefix:name or a full IRI)")
    return URIRef(value)


def bind_params(query: StoredQuery, values: Mapping[str, str]) -> dict[str, object]:
    """Typed terms for `?_name` variables: given values, then defaults; unknown or missing names fail."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise QueryError(f"unknown parameter {unknown[0]!r} for {query.name} (parameters: {known})")
    bindings: dict[str, object] = {}
    for name, param in declared.items():
        raw = values.get(name, param.default)
        if raw is None:
            if param.required:
                raise QueryError(f"{query.name} needs parameter {name} (-p {name}=...)")
            continue
        bindings["_" + name] = to_term(param, raw)
    return bindings


def check_safe(query: StoredQuery, allow_network: bool = False) -> None:
    """Refuse updates, and SERVICE/LOAD (outbound requests) unless the user allowed them."""
    from .sparql_text import is_update, network_keywords

    if is_update(query.text):
        raise QueryError(f"{query.name}: SPARQL Update is not allowed; queries are read-only")
    found = network_keywords(query.text)
    if found and not allow_network:
        raise QueryError(f"{query.name}: {', '.join(sorted(found))} reaches other servers; "
                         "refused unless --allow-network is given")


def run_local(graph: Graph, query: StoredQuery, values: Mapping[str, str] | None = None, *,
              allow_network: bool = False) -> Results:
    """Evaluate a query on an rdflib graph with typed initBindings."""
    check_safe(query, allow_network)
    bindings = bind_params(query, values or {})
    init = {Variable(k): v for k, v in bindings.items()}
    try:
        result = graph.query(query.text, initBindings=init, initNs=PREFIXES)
    except Exception as exc:  # parse errors and engine errors: the query's fault
        raise QueryError(f"{query.name}: {_first_line(exc)}") from None
    return from_rdflib(result)


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


# ---- formatting ------------------------------------------------------------------------

def _compact(term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        text = str(term)
        best = max(((p, ns) for p, ns in PREFIXES.items() if text.startswith(ns)),
                   key=lambda pn: len(pn[1]), default=None)
        return f"{best[0]}:{text[len(best[1]):]}" if best else text
    return str(term)


def _plain(term) -> str:
    return "" if term is None else str(term)


def _n3(term) -> str:
    return "" if term is None else term.n3()


def _json_term(term) -> dict:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype:
        out["datatype"] = str(term.datatype)
    return out


def format_results(results: Results, fmt: str = "table") -> str:
    """table | csv | tsv | json for SELECT/ASK; ttl | nt | jsonld for graphs (table means ttl)."""
    if results.kind in ("CONSTRUCT", "DESCRIBE"):
        from .export import serialize

        graph_fmt = {"table": "ttl", "csv": "nt", "tsv": "nt", "json": "jsonld"}.get(fmt, fmt)
        return serialize(results.graph or Graph(), graph_fmt)
    if results.kind == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": results.boolean}) + "\n"
        return ("true" if results.boolean else "false") + "\n"
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(results.vars, row, strict=False) if t is not None}
                    for row in results.rows]
        return json.dumps({"head": {"vars": results.vars}, "results": {"bindings": bindings}},
                          indent=1, ensure_ascii=False) + "\n"
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        if fmt == "csv":
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(results.vars)
            writer.writerows([[_plain(t) for t in row] for row in results.rows])
        else:
            buf.write("\t".join("?" + v for v in results.vars) + "\n")
            for row in results.rows:
                buf.write("\t".join(_n3(t) for t in row) + "\n")
        return buf.getvalue()
    if fmt == "table":
        return _table(results.vars, [[_compact(t) for t in row] for row in results.rows])
    raise QueryError(f"unknown format {fmt!r}; choose table, csv, tsv or json")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()  # noqa: E731
    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out) + "\n"
