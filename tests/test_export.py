"""Exports re-parse to the same graph, and the same input gives the same bytes."""

from __future__ import annotations

import hashlib
import os

import pytest
from conftest import run_cli
from rdflib.compare import isomorphic

from ots_kg.io.export import reparse, serialize
from ots_kg.model.formats import GRAPH_FORMATS as FORMATS


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_round_trips(graph, fmt):
    text = serialize(graph, fmt)
    assert isomorphic(graph, reparse(text, fmt))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_two_runs_give_identical_bytes(fmt, tmp_path):
    digests = set()
    for seed in ("1", "2"):
        out = tmp_path / f"{seed}.{fmt}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = run_cli("export", "--format", fmt, "-o", str(out), env=env)
        assert proc.returncode == 0, proc.stderr
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(digests) == 1


def test_export_includes_ontology_and_data(graph):
    text = serialize(graph, "nt")
    assert "<https://w3id.org/ots-kg/ontology#Summit> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>" in text
    assert "<https://w3id.org/ots-kg/id/event/2022-11-11-summit-9>" in text
