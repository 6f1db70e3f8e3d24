"""The OWL-RL closure of ontology + data is consistent."""

from __future__ import annotations

import owlrl
import pytest
from rdflib import OWL, RDF, Graph
from rdflib.namespace import Namespace
from rdflib.term import _toPythonMapping

from ots_kg.io.loader import load_graph

ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")


def closure(graph: Graph) -> Graph:
    """owlrl installs its own lexical converters in rdflib for the whole process and its
    "restore" keeps the ones rdflib lacks (gYear, gYearMonth): put rdflib's table back exactly,
    or later tests in this worker see an rdflib that parses types it cannot parse."""
    saved = dict(_toPythonMapping)
    try:
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    finally:
        _toPythonMapping.clear()
        _toPythonMapping.update(saved)
    return graph


@pytest.mark.early
def test_owl_rl_closure_has_no_inconsistency():
    g = closure(load_graph())
    assert not list(g.subjects(RDF.type, OWL.Nothing))
    assert not [str(m) for m in g.objects(None, ERR.error)]


def test_closure_would_catch_a_disjointness_violation(tmp_path, ttl):
    """The test above can fail: a node typed both event and document is reported."""
    path = ttl("event:x a ots:Meeting, ots:Agreement .")
    g = closure(load_graph([path]))
    messages = [str(m) for m in g.objects(None, ERR.error)]
    assert any("Disjoint" in m or "disjoint" in m for m in messages), messages
