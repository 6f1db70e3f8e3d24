"""ots-kg: the knowledge graph of the Organization of Turkic States.

The Python API the CLI is built on:
    load_graph(paths=None)        -> rdflib.Graph (ontology + data)
    validate(paths=None)          -> validation.validate.Report
    run_query(name, params, graph=None) -> sparql.results.Results
    serialize(graph, fmt)         -> str (deterministic)

Names are imported lazily so that `ots-kg query` does not pay for rdflib when it does
not need it.
"""

from __future__ import annotations

from typing import Any

from .errors import LoadError, OtsKgError, QueryError

__version__ = "0.1.0"  # the one place: pyproject reads it (dynamic), the CLI and User-Agent too

_LAZY = {
    "load_graph": "io.loader",
    "load_data": "io.loader",
    "load_store": "io.loader",
    "serialize": "io.export",
    "open_engine": "sparql.engines",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)


def validate(paths=None, **options: Any):
    """SHACL-validate files (default: bundled data); see ots_kg.validation.validate."""
    from .validation.validate import validate as run

    return run(paths, **options)


def run_query(name: str, params: dict[str, str] | None = None, graph=None, *, engine: str = "rdflib"):
    """Run a stored query (or .rq file) with typed parameters on graph (default: bundled)."""
    from .sparql.catalogue import find_query
    from .sparql.engines import open_engine

    return open_engine(engine, graph=graph).run(find_query(name), params or {})


__all__ = [
    "LoadError",
    "OtsKgError",
    "QueryError",
    "load_data",
    "load_graph",
    "load_store",
    "open_engine",
    "run_query",
    "serialize",
    "validate",
    "__version__",
]
