"""Commands that talk to stores: push (Graph Store Protocol) and serve (SPARQL endpoint)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import EPILOG, PATHS, STORE, store_route


@click.command(epilog=EPILOG)
@PATHS
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="Graph Store Protocol endpoint (Oxigraph: http://host:7878/store, Fuseki: /DATASET/data).",
)
@click.option("--graph", "graph_iri", metavar="IRI", help="Named graph to load into (default graph if absent).")
@click.option("--replace", is_flag=True, help="Replace the graph's content instead of adding to it.")
@click.option("--batch-size", type=int, default=5000, show_default=True, help="Triples per request.")
@click.option("--timeout", type=float, default=60.0, show_default=True, help="Seconds per request.")
@click.option("--user", help="User name for HTTP basic auth.")
@click.option("--password", envvar="OTS_KG_PASSWORD", help="Password (or set OTS_KG_PASSWORD).")
def push(
    paths: tuple[Path, ...],
    endpoint: str,
    graph_iri: str | None,
    replace: bool,
    batch_size: int,
    timeout: float,
    user: str | None,
    password: str | None,
) -> None:
    """Load the graph (ontology + data) into a triple store.

    Sends N-Triples in batches with the SPARQL 1.1 Graph Store HTTP Protocol (PUT for the
    first batch with --replace, POST otherwise), shows progress, then reads the graph back
    and checks the store holds every triple sent.

    \b
    Example:
      ots-kg push --endpoint http://127.0.0.1:7878/store --graph https://w3id.org/ots-kg/id/graph --replace
    """
    from ..io.loader import load_graph
    from ..io.push import push as run

    graph = load_graph(list(paths) or None)
    with click.progressbar(length=len(graph), label="pushing", file=sys.stderr) as bar:
        report = run(
            graph,
            endpoint,
            graph_iri=graph_iri,
            replace=replace,
            batch_size=batch_size,
            timeout=timeout,
            user=user,
            password=password,
            on_batch=bar.update,
        )
    click.echo(f"pushed {report.sent} triples in {report.batches} batches; store holds {report.in_store}")


@click.command(epilog=EPILOG)
@PATHS
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=7070, show_default=True, help="Port (0 picks a free one).")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Per-query time limit (s).")
@click.option("--max-rows", type=int, default=10000, show_default=True, help="Result cap (rows or triples).")
@click.option("--workers", type=int, default=2, show_default=True, help="Query worker processes.")
@STORE
def serve(
    paths: tuple[Path, ...], host: str, port: int, timeout: float, max_rows: int, workers: int, store_dir: Path | None
) -> None:
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
      ots-kg serve big/ --store /tmp/ots-store   # workers share the on-disk store
    """
    from ..io.loader import load_store
    from ..server.app import Settings, make_server, serve_forever

    location = store_route(store_dir, paths)  # workers open a disk store read-only
    server = make_server(
        location or load_store(list(paths) or None),
        host,
        port,
        Settings(timeout=timeout, max_rows=max_rows, workers=workers),
    )
    bound_host, bound_port = server.server_address[:2]
    click.echo(
        f"ots-kg: SPARQL endpoint at http://{bound_host}:{bound_port}/sparql (page: http://{bound_host}:{bound_port}/)",
        err=True,
    )
    serve_forever(server)
