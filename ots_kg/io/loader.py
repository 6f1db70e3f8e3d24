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
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ..errors import LoadError
from ..model.prefixes import PREFIXES, XSD, is_source_passage, passage_parts
from ..model.terms import Term, iri, literal, ox_to_rdflib, to_ox, to_rdflib
from .files import PathLike, input_files, read_text

# rdflib logs a traceback for every ill-typed literal; the loader reports them itself.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)

_ZONE = r"(Z|[+-]\d{2}:\d{2})?"
_LEXICAL: dict[str, re.Pattern[str]] = {
    XSD + name: re.compile(pattern)
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


def ill_typed(value: str, datatype: str) -> bool:
    """True when a lexical form is not a value of its (checked) datatype: the one rule."""
    pattern = _LEXICAL.get(datatype)
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


def passage_triples(cited: Iterable[str]) -> list[tuple[Term, Term, Term]]:
    """Each cited source passage typed ots:Passage with its document and line: derived from
    the citations rather than curated, so they never disagree."""
    rdf_type, line_number, part_of = (iri(p) for p in _PASSAGE_TRIPLES)
    out = []
    for value in sorted(cited):
        if not is_source_passage(value):
            continue
        document, line = passage_parts(value)  # type: ignore[misc]
        node = iri(value)
        out += [
            (node, rdf_type, iri(PREFIXES["ots"] + "Passage")),
            (node, line_number, literal(str(line), XSD + "integer")),
            (node, part_of, iri(document)),
        ]
    return out


class _Problems:
    """Problems found while loading, each `file:line: message`; raised together at the end."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: Path, line: int | None, message: str) -> None:
        self.items.append(f"{path}:{line or 1}: {message}")

    def raise_any(self) -> None:
        if self.items:
            more = f" (and {len(self.items) - 1} more problems)" if len(self.items) > 1 else ""
            error = LoadError(self.items[0] + more)
            error.problems = list(self.items)  # type: ignore[attr-defined]
            raise error


def _syntax_message(exc: SyntaxError) -> str:
    message = str(exc.msg if getattr(exc, "msg", None) else exc)
    return re.sub(r"^Parser error (at|between) .*?: ", "", message)


def _parse(path: Path, problems: _Problems, raw: bytes | None = None) -> Iterator[Any]:
    """The quads of one file as Oxigraph parses them; ill-typed literals and a syntax
    error are recorded against the file and line, not raised (so other files still load)."""
    import pyoxigraph as ox

    text = read_text(path, raw)
    try:
        quads = list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
    except SyntaxError as exc:
        problems.add(path, exc.lineno, _syntax_message(exc))
        return iter(())
    except ValueError as exc:  # e.g. an invalid base or IRI: still the file's fault
        problems.add(path, None, f"cannot parse as Turtle: {exc}")
        return iter(())
    for quad in quads:
        obj = quad.object
        if isinstance(obj, ox.Literal) and not obj.language and ill_typed(obj.value, obj.datatype.value):
            needle = f'"{obj.value}"'
            pos = text.find(needle)
            line = text.count("\n", 0, pos) + 1 if pos >= 0 else None
            problems.add(
                path,
                line,
                f'ill-typed literal "{obj.value}"^^<{obj.datatype.value}> (not a valid value of its datatype)',
            )
    return iter(quads)


def _load(
    files: Sequence[Path],
    add_quads: Callable[[list[Any]], None],
    add_terms: Callable[[list[tuple[Term, Term, Term]]], None],
    contents: Sequence[bytes] | None = None,
) -> None:
    """Parse every file (or the given bytes of each) into the sink, then add the derived
    passages; fail with every problem."""
    import pyoxigraph as ox

    problems = _Problems()
    cited: set[str] = set()
    for i, path in enumerate(files):
        quads = list(_parse(path, problems, contents[i] if contents is not None else None))
        if problems.items:
            continue
        for quad in quads:
            if quad.predicate.value == _DERIVED_FROM and isinstance(quad.object, ox.NamedNode):
                cited.add(quad.object.value)
        add_quads(quads)
    problems.raise_any()
    add_terms(passage_triples(cited))


def load_graph(paths: Sequence[PathLike] | None = None, *, include_ontology: bool = True) -> Any:
    """The OTS graph as an rdflib Graph: the given Turtle files/folders (default: bundled
    data/) plus the ontology, with derived passages and the project prefixes bound."""
    from rdflib import Graph

    from ..model.vocab import bind_all

    graph = Graph()
    store = graph.store

    def add_quads(quads: list[Any]) -> None:
        store.addN((ox_to_rdflib(q.subject), ox_to_rdflib(q.predicate), ox_to_rdflib(q.object), graph) for q in quads)

    def add_terms(triples: list[tuple[Term, Term, Term]]) -> None:
        for triple in triples:
            graph.add(tuple(to_rdflib(t) for t in triple))

    _load(input_files(paths, include_ontology=include_ontology), add_quads, add_terms)
    bind_all(graph)
    return graph


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
    import pyoxigraph as ox

    store = ox.Store()

    def add_terms(triples: list[tuple[Term, Term, Term]]) -> None:
        store.bulk_extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples)

    if sources is not None:
        _load([p for p, _ in sources], store.bulk_extend, add_terms, [b for _, b in sources])
    else:
        _load(input_files(paths, include_ontology=include_ontology), store.bulk_extend, add_terms)
    return store


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

    from ..model.terms import from_rdflib

    store = ox.Store()
    store.bulk_extend(ox.Quad(*(to_ox(from_rdflib(t)) for t in triple)) for triple in graph)
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
    graph.addN(
        (ox_to_rdflib(q.subject), ox_to_rdflib(q.predicate), ox_to_rdflib(q.object), graph)
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    )
    bind_all(graph)
    return graph
