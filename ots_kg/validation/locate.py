"""Each validation result (shape or vocabulary) at the file and line that wrote it (io.locations)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..io.locations import Locator, node_key, term_key
from ..model.terms import Term, from_ox
from ..resources import ontology_file
from .validate import Result
from .vocabulary import check_vocabulary


def located(results: list[Result], loaded: Any) -> list[Result]:
    """The shape results with file and line filled in where their focus node is written,
    plus the closed-vocabulary violations of the data files, located by one index."""
    ontology = ontology_file()
    unknowns = check_vocabulary([(path, quads) for path, quads in loaded.quads.items() if path != ontology])
    nodes = {node_key(r.focus) for r in results}
    nodes |= {node_key(r.value) for r in results if r.path is None and r.value is not None and r.value.is_iri}
    nodes |= {node_key(u.subject) for u in unknowns}
    index = Locator(loaded, nodes)
    return _shape_results(results, index) + vocabulary_results(unknowns, index)


def located_in_files(results: list[Result], files: list[Any], store: Any = None) -> list[Result]:
    """The disk-store route's results at the file and line that wrote them, read from the files
    the store was built from (io.locations.written_lines: the file route's rule, without an
    index of every triple); a blank node at the triple of its nearest IRI holder, found in
    the store (its label there is not the file's)."""
    from ..io.locations import written_lines

    data = [f for f in files if f != ontology_file()]
    questions = {id(r): _questions(r, store) for r in results if r.file is None}
    where = written_lines(data, {q for qs in questions.values() for q in qs})
    found = {id(r): next((where[q] for q in questions.get(id(r), ()) if q in where), None) for r in results}
    # a node no file describes (a passage the loader derives): where it is first named
    unplaced = [r for r in results if r.focus.is_iri and r.file is None and found[id(r)] is None]
    if unplaced and store is not None:
        named = _naming_triples(store, {r.focus.value for r in unplaced})
        where = written_lines(data, {q for qs in named.values() for q in qs})
        order = {str(path): i for i, path in enumerate(data)}
        for result in unplaced:
            places = [where[q] for q in named.get(result.focus.value, ()) if q in where]
            found[id(result)] = min(places, key=lambda p: (order.get(str(p[0]), 0), p[1]), default=None)
    out = []
    for result in results:
        place = found[id(result)]
        out.append(replace(result, file=str(place[0]), line=place[1]) if place else result)
    return out


def _naming_triples(store: Any, iris: set[str], most: int = 20) -> dict[str, list[tuple[str, str | None, str]]]:
    """Per IRI, (subject, predicate, IRI) keys of up to `most` triples that name it as object,
    from an IRI subject: the first of them in file order is where the file route places it."""
    import pyoxigraph as ox

    out: dict[str, list[tuple[str, str | None, str]]] = {}
    for iri in iris:
        for quad in store.quads_for_pattern(None, None, ox.NamedNode(iri), None):
            if isinstance(quad.subject, ox.NamedNode):
                out.setdefault(iri, []).append((node_key(quad.subject), term_key(quad.predicate), f"<{iri}>"))
                if len(out[iri]) == most:
                    break
    return out


def _questions(result: Result, store: Any) -> list[tuple[str, str | None, str | None]]:
    """What to look up for a result, best first: the node a cross-node constraint names, then
    (focus, path, value) as the file route asks; for a blank focus its nearest IRI holder."""
    asked = []
    value = result.value
    if result.path is None and value is not None and value.is_iri and value != result.focus:
        asked.append((node_key(value), None, None))  # a constraint across nodes: the node it names
    if result.focus.kind == "bnode":
        holder = _iri_holder(store, result.focus.value) if store is not None else None
        if holder is not None:
            asked.append(holder)
    else:
        asked.append((node_key(result.focus), term_key(result.path), term_key(value)))
    return asked


def _iri_holder(store: Any, blank: str, depth: int = 16) -> tuple[str, str | None, None] | None:
    """(IRI, predicate, None) of the triple by which the nearest IRI subject holds the blank
    node, through other blank nodes (a nested property list); None for a blank node no IRI
    holds."""
    import pyoxigraph as ox

    node: Any = ox.BlankNode(blank)
    for _ in range(depth):
        holding = next(iter(store.quads_for_pattern(None, None, node, None)), None)
        if holding is None:
            return None
        if isinstance(holding.subject, ox.NamedNode):
            return node_key(holding.subject), term_key(holding.predicate), None
        node = holding.subject
    return None


def ill_typed_problems(triples: list[Any], files: list[Any]) -> list[Any]:
    """The disk store's ill-typed literals as the load problems the file route makes of them,
    each at the line of its triple as the file route finds it, else (a blank subject) at the
    line that first writes the literal; without files, unplaced: line 1 of "store"."""
    from pathlib import Path

    from ..io.loader import Issue, ill_typed_message
    from ..io.locations import literal_lines, written_lines

    if not triples:
        return []
    data = [f for f in files if f != ontology_file()]
    keys = [(node_key(s), term_key(p), term_key(o)) for s, p, o in triples]
    exact = written_lines(data, keys)
    written = literal_lines(data, {o.value for (_, _, o), key in zip(triples, keys, strict=True) if key not in exact})
    out = []
    for (_, _, obj), key in zip(triples, keys, strict=True):
        path, line = exact.get(key) or written.get(obj.value) or (Path("store"), 1)
        out.append(Issue(path, line, ill_typed_message(obj), "literal"))
    return sorted(out, key=lambda issue: (str(issue.file), issue.line, issue.message))


def _shape_results(results: list[Result], index: Locator) -> list[Result]:
    out = []
    for result in results:
        found = index.where(node_key(result.focus), term_key(result.path), term_key(result.value))
        value = result.value
        if result.path is None and value is not None and value.is_iri and value != result.focus:
            # a constraint across nodes (one event per ordinal): the node it names is at fault
            found = index.where(node_key(value)) or found
        out.append(replace(result, file=str(found[0]), line=found[1]) if found else result)
    return out


def vocabulary_results(unknowns: list[Any], index: Locator | None = None) -> list[Result]:
    """Closed-vocabulary findings as validation results, at their file and line when an index
    of the files is given (the disk-store route has none: located_in_files places them after)."""
    out = []
    for unknown in unknowns:
        predicate = f"<{unknown.predicate}>" if unknown.predicate else None
        subject = node_key(unknown.subject)
        if index is None:
            found = None
        elif subject.startswith("_:") or unknown.file is None:  # a blank node's holder; a class-less node's home
            found = index.where(subject)
        else:
            line = index.positions(unknown.file).line_of(subject, predicate, term_key(unknown.obj))
            found = (unknown.file, line or 1)
        out.append(
            Result(
                severity="Violation",
                shape="vocabulary",
                focus=from_ox(unknown.subject),
                path=Term("uri", unknown.predicate) if unknown.predicate else None,
                value=from_ox(unknown.obj) if unknown.obj is not None else None,
                message=unknown.message,
                file=str(found[0]) if found else (str(unknown.file) if unknown.file else None),
                line=found[1] if found else (1 if unknown.file else None),
            )
        )
    return out
