"""Where the bundled ontology, shapes, data and queries are.

A source checkout keeps them at the top level (ontology/, data/, queries/); an installed
wheel carries the same folders inside the package as ots_kg/_ontology, _data, _queries.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
_NAMES = {"ontology": "_ontology", "data": "_data", "queries": "_queries"}


def resource_dir(name: str) -> Path:
    """The folder of one bundled resource kind, in a checkout or an installed package."""
    checkout = _HERE.parent / name
    if (checkout / ".ots-kg-resource").exists():
        return checkout
    return _HERE / _NAMES[name]


def ontology_file() -> Path:
    return resource_dir("ontology") / "ots.ttl"


def shapes_file() -> Path:
    return resource_dir("ontology") / "shapes.ttl"


def data_dir() -> Path:
    return resource_dir("data")


def queries_dir() -> Path:
    return resource_dir("queries")


def sources_dir() -> Path:
    """The shared source documents beside a checkout (../shared/sources), if present."""
    return _HERE.parent.parent / "shared" / "sources"
