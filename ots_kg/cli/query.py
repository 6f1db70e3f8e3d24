"""Commands over stored queries: queries (the catalogue) and query (run one)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..model.formats import LISTING_FORMATS, QUERY_FORMATS
from ..sparql.engines import ENGINES as QUERY_ENGINES
from .common import EPILOG, STORE, open_store_route, parse_params, write


@click.command(epilog=EPILOG)
@click.option("--format", "fmt", type=click.Choice(LISTING_FORMATS), default="text", show_default=True)
def queries(fmt: str) -> None:
    """List the stored queries with their summaries and parameters."""
    from ..sparql.catalogue import catalogue

    cat = catalogue()
    if fmt == "json":
        click.echo(json.dumps([q.describe() for q in cat.values()], indent=1, ensure_ascii=False))
        return
    for q in cat.values():
        click.echo(f"{q.name}  [{q.kind}]  {q.summary}")
        for p in q.params:
            need = "required" if p.required else f"default {p.default}" if p.default else "optional"
            click.echo(f"    -p {p.name}=<{p.type}>  ({need}) {p.description}")
    click.echo(f"({len(cat)} stored queries; run one with 'ots-kg query NAME')")


@click.command(epilog=EPILOG)
@click.argument("name")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Query parameter, bound as a typed RDF term (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="SELECT/ASK: table, csv, tsv, json. CONSTRUCT: ttl, nt, jsonld.",
)
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Turtle file or folder to query instead of the bundled data (repeatable).",
)
@click.option(
    "--endpoint", metavar="URL", help="Run on a SPARQL 1.1 query endpoint instead (e.g. http://host:7878/query)."
)
@click.option(
    "--timeout",
    type=float,
    default=60.0,
    show_default=True,
    help="Time limit in seconds: a local query is stopped, a remote one abandoned.",
)
@click.option("--user", help="User name for HTTP basic auth at the endpoint.")
@click.option("--password", envvar="OTS_KG_PASSWORD", help="Password (or set OTS_KG_PASSWORD).")
@click.option("--user-agent", default=None, help="User-Agent sent to the endpoint.")
@click.option(
    "--allow-network", is_flag=True, help="Allow SERVICE and LOAD, which make the engine contact other servers."
)
@click.option(
    "--engine",
    type=click.Choice(QUERY_ENGINES),
    default="oxigraph",
    show_default=True,
    help="Local engine: Oxigraph over a cache of the parsed graph (fast), or rdflib.",
)
@STORE
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to a file.")
def query(
    name: str,
    params: tuple[str, ...],
    fmt: str,
    data: tuple[Path, ...],
    endpoint: str | None,
    timeout: float,
    user: str | None,
    password: str | None,
    user_agent: str | None,
    allow_network: bool,
    engine: str,
    store_dir: Path | None,
    output: Path | None,
) -> None:
    """Run a stored query by NAME, or a .rq FILE, on the graph or on an endpoint.

    Parameters (-p name=value) are typed by the query header (iri, string, integer, date,
    year, boolean) and bound as RDF terms, never pasted into the query text. IRIs may be
    written with the project prefixes, e.g. -p series=mech:transport-ministers.

    With --endpoint the same query runs on any SPARQL 1.1 store (Oxigraph: /query,
    Fuseki: /DATASET/sparql, GraphDB: /repositories/ID); parameters travel as a VALUES
    block of typed terms.

    With --store DIR the graph is bulk-loaded once into an on-disk Oxigraph store and later
    runs open it read-only (inputs above 50 MB always take a disk store, never rdflib).

    \b
    Examples:
      ots-kg query members
      ots-kg query members --data big.ttl --store /tmp/ots-store   # loads once, then fast
    """
    from ..render.results import format_results
    from ..sparql.catalogue import find_query
    from ..sparql.engines import open_engine
    from ..sparql.limits import run_limited

    stored = find_query(name)
    values = parse_params(params)
    store = None
    if not endpoint:
        rdflib_only = "--engine rdflib" if engine == "rdflib" else "--allow-network" if allow_network else ""
        store = open_store_route(store_dir, data, rdflib_only)
    chosen = open_engine(
        engine,
        paths=list(data) or None,
        store=store,
        endpoint=endpoint,
        allow_network=allow_network,
        **({"timeout": timeout, "user": user, "password": password, "user_agent": user_agent} if endpoint else {}),
    )
    if endpoint:  # the endpoint keeps its own time; SPARQLWrapper's timeout applies
        results = chosen.run(stored, values, allow_network=allow_network)
    else:
        results = run_limited(lambda: chosen.run(stored, values, allow_network=allow_network), timeout)
    write(format_results(results, fmt), output)
