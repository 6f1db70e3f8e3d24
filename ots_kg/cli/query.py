"""Commands over stored queries: queries (the catalogue) and query (run one)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..model.formats import LISTING_FORMATS, QUERY_FORMATS, format_for
from ..sparql.engines import ENGINES as QUERY_ENGINES
from .common import (
    EPILOG,
    MAX_ANSWER_MB,
    SECONDS,
    STORE,
    mib,
    open_store_route,
    parse_params,
    passage_reader,
    terminal_width,
    write,
)

FIND_FORMATS = ("table", "csv", "tsv", "json")


@click.command(epilog=EPILOG)
@click.argument("words", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(LISTING_FORMATS), default="text", show_default=True)
def queries(words: tuple[str, ...], fmt: str) -> None:
    """List the stored queries with their summaries and parameters; with WORDS, only those
    whose name, summary, tags or parameters hold every word (accents and case ignored).

    \b
    Examples:
      ots-kg queries                  # all of them
      ots-kg queries summit           # what can be asked about summits
      ots-kg queries document event   # both words
      ots-kg queries --format json    # for scripts
    """
    from ..sparql.catalogue import catalogue
    from ..sparql.search import matching_queries

    cat = catalogue()
    listed = matching_queries(cat, words)
    if fmt == "json":
        click.echo(json.dumps([q.describe() for q in listed], indent=1, ensure_ascii=False))
        return
    for q in listed:
        click.echo(f"{q.name}  [{q.kind}]  {q.summary}")
        for p in q.params:
            need = "required" if p.required else f"default {p.default}" if p.default else "optional"
            click.echo(f"    -p {p.name}=<{p.type}>  ({need}) {p.description}")
    if not words:
        click.echo(f"({len(cat)} stored queries; run one with 'ots-kg query NAME')")
    elif listed:
        click.echo(
            f"({len(listed)} of {len(cat)} stored queries match {' '.join(words)!r}; run one with 'ots-kg query NAME')"
        )
    else:
        click.echo(f"(no stored query matches {' '.join(words)!r}; 'ots-kg queries' lists all {len(cat)})")


@click.command(epilog=EPILOG)
@click.argument("name", required=False)
@click.option(
    "-q",
    "--sparql",
    metavar="TEXT",
    help="Run this SPARQL text instead of a stored query (project prefixes predeclared).",
)
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
    help="SELECT/ASK: table, csv, tsv, json, xml (SPARQL results). CONSTRUCT/DESCRIBE: ttl, nt, jsonld, xml "
    "(RDF/XML).  [default: table, or what the suffix of -o names: .csv, .tsv, .json, .xml, .ttl, .nt, .jsonld, .rdf]",
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
    type=SECONDS,
    default=60.0,
    show_default=True,
    help="Time limit in seconds: a local query (and the writing of its answer) is stopped; a remote one abandoned "
    "unless its whole answer is in.",
)
@click.option(
    "--graph",
    "graph_iri",
    metavar="IRI",
    help="With --endpoint: query this named graph as the default graph (default-graph-uri), as loaded by push --graph.",
)
@click.option("--user", help="User name at the endpoint, answered to its Basic or Digest challenge.")
@click.option("--password", envvar="OTS_KG_PASSWORD", help="Password (or set OTS_KG_PASSWORD).")
@click.option("--user-agent", default=None, help="User-Agent sent to the endpoint.")
@MAX_ANSWER_MB
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
@click.option("--wide", is_flag=True, help="Tables as wide as their cells (default: fit the terminal).")
@click.option(
    "--sources",
    type=click.Path(path_type=Path, file_okay=False),
    help="Folder of source documents: tables show each passage's text (default ../shared/sources if present).",
)
def query(
    name: str | None,
    sparql: str | None,
    params: tuple[str, ...],
    fmt: str | None,
    data: tuple[Path, ...],
    endpoint: str | None,
    timeout: float,
    graph_iri: str | None,
    user: str | None,
    password: str | None,
    user_agent: str | None,
    max_answer_mb: int,
    allow_network: bool,
    engine: str,
    store_dir: Path | None,
    output: Path | None,
    wide: bool,
    sources: Path | None,
) -> None:
    """Run a stored query by NAME, a .rq FILE, SPARQL text (-q TEXT, or - for standard
    input), on the graph or on an endpoint.

    Parameters (-p name=value) are typed by the query header (iri, string, integer, date,
    year, boolean) and bound as RDF terms, never pasted into the query text. IRIs may be
    written with the project prefixes, e.g. -p series=mech:transport-ministers.

    With --endpoint the same query runs on any SPARQL 1.1 store (Oxigraph: /query,
    Fuseki: /DATASET/sparql, GraphDB: /repositories/ID); parameters travel as a VALUES
    block of typed terms. --graph IRI queries the graph `ots-kg push --graph IRI` loaded
    (needed on Virtuoso, whose default graph is the union of all its graphs).

    With --store DIR the graph is bulk-loaded once into an on-disk Oxigraph store and later
    runs open it read-only (inputs above 50 MB always take a disk store, never rdflib).

    A typed query (-q, -, a .rq file) is read before it runs: a term the ontology does not
    declare, an IRI that names no node and a selected variable nothing binds are warnings on
    stderr (the answer and the exit code stay as they are).

    \b
    Examples:
      ots-kg query members
      ots-kg query documents-at-event -p event=event:2022-11-11-summit-9
      ots-kg query series-timeline -p series=mech:transport-ministers --format csv
      ots-kg query -q 'SELECT ?s WHERE { ?s a ots:Summit } LIMIT 3'
      echo 'SELECT (COUNT(*) AS ?n) WHERE { ?e a ots:Summit }' | ots-kg query -
      ots-kg query members --endpoint http://127.0.0.1:8890/sparql --graph https://w3id.org/ots-kg/id/graph
      ots-kg query members --data big.ttl --store /tmp/ots-store   # loads once, then fast
    """
    from ..io.files import refuse_overwriting_input
    from ..progress import Progress
    from ..render.results import format_results
    from ..sparql.catalogue import find_query, inline_query, looks_like_sparql
    from ..sparql.engines import open_engine
    from ..sparql.limits import run_limited
    from ..sparql.search import check_nodes

    if graph_iri and not endpoint:
        raise click.UsageError("--graph needs --endpoint (the local graph has no named graphs)")
    refuse_overwriting_input(output, list(data) or None)
    fmt = format_for(fmt, output, QUERY_FORMATS, "table")
    if sparql is not None and name:
        raise click.UsageError("give a stored query NAME or -q TEXT, not both")
    if sparql is not None:
        stored = inline_query(sparql)
    elif name == "-":
        stored = inline_query(click.get_text_stream("stdin").read())
    elif name is None:
        raise click.UsageError("give a stored query NAME (see 'ots-kg queries'), a .rq FILE, -q TEXT or -")
    elif looks_like_sparql(name):
        stored = inline_query(name)
    else:
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
        **(
            {
                "timeout": timeout,
                "user": user,
                "password": password,
                "user_agent": user_agent,
                "graph": graph_iri,
                "max_bytes": mib(max_answer_mb),
            }
            if endpoint
            else {}
        ),
    )

    width = None if wide or output is not None else terminal_width()
    named = stored.bundled or stored.path.suffix == ".rq"
    # a clock after a second (a stored query at 10 M triples runs for seconds), none before
    shown = Progress(f"querying {stored.name}" if named else "querying", delay=1.0)

    def answer() -> str:
        # the parameter check and the writing of the answer (an rdflib graph, sorted, for a
        # CONSTRUCT: often longer than the query) are work on the graph too: inside the limit
        check_nodes(chosen, stored, values, suggest=store is None)
        if not stored.bundled:  # a typo in the user's own text: said before the (empty) answer
            from ..sparql.lint import query_warnings

            for warning in query_warnings(stored.text, None if endpoint else chosen, suggest=store is None):
                shown.note(f"ots-kg: warning: {warning}")
        results = chosen.run(stored, values, allow_network=allow_network)
        return format_results(results, fmt, width=width, passage_text=passage_reader(sources))

    with shown:  # the endpoint keeps its own time (the HTTP timeout applies)
        text = answer() if endpoint else run_limited(answer, timeout)
    write(text, output)


@click.command(epilog="Exit codes: 0 found, 1 nothing named like TEXT, 2 usage or input error.")
@click.argument("text")
@click.option("-n", "--limit", type=int, default=20, show_default=True, help="At most this many nodes (0: all).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FIND_FORMATS),
    help="[default: table, or what the suffix of -o names: .csv, .tsv, .json]",
)
@click.option("--wide", is_flag=True, help="Tables as wide as their cells (default: fit the terminal).")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to a file.")
def find(text: str, limit: int, fmt: str | None, wide: bool, output: Path | None) -> None:
    """Find nodes by name: labels and alternative, former and preferred labels in any
    language, ranked exact > prefix > word > substring, accents and case ignored.

    \b
    Examples:
      ots-kg find samarkand           # the city, the 9th Summit, the declaration, ...
      ots-kg find "turkic council"    # a former name of the OTS
      ots-kg find diaspora -n 5
    """
    from ..model.terms import iri, literal
    from ..render.results import format_results
    from ..sparql.engines import open_engine
    from ..sparql.results import Results
    from ..sparql.search import RANKS
    from ..sparql.search import find as find_nodes

    hits = find_nodes(open_engine("oxigraph"), text, limit or None)
    rows = [
        (
            iri(h.node),
            literal(h.kind),
            literal(h.label),
            literal(h.matched if h.matched != h.label else ""),
            literal(RANKS[h.rank]),
        )
        for h in hits
    ]
    results = Results("SELECT", ["node", "kind", "label", "also named", "match"], rows)
    width = None if wide or output is not None else terminal_width()
    write(format_results(results, format_for(fmt, output, FIND_FORMATS, "table"), width=width), output)
    if not hits:
        raise click.ClickException(f"nothing named like {text!r}")
