"""The project vocabularies as rdflib Namespaces, built from `model.prefixes` (the only
model module that imports rdflib: for code that already works on an rdflib graph)."""

from __future__ import annotations

from rdflib import Namespace

from .prefixes import ID, PREFIXES, SOURCE  # noqa: F401  (ID, PREFIXES re-exported)

OTS = Namespace(PREFIXES["ots"])
SOURCE_NS = Namespace(SOURCE)
SCHEMA = Namespace(PREFIXES["schema"])
ORG = Namespace(PREFIXES["org"])
PROV = Namespace(PREFIXES["prov"])
TIME = Namespace(PREFIXES["time"])


def bind_all(graph) -> None:
    """Bind the project prefixes so every serialisation reads the same way."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, Namespace(iri), override=True, replace=True)
