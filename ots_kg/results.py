"""Query results and their text formats, for rdflib and Oxigraph terms alike.

Deliberately free of rdflib imports: the fast CLI path formats Oxigraph answers without
paying rdflib's import time. Both routes share these functions, so their output is the
same byte for byte.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .errors import QueryError
from .namespaces_plain import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass
class Results:
    """A SELECT/ASK answer (vars + rows, or a boolean) or a CONSTRUCT/DESCRIBE graph."""

    kind: str
    vars: list[str]
    rows: list[tuple]
    boolean: bool | None = None
    graph: Any = None

    def as_set(self) -> set[tuple]:
        return set(self.rows)


def term_parts(term) -> tuple[str, str, str | None, str | None] | None:
    """(kind, value, language, datatype) of an rdflib or pyoxigraph term; plain strings
    have no datatype, whatever the engine says."""
    if term is None:
        return None
    name = type(term).__name__
    if name in ("URIRef", "NamedNode"):
        return ("uri", str(term) if name == "URIRef" else term.value, None, None)
    if name in ("BNode", "BlankNode"):
        return ("bnode", str(term) if name == "BNode" else term.value, None, None)
    if hasattr(term, "toPython"):  # rdflib Literal
        value, lang = str(term), term.language
        datatype = str(term.datatype) if term.datatype else None
    else:  # pyoxigraph Literal
        value, lang = term.value, term.language
        datatype = term.datatype.value if term.datatype else None
    if datatype in (XSD_STRING, RDF_LANG):
        datatype = None
    return ("literal", value, lang, datatype)


def _escape(value: str) -> str:
    return (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            .replace("\r", "\\r").replace("\t", "\\t"))


def n3(term) -> str:
    parts = term_parts(term)
    if parts is None:
        return ""
    kind, value, lang, datatype = parts
    if kind == "uri":
        return f"<{value}>"
    if kind == "bnode":
        return f"_:{value}"
    text = f'"{_escape(value)}"'
    return text + (f"@{lang}" if lang else f"^^<{datatype}>" if datatype else "")


def plain(term) -> str:
    parts = term_parts(term)
    return "" if parts is None else parts[1]


def compact(term) -> str:
    parts = term_parts(term)
    if parts is None:
        return ""
    kind, value = parts[0], parts[1]
    if kind == "uri":
        best = max(((p, ns) for p, ns in PREFIXES.items() if value.startswith(ns)),
                   key=lambda pn: len(pn[1]), default=None)
        return f"{best[0]}:{value[len(best[1]):]}" if best else value
    if kind == "bnode":
        return "_:" + value
    return value


def json_term(term) -> dict:
    kind, value, lang, datatype = term_parts(term)
    out = {"type": kind if kind != "uri" else "uri", "value": value}
    if lang:
        out["xml:lang"] = lang
    elif datatype:
        out["datatype"] = datatype
    return out


def format_results(results: Results, fmt: str = "table") -> str:
    """table | csv | tsv | json for SELECT/ASK; ttl | nt | jsonld for graphs (table means ttl)."""
    if results.kind in ("CONSTRUCT", "DESCRIBE"):
        from .export import serialize

        graph_fmt = {"table": "ttl", "csv": "nt", "tsv": "nt", "json": "jsonld"}.get(fmt, fmt)
        return serialize(results.graph, graph_fmt)
    if results.kind == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": results.boolean}) + "\n"
        return ("true" if results.boolean else "false") + "\n"
    if fmt == "json":
        bindings = [{v: json_term(t) for v, t in zip(results.vars, row, strict=False) if t is not None}
                    for row in results.rows]
        return json.dumps({"head": {"vars": results.vars}, "results": {"bindings": bindings}},
                          indent=1, ensure_ascii=False) + "\n"
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        if fmt == "csv":
            writer = csv.writer(buf, lineterminator="\n")
            writer.writerow(results.vars)
            writer.writerows([[plain(t) for t in row] for row in results.rows])
        else:
            buf.write("\t".join("?" + v for v in results.vars) + "\n")
            for row in results.rows:
                buf.write("\t".join(n3(t) for t in row) + "\n")
        return buf.getvalue()
    if fmt == "table":
        return _table(results.vars, [[compact(t) for t in row] for row in results.rows])
    raise QueryError(f"unknown format {fmt!r}; choose table, csv, tsv or json")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    out = [line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out) + "\n"
