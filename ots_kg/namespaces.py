"""The project's namespaces, in one place so modules and tests agree on IRIs."""
from __future__ import annotations

from rdflib import Namespace

OTS = Namespace("https://w3id.org/ots-kg/ontology#")
ID = "https://w3id.org/ots-kg/id/"
SOURCE = Namespace(ID + "source/")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
TIME = Namespace("http://www.w3.org/2006/time#")

from .namespaces_plain import PREFIXES  # noqa: E402  (re-exported)


def bind_all(graph) -> None:
    """Bind the project prefixes so every serialisation reads the same way."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, Namespace(iri), override=True, replace=True)
