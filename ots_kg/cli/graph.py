"""Commands over the whole graph: validate, export, stats, check-sources."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import LoadError, OtsKgError
from ..model.formats import EXPORT_FORMATS, LISTING_FORMATS, REPORT_FORMATS, format_for
from ..model.prefixes import compact_iri
from ..progress import Progress
from ..validation import ENGINES as VALIDATION_ENGINES
from .common import EPILOG, PATHS, STORE, load_graph_route, open_store_route, write


@click.command(epilog=EPILOG)
@PATHS
@click.option(
    "--format",
    "fmt",
    type=click.Choice(REPORT_FORMATS),
    default="text",
    show_default=True,
    help="text for people; json; github (workflow commands: annotations on the diff); "
    "sarif (SARIF 2.1.0, code scanning); junit (XML test report); ttl (SHACL report graph).",
)
@click.option(
    "--engine",
    type=click.Choice(VALIDATION_ENGINES),
    default="oxigraph",
    show_default=True,
    help="oxigraph: every constraint compiled to SPARQL on Oxigraph (falls back to plain pySHACL "
    "if the shapes use a feature it does not compile); pyshacl: pySHACL for core constraints, "
    "SPARQL constraints run once over the graph; pyshacl-full: plain pySHACL (slow reference). "
    "With --store or a large input: oxigraph.",
)
@click.option(
    "--changed",
    is_flag=True,
    help="PATHS are changed files: validate them together with the --context graph and report "
    "only the problems located in them (what a pre-commit hook wants).",
)
@click.option(
    "--context",
    multiple=True,
    type=click.Path(path_type=Path),
    help="With --changed: the graph the changed files belong to (repeatable; default: the bundled data/).",
)
@STORE
@click.pass_context
def validate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    fmt: str,
    engine: str,
    changed: bool,
    context: tuple[Path, ...],
    store_dir: Path | None,
) -> None:
    """Check Turtle files or folders (default: the bundled data/) against the shapes.

    The data is loaded together with the ontology and checked against ontology/shapes.ttl
    and the closed vocabulary (every class, property and datatype declared in ots.ttl or
    ontology/reused-terms.ttl). Every file is parsed and every syntax error reported; the
    files that parse are still checked. Each problem names its file and line. Warnings
    are shown but do not fail. The bundled graph is the checkout's ontology/, data/ and
    queries/ when run inside a checkout (edits count without reinstalling), else the
    installed package's copy.

    \b
    Examples:
      ots-kg validate                                   # the bundled graph
      ots-kg validate data/ --format github             # annotations in GitHub Actions
      ots-kg validate --changed data/areas/transport.ttl  # one file, in the bundled graph
      ots-kg validate --changed --context mydata/ mydata/new.ttl
      ots-kg validate mydata/ --format sarif > ots.sarif
      ots-kg validate big/ --store /tmp/ots-store      # on-disk store, no rdflib graph

    Exit 0 when the graph conforms, 1 on any violation, 2 when a file cannot be read or parsed.
    With --store DIR (or inputs above 50 MB) the graph is read from an on-disk Oxigraph
    store and checked by the oxigraph engine, the closed vocabulary included; no rdflib
    graph is built, and each result is placed at the line where its node's block starts.
    """
    from ..io.files import input_files
    from ..render.report import FORMATS, format_error_json
    from ..validation.validate import Report
    from ..validation.validate import validate as run

    try:
        explicit = ctx.get_parameter_source("engine") is not click.core.ParameterSource.DEFAULT
        rdflib_only = f"--engine {engine}" if explicit and engine != "oxigraph" else ""
        try:
            store = None if changed else open_store_route(store_dir, paths, rdflib_only)
        except LoadError as exc:  # a store build stopped by syntax errors: report them all, as the files' own
            if not getattr(exc, "issues", None):
                raise
            store, report = None, Report(conforms=False, load_problems=exc.issues)  # type: ignore[attr-defined]
        else:
            with Progress("validating", unit="constraints") as shown:
                shown.step(f"loading and checking ({engine})")
                counted = shown.count if shown.shown else None
                if changed:
                    if not paths:
                        raise OtsKgError("--changed needs the changed files as PATHS")
                    report = run(list(context) or None, engine=engine, changed=list(paths), counted=counted)
                elif store is not None:
                    report = run(
                        store=store, engine="oxigraph", counted=counted, files=input_files(list(paths) or None)
                    )
                else:
                    report = run(list(paths) or None, engine=engine, counted=counted)
    except OtsKgError as exc:
        if fmt == "json":
            click.echo(format_error_json(str(exc)))
        raise
    if report.fallback:
        click.echo(
            f"ots-kg: falling back to plain pySHACL: the fast engine does not compile {report.fallback}", err=True
        )
    if fmt == "text":
        for problem in report.load_problems:
            click.echo(f"ots-kg: {problem}", err=True)
    click.echo(FORMATS[fmt](report))
    sys.exit(2 if report.load_problems else 0 if report.conforms else 1)


@click.command(epilog=EPILOG)
@PATHS
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    help="RDF formats, or graphml (Gephi, Cytoscape, yEd) and csv (Neo4j bulk import).  [default: ttl, or what "
    "the suffix of -o names: .ttl, .nt, .jsonld, .rdf, .xml, .trig, .graphml]",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Write to a file (a folder for csv: nodes.csv and relationships.csv).",
)
@click.option(
    "--graph",
    "graph_name",
    metavar="IRI",
    help="TriG: the named graph to write the triples in [default: https://w3id.org/ots-kg/id/graph].",
)
@click.option("--default-graph", is_flag=True, help="TriG: write the triples in the default graph instead.")
@STORE
def export(
    paths: tuple[Path, ...],
    fmt: str | None,
    output: Path | None,
    graph_name: str | None,
    default_graph: bool,
    store_dir: Path | None,
) -> None:
    """Write the whole graph (ontology + data) in one format.

    RDF output is deterministic: blank nodes are named by content and statements sorted,
    so the same input gives byte-identical files, fit for git diffs. graphml and csv turn
    the data into a property graph: resources become nodes (label, type, kind and their
    literal values as attributes), object properties become labelled edges. TriG puts every
    triple in the named graph <https://w3id.org/ots-kg/id/graph> (--graph IRI for another,
    --default-graph for none). Plain strings stay plain ("HU", not "HU"^^xsd:string).

    \b
    Examples:
      ots-kg export --format nt -o ots.nt
      ots-kg export --format trig --default-graph -o ots.trig
      ots-kg export --format graphml -o ots.graphml
      ots-kg export --format csv -o neo4j/    # then: neo4j-admin database import full \\
                                              #   --nodes=neo4j/nodes.csv --relationships=neo4j/relationships.csv
      ots-kg export big/ --store /tmp/ots-store --format nt -o big.nt   # streamed

    With --store DIR (or inputs above 50 MB) nt, ttl, trig, xml and jsonld are streamed from
    the on-disk store in store order: the same triples, but not sorted and with blank node
    labels of the load, so such exports are not byte-stable across loads. graphml and csv
    read the store into a graph (up to 2 M triples).
    """
    # csv writes a folder: only by --format
    fmt = format_for(fmt, output, [f for f in EXPORT_FORMATS if f != "csv"], "ttl")
    if (graph_name or default_graph) and fmt != "trig":
        raise click.UsageError("--graph and --default-graph are for --format trig")
    if graph_name and default_graph:
        raise click.UsageError("give --graph IRI or --default-graph, not both")

    from ..io.files import refuse_overwriting_input

    refuse_overwriting_input(output, list(paths) or None)
    if fmt not in ("graphml", "csv"):
        store = open_store_route(store_dir, paths)
        if store is not None:
            from ..io.dump import dump_store

            with Progress("exporting", unit="MB", scale=1e6) as shown:  # minutes at 10 M triples
                dump_store(store, fmt, output, advance=shown.advance if shown.shown else None)
            return
    graph = load_graph_route(store_dir, paths)  # property graphs: from the store up to 2 M triples
    if fmt in ("graphml", "csv"):
        from ..io.property_graph import write_graphml, write_neo4j_csv

        if output is None:
            raise OtsKgError(f"--format {fmt} needs -o ({'a file' if fmt == 'graphml' else 'a folder'})")
        if fmt == "graphml":
            nodes, edges = write_graphml(graph, output)
            click.echo(f"wrote {output}: {nodes} nodes, {edges} edges", err=True)
        else:
            written = write_neo4j_csv(graph, output)
            click.echo("wrote " + ", ".join(str(p) for p in written), err=True)
        return
    from ..io.export import GRAPH_IRI, serialize

    write(serialize(graph, fmt, graph_name=None if default_graph else graph_name or str(GRAPH_IRI)), output)


@click.command(epilog=EPILOG)
@PATHS
@click.option("--format", "fmt", type=click.Choice(LISTING_FORMATS), default="text", show_default=True)
@STORE
def stats(paths: tuple[Path, ...], fmt: str, store_dir: Path | None) -> None:
    """Count the graph: nodes by class, events by area of cooperation and by year.

    With --store DIR the graph is read from the on-disk store (up to 2 M triples).

    \b
    Examples:
      ots-kg stats                          # the bundled graph
      ots-kg stats mydata/ --format json    # your files with the ontology, for scripts
    """
    from ..checks.stats import stats as count

    result = count(load_graph_route(store_dir, paths))
    if fmt == "json":
        click.echo(json.dumps(result, indent=1, ensure_ascii=False))
        return
    for section, counts in result.items():
        click.echo(f"{section}:")
        width = max((len(k) for k in counts), default=0)
        for key, value in counts.items():
            click.echo(f"  {key.ljust(width)}  {value}")


@click.command("check-sources", epilog=EPILOG)
@PATHS
@click.option(
    "--sources",
    type=click.Path(path_type=Path),
    help="Folder with the source documents [default: ../shared/sources beside the checkout, when present].",
)
def check_sources_cmd(paths: tuple[Path, ...], sources: Path | None) -> None:
    """Verify the data against the source texts.

    Every cited passage (document#L<line>) must exist; every date in the graph must be
    written in a passage its node itself cites (a side event may use the event it was on
    the margins of, a time:Instant the node owning it); an event IRI's date must be its
    start date unless a claim gives it. Each problem names its file and line; the summary
    counts problems by kind. Exit 1 on any problem.

    \b
    Examples:
      ots-kg check-sources                               # bundled data, ../shared/sources
      ots-kg check-sources data/summits/ --sources ~/ots-sources
    """
    from ..checks.sources import check_files
    from ..io.files import display_path
    from ..io.passages import default_sources

    sources = sources or default_sources()
    if sources is None:
        raise click.UsageError(
            "no sources folder: give --sources DIR (../shared/sources beside the checkout is not there)"
        )
    passages, dated, problems = check_files(list(paths) or None, sources)
    kinds: dict[str, int] = {}
    for problem in problems:
        kinds[problem.kind] = kinds.get(problem.kind, 0) + 1
        where = f"{display_path(problem.file)}:{problem.line}: " if problem.file else ""
        click.echo(f"{where}{compact_iri(problem.node)}: {problem.message}")
    by_kind = "".join(f", {n} {kind}" for kind, n in sorted(kinds.items()))
    click.echo(f"check-sources: {passages} passages, {dated} dated facts, {len(problems)} problems{by_kind}")
    sys.exit(1 if problems else 0)
