"""rdflib's answer to a stored query on the bundled graph, computed once per test run.

rdflib is the reference engine, and the slowest: the catalogue's examples take about a
minute of CPU. Several tests need the same answers (every example runs and has its kind,
the engine contract compares every engine with them), so each answer is computed by the
first test that asks for it and kept as a pickle in a folder all pytest-xdist workers of
the run share; a per-answer file lock makes the other worker wait for it instead of
computing it again. Only answers are shared: an error is raised again by every asker.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
from collections.abc import Mapping
from pathlib import Path

from ots_kg.sparql.catalogue import catalogue
from ots_kg.sparql.engines import open_engine
from ots_kg.sparql.results import Results


class ReferenceAnswers:
    """`answers.get(name, values)`: rdflib's Results for stored query `name` with `values`
    on `graph` (the bundled graph), from `folder` when another test already computed it."""

    def __init__(self, graph, folder: Path) -> None:
        self.graph = graph
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._seen: dict[str, Results] = {}

    def get(self, name: str, values: Mapping[str, str] | None = None) -> Results:
        key = hashlib.sha256(repr((name, sorted((values or {}).items()))).encode()).hexdigest()[:24]
        if key in self._seen:
            return self._seen[key]
        path = self.folder / f"{name}-{key}.pickle"
        with open(self.folder / f"{name}-{key}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if path.exists():
                answer = pickle.loads(path.read_bytes())
            else:
                answer = open_engine("rdflib", graph=self.graph).run(catalogue()[name], values or {})
                partial = path.with_suffix(f".{os.getpid()}")
                partial.write_bytes(pickle.dumps(answer))
                partial.replace(path)
        self._seen[key] = answer
        return answer

    def example(self, name: str, index: int) -> Results:
        """The answer to the query's `index`-th `#+ example:` line."""
        return self.get(name, catalogue()[name].example_values(index))
