"""SHACL validation of the graph with pySHACL, and a report people and programs can read."""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from rdflib import RDF, BNode, Graph
from rdflib.namespace import SH

from .errors import OtsKgError
from .load import PathLike, load_graph
from .resources import shapes_file
from .results import compact


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


ENGINES = ("pyshacl", "oxigraph", "pyshacl-full")


def validate(
    paths: Sequence[PathLike] | None = None, *, data: Graph | None = None,
    shapes: Graph | None = None, engine: str = "pyshacl",
) -> Report:
    """Validate the given files (default: bundled data) plus the ontology against the shapes.

    Engines: "pyshacl" runs the core constraints in pySHACL and each SPARQL-based
    constraint once over the whole graph (same solutions, see ots_kg.shacl); "oxigraph"
    runs every constraint compiled to SPARQL on an Oxigraph store (for large graphs);
    "pyshacl-full" is plain pySHACL, the reference the others are tested against. The
    ontology is part of the data graph so sh:class sees subclasses without RDFS inference.
    """
    from .shacl import compile_shapes, oxigraph_select, rdflib_select, run_checks

    if engine not in ENGINES:
        raise OtsKgError(f"unknown validation engine {engine!r}; one of {', '.join(ENGINES)}")
    shapes_graph = shapes if shapes is not None else load_shapes()
    if engine == "oxigraph":
        if data is not None:
            import pyoxigraph as ox

            from .export import serialize

            store = ox.Store()
            store.bulk_load(serialize(data, "nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        else:
            from .fast import load_store_direct

            store = load_store_direct(list(paths) if paths else None)
        findings = run_checks(compile_shapes(shapes_graph), oxigraph_select(store))
        return _report([_from_finding(f) for f in findings])
    import pyshacl  # heavy: only validation pays for it

    graph = data if data is not None else load_graph(paths)
    core = shapes_graph
    results: list[Result] = []
    if engine == "pyshacl":
        core = Graph()
        for triple in shapes_graph:
            if triple[1] != SH.sparql:
                core.add(triple)
        findings = run_checks(compile_shapes(shapes_graph, include_core=False), rdflib_select(graph))
        results.extend(_from_finding(f) for f in findings)
    _, report_graph, _ = pyshacl.validate(
        graph, shacl_graph=core, inference="none", advanced=True, allow_warnings=True,
    )
    results.extend(_result(report_graph, shapes_graph, node)
                   for node in report_graph.subjects(RDF.type, SH.ValidationResult))
    return _report(results, report_graph if engine == "pyshacl-full" else None)


def _report(results: list[Result], graph: Graph | None = None) -> Report:
    ordered = sorted(set(results), key=lambda r: (r.severity != "Violation", r.shape, r.focus, r.path,
                                                  r.message, r.value))
    conforms = not any(r.severity == "Violation" for r in ordered)
    return Report(conforms=conforms, results=ordered, graph=graph)


def _from_finding(finding) -> Result:
    return Result(severity=finding.severity, shape=finding.shape, focus=compact(finding.focus),
                  path=finding.path, value=compact(finding.value), message=finding.message)


def _result(report: Graph, shapes: Graph, node) -> Result:
    from .shacl import shape_name

    severity = report.value(node, SH.resultSeverity)
    path = report.value(node, SH.resultPath)
    messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
    return Result(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        shape=shape_name(shapes, report.value(node, SH.sourceShape)),
        focus=compact(report.value(node, SH.focusNode)),
        path="" if isinstance(path, BNode) or path is None else compact(path),
        value=compact(report.value(node, SH.value)),
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
    """The report as a SHACL validation report graph (sh:ValidationReport) in Turtle."""
    from rdflib import Literal, URIRef

    from .export import serialize
    from .namespaces_plain import PREFIXES

    graph = Graph()
    graph.bind("sh", SH)
    report_node = URIRef("urn:ots-kg:validation-report")
    graph.add((report_node, RDF.type, SH.ValidationReport))
    graph.add((report_node, SH.conforms, Literal(report.conforms)))

    def term(text: str):
        prefix, sep, local = text.partition(":")
        if sep and prefix in PREFIXES:
            return URIRef(PREFIXES[prefix] + local)
        return URIRef(text[1:-1]) if text.startswith("<") else Literal(text)

    for number, r in enumerate(report.results, 1):
        node = URIRef(f"urn:ots-kg:validation-report:{number}")
        graph.add((report_node, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[r.severity]))
        graph.add((node, SH.focusNode, term(r.focus)))
        graph.add((node, SH.sourceShape, term(r.shape.split(" / ")[0])))
        graph.add((node, SH.resultMessage, Literal(r.message)))
        if r.path:
            graph.add((node, SH.resultPath, term(r.path)))
        if r.value:
            graph.add((node, SH.value, term(r.value)))
    return serialize(graph, "ttl")


FORMATS = {"text": format_text, "json": format_json, "ttl": format_ttl}
