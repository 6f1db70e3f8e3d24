"""Pictures and documentation of the graph: `ots-kg plot ...` and `ots-kg docs`."""

from __future__ import annotations

from pathlib import Path

import click

from ..progress import Progress
from .common import STORE

EPILOG = "Exit codes: 0 ok, 2 usage or input error (e.g. an unknown area or an unwritable file)."
_PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _output(default: str):
    """The -o option every chart shares (the format follows the suffix)."""
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        default=default,
        show_default=True,
        help="Chart file, .png or .svg.",
    )


def _load(paths: tuple[Path, ...], store_dir: Path | None, shown: Progress):
    """The graph to draw, naming the steps on the progress line."""
    from .common import load_graph_route

    shown.step("loading the graph")
    graph = load_graph_route(store_dir, paths)
    shown.step("drawing")
    return graph


@click.group(epilog=EPILOG)
def plot() -> None:
    """Charts of the graph (timeline, series, network) as PNG or SVG.

    The format follows the file suffix (.png or .svg). Every chart reads the bundled data
    unless you give Turtle files or folders as PATH arguments.

    \b
    Examples:
      ots-kg plot timeline -o timeline.svg --area health --area transport
      ots-kg plot series -o series.png
      ots-kg plot attendance -o attendance.png
      ots-kg plot network --focus inst:secretariat --depth 2 -o secretariat.png
    """


@plot.command(epilog=EPILOG)
@_PATHS
@_output("attendance.png")
def attendance(paths: tuple[Path, ...], output: Path) -> None:
    """Who represented each state at each summit: a states x summits matrix.

    Each cell is the highest level at which the state was represented (a letter on an
    Okabe-Ito colour: H head of state, G head of government, M minister, ...); a dot where
    the sources name no representative. Fed by the stored query representation-level.

    \b
    Example:
      ots-kg plot attendance -o attendance.svg
    """
    from ..render.charts import attendance as draw
    from ..sparql.catalogue import find_query
    from ..sparql.engines import open_engine

    with Progress("plot attendance") as shown:
        shown.step("querying")
        results = open_engine("oxigraph", paths=list(paths) or None).run(find_query("representation-level"))
        rows = [{v: t.value for v, t in zip(results.vars, row, strict=True) if t is not None} for row in results.rows]
        shown.step("drawing")
        data = draw(rows, output)
    click.echo(f"{output}: {len(data.states)} states x {len(data.summits)} summits, {len(data.cells)} cells")


@plot.command(epilog=EPILOG)
@_PATHS
@_output("timeline.png")
@click.option(
    "--area",
    "areas",
    multiple=True,
    metavar="AREA",
    help="Only this area of cooperation: a slug (health), area:health or a full IRI (repeatable).",
)
@click.option("--from", "year_from", type=int, metavar="YEAR", help="First year to show.")
@click.option("--to", "year_to", type=int, metavar="YEAR", help="Last year to show.")
@STORE
def timeline(
    paths: tuple[Path, ...],
    output: Path,
    areas: tuple[str, ...],
    year_from: int | None,
    year_to: int | None,
    store_dir: Path | None,
) -> None:
    """Events per year, stacked by area of cooperation.

    Counts every event (any subclass of schema:Event) by the year of its schema:startDate
    and its ots:area, one colour per area, with the number of distinct events on each bar.
    Long runs of years without events are squeezed into one slot.

    \b
    Example:
      ots-kg plot timeline --area health --area area:transport --from 2015 --to 2024 -o t.svg
    """
    from ..render.charts import timeline as draw

    with Progress("plot timeline") as shown:
        data = draw(_load(paths, store_dir, shown), output, areas, year_from, year_to)
    click.echo(f"{output}: {data.events} events in {len(data.totals)} years, {len(data.areas)} areas")


@plot.command(epilog=EPILOG)
@_PATHS
@_output("series.png")
@STORE
def series(paths: tuple[Path, ...], output: Path, store_dir: Path | None) -> None:
    """Meeting series over time: one row per series, one marker per meeting.

    Every ots:MeetingSeries with at least one event (ots:inSeries) gets a row; each meeting
    sits at its start date, labelled with its ordinal and city. Planned meetings
    (ots:isPlanned true) are hollow, extraordinary/informal/ad-hoc ones diamonds.

    \b
    Example:
      ots-kg plot series -o series.svg
    """
    from ..render.charts import series as draw

    with Progress("plot series") as shown:
        data = draw(_load(paths, store_dir, shown), output)
    meetings = sum(len(m) for m in data.meetings.values())
    click.echo(f"{output}: {len(data.meetings)} series, {meetings} meetings")


@plot.command(epilog=EPILOG)
@_PATHS
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default="network.png",
    show_default=True,
    help="Chart file: .png, .svg, or .html for an interactive page (hover, drag, zoom; works offline).",
)
@click.option(
    "--focus",
    metavar="IRI",
    default="inst:ots",
    show_default=True,
    help="The entity at the centre: only what lies within --depth links of it.",
)
@click.option("--depth", type=int, default=1, show_default=True, help="Links from the focus to include.")
@click.option("--all", "whole", is_flag=True, help="The whole network instead of one entity's neighbourhood.")
@click.option(
    "--areas/--no-areas",
    "with_areas",
    default=False,
    show_default=True,
    help="Also draw the areas of cooperation and link mechanisms to them.",
)
@STORE
def network(
    paths: tuple[Path, ...],
    output: Path,
    focus: str,
    depth: int,
    whole: bool,
    with_areas: bool,
    store_dir: Path | None,
) -> None:
    """The institutional network around one entity (default: the OTS itself, 1 link deep).

    Links: org:unitOf/hasUnit, org:linkedTo, memberships (org:member with the role),
    ots:ofState, ots:coordinatedBy, schema:organizer, ots:hostedBy, ots:partOfMechanism.
    Colours (Okabe-Ito, colour-blind safe) tell the kind of node; member states are filled
    circles, observer states hollow squares with dashed membership links; labels are placed
    where they overlap nothing. --all draws every connected node (labels only for the main
    ones). An .html output is one self-contained page: hover a node to see its links.

    \b
    Examples:
      ots-kg plot network -o network.svg
      ots-kg plot network --focus state:hungary --depth 2 -o hungary.png
      ots-kg plot network --focus inst:secretariat --depth 2 -o secretariat.html
      ots-kg plot network --all -o everything.png
    """
    from ..render.charts import network as draw

    with Progress("plot network") as shown:
        net = draw(_load(paths, store_dir, shown), output, None if whole else focus, depth, with_areas)
    click.echo(f"{output}: {net.number_of_nodes()} nodes, {net.number_of_edges()} links")


@click.command(epilog=EPILOG)
@_PATHS
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default="site",
    show_default=True,
    help="Folder to write the site into (created if missing).",
)
@click.option(
    "--sources",
    type=click.Path(path_type=Path),
    default=None,
    help="Source documents folder, to show file names and line numbers of cited passages "
    "[default: ../shared/sources beside the checkout, when present].",
)
def docs(paths: tuple[Path, ...], output: Path, sources: Path | None) -> None:
    """Build a static, offline documentation site of the graph.

    Writes index.html with: the ontology reference (every class and property), the SHACL
    shapes in plain words, the stored query catalogue with sample results, a page per
    state, organisation, mechanism, event, document, person, place and area with its facts
    and cited passages, and the charts as SVG. No external assets: open it from disk.

    \b
    Example:
      ots-kg docs -o site && xdg-open site/index.html
    """
    from ..render.site import build

    with Progress("docs") as shown:
        report = build(output, list(paths) or None, sources=sources, progress=shown.step)
    click.echo(
        f"docs: {report.pages} pages and {len(report.charts)} charts in {output} "
        f"({report.seconds:.1f} s); open {output / 'index.html'}"
    )
