"""Query answers as text: the one writer for tables, SPARQL 1.1 CSV/TSV/JSON/XML results and
graph answers, used by the CLI and the server alike (so both write the same bytes)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr as _quoteattr

from ..errors import QueryError
from ..model.formats import GRAPH_FOR_TABLE, GRAPH_FORMATS
from ..model.terms import Term, to_json
from ..sparql.results import Results

TABLE_FORMATS = ("table", "csv", "tsv", "json", "xml")
# Characters XML 1.0 forbids even as character references: replaced by U+FFFD so the
# document stays well-formed (the JSON, CSV and TSV answers keep them exactly).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    return _escape(_NOT_XML.sub("\ufffd", text))


def quoteattr(text: str) -> str:
    return _quoteattr(_NOT_XML.sub("\ufffd", text))


def _csv_cell(term: Term | None) -> str:
    if term is None:
        return ""
    return "_:" + term.value if term.kind == "bnode" else term.value


def format_results(results: Results, fmt: str = "table") -> str:
    """table | csv | tsv | json | xml for SELECT/ASK; graph answers in a GRAPH_FORMATS name
    (a table format picks one: table -> ttl, csv/tsv -> nt, json -> jsonld)."""
    if results.kind in ("CONSTRUCT", "DESCRIBE"):
        from ..io.export import serialize

        return serialize(results.graph, GRAPH_FOR_TABLE.get(fmt, fmt))
    if fmt not in TABLE_FORMATS:
        raise QueryError(f"unknown format {fmt!r}; choose {', '.join(TABLE_FORMATS)}")
    if results.kind == "ASK":
        if fmt == "json":
            return json.dumps({"head": {}, "boolean": results.boolean}) + "\n"
        if fmt == "xml":
            return _xml([], f"<boolean>{'true' if results.boolean else 'false'}</boolean>")
        return ("true" if results.boolean else "false") + "\n"
    if fmt == "json":
        bindings = [
            {v: to_json(t) for v, t in zip(results.vars, row, strict=False) if t is not None} for row in results.rows
        ]
        return (
            json.dumps(
                {"head": {"vars": results.vars}, "results": {"bindings": bindings}}, indent=1, ensure_ascii=False
            )
            + "\n"
        )
    if fmt == "csv":  # SPARQL 1.1 CSV: CRLF line ends
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(results.vars)
        writer.writerows([[_csv_cell(t) for t in row] for row in results.rows])
        return buf.getvalue()
    if fmt == "tsv":
        lines = ["\t".join("?" + v for v in results.vars)]
        lines += ["\t".join("" if t is None else t.n3() for t in row) for row in results.rows]
        return "\n".join(lines) + "\n"
    if fmt == "xml":
        return _xml(
            results.vars, "<results>" + "".join(_xml_row(results.vars, row) for row in results.rows) + "</results>"
        )
    return _table(results.vars, [["" if t is None else t.compact() for t in row] for row in results.rows])


def _xml(names: Sequence[str], body: str) -> str:
    head = "".join(f"<variable name={quoteattr(n)}/>" for n in names)
    return (
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
        f"<head>{head}</head>{body}</sparql>\n"
    )


def _xml_row(names: Sequence[str], row: Sequence[Term | None]) -> str:
    cells = []
    for name, term in zip(names, row, strict=False):
        if term is None:
            continue
        if term.kind == "uri":
            value = f"<uri>{escape(term.value)}</uri>"
        elif term.kind == "bnode":
            value = f"<bnode>{escape(term.value)}</bnode>"
        else:
            attr = (
                f" xml:lang={quoteattr(term.language)}"
                if term.language
                else ""
                if term.is_plain
                else f" datatype={quoteattr(term.datatype or '')}"
            )
            value = f"<literal{attr}>{escape(term.value)}</literal>"
        cells.append(f"<binding name={quoteattr(name)}>{value}</binding>")
    return "<result>" + "".join(cells) + "</result>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    out = [line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out) + "\n"


def graph_media_type(fmt: str) -> str:
    return GRAPH_FORMATS[fmt].media_type
