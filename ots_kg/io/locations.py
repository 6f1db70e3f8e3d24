"""Where a node or triple of loaded files is written: file and line.

The file is the one whose quads have the node as subject (data before the ontology); the
line that of the triple (node, predicate, object), of the predicate, or of the node's
subject block (io.turtle_positions); a blank node is found through the triple holding it.
Files are tokenized only when asked about, so a conforming graph pays nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model.terms import Term
from ..resources import ontology_file
from .turtle_positions import positions


def term_key(term: Any) -> str | None:
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


class Locator:
    """Where each subject is written: file, and for blank nodes the triple pointing at them."""

    def __init__(self, loaded: Any) -> None:
        self.files: dict[str, Path] = {}
        self.parents: dict[str, tuple[Path, Any, Any]] = {}
        ontology = ontology_file()
        for path, quads in loaded.quads.items():
            for quad in quads:
                key = node_key(quad.subject)
                if key not in self.files or self.files[key] == ontology:
                    self.files[key] = path
                if type(quad.object).__name__ == "BlankNode":
                    self.parents.setdefault(node_key(quad.object), (path, quad.subject, quad.predicate))

    def where(self, focus: str, predicate: str | None = None, obj: str | None = None) -> tuple[Path, int] | None:
        path = self.files.get(focus)
        if path is None:
            return None
        if focus.startswith("_:"):  # a blank node: the line of the triple that holds it
            parent = self.parents.get(focus)
            if parent is None:
                return None
            path, subject, predicate_term = parent
            line = positions(path).line_of(term_key(subject) or "", term_key(predicate_term))
        else:
            line = positions(path).line_of(focus, predicate, obj)
        return path, line or 1


def node_key(term: Any) -> str:
    """A subject as a key: `<iri>` or `_:id` (Terms and pyoxigraph terms alike)."""
    if isinstance(term, Term):
        return f"<{term.value}>" if term.kind == "uri" else f"_:{term.value}"
    return f"<{term.value}>" if type(term).__name__ == "NamedNode" else f"_:{term.value}"


