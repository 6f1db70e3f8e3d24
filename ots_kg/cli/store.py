"""Commands that talk to stores: push (Graph Store Protocol) and serve (SPARQL endpoint)."""

from __future__ import annotations

from pathlib import Path

import click

from .common import EPILOG, MAX_ANSWER_MB, PATHS, SECONDS, STORE, mib, store_route


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
@click.option(
    "--timeout", type=SECONDS, default=60.0, show_default=True, help="Deadline in seconds for each request as a whole."
)
@click.option("--user", help="User name, answered to the store's Basic or Digest challenge.")
@click.option("--password", envvar="OTS_KG_PASSWORD", help="Password (or set OTS_KG_PASSWORD).")
@MAX_ANSWER_MB
def push(
    paths: tuple[Path, ...],
    endpoint: str,
    graph_iri: str | None,
    replace: bool,
    batch_size: int,
    timeout: float,
    user: str | None,
    password: str | None,
    max_answer_mb: int,
) -> None:
    """Load the graph (ontology + data) into a triple store.

    Sends N-Triples in batches with the SPARQL 1.1 Graph Store HTTP Protocol (PUT for the
    first batch with --replace, POST otherwise), shows progress, then reads the graph back:
    it must hold what was there before plus what was sent, or push exits 1. Without
    --replace, a graph that already holds blank-node triples is refused (exit 2): pushing
    the same data twice would keep two copies of every blank node.

    \b
    Examples:
      ots-kg push --endpoint http://127.0.0.1:7878/store --graph https://w3id.org/ots-kg/id/graph --replace
      ots-kg query members --endpoint http://127.0.0.1:7878/query --graph https://w3id.org/ots-kg/id/graph
    Virtuoso (HTTP Digest):
      ots-kg push --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth --user dba --password dba \\
        --graph https://w3id.org/ots-kg/id/graph --replace
    """
    from ..io.loader import load_graph
    from ..io.push import push as run
    from ..progress import Progress

    graph = load_graph(list(paths) or None)
    with Progress("pushing", len(graph), unit="triples") as bar:
        report = run(
            graph,
            endpoint,
            graph_iri=graph_iri,
            replace=replace,
            batch_size=batch_size,
            timeout=timeout,
            user=user,
            password=password,
            max_bytes=mib(max_answer_mb),
            on_batch=bar.advance,
        )
    click.echo(f"pushed {report.sent} triples in {report.batches} batches; store holds {report.in_store}")


@click.command(epilog=EPILOG)
@PATHS
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=7070, show_default=True, help="Port (0 picks a free one)."
)
@click.option("--timeout", type=SECONDS, default=10.0, show_default=True, help="Per-query time limit (s).")
@click.option(
    "--max-rows", type=click.IntRange(1), default=10000, show_default=True, help="Result cap (rows or triples)."
)
@click.option("--max-bytes", type=click.IntRange(1), default=50_000_000, show_default=True, help="Result cap in bytes.")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True, help="Query worker processes.")
@click.option(
    "--slow-after",
    type=SECONDS,
    default=2.0,
    show_default=True,
    help="Seconds after which a query counts as long: at most workers-1 long queries run at once, so fast ones "
    "always find a worker (the newest long query beyond that is stopped with 503).",
)
@click.option(
    "--memory-mb",
    type=click.IntRange(64),
    default=1024,
    show_default=True,
    help="Memory a worker may take beyond the loaded graph (address-space limit).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    metavar="ORIGIN",
    help="Let pages from this origin (e.g. https://example.org) read answers (repeatable; default none).",
)
@STORE
def serve(
    paths: tuple[Path, ...],
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    max_bytes: int,
    workers: int,
    slow_after: float,
    memory_mb: int,
    cors_origins: tuple[str, ...],
    store_dir: Path | None,
) -> None:
    """Serve the graph as a read-only SPARQL 1.1 Protocol endpoint.

    \b
    GET or POST /sparql (alias /query): SELECT/ASK as JSON, XML, CSV or TSV, CONSTRUCT and
    DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML, chosen by the Accept header or
    ?format= (also SPARQLWrapper's names: turtle, n3, json-ld, rdf+xml).
    Stored queries: /sparql?stored=NAME&p.PARAM=VALUE. / is a page to type or pick a query.
    GET /sparql without a query: the SPARQL 1.1 Service Description (Turtle by default).
    Updates, SERVICE, FROM and LOAD are refused (403); a query over the time limit is
    stopped (503), one over the result cap answered 413. /health reports the worker pool
    (JSON); POST /lint the warnings `ots-kg query` gives a typed text (JSON). No
    cross-origin reads unless --cors-origin names the origin. Workers that die are
    replaced; Ctrl-C or SIGTERM lets requests in flight finish, then stops.

    \b
    Example:
      ots-kg serve --port 7070 &
      curl -H 'Accept: text/csv' 'http://127.0.0.1:7070/sparql?stored=members'
      ots-kg serve big/ --store /tmp/ots-store   # workers share the on-disk store
    """
    from ..io.loader import load_store
    from ..server.app import Settings, make_server, serve_forever

    settings = Settings(
        timeout=timeout,
        max_rows=max_rows,
        max_bytes=max_bytes,
        workers=workers,
        slow_after=slow_after,
        memory_mb=memory_mb,
        cors_origins=cors_origins,
    )
    location = store_route(store_dir, paths)  # workers open a disk store read-only
    server = make_server(location or load_store(list(paths) or None), host, port, settings)
    bound_host, bound_port = server.server_address[:2]
    click.echo(
        f"ots-kg: SPARQL endpoint at http://{bound_host}:{bound_port}/sparql (page: http://{bound_host}:{bound_port}/)",
        err=True,
    )
    serve_forever(server)
