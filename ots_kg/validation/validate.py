"""SHACL validation of the graph: three engines, one Report of Terms.

Engines: "pyshacl" runs the core constraints in pySHACL and each SPARQL-based constraint
once over the whole graph (same solutions, see validation.compile); "oxigraph" runs every
constraint compiled to SPARQL on an Oxigraph store (for large graphs); "pyshacl-full" is
plain pySHACL, the reference the others are tested against. The ontology is part of the
data graph so sh:class sees subclasses without RDFS inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import OtsKgError
from ..io.files import PathLike
from ..model.terms import Term, from_rdflib
from . import ENGINES
from .shapes import Shapes, load_shapes


@dataclass(frozen=True)
class Result:
    """One SHACL result. Terms, not display strings: render.report writes them for people
    or as a SHACL report graph without guessing terms back."""

    severity: str  # Violation | Warning | Info
    shape: str  # the shape's name (shapes.shape_name)
    focus: Term
    path: Term | None
    value: Term | None
    message: str

    def sort_key(self) -> tuple:
        return (
            self.severity != "Violation",
            self.shape,
            self.focus.compact(),
            self.path.compact() if self.path else "",
            self.message,
            self.value.compact() if self.value else "",
        )


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Any = None  # pySHACL's own report graph (pyshacl-full only)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != "Violation"]


def validate(
    paths: Sequence[PathLike] | None = None,
    *,
    data: Any = None,
    store: Any = None,
    shapes: Shapes | None = None,
    engine: str = "pyshacl",
) -> Report:
    """Validate the given files (default: bundled data) plus the ontology, an already
    loaded rdflib graph (`data`), or an Oxigraph store holding both (`store`: the disk-store
    route for large graphs, oxigraph engine only), against the shapes."""
    from .compile import compile_shapes, oxigraph_select, rdflib_select, run_checks

    if engine not in ENGINES:
        raise OtsKgError(f"unknown validation engine {engine!r}; one of {', '.join(ENGINES)}")
    model = shapes if shapes is not None else load_shapes()
    if store is not None and engine != "oxigraph":
        raise OtsKgError(f"validation engine {engine!r} needs an rdflib graph; a store takes 'oxigraph'")
    if engine == "oxigraph":
        from ..io.loader import load_store, store_from_graph

        if store is None:
            store = store_from_graph(data) if data is not None else load_store(list(paths) if paths else None)
        findings = run_checks(compile_shapes(model.graph), oxigraph_select(store))
        return _report([Result(*_fields(f)) for f in findings])
    import pyshacl  # heavy: only validation pays for it

    from ..io.loader import load_graph

    graph = data if data is not None else load_graph(paths)
    core = model.graph
    results: list[Result] = []
    if engine == "pyshacl":
        core = model.without_sparql()
        findings = run_checks(compile_shapes(model.graph, include_core=False), rdflib_select(graph))
        results.extend(Result(*_fields(f)) for f in findings)
    _, report_graph, _ = pyshacl.validate(graph, shacl_graph=core, inference="none", advanced=True, allow_warnings=True)
    results.extend(_from_report(report_graph, model))
    return _report(results, report_graph if engine == "pyshacl-full" else None)


def _fields(finding: Any) -> tuple:
    return (finding.severity, finding.shape, finding.focus, finding.path, finding.value, finding.message)


def _report(results: list[Result], graph: Any = None) -> Report:
    ordered = sorted(set(results), key=Result.sort_key)
    return Report(conforms=not any(r.severity == "Violation" for r in ordered), results=ordered, graph=graph)


def _from_report(report: Any, model: Shapes) -> list[Result]:
    """pySHACL's report graph as Results."""
    from rdflib import RDF, URIRef
    from rdflib.namespace import SH

    out = []
    for node in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(node, SH.resultSeverity)
        path = report.value(node, SH.resultPath)
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        out.append(
            Result(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                shape=model.name(report.value(node, SH.sourceShape)),
                focus=from_rdflib(report.value(node, SH.focusNode)),
                path=from_rdflib(path) if isinstance(path, URIRef) else None,
                value=from_rdflib(report.value(node, SH.value)),
                message=messages[0] if messages else "",
            )
        )
    return out
