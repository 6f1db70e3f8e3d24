"""The answer to a query, made of Terms whichever engine gave it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..model.terms import Term

Triple = tuple[Term, Term, Term]


@dataclass
class Results:
    """A SELECT answer (vars + rows), an ASK boolean, or CONSTRUCT/DESCRIBE triples."""

    kind: str
    vars: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[Triple] = field(default_factory=list)

    @property
    def graph(self) -> Any:
        """The triples as an rdflib Graph (for callers that want rdflib's API)."""
        from rdflib import Graph

        from ..model.terms import to_rdflib

        graph = Graph()
        for triple in self.triples:
            graph.add(tuple(to_rdflib(t) for t in triple))
        return graph

    def as_set(self) -> set[tuple]:
        return set(self.rows)

    def multiset(self) -> Counter:
        """Rows as a multiset: what SPARQL fixes about a SELECT answer without ORDER BY."""
        return Counter(self.rows)
