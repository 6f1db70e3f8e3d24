"""The same input gives the same bytes (that exports read back as the graph:
test_store_protocol.test_every_export_reads_back_as_written_in_rdflib_and_pyoxigraph)."""

from __future__ import annotations

import hashlib
import os

import pytest
from conftest import EXPORT_SEED, run_cli

from ots_kg.io.export import serialize
from ots_kg.model.formats import GRAPH_FORMATS as FORMATS


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_two_runs_give_identical_bytes(fmt, tmp_path, exported):
    """Another hash seed than the shared export's (conftest.EXPORT_SEED) writes the same bytes."""
    assert EXPORT_SEED != "2"
    out = tmp_path / f"2.{fmt}"
    proc = run_cli("export", "--format", fmt, "-o", str(out), env=dict(os.environ, PYTHONHASHSEED="2"))
    assert proc.returncode == 0, proc.stderr
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(exported(fmt).read_bytes()).digest()


def test_export_includes_ontology_and_data(graph):
    text = serialize(graph, "nt")
    assert "<https://w3id.org/ots-kg/ontology#Summit> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" in text
    assert "<https://w3id.org/ots-kg/id/event/2022-11-11-summit-9>" in text


@pytest.mark.parametrize("fmt", ["nt", "ttl"])
def test_an_export_validated_as_data_conforms(fmt, exported):
    """What a user publishes validates like the data it came from: the export holds the
    ontology's own statements too, and each of their subjects has a class (the reused
    schema.org classes once had only rdfs:subClassOf: 15 violations)."""
    proc = run_cli("validate", str(exported(fmt)))
    assert proc.returncode == 0, proc.stdout[-1500:]
    assert "conforms: 0 violations" in proc.stdout
