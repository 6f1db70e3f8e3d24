"""SHACL validation of the graph: three engines, one Report of Terms, every result at file:line.

Engines: "oxigraph" (default) runs every constraint compiled to SPARQL on an Oxigraph
store; when the shapes use a SHACL feature the compilation does not cover, it falls back
to plain pySHACL instead of skipping it. "pyshacl" runs the core constraints in pySHACL
and each SPARQL-based constraint once over the whole graph; "pyshacl-full" is plain
pySHACL, the reference the others are tested against. The ontology is part of the data
graph so sh:class sees subclasses without RDFS inference.

Validating files (not a ready graph) also checks the closed vocabulary, keeps going past
syntax errors (they are in `Report.load_problems`; the files that parsed are still
checked) and locates each result at the file and line that wrote it. Validating a disk
store checks the closed vocabulary too (vocabulary.check_store_vocabulary); the store keeps
no positions, so its results are found in the files it was built from, when given, by the
file route's rule (locate.located_in_files).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OtsKgError
from ..io.files import PathLike
from ..model.terms import Term, from_rdflib
from . import ENGINES
from .checks import Counted, oxigraph_select, run_checks

# Oxigraph evaluates the compiled checks outside the GIL: side by side on the cores this
# process may use (bundled graph on 2 cores: 0.19 -> 0.12 s of checks). Capped at 4: not
# measured past 2 cores, and each running query holds its own memory on a large disk store.
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
CHECK_THREADS = max(1, min(4, _CORES))

if TYPE_CHECKING:
    from .shapes import Shapes


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
    file: str | None = None
    line: int | None = None

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
    load_problems: list[Any] = field(default_factory=list)  # io.loader.Issue: syntax errors, ill-typed literals
    engine: str = "oxigraph"  # the engine that ran (after any fallback)
    fallback: str | None = None  # why the fast engine did not run, if it did not

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
    engine: str = "oxigraph",
    changed: Sequence[PathLike] | None = None,
    counted: Counted | None = None,
    files: Sequence[PathLike] | None = None,
) -> Report:
    """Validate the given files (default: bundled data) plus the ontology, an already
    loaded rdflib graph (`data`), or an Oxigraph store holding both (`store`: the disk-store
    route for large graphs, oxigraph engine only), against the shapes. With `changed`, those
    files are validated together with the others, and only problems located in them are
    reported. Without `shapes`, the bundled shapes (compiled once and cached for the
    oxigraph engine: no rdflib then). `counted(done, total)` hears of each compiled check
    the oxigraph engine has run. With a store, `files` (those it was built from) place each
    result at its file and line, by the file route's rule (locate.located_in_files)."""
    if engine not in ENGINES:
        raise OtsKgError(f"unknown validation engine {engine!r}; one of {', '.join(ENGINES)}")
    if store is not None:
        if engine != "oxigraph":
            raise OtsKgError(f"validation engine {engine!r} needs an rdflib graph; a store takes 'oxigraph'")
        from ..io.store import ill_typed_in_store, object_summary
        from .locate import ill_typed_problems, located_in_files, vocabulary_results
        from .vocabulary import check_store_vocabulary

        report = _run(engine, shapes, store=store, counted=counted)
        objects = object_summary(store)  # read once for the vocabulary and the literals
        results = report.results + vocabulary_results(check_store_vocabulary(store, objects=objects))
        paths = [Path(f) for f in files or ()]
        if paths and results:
            results = located_in_files(results, paths, store)
        final = _report(results)
        final.engine, final.fallback = report.engine, report.fallback
        final.load_problems = ill_typed_problems(ill_typed_in_store(store, objects), paths)
        return final
    if data is not None:
        return _run(engine, shapes, graph=data, counted=counted)
    from ..io.files import input_files
    from ..io.loader import read_files
    from .locate import located

    files = input_files(list(paths) if paths else None)
    extra = [f for f in input_files(list(changed), include_ontology=False) if f not in files] if changed else []
    loaded = read_files([*files, *extra])
    report = _run(engine, shapes, loaded=loaded, counted=counted)
    results = located(report.results, loaded)
    problems = loaded.issues
    if changed:
        keep = {str(f) for f in input_files(list(changed), include_ontology=False)}
        results = [r for r in results if r.file in keep]
        problems = [p for p in problems if str(p.file) in keep]
    final = _report(results, report.graph)
    final.load_problems, final.engine, final.fallback = problems, report.engine, report.fallback
    return final


def _run(
    engine: str,
    model: Shapes | None,
    *,
    graph: Any = None,
    loaded: Any = None,
    store: Any = None,
    counted: Counted | None = None,
) -> Report:
    """Run one engine over a ready rdflib graph or loaded files (model None: the bundled
    shapes); the fast engine falls back to plain pySHACL when the shapes use what it does
    not compile."""
    fallback = None
    if engine == "oxigraph":
        checks, unsupported = _compiled(model)
        if not unsupported:
            from ..io.loader import store_from, store_from_graph

            if store is None:
                store = store_from_graph(graph) if graph is not None else store_from(loaded)
            findings = run_checks(checks, oxigraph_select(store), threads=CHECK_THREADS, counted=counted)
            return _report([Result(*_fields(f)) for f in findings])
        if store is not None:
            raise OtsKgError(f"the shapes use what the oxigraph engine does not compile ({'; '.join(unsupported)})")
        fallback, engine = "; ".join(unsupported), "pyshacl-full"
    from ..io.loader import graph_from
    from .compile import compile_shapes, rdflib_select, unsupported_features
    from .shapes import load_shapes

    model = model if model is not None else load_shapes()
    if engine == "pyshacl":
        unsupported = unsupported_features(model.graph)
        if unsupported:
            fallback, engine = "; ".join(unsupported), "pyshacl-full"
    graph = graph if graph is not None else graph_from(loaded)
    core = model.graph
    results: list[Result] = []
    if engine == "pyshacl":
        core = model.without_sparql()
        findings = run_checks(compile_shapes(model.graph, include_core=False), rdflib_select(graph))
        results.extend(Result(*_fields(f)) for f in findings)
    found, report_graph = reference_results(graph, model, core)
    results.extend(found)
    report = _report(results, report_graph if engine == "pyshacl-full" else None)
    report.engine, report.fallback = engine, fallback
    return report


def _compiled(model: Shapes | None) -> tuple[list[Any], list[str]]:
    """The checks of the given shapes, or of the bundled shapes file through the cache."""
    if model is None:
        from ..resources import shapes_file
        from .compiled import compiled_checks

        return compiled_checks(shapes_file())
    from .compile import compiled_or_unsupported

    return compiled_or_unsupported(model.graph)


def reference_results(
    graph: Any, model: Shapes, shapes_graph: Any = None, focus: Sequence[Term] | None = None
) -> tuple[list[Result], Any]:
    """Plain pySHACL's results (and report graph) on a graph, optionally only for the given
    focus nodes (pySHACL's own `focus_nodes` filter). The graph is validated in place when it
    comes from parsed_once() (the caller keeps it and edits it between runs), else on a
    parsed_once() copy: pySHACL clones the data graph itself in advanced mode anyway."""
    import pyshacl

    if focus is not None and not focus:
        return [], None
    target = graph if getattr(graph, "parsed_once", False) else parsed_once(graph)
    _, report_graph, _ = pyshacl.validate(
        target,
        shacl_graph=shapes_graph if shapes_graph is not None else model.graph,
        inference="none",
        advanced=True,
        allow_warnings=True,
        inplace=True,
        focus_nodes=[t.value for t in focus] if focus is not None else None,
    )
    return _from_report(report_graph, model), report_graph


def parsed_once(graph: Any) -> Any:
    """A copy of the graph whose query() parses each query text once. pySHACL runs a SPARQL
    constraint once per focus node by its text, and rdflib parses the text again each time:
    0.1 s a parse, 80 % of plain pySHACL's time on the bundled graph. Same parse, same
    evaluation, same results."""
    from functools import cache

    from rdflib import Graph
    from rdflib.plugins.sparql import prepareQuery

    class ParsedOnce(Graph):
        parsed_once = True

        def query(  # type: ignore[override]
            self,
            query_object: Any,
            processor: Any = "sparql",
            result: Any = "sparql",
            initNs: Any = None,  # noqa: N803 (rdflib's names)
            initBindings: Any = None,  # noqa: N803
            use_store_provided: bool = True,
            **kwargs: Any,
        ) -> Any:
            if isinstance(query_object, str) and processor == "sparql" and initNs is None and not kwargs:
                query_object = prepared(query_object)
            return super().query(query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs)

    copy = ParsedOnce()
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    copy += graph
    namespaces = dict(copy.namespaces())

    @cache
    def prepared(text: str) -> Any:
        return prepareQuery(text, initNs=namespaces)

    return copy


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
