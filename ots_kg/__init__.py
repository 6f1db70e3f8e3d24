"""ots-kg: the knowledge graph of the Organization of Turkic States.

The Python API the CLI is built on:
    load_graph(paths=None)        -> rdflib.Graph (ontology + data)
    validate(paths=None)          -> validate.Report
    run_query(name, params, graph=None) -> results.Results
    serialize(graph, fmt)         -> str (deterministic)

Names are imported lazily so that `ots-kg query` does not pay for rdflib when it does
not need it.
"""
from __future__ import annotations

from .errors import LoadError, OtsKgError, QueryError

__version__ = "0.1.0"

_LAZY = {"load_graph": "load", "load_data": "load", "serialize": "export"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(name)


def validate(paths=None):
    """SHACL-validate files (default: bundled data); see ots_kg.validate.validate."""
    from .validate import validate as run

    return run(paths)


def run_query(name: str, params: dict[str, str] | None = None, graph=None):
    """Run a stored query (or .rq file) with typed parameters on graph (default: bundled)."""
    from .catalogue import find_query
    from .load import load_graph
    from .query import run_local

    return run_local(graph if graph is not None else load_graph(), find_query(name), params or {})


__all__ = ["LoadError", "OtsKgError", "QueryError", "load_data", "load_graph", "run_query",
           "serialize", "validate", "__version__"]
