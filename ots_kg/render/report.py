"""Validation reports for people (grouped text), programs (JSON), CI (GitHub workflow
commands, SARIF 2.1.0, JUnit XML) and RDF tools (a SHACL sh:ValidationReport in Turtle,
built from the Result terms as they are). Every format carries the load problems (syntax
errors, ill-typed literals) and each result's file:line."""

from __future__ import annotations

import json
import os

from ..io.files import display_path
from ..model.terms import Term, iri, literal, to_json
from ..validation.validate import Report, Result

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _show(term: Term | None) -> str:
    return "" if term is None else term.compact()


def _where(r: Result) -> str:
    return f"{display_path(r.file)}:{r.line}: " if r.file else ""


def _describe(r: Result) -> str:
    where = f" {_show(r.path)}" if r.path else ""
    value = f" = {_show(r.value)}" if r.value and r.value != r.focus else ""
    return f"{_show(r.focus)}{where}{value}: {r.message}"


def format_text(report: Report) -> str:
    """Load problems, then results grouped by shape: file:line, focus, path, value, message."""
    lines: list[str] = []  # load problems go to stderr (cli), one line each
    by_shape: dict[str, list[Result]] = {}
    for r in report.results:
        by_shape.setdefault(r.shape, []).append(r)
    for shape, results in by_shape.items():
        lines.append(f"{shape} ({len(results)})")
        for r in results:
            lines.append(f"  {_where(r)}{r.severity}: {_describe(r)}")
    status = "conforms" if report.conforms and not report.load_problems else "does not conform"
    errors = f", {len(report.load_problems)} load errors" if report.load_problems else ""
    lines.append(f"{status}: {len(report.violations)} violations, {len(report.warnings)} warnings{errors}")
    if report.fallback:
        lines.append(f"(engine {report.engine}: the fast engine does not compile {report.fallback})")
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
            "file": display_path(r.file) or None,
            "line": r.line,
            "terms": {
                k: to_json(t) for k, t in (("focus", r.focus), ("path", r.path), ("value", r.value)) if t is not None
            },
        }

    return json.dumps(
        {
            "conforms": report.conforms and not report.load_problems,
            "violations": len(report.violations),
            "warnings": len(report.warnings),
            "errors": [_problem(p) for p in report.load_problems],
            "engine": report.engine,
            "fallback": report.fallback,
            "results": [result(r) for r in report.results],
        },
        indent=2,
        ensure_ascii=False,
    )


def _problem(p) -> dict:
    return {"file": display_path(p.file), "line": p.line, "kind": p.kind, "message": p.message}


def format_error_json(message: str) -> str:
    """A fatal input error (no report could be made) as the same JSON document shape."""
    doc = {
        "conforms": False,
        "violations": 0,
        "warnings": 0,
        "errors": [{"file": None, "line": None, "kind": "input", "message": message}],
        "results": [],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(report: Report) -> str:
    """GitHub Actions workflow commands: each problem is annotated on its file and line."""
    lines = []
    for p in report.load_problems:
        lines.append(
            f"::error file={_escape_property(display_path(p.file))},line={p.line},"
            f"title={_escape_property('ots-kg ' + p.kind)}::{_escape_data(p.message)}"
        )
    for r in report.results:
        level = "error" if r.severity == "Violation" else "warning" if r.severity == "Warning" else "notice"
        where = f"file={_escape_property(display_path(r.file))},line={r.line}," if r.file else ""
        lines.append(f"::{level} {where}title={_escape_property(r.shape)}::{_escape_data(_describe(r))}")
    status = "conforms" if report.conforms and not report.load_problems else "does not conform"
    lines.append(
        f"{status}: {len(report.violations)} violations, {len(report.warnings)} warnings, "
        f"{len(report.load_problems)} load errors"
    )
    return "\n".join(lines)


SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def format_sarif(report: Report) -> str:
    """SARIF 2.1.0 for code-scanning tools: one rule per shape, one result per problem."""
    from .. import __version__

    def location(file: str | None, line: int | None) -> list[dict]:
        if not file:
            return []
        uri = display_path(file).replace(os.sep, "/")
        return [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line or 1}}}]

    level = {"Violation": "error", "Warning": "warning", "Info": "note"}
    results = [
        {
            "ruleId": f"load/{p.kind}",
            "level": "error",
            "message": {"text": p.message},
            "locations": location(str(p.file), p.line),
        }
        for p in report.load_problems
    ]
    results += [
        {
            "ruleId": r.shape,
            "level": level.get(r.severity, "note"),
            "message": {"text": _describe(r)},
            "locations": location(r.file, r.line),
        }
        for r in report.results
    ]
    rules = sorted({res["ruleId"] for res in results})
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ots-kg",
                        "version": __version__,
                        "informationUri": "https://w3id.org/ots-kg",
                        "rules": [{"id": rule} for rule in rules],
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def format_junit(report: Report) -> str:
    """JUnit XML (one test case per problem, failing) for CI systems that show test reports."""
    from .results import quoteattr

    cases = []
    for p in report.load_problems:
        cases.append((f"{display_path(p.file)}:{p.line}", f"load/{p.kind}", p.message))
    for r in report.violations:
        cases.append((f"{display_path(r.file)}:{r.line}" if r.file else _show(r.focus), r.shape, _describe(r)))
    body = "".join(
        f"  <testcase classname={quoteattr(shape)} name={quoteattr(where)}>"
        f"<failure message={quoteattr(message)}/></testcase>\n"
        for where, shape, message in cases
    )
    if not cases:
        body = '  <testcase classname="ots-kg" name="validate"/>\n'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<testsuite name="ots-kg validate" tests="{max(1, len(cases))}" failures="{len(cases)}">\n'
        f"{body}</testsuite>"
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


FORMATS = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
    "sarif": format_sarif,
    "junit": format_junit,
    "ttl": format_ttl,
}
