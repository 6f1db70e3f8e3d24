"""`ots-kg`: a thin command line over the Python API.

Exit codes: 0 ok, 1 the data does not conform / the check found problems, 2 usage or input
error (one line on stderr, never a traceback).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .errors import OtsKgError
from .limits import QueryTimeout

EPILOG = "Exit codes: 0 ok, 1 validation or check failed, 2 usage or input error."


def _kv(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise OtsKgError(f"parameter {item!r} is not name=value")
        out[name] = value
    return out


def _write(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OtsKgError(f"{output}: cannot write ({exc.strerror})") from None


@click.group(epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ots-kg")
def cli() -> None:
    """The knowledge graph of the Organization of Turkic States.

    Validate it, query it with stored or ad-hoc SPARQL, export it, count it. Every command
    works on the bundled data unless you give it Turtle files or folders.

    \b
    Examples:
      ots-kg validate                      # the bundled graph against the SHACL shapes
      ots-kg queries                       # the stored query catalogue
      ots-kg query summits                 # every summit with date, city and theme
      ots-kg query series-timeline -p series=mech:transport-ministers
      ots-kg export --format nt -o ots.nt  # the whole graph, byte-stable
    """


@cli.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "ttl"]), default="text",
              show_default=True, help="Report as grouped text, JSON, or the SHACL report graph.")
@click.option("--engine", type=click.Choice(["pyshacl", "oxigraph", "pyshacl-full"]), default="pyshacl",
              show_default=True,
              help="pyshacl: pySHACL for core constraints, SPARQL constraints run once over the graph; "
                   "oxigraph: every constraint compiled to SPARQL on Oxigraph (large graphs); "
                   "pyshacl-full: plain pySHACL (slow reference).")
def validate(paths: tuple[Path, ...], fmt: str, engine: str) -> None:
    """Check Turtle files or folders (default: the bundled data/) against the shapes.

    The data is loaded together with the ontology and checked with pySHACL against
    ontology/shapes.ttl. The text report groups results by shape and shows focus node,
    path, value, message and severity. Warnings are shown but do not fail.

    Exit 0 when the graph conforms, 1 on any violation, 2 when a file cannot be read.
    """
    from .validate import FORMATS
    from .validate import validate as run

    report = run(list(paths) or None, engine=engine)
    click.echo(FORMATS[fmt](report))
    sys.exit(0 if report.conforms else 1)


@cli.command(epilog=EPILOG)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def queries(fmt: str) -> None:
    """List the stored queries with their summaries and parameters."""
    from .catalogue import catalogue

    cat = catalogue()
    if fmt == "json":
        click.echo(json.dumps([
            {"name": q.name, "summary": q.summary, "kind": q.kind, "tags": list(q.tags),
             "params": [vars(p) for p in q.params], "examples": list(q.examples)}
            for q in cat.values()], indent=1, ensure_ascii=False))
        return
    for q in cat.values():
        click.echo(f"{q.name}  [{q.kind}]  {q.summary}")
        for p in q.params:
            need = "required" if p.required else f"default {p.default}" if p.default else "optional"
            click.echo(f"    -p {p.name}=<{p.type}>  ({need}) {p.description}")
    click.echo(f"({len(cat)} stored queries; run one with 'ots-kg query NAME')")


@cli.command(epilog=EPILOG)
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Query parameter, bound as a typed RDF term (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "ttl", "nt", "jsonld"]),
              default="table", show_default=True,
              help="SELECT/ASK: table, csv, tsv, json. CONSTRUCT: ttl, nt, jsonld.")
@click.option("--data", "data", multiple=True, type=click.Path(path_type=Path),
              help="Turtle file or folder to query instead of the bundled data (repeatable).")
@click.option("--endpoint", metavar="URL",
              help="Run on a SPARQL 1.1 query endpoint instead (e.g. http://host:7878/query).")
@click.option("--timeout", type=float, default=60.0, show_default=True,
              help="Time limit in seconds: a local query is stopped, a remote one abandoned.")
@click.option("--user", help="User name for HTTP basic auth at the endpoint.")
@click.option("--password", envvar="OTS_KG_PASSWORD", help="Password (or set OTS_KG_PASSWORD).")
@click.option("--user-agent", default=None, help="User-Agent sent to the endpoint.")
@click.option("--allow-network", is_flag=True,
              help="Allow SERVICE and LOAD, which make the engine contact other servers.")
@click.option("--engine", type=click.Choice(["oxigraph", "rdflib"]), default="oxigraph", show_default=True,
              help="Local engine: Oxigraph over a cache of the parsed graph (fast), or rdflib.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to a file.")
def query(name: str, params: tuple[str, ...], fmt: str, data: tuple[Path, ...], endpoint: str | None,
          timeout: float, user: str | None, password: str | None, user_agent: str | None,
          allow_network: bool, engine: str, output: Path | None) -> None:
    """Run a stored query by NAME, or a .rq FILE, on the graph or on an endpoint.

    Parameters (-p name=value) are typed by the query header (iri, string, integer, date,
    year, boolean) and bound as RDF terms, never pasted into the query text. IRIs may be
    written with the project prefixes, e.g. -p series=mech:transport-ministers.

    With --endpoint the same query runs on any SPARQL 1.1 store (Oxigraph: /query,
    Fuseki: /DATASET/sparql, GraphDB: /repositories/ID); parameters travel as a VALUES
    block of typed terms.
    """
    from .catalogue import find_query
    from .results import format_results

    stored = find_query(name)
    values = _kv(params)
    if endpoint:
        from .remote import USER_AGENT, run_remote

        results = run_remote(endpoint, stored, values, timeout=timeout, user=user, password=password,
                             allow_network=allow_network, user_agent=user_agent or USER_AGENT)
        _write(format_results(results, fmt), output)
        return
    from .limits import run_limited
    from .sparql_text import check_safe

    check_safe(stored, allow_network)
    paths = list(data) or None
    if engine == "oxigraph" and stored.kind in ("SELECT", "ASK") and not allow_network:
        from .fast import open_store, run_store

        store = open_store(paths)
        text = run_limited(lambda: format_results(run_store(store, stored, values), fmt), timeout)
    else:
        from .load import load_graph
        from .query import run_local

        graph = load_graph(paths)
        text = run_limited(lambda: format_results(
            run_local(graph, stored, values, allow_network=allow_network), fmt), timeout)
    _write(text, output)


@cli.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "xml", "trig", "graphml", "csv"]),
              default="ttl", show_default=True,
              help="RDF formats, or graphml (Gephi, Cytoscape, yEd) and csv (Neo4j bulk import).")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write to a file (a folder for csv: nodes.csv and relationships.csv).")
def export(paths: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """Write the whole graph (ontology + data) in one format.

    RDF output is deterministic: blank nodes are named by content and statements sorted,
    so the same input gives byte-identical files, fit for git diffs. graphml and csv turn
    the data into a property graph: resources become nodes (label, type, kind and their
    literal values as attributes), object properties become labelled edges.

    \b
    Examples:
      ots-kg export --format nt -o ots.nt
      ots-kg export --format graphml -o ots.graphml
      ots-kg export --format csv -o neo4j/    # then: neo4j-admin database import full \\
                                              #   --nodes=neo4j/nodes.csv --relationships=neo4j/relationships.csv
    """
    from .load import load_graph

    graph = load_graph(list(paths) or None)
    if fmt in ("graphml", "csv"):
        from .graphtools import write_graphml, write_neo4j_csv

        if output is None:
            raise OtsKgError(f"--format {fmt} needs -o ({'a file' if fmt == 'graphml' else 'a folder'})")
        if fmt == "graphml":
            nodes, edges = write_graphml(graph, output)
            click.echo(f"wrote {output}: {nodes} nodes, {edges} edges", err=True)
        else:
            written = write_neo4j_csv(graph, output)
            click.echo("wrote " + ", ".join(str(p) for p in written), err=True)
        return
    from .export import serialize

    _write(serialize(graph, fmt), output)


@cli.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def stats(paths: tuple[Path, ...], fmt: str) -> None:
    """Count the graph: nodes by class, events by area of cooperation and by year."""
    from .load import load_graph
    from .stats import stats as count

    result = count(load_graph(list(paths) or None))
    if fmt == "json":
        click.echo(json.dumps(result, indent=1, ensure_ascii=False))
        return
    for section, counts in result.items():
        click.echo(f"{section}:")
        width = max((len(k) for k in counts), default=0)
        for key, value in counts.items():
            click.echo(f"  {key.ljust(width)}  {value}")


@cli.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option("--endpoint", required=True, metavar="URL",
              help="Graph Store Protocol endpoint (Oxigraph: http://host:7878/store, Fuseki: /DATASET/data).")
@click.option("--graph", "graph_iri", metavar="IRI",
              help="Named graph to load into (default graph if absent).")
@click.option("--replace", is_flag=True, help="Replace the graph's content instead of adding to it.")
@click.option("--batch-size", type=int, default=5000, show_default=True, help="Triples per request.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per request.")
@click.option("--user", help="User name for HTTP basic auth.")
@click.option("--password", envvar="OTS_KG_PASSWORD", help="Password (or set OTS_KG_PASSWORD).")
def push(paths: tuple[Path, ...], endpoint: str, graph_iri: str | None, replace: bool, batch_size: int,
         timeout: float, user: str | None, password: str | None) -> None:
    """Load the graph (ontology + data) into a triple store.

    Sends N-Triples in batches with the SPARQL 1.1 Graph Store HTTP Protocol (PUT for the
    first batch with --replace, POST otherwise), shows progress, then reads the graph back
    and checks the store holds every triple sent.

    \b
    Example:
      ots-kg push --endpoint http://127.0.0.1:7878/store --graph https://w3id.org/ots-kg/id/graph --replace
    """
    from .load import load_graph
    from .push import push as run

    graph = load_graph(list(paths) or None)
    with click.progressbar(length=len(graph), label="pushing", file=sys.stderr) as bar:
        report = run(graph, endpoint, graph_iri=graph_iri, replace=replace, batch_size=batch_size,
                     timeout=timeout, user=user, password=password, on_batch=bar.update)
    click.echo(f"pushed {report.sent} triples in {report.batches} batches; store holds {report.in_store}")


@cli.command(epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=7070, show_default=True, help="Port (0 picks a free one).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Per-query time limit (s).")
@click.option("--max-rows", type=int, default=10000, show_default=True, help="Result cap (rows or triples).")
@click.option("--workers", type=int, default=2, show_default=True, help="Query worker processes.")
def serve(paths: tuple[Path, ...], host: str, port: int, timeout: float, max_rows: int, workers: int) -> None:
    """Serve the graph as a read-only SPARQL 1.1 Protocol endpoint.

    \b
    GET or POST /sparql (alias /query): SELECT/ASK as JSON, XML, CSV or TSV, CONSTRUCT and
    DESCRIBE as Turtle, N-Triples or JSON-LD, chosen by the Accept header (or ?format=).
    Stored queries: /sparql?stored=NAME&p.PARAM=VALUE. / is a page to type or pick a query.
    Updates, SERVICE and LOAD are refused (403); a query over the time limit is stopped
    (503) and one over the result cap answered 413. Stops cleanly on Ctrl-C or SIGTERM.

    \b
    Example:
      ots-kg serve --port 7070 &
      curl -H 'Accept: text/csv' 'http://127.0.0.1:7070/sparql?stored=members'
    """
    from .load import load_graph
    from .serve import Settings, make_server, serve_forever

    server = make_server(load_graph(list(paths) or None), host, port,
                         Settings(timeout=timeout, max_rows=max_rows, workers=workers))
    bound_host, bound_port = server.server_address[:2]
    click.echo(f"ots-kg: SPARQL endpoint at http://{bound_host}:{bound_port}/sparql "
               f"(page: http://{bound_host}:{bound_port}/)", err=True)
    serve_forever(server)


@cli.command("check-sources", epilog=EPILOG)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
@click.option("--sources", type=click.Path(path_type=Path), required=True,
              help="Folder with the source documents (e.g. ../shared/sources).")
def check_sources_cmd(paths: tuple[Path, ...], sources: Path) -> None:
    """Verify the data against the source texts.

    Every cited passage (document#L<line>) must exist, and every date in the graph must be
    written in a passage that its node (or the node owning it) cites. Exit 1 with a list
    of problems otherwise.
    """
    from .load import load_data
    from .sources import check_sources

    graph = load_data(list(paths) or None)
    passages, dated, problems = check_sources(graph, sources)
    for problem in problems:
        click.echo(f"{problem.node}: {problem.message}")
    click.echo(f"check-sources: {passages} passages, {dated} dated facts, {len(problems)} problems")
    sys.exit(1 if problems else 0)


def _register_extras() -> None:
    from .cli_visual import plot

    cli.add_command(plot)
    try:
        from .cli_visual import docs
    except ImportError:
        return
    cli.add_command(docs)


_register_extras()


def main() -> None:
    """Entry point: click's and our errors become one line on stderr with exit code 2."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        code = 2
    except click.UsageError as exc:
        click.echo(f"ots-kg: {exc.format_message()}", err=True)
        code = 2
    except click.ClickException as exc:
        click.echo(f"ots-kg: {exc.format_message()}", err=True)
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("ots-kg: aborted", err=True)
        code = 1
    except OtsKgError as exc:
        click.echo(f"ots-kg: {exc}", err=True)
        code = exc.exit_code
        if isinstance(exc, QueryTimeout):  # a query thread is still running: end it too
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    except BrokenPipeError:
        code = 0
    except KeyboardInterrupt:
        code = 130
    except Exception as exc:  # a bug of ours: still no traceback unless asked
        if os.environ.get("OTS_KG_DEBUG"):
            raise
        click.echo(f"ots-kg: internal error: {type(exc).__name__}: {exc} "
                   "(set OTS_KG_DEBUG=1 for a traceback)", err=True)
        code = 3
    sys.exit(code if isinstance(code, int) else 0)
