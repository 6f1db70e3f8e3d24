"""Each validation result at the file and line that wrote it.

A result names terms (focus node, path, value); the file is the one whose quads have the
focus as subject, the line that of the triple (focus, path, value), of the path, or of the
focus node's subject block (io.turtle_positions). Files are tokenized only when one of
their nodes has a result, so a conforming graph pays nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..io.turtle_positions import positions
from ..model.terms import Term, from_ox
from ..resources import ontology_file
from .validate import Result
from .vocabulary import check_vocabulary


def _key(term: Any) -> str | None:
    """A term as a positions key: `<iri>` or `"lexical form`; blank nodes have none."""
    if term is None:
        return None
    if isinstance(term, Term):
        kind, value = term.kind, term.value
    else:  # a pyoxigraph term
        kind = {"NamedNode": "uri", "Literal": "literal"}.get(type(term).__name__, "bnode")
        value = term.value
    if kind == "uri":
        return f"<{value}>"
    if kind == "literal":
        return '"' + value
    return None


class _Index:
    """Where each subject is written: file, and for blank nodes the triple pointing at them."""

    def __init__(self, loaded: Any) -> None:
        self.files: dict[str, Path] = {}
        self.parents: dict[str, tuple[Path, Any, Any]] = {}
        ontology = ontology_file()
        for path, quads in loaded.quads.items():
            for quad in quads:
                key = _node(quad.subject)
                if key not in self.files or self.files[key] == ontology:
                    self.files[key] = path
                if type(quad.object).__name__ == "BlankNode":
                    self.parents.setdefault(_node(quad.object), (path, quad.subject, quad.predicate))

    def where(self, focus: str, predicate: str | None = None, obj: str | None = None) -> tuple[Path, int] | None:
        path = self.files.get(focus)
        if path is None:
            return None
        if focus.startswith("_:"):  # a blank node: the line of the triple that holds it
            parent = self.parents.get(focus)
            if parent is None:
                return None
            path, subject, predicate_term = parent
            line = positions(path).line_of(_key(subject) or "", _key(predicate_term))
        else:
            line = positions(path).line_of(focus, predicate, obj)
        return path, line or 1


def _node(term: Any) -> str:
    if isinstance(term, Term):
        return f"<{term.value}>" if term.kind == "uri" else f"_:{term.value}"
    return f"<{term.value}>" if type(term).__name__ == "NamedNode" else f"_:{term.value}"


def locate(results: list[Result], loaded: Any) -> list[Result]:
    """The results with file and line filled in where their focus node is written."""
    index = _Index(loaded)
    out = []
    for result in results:
        found = index.where(_node(result.focus), _key(result.path), _key(result.value))
        out.append(replace(result, file=str(found[0]), line=found[1]) if found else result)
    return out


def vocabulary_results(loaded: Any) -> list[Result]:
    """Closed-vocabulary violations of the data files, as located Results."""
    ontology = ontology_file()
    data = [(path, quads) for path, quads in loaded.quads.items() if path != ontology]
    index = _Index(loaded)
    out = []
    for unknown in check_vocabulary(data):
        predicate = f"<{unknown.predicate}>" if unknown.predicate else None
        subject = _node(unknown.subject)
        if subject.startswith("_:"):
            found = index.where(subject)
        else:
            found = (unknown.file, positions(unknown.file).line_of(subject, predicate, _key(unknown.obj)) or 1)
        out.append(
            Result(
                severity="Violation",
                shape="vocabulary",
                focus=from_ox(unknown.subject),
                path=Term("uri", unknown.predicate) if unknown.predicate else None,
                value=from_ox(unknown.obj) if unknown.obj is not None else None,
                message=unknown.message,
                file=str(found[0] if found else unknown.file),
                line=found[1] if found else 1,
            )
        )
    return out
