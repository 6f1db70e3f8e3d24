"""Query answers as text: the one writer for tables, SPARQL 1.1 CSV/TSV/JSON/XML results and
graph answers, used by the CLI and the server alike (so both write the same bytes)."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Iterator, Sequence

from ..errors import QueryError
from ..model.formats import GRAPH_FOR_TABLE, GRAPH_FORMATS
from ..model.prefixes import SOURCE, compact_iri, is_source_passage, passage_parts
from ..model.terms import Term, to_json
from ..sparql.results import Results

TABLE_FORMATS = ("table", "csv", "tsv", "json", "xml")
# Characters XML 1.0 forbids even as character references: replaced by U+FFFD so the
# document stays well-formed (the JSON, CSV and TSV answers keep them exactly).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    """XML character data, as xml.sax.saxutils.escape writes it. Written here because
    importing xml.sax.saxutils pulls in urllib.request, http.client and email (a third of a
    cold `ots-kg query`'s imports)."""
    return _NOT_XML.sub("\ufffd", text).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """A quoted XML attribute value, as xml.sax.saxutils.quoteattr writes it."""
    value = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    return '"{}"'.format(value.replace('"', "&quot;"))


PassageText = Callable[[str, int], "str | None"]  # (document file stem, line) -> the line's text
_IRI_IN_TEXT = re.compile(r"https?://[^\s|,;<>\"]+")


def plural(count: int, one: str, many: str | None = None) -> str:
    """`1 row`, `2 rows`."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def show_iri(value: str, passage_text: PassageText | None = None) -> str:
    """An IRI for people: a cited passage as `document:line` (with its text when the sources
    are known), anything else compact."""
    parts = passage_parts(value)
    if parts and parts[0].startswith(SOURCE):
        document, line = parts[0][len(SOURCE) :], parts[1]
        text = passage_text(document, line) if passage_text else None
        return f"{document}:{line}" + (f" “{text}”" if text else "")
    return compact_iri(value)


def show_term(term: Term | None, passage_text: PassageText | None = None) -> str:
    """A table cell: IRIs compact, also those inside literals (GROUP_CONCATs of IRIs)."""
    if term is None:
        return ""
    if term.kind == "uri":
        return show_iri(term.value, passage_text)
    if term.kind == "bnode":
        return "_:" + term.value
    return _IRI_IN_TEXT.sub(lambda m: show_iri(m.group(0)), term.value)


def _csv_cell(term: Term | None) -> str:
    if term is None:
        return ""
    return "_:" + term.value if term.kind == "bnode" else term.value


def format_results(
    results: Results, fmt: str = "table", *, width: int | None = None, passage_text: PassageText | None = None
) -> str:
    """table | csv | tsv | json | xml for SELECT/ASK; graph answers in a GRAPH_FORMATS name
    (a table format picks one: table -> ttl, csv/tsv -> nt, json -> jsonld).

    A table fits `width` characters (cells cut with an ellipsis; None: as wide as it needs)
    and shows passages as `document:line`, with their text if `passage_text` knows it."""
    if results.kind in ("CONSTRUCT", "DESCRIBE"):
        from ..io.export import ntriples_of, serialize

        fmt = GRAPH_FOR_TABLE.get(fmt, fmt)
        return ntriples_of(results.triples) if fmt == "nt" else serialize(results.graph, fmt)
    if fmt not in TABLE_FORMATS:
        kind = "a graph format" if fmt in GRAPH_FORMATS else "an unknown format"
        raise QueryError(f"{fmt!r} is {kind}; a {results.kind} answer is written as {', '.join(TABLE_FORMATS)}")
    if fmt != "table":
        return "".join(stream_results(results, fmt))
    if results.kind == "ASK":
        return ("true" if results.boolean else "false") + "\n"
    iri_columns = {  # compact IRIs are kept whole; passages (with their text) may be cut
        i
        for i in range(len(results.vars))
        if all(row[i] is None or row[i].kind == "uri" and not is_source_passage(row[i].value) for row in results.rows)
    }
    cells = [[show_term(t, passage_text) for t in row] for row in results.rows]
    return table(results.vars, cells, width, keep=iri_columns)


def _json_binding(binding: dict[str, dict[str, str]]) -> str:
    """json.dumps(binding, indent=1, ensure_ascii=False), each line indented three more spaces,
    written here: with an indent, json.dumps takes its pure-Python encoder (an 89 k-row answer
    took 2.8 s as JSON, 0.4 s as CSV). Strings go through json's own C escaper."""
    if not binding:
        return "{}"
    quote = json.encoder.encode_basestring  # what ensure_ascii=False writes for a str
    cells = (  # to_json's keys and values are all strings
        f"{quote(name)}: {{\n     " + ",\n     ".join(f"{quote(k)}: {quote(v)}" for k, v in cell.items()) + "\n    }"
        for name, cell in binding.items()
    )
    return "{\n    " + ",\n    ".join(cells) + "\n   }"


def stream_results(results: Results, fmt: str) -> Iterator[str]:
    """A SELECT or ASK answer in csv | tsv | json | xml, a row at a time: `results.rows` may
    be an iterator read once, and a caller that stops reading (the server at its byte cap)
    never holds more than the pieces it took. format_results joins the same pieces."""
    if fmt not in TABLE_FORMATS or fmt == "table":
        raise QueryError(f"unknown format {fmt!r}; choose {', '.join(TABLE_FORMATS[1:])}")
    if results.kind == "ASK":
        if fmt == "json":
            yield json.dumps({"head": {}, "boolean": results.boolean}) + "\n"
        elif fmt == "xml":
            yield _xml([], f"<boolean>{'true' if results.boolean else 'false'}</boolean>")
        else:
            yield ("true" if results.boolean else "false") + "\n"
        return
    names = results.vars
    if fmt == "json":  # the bytes of json.dumps(answer, indent=1), written binding by binding
        skeleton = json.dumps({"head": {"vars": names}, "results": {"bindings": [0]}}, indent=1, ensure_ascii=False)
        before, after = skeleton.split("[\n   0\n  ]")
        yield before + "["
        separator = "\n   "
        for row in results.rows:
            binding = {v: to_json(t) for v, t in zip(names, row, strict=False) if t is not None}
            yield separator + _json_binding(binding)
            separator = ",\n   "
        yield ("]" if separator == "\n   " else "\n  ]") + after + "\n"
    elif fmt == "csv":  # SPARQL 1.1 CSV: CRLF line ends
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        for row in itertools.chain([names], ([_csv_cell(t) for t in row] for row in results.rows)):
            writer.writerow(row)
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    elif fmt == "tsv":
        yield "\t".join("?" + v for v in names) + "\n"
        for row in results.rows:
            yield "\t".join("" if t is None else t.n3() for t in row) + "\n"
    else:
        head, tail = _xml(names, "\0").split("\0")
        yield head + "<results>"
        for row in results.rows:
            yield _xml_row(names, row)
        yield "</results>" + tail


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


def fit_widths(natural: Sequence[int], floors: Sequence[int], room: int) -> list[int]:
    """Column widths that add up to at most `room`: the widest columns give way first (one
    cap for all), none below its floor (its header, at most 12) nor above its natural width."""
    if sum(natural) <= room:
        return list(natural)
    low, high = 1, max(natural)
    while low < high:  # the largest cap that still fits
        cap = (low + high + 1) // 2
        if sum(max(f, min(n, cap)) for n, f in zip(natural, floors, strict=True)) <= room:
            low = cap
        else:
            high = cap - 1
    return [max(f, min(n, low)) for n, f in zip(natural, floors, strict=True)]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None, keep: set[int] = frozenset()
) -> str:
    """A plain text table with a row count; within `width` characters when given, cutting
    the widest cells first but never those of the `keep` columns (compact IRIs, which a cut
    would make useless)."""
    rows = [[" ".join(c.split()) for c in row] for row in rows]  # one line per row
    natural = [len(h) for h in headers]
    for row in rows:
        natural = [max(w, len(c)) for w, c in zip(natural, row, strict=False)]
    widths = natural
    if width is not None:
        room = width - 2 * (len(headers) - 1)
        for least in (lambda h: max(len(h), 12), len, lambda h: 3):  # give way further only if needed
            floors = [
                n if i in keep else min(n, least(h)) for i, (n, h) in enumerate(zip(natural, headers, strict=True))
            ]
            if sum(floors) <= room:
                break
        widths = fit_widths(natural, floors, room)

    def line(cells: Sequence[str]) -> str:
        return "  ".join(_cut(c, w).ljust(w) for c, w in zip(cells, widths, strict=False)).rstrip()

    out = [line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)]
    out.append(f"({plural(len(rows), 'row')})")
    return "\n".join(out) + "\n"


def graph_media_type(fmt: str) -> str:
    return GRAPH_FORMATS[fmt].media_type
