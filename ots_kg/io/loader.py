"""The one loader: Turtle files -> an rdflib Graph or an Oxigraph Store, with one rule set.

Each file is parsed on its own by Oxigraph's parser (ten times rdflib's speed, and exact
error positions), so a syntax error names `file:line` and every file's first error is
collected before failing (LoadError.problems). The same pass checks ill-typed literals
(one Python rule, at the file and line that writes them) and collects cited passages, whose
`ots:Passage` nodes are derived once after all files are read. Only the sink differs: an
rdflib Graph (terms converted by model.terms) or an Oxigraph Store (quads as parsed).
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..model.prefixes import PREFIXES, XSD, source_passage_parts
from ..model.terms import Term, iri, literal, ox_to_rdflib_remembering, to_rdflib
from .files import PathLike, input_files, read_text, shown_file

# rdflib logs a traceback for every ill-typed literal; the loader reports them itself.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

_ZONE = r"(Z|[+-]\d{2}:\d{2})?"
_LEXICAL: dict[str, str] = {
    XSD + name: pattern
    for name, pattern in {
        "date": rf"-?\d{{4,}}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]){_ZONE}",
        "dateTime": rf"-?\d{{4,}}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?{_ZONE}",
        "gYearMonth": rf"-?\d{{4,}}-(0[1-9]|1[0-2]){_ZONE}",
        "gYear": rf"-?\d{{4,}}{_ZONE}",
        "integer": r"[+-]?\d+",
        "nonNegativeInteger": r"\+?\d+|-0+",
        "positiveInteger": r"\+?0*[1-9]\d*",
        "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
        "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN",
        "float": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|NaN",
        "boolean": r"true|false|1|0",
    }.items()
}


@cache
def _lexical(datatype: str) -> re.Pattern[str] | None:
    """The lexical-space pattern of a checked datatype, compiled when first met (a graph
    uses a few of them; compiling all cost more than checking every literal)."""
    pattern = _LEXICAL.get(datatype)
    return re.compile(pattern) if pattern is not None else None


def ill_typed_message(literal: Any) -> str:
    return f'ill-typed literal "{literal.value}"^^<{literal.datatype.value}> (not a valid value of its datatype)'


def checked_datatypes() -> frozenset[str]:
    """The datatypes whose lexical forms ill_typed checks."""
    return frozenset(_LEXICAL)


def ill_typed(value: str, datatype: str) -> bool:
    """True when a lexical form is not a value of its (checked) datatype: the one rule."""
    pattern = _lexical(datatype)
    if pattern is None:
        return False
    if not pattern.fullmatch(value):
        return True
    if datatype == XSD + "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return True  # 2019-02-30
    return False


_DERIVED_FROM = PREFIXES["prov"] + "wasDerivedFrom"
_PASSAGE_TRIPLES = (PREFIXES["rdf"] + "type", PREFIXES["ots"] + "lineNumber", PREFIXES["dct"] + "isPartOf")
_PASSAGE, _INTEGER = PREFIXES["ots"] + "Passage", XSD + "integer"  # the class and the line's datatype


def _passages(cited: Iterable[str]) -> list[tuple[str, str, int]]:
    """(passage, document, line) of each cited source passage, sorted."""
    out = []
    for value in sorted(cited):
        parts = source_passage_parts(value)
        if parts is not None:
            out.append((value, *parts))
    return out


def passage_triples(cited: Iterable[str]) -> list[tuple[Term, Term, Term]]:
    """Each cited source passage typed ots:Passage with its document and line: derived from
    the citations rather than curated, so they never disagree."""
    rdf_type, line_number, part_of = (iri(p) for p in _PASSAGE_TRIPLES)
    passage_class = iri(_PASSAGE)
    out = []
    for value, document, line in _passages(cited):
        node = iri(value)
        out += [
            (node, rdf_type, passage_class),
            (node, line_number, literal(str(line), _INTEGER)),
            (node, part_of, iri(document)),
        ]
    return out


def add_passages(store: Any, cited: Iterable[str]) -> None:
    """Add passage_triples to an Oxigraph store, written as N-Triples and bulk-loaded: half
    the time of building Python quads (the Term round trip had cost a third of building the
    bundled graph's store; Term.n3() text costs 40 % more than this direct writing)."""
    import pyoxigraph as ox

    rdf_type, line_number, part_of = _PASSAGE_TRIPLES
    text = "".join(
        f'<{value}> <{rdf_type}> <{_PASSAGE}> .\n<{value}> <{line_number}> "{line}"^^<{_INTEGER}> .\n'
        f"<{value}> <{part_of}> <{document}> .\n"
        for value, document, line in _passages(cited)
    )
    store.bulk_load(text.encode(), format=ox.RdfFormat.N_TRIPLES)


@dataclass(frozen=True)
class Issue:
    """One problem found while loading: a syntax error or an ill-typed literal."""

    file: Path
    line: int
    message: str
    kind: str = "syntax"  # syntax | literal

    def __str__(self) -> str:
        return f"{shown_file(self.file)}:{self.line}: {self.message}"


class Problems:
    """Problems found while loading, each `file:line: message`; raised together at the end."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    @property
    def items(self) -> list[str]:
        return [str(i) for i in self.issues]

    def add(self, path: Path, line: int | None, message: str, kind: str = "syntax") -> None:
        self.issues.append(Issue(path, line or 1, message, kind))

    def raise_any(self) -> None:
        if self.issues:
            items = self.items
            rest = len(items) - 1
            more = f" (and {rest} more problem{'s' if rest > 1 else ''})" if rest else ""
            error = LoadError(items[0] + more)
            error.problems = items  # type: ignore[attr-defined]
            error.issues = list(self.issues)  # type: ignore[attr-defined]
            raise error


def syntax_message(exc: SyntaxError) -> str:
    """Oxigraph's syntax error without its "Parser error at …:" prefix (the line is given apart)."""
    message = str(exc.msg if getattr(exc, "msg", None) else exc)
    return re.sub(r"^Parser error (at|between) .*?: ", "", message)


def _parse_text(text: str, path: Path) -> list[Any]:
    import pyoxigraph as ox

    return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))


def _recover(path: Path, text: str, problems: Problems) -> list[Any]:
    """After a syntax error: split the file at its top-level statements (one regex pass),
    parse from the first unparsed statement to the end in one go, and on an error load the
    statements before the failing one in one go, report that one, and go on after it. Linear
    in the file for a few errors (each error costs one parse of the rest)."""
    from bisect import bisect_right

    from .turtle_positions import statement_spans

    spans = statement_spans(text)
    lines = [line for _, _, line in spans]
    quads: list[Any] = []
    header = ""  # the directives so far, on one line, so error lines stay the file's lines
    i = 0
    while i < len(spans):
        body, first = _with_header(header, text[spans[i][0] :])
        try:
            quads.extend(_parse_text(body, path))
            return quads
        except (SyntaxError, ValueError) as exc:
            line = getattr(exc, "lineno", None)
            j = bisect_right(lines, spans[i][2] + line - first) - 1 if line and line >= first else i
            j = max(i, j)
        if j > i:  # the statements before the failing one, in one go
            header = _load_good(path, text, spans[i:j], header, quads, problems)
        header = _one_statement(path, text, spans[j], header, quads, problems)
        i = j + 1
    return quads


def _with_header(header: str, chunk: str) -> tuple[str, int]:
    """The chunk with the directives so far on one line before it, and the chunk's first line."""
    return (chunk, 1) if not header else (header + "\n" + chunk, 2)


def _load_good(path: Path, text: str, spans: list, header: str, quads: list[Any], problems: Problems) -> str:
    """Statements that parsed as part of a longer text: in one go (or one by one if the
    parser still objects, which the statement-by-statement path reports)."""
    body, _ = _with_header(header, text[spans[0][0] : spans[-1][1]])
    try:
        quads.extend(_parse_text(body, path))
    except (SyntaxError, ValueError):
        for span in spans:
            header = _one_statement(path, text, span, header, quads, problems)
        return header
    for start, end, _ in spans:
        if _is_directive(text[start:end]):
            header += text[start:end].replace("\n", " ") + " "
    return header


def _is_directive(chunk: str) -> bool:
    return chunk[:7].lower().startswith(("@prefix", "@base", "prefix", "base"))


def _one_statement(
    path: Path, text: str, span: tuple[int, int, int], header: str, quads: list[Any], problems: Problems
) -> str:
    """Parse one statement alone; report it at file:line if it fails; the header after it."""
    from .turtle_positions import statements

    start, end, statement_line = span
    chunk = text[start:end]
    directive = _is_directive(chunk)
    body, first = _with_header("" if directive else header, chunk)
    try:
        found = _parse_text(body, path)
    except SyntaxError as exc:
        line = statement_line + (exc.lineno - first) if exc.lineno and exc.lineno >= first else statement_line
        statement = statements("\n" * (statement_line - 1) + chunk)[0]
        problems.add(path, *_blame(statement, line, syntax_message(exc)))
        return header
    except ValueError as exc:
        problems.add(path, statement_line, f"cannot parse as Turtle: {exc}")
        return header
    if directive:
        return header + chunk.replace("\n", " ") + " "
    quads.extend(found)
    return header


def _blame(statement: Any, line: int, message: str) -> tuple[int, str]:
    """A parser notices a missing '.' only on the next subject's line: point at the line that
    lacks it when the failing line starts a new subject after an unterminated one."""
    before = [t for t in statement.tokens if t.line < line]
    starts = [t for t in statement.tokens if t.line == line]
    if (
        before
        and starts
        and before[-1].text not in (".", ";", ",", "[", "(", "^^")
        and starts[0].kind in ("name", "iri")
        and statement.line < line
    ):
        return before[-1].line, f"{message} (missing '.' at the end of line {before[-1].line}?)"
    return line, message


def blamed_syntax_error(path: Path, line: int | None, message: str) -> tuple[int | None, str]:
    """(line, message) of a syntax error a whole-file parse (the disk store's bulk load)
    reported at `line`, blamed as the statement-by-statement loader blames it: a missing '.'
    at the end of the line that lacks it, not on the next subject's line. Files above
    TOKENIZED_BYTES are not tokenized: the parser's line as it is."""
    from .turtle_positions import TOKENIZED_BYTES, statement_spans, statements

    if line is None or path.stat().st_size > TOKENIZED_BYTES:
        return line, message
    try:
        text = read_text(path)
    except LoadError:
        return line, message
    around = [span for span in statement_spans(text) if span[2] <= line]
    if not around:
        return line, message
    start, end, first = around[-1]
    return _blame(statements("\n" * (first - 1) + text[start:end])[0], line, message)


def _literal_line(path: Path, text: str, quad: Any) -> int | None:
    """The line of an ill-typed literal: the triple's own line, else the value's first mention."""
    import pyoxigraph as ox

    from .turtle_positions import positions

    if isinstance(quad.subject, ox.NamedNode):
        line = positions(path).line_of(f"<{quad.subject.value}>", f"<{quad.predicate.value}>", '"' + quad.object.value)
        if line:
            return line
    pos = text.find(f'"{quad.object.value}"')
    return text.count("\n", 0, pos) + 1 if pos >= 0 else None


def _parse(path: Path, problems: Problems, cited: set[str], raw: bytes | None = None) -> list[Any]:
    """The quads of one file (or of its bytes already read) as Oxigraph parses them;
    ill-typed literals and syntax errors are recorded against the file and line, not
    raised (so other files still load), and cited passages added to `cited` (one pass)."""
    import pyoxigraph as ox

    try:
        text = read_text(path, raw)
    except LoadError as exc:  # unreadable, binary, empty: one problem, the other files still load
        file, _, rest = str(exc).partition(": ")
        line = re.match(r"(.*):(\d+)$", file)
        problems.add(path, int(line.group(2)) if line else None, rest or str(exc))
        return []
    try:
        quads = _parse_text(text, path)
    except SyntaxError:
        quads = _recover(path, text, problems)
    except ValueError as exc:  # e.g. an invalid base or IRI: still the file's fault
        problems.add(path, None, f"cannot parse as Turtle: {exc}")
        return []
    literal, named = ox.Literal, ox.NamedNode
    for quad in quads:
        obj = quad.object
        kind = type(obj)
        if kind is named:
            if quad.predicate.value == _DERIVED_FROM:
                cited.add(obj.value)
        elif kind is literal and not obj.language and ill_typed(obj.value, obj.datatype.value):
            problems.add(
                path,
                _literal_line(path, text, quad),
                ill_typed_message(obj),
                "literal",
            )
    return quads


@dataclass
class Loaded:
    """Everything one load pass found: quads by file (those that parsed), the cited
    passages, and every problem (syntax errors, ill-typed literals)."""

    files: list[Path]
    quads: dict[Path, list[Any]] = field(default_factory=dict)
    cited: set[str] = field(default_factory=set)
    issues: list[Issue] = field(default_factory=list)


def read_files(files: Sequence[Path], contents: Sequence[bytes] | None = None) -> Loaded:
    """Parse every file (or the given bytes of each, read once by the cache), collecting all
    problems instead of stopping at the first."""
    problems = Problems()
    loaded = Loaded(list(files))
    for i, path in enumerate(files):
        loaded.quads[path] = _parse(path, problems, loaded.cited, contents[i] if contents is not None else None)
    loaded.issues = problems.issues
    return loaded


def load_checked(paths: Sequence[PathLike] | None, include_ontology: bool) -> Loaded:
    """Read the files and fail with every problem if any (what every command but validate wants)."""
    loaded = read_files(input_files(paths, include_ontology=include_ontology))
    _raise_issues(loaded)
    return loaded


def _raise_issues(loaded: Loaded) -> None:
    problems = Problems()
    problems.issues = loaded.issues
    problems.raise_any()


def graph_from(loaded: Loaded) -> Any:
    """An rdflib Graph of the loaded quads plus the derived passages, project prefixes bound."""
    from rdflib import Graph

    from ..model.vocab import bind_all

    graph = Graph()
    store = graph.store
    rdf = ox_to_rdflib_remembering()
    for quads in loaded.quads.values():
        store.addN((rdf(q.subject), rdf(q.predicate), rdf(q.object), graph) for q in quads)
    for triple in passage_triples(loaded.cited):
        graph.add(tuple(to_rdflib(t) for t in triple))
    bind_all(graph)
    return graph


def store_from(loaded: Loaded) -> Any:
    """An in-memory Oxigraph Store of the loaded quads plus the derived passages."""
    import pyoxigraph as ox

    store = ox.Store()
    for quads in loaded.quads.values():
        store.bulk_extend(quads)
    add_passages(store, loaded.cited)
    return store


def load_graph(paths: Sequence[PathLike] | None = None, *, include_ontology: bool = True) -> Any:
    """The OTS graph as an rdflib Graph: the given Turtle files/folders (default: bundled
    data/) plus the ontology, with derived passages and the project prefixes bound."""
    return graph_from(load_checked(paths, include_ontology))


def load_data(paths: Sequence[PathLike] | None = None) -> Any:
    """Only the data graph (no ontology)."""
    return load_graph(paths, include_ontology=False)


def load_store(
    paths: Sequence[PathLike] | None = None,
    *,
    include_ontology: bool = True,
    sources: Sequence[tuple[Path, bytes]] | None = None,
) -> Any:
    """The same graph as load_graph, in an in-memory Oxigraph Store (no rdflib needed);
    `sources` gives files already read, as (path, bytes), instead of `paths`."""
    if sources is None:
        return store_from(load_checked(paths, include_ontology))
    loaded = read_files([p for p, _ in sources], [b for _, b in sources])
    _raise_issues(loaded)
    return store_from(loaded)


def store_from_ntriples(data: bytes) -> Any:
    """An in-memory Oxigraph Store from N-Triples bytes (the cache, the server's workers)."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    return store


def store_from_graph(graph: Any) -> Any:
    """An in-memory Oxigraph Store holding an rdflib graph's triples: the one place a store
    is built from a graph (terms cross through model.terms)."""
    import pyoxigraph as ox

    from ..model.terms import rdflib_to_ox_remembering

    store = ox.Store()
    ox_term = rdflib_to_ox_remembering()
    store.bulk_extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o)) for s, p, o in graph)
    return store


def ntriples(store: Any) -> bytes:
    """The store's triples as N-Triples bytes."""
    import pyoxigraph as ox

    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


GRAPH_FROM_STORE_MAX = 2_000_000


def graph_from_store(store: Any) -> Any:
    """An rdflib Graph of a store's default graph, for the commands that walk a graph in
    Python (stats, plot) on a disk store; refused above GRAPH_FROM_STORE_MAX triples, where
    rdflib would need gigabytes (stored queries answer those graphs)."""
    import pyoxigraph as ox
    from rdflib import Graph

    from ..model.vocab import bind_all

    size = len(store)
    if size > GRAPH_FROM_STORE_MAX:
        raise LoadError(
            f"the store holds {size} triples: too many for an in-memory graph "
            f"(limit {GRAPH_FROM_STORE_MAX}); use stored queries (ots-kg query) on it"
        )
    graph = Graph()
    rdf = ox_to_rdflib_remembering()
    graph.addN(
        (rdf(q.subject), rdf(q.predicate), rdf(q.object), graph)
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    bind_all(graph)
    return graph
