"""What every command shares: the epilog, NAME=VALUE parsing, writing output, PATHS."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import OtsKgError

EPILOG = "Exit codes: 0 ok, 1 validation or check failed, 2 usage or input error."
PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))
STORE = click.option(
    "--store",
    "store_dir",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="OTS_KG_STORE",
    metavar="DIR",
    help="Keep the loaded graph in an on-disk Oxigraph store in DIR (or $OTS_KG_STORE): loaded once, "
    "rebuilt when an input's content changes, opened read-only otherwise.",
)


def store_route(store_dir: Path | None, paths: tuple[Path, ...] | list[Path] | None, what: str = "") -> Path | None:
    """Where the disk store is for --store or a large input, or None; `what` names an option
    that needs an rdflib graph, which that route cannot take (a usage error)."""
    from ..io.store import is_large, store_location

    if what and (store_dir or is_large(list(paths or []) or None)):
        raise OtsKgError(f"{what} needs the in-memory graph; not available with --store or inputs this large")
    return store_location(store_dir, list(paths or []) or None)


def open_store_route(store_dir: Path | None, paths: tuple[Path, ...] | list[Path] | None, what: str = "") -> object:
    """The read-only disk store of store_route, or None."""
    from ..io.store import read_only

    location = store_route(store_dir, paths, what)
    return read_only(location) if location else None


class Seconds(click.ParamType):
    """A time limit: a finite number of seconds above zero (nan, inf, 0 and -5 are refused)."""

    name = "seconds"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            seconds = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not 0 < seconds < float("inf"):
            self.fail(f"{value!r} is not a positive, finite number of seconds", param, ctx)
        return seconds


SECONDS = Seconds()
MAX_ANSWER_MB = click.option(
    "--max-answer-mb",
    "max_answer_mb",
    type=click.IntRange(1),
    default=512,
    show_default=True,
    help="Refuse a remote answer larger than this many MiB (read in chunks, never held beyond it).",
)


def mib(megabytes: int) -> int:
    """--max-answer-mb in bytes, as the HTTP client counts them."""
    return megabytes * 1024 * 1024


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    """`-p name=value` options as a dict; anything else is a usage error."""
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise OtsKgError(f"parameter {item!r} is not name=value")
        out[name] = value
    return out


def write(text: str, output: Path | None) -> None:
    """Text to stdout, or to a file with a one-line error if it cannot be written."""
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OtsKgError(f"{output}: cannot write ({exc.strerror})") from None


def paths_or_none(paths: tuple[Path, ...]) -> list[Path] | None:
    return list(paths) or None


def terminal_width() -> int | None:
    """The width tables fit on a terminal (COLUMNS respected); None when writing to a pipe."""
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        import shutil  # not at the top: shutil pulls in three compression modules every command would pay for

        return shutil.get_terminal_size().columns
    return None


def passage_reader(sources: Path | None):
    """The passage-text lookup for tables: --sources, else ../shared/sources if present."""
    from ..io.passages import PassageTexts, default_sources

    folder = sources or default_sources()
    if sources is not None and not sources.is_dir():
        raise OtsKgError(f"{sources}: no such folder of sources")
    return PassageTexts(folder).line if folder else None


def load_graph_route(store_dir: Path | None, paths: tuple[Path, ...] | list[Path]) -> object:
    """An rdflib graph for the commands that walk one (stats, plot): read from the disk store
    with --store (or for a large input), else loaded from the Turtle files."""
    store = open_store_route(store_dir, paths)
    if store is not None:
        from ..io.loader import graph_from_store

        return graph_from_store(store)
    from ..io.loader import load_graph

    return load_graph(list(paths) or None)
