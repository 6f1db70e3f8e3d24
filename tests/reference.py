"""rdflib's answer to a stored query on the bundled graph, computed once per test run.

rdflib is the reference engine, and the slowest: the catalogue's examples take about a
minute of CPU. Several tests need the same answers (every example runs and has its kind,
the engine contract compares every engine with them), so each answer is computed by the
first test that asks for it and shared with the other xdist worker (once.once_per_run).
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Mapping
from pathlib import Path

from once import once_per_run

from ots_kg.sparql.catalogue import catalogue
from ots_kg.sparql.engines import open_engine
from ots_kg.sparql.results import Results


class ReferenceAnswers:
    """`answers.get(name, values)`: rdflib's Results for stored query `name` with `values`
    on `graph` (the bundled graph), from `folder` when another test already computed it."""

    def __init__(self, graph, folder: Path) -> None:
        self.graph = graph
        self.folder = folder
        self._seen: dict[str, Results] = {}

    def get(self, name: str, values: Mapping[str, str] | None = None) -> Results:
        key = hashlib.sha256(repr((name, sorted((values or {}).items()))).encode()).hexdigest()[:24]
        if key not in self._seen:

            def compute(path: Path) -> None:
                answer = open_engine("rdflib", graph=self.graph).run(catalogue()[name], values or {})
                path.write_bytes(pickle.dumps(answer))

            path = once_per_run(self.folder / f"{name}-{key}.pickle", compute)
            self._seen[key] = pickle.loads(path.read_bytes())
        return self._seen[key]

    def example(self, name: str, index: int) -> Results:
        """The answer to the query's `index`-th `#+ example:` line."""
        return self.get(name, catalogue()[name].example_values(index))
