"""Validation reports for people (grouped text), programs (JSON) and RDF tools (a SHACL
sh:ValidationReport in Turtle, built from the Result terms as they are)."""

from __future__ import annotations

import json

from ..model.terms import Term, iri, literal, to_json
from ..validation.validate import Report, Result

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _show(term: Term | None) -> str:
    return "" if term is None else term.compact()


def format_text(report: Report) -> str:
    """Results grouped by shape: focus node, path, value, message, severity."""
    lines = []
    by_shape: dict[str, list[Result]] = {}
    for r in report.results:
        by_shape.setdefault(r.shape, []).append(r)
    for shape, results in by_shape.items():
        lines.append(f"{shape} ({len(results)})")
        for r in results:
            where = f" {_show(r.path)}" if r.path else ""
            value = f" = {_show(r.value)}" if r.value and r.value != r.focus else ""
            lines.append(f"  {r.severity}: {_show(r.focus)}{where}{value}: {r.message}")
    status = "conforms" if report.conforms else "does not conform"
    lines.append(f"{status}: {len(report.violations)} violations, {len(report.warnings)} warnings")
    return "\n".join(lines)


def format_json(report: Report) -> str:
    """Counts and every result; terms in compact form plus their SPARQL JSON encoding."""

    def result(r: Result) -> dict:
        return {
            "severity": r.severity,
            "shape": r.shape,
            "focus": _show(r.focus),
            "path": _show(r.path),
            "value": _show(r.value),
            "message": r.message,
            "terms": {
                k: to_json(t) for k, t in (("focus", r.focus), ("path", r.path), ("value", r.value)) if t is not None
            },
        }

    return json.dumps(
        {
            "conforms": report.conforms,
            "violations": len(report.violations),
            "warnings": len(report.warnings),
            "results": [result(r) for r in report.results],
        },
        indent=2,
        ensure_ascii=False,
    )


def format_ttl(report: Report) -> str:
    """The report as a SHACL validation report graph (sh:ValidationReport) in Turtle."""
    from rdflib import Graph

    from ..io.export import serialize
    from ..model.prefixes import expand_iri
    from ..model.terms import to_rdflib

    graph = Graph()
    graph.bind("sh", SH)
    node = iri("urn:ots-kg:validation-report")
    triples = [
        (node, iri(RDF_TYPE), iri(SH + "ValidationReport")),
        (
            node,
            iri(SH + "conforms"),
            literal("true" if report.conforms else "false", "http://www.w3.org/2001/XMLSchema#boolean"),
        ),
    ]
    for number, r in enumerate(report.results, 1):
        result = iri(f"urn:ots-kg:validation-report:{number}")
        shape = r.shape.split(" / ")[0]
        triples += [
            (node, iri(SH + "result"), result),
            (result, iri(RDF_TYPE), iri(SH + "ValidationResult")),
            (result, iri(SH + "resultSeverity"), iri(SH + r.severity)),
            (result, iri(SH + "focusNode"), r.focus),
            (result, iri(SH + "resultMessage"), literal(r.message)),
        ]
        if not shape.startswith("("):
            triples.append((result, iri(SH + "sourceShape"), iri(expand_iri(shape))))
        if r.path is not None:
            triples.append((result, iri(SH + "resultPath"), r.path))
        if r.value is not None:
            triples.append((result, iri(SH + "value"), r.value))
    for triple in triples:
        graph.add(tuple(to_rdflib(t) for t in triple))
    return serialize(graph, "ttl")


FORMATS = {"text": format_text, "json": format_json, "ttl": format_ttl}
