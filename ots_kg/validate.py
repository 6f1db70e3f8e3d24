"""SHACL validation of the graph with pySHACL, and a report people and programs can read."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from .load import PathLike, load_graph
from .resources import shapes_file


@dataclass(frozen=True)
class Result:
    """One SHACL result, with terms already shortened for reading."""

    severity: str
    shape: str
    focus: str
    path: str
    value: str
    message: str


@dataclass
class Report:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    graph: Graph | None = None

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != "Violation"]


def load_shapes() -> Graph:
    return Graph().parse(shapes_file(), format="turtle")


def validate(
    paths: Sequence[PathLike] | None = None, *, data: Graph | None = None,
    shapes: Graph | None = None,
) -> Report:
    """Validate the given files (default: bundled data) plus the ontology against the shapes.

    The ontology is part of the data graph so sh:class sees subclasses and role instances
    without RDFS inference, which would cost more than the whole validation.
    """
    import pyshacl  # heavy: only validation pays for it

    graph = data if data is not None else load_graph(paths)
    shapes_graph = shapes if shapes is not None else load_shapes()
    _, report_graph, _ = pyshacl.validate(
        graph, shacl_graph=shapes_graph, inference="none", advanced=True,
        allow_warnings=True,
    )
    results = sorted(
        (_result(report_graph, graph, shapes_graph, node)
         for node in report_graph.subjects(RDF.type, SH.ValidationResult)),
        key=lambda r: (r.severity != "Violation", r.shape, r.focus, r.path, r.message, r.value),
    )
    conforms = not any(r.severity == "Violation" for r in results)
    return Report(conforms=conforms, results=results, graph=report_graph)


def _short(graph: Graph, term) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(term)
        except Exception:
            return f"<{term}>"
    if isinstance(term, Literal):
        return str(term)
    return "_:" + str(term)[:8]


def _shape_name(shapes: Graph, report: Graph, shape) -> str:
    """A property shape is anonymous: name it by its node shape and path."""
    if isinstance(shape, URIRef):
        return _short(shapes, shape)
    parent = shapes.value(predicate=SH.property, object=shape)
    path = shapes.value(shape, SH.path)
    if parent is None:
        parent = shapes.value(predicate=SH.sparql, object=shape)
    label = _short(shapes, parent) if parent is not None else "(anonymous shape)"
    if path is not None and not isinstance(path, BNode):
        label += f" / {_short(shapes, path)}"
    return label


def _result(report: Graph, data: Graph, shapes: Graph, node) -> Result:
    severity = report.value(node, SH.resultSeverity)
    source = report.value(node, SH.sourceShape)
    path = report.value(node, SH.resultPath)
    messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
    return Result(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        shape=_shape_name(shapes, report, source),
        focus=_short(data, report.value(node, SH.focusNode)),
        path="" if isinstance(path, BNode) else _short(data, path),
        value=_short(data, report.value(node, SH.value)),
        message=messages[0] if messages else "",
    )


def format_text(report: Report) -> str:
    """Results grouped by shape: focus node, path, value, message, severity."""
    lines = []
    by_shape: dict[str, list[Result]] = {}
    for r in report.results:
        by_shape.setdefault(r.shape, []).append(r)
    for shape, results in by_shape.items():
        lines.append(f"{shape} ({len(results)})")
        for r in results:
            where = f" {r.path}" if r.path else ""
            value = f" = {r.value}" if r.value and r.value != r.focus else ""
            lines.append(f"  {r.severity}: {r.focus}{where}{value}: {r.message}")
    status = "conforms" if report.conforms else "does not conform"
    lines.append(
        f"{status}: {len(report.violations)} violations, {len(report.warnings)} warnings"
    )
    return "\n".join(lines)


def format_json(report: Report) -> str:
    return json.dumps(
        {"conforms": report.conforms,
         "violations": len(report.violations), "warnings": len(report.warnings),
         "results": [asdict(r) for r in report.results]},
        indent=2, ensure_ascii=False,
    )


def format_ttl(report: Report) -> str:
    from .export import serialize

    return serialize(report.graph if report.graph is not None else Graph(), "ttl")


FORMATS = {"text": format_text, "json": format_json, "ttl": format_ttl}
