"""`ots-kg`: a thin command line over the Python API, one module per subject.

Exit codes: 0 ok, 1 the data does not conform / the check found problems, 2 usage or input
error (one line on stderr, never a traceback). Commands import their machinery lazily, so
`ots-kg query` on a warm cache never imports rdflib.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys

import click

from .. import __version__
from ..errors import OtsKgError
from ..sparql.limits import QueryTimeout
from .common import EPILOG

# command name -> (module of ots_kg.cli, function): a command's module is imported only when
# that command runs (or help lists them all), so `ots-kg validate` does not load the query,
# server and picture commands.
COMMANDS = {
    "validate": ("graph", "validate"),
    "find": ("query", "find"),
    "queries": ("query", "queries"),
    "query": ("query", "query"),
    "export": ("graph", "export"),
    "stats": ("graph", "stats"),
    "push": ("store", "push"),
    "serve": ("store", "serve"),
    "check-sources": ("graph", "check_sources_cmd"),
    "plot": ("visual", "plot"),
    "docs": ("visual", "docs"),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def _version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """--version, and which copy of the graph the commands read: it depends on the working
    folder (a checkout's own files, else the installed package's), so it is said here."""
    if not value or ctx.resilient_parsing:
        return
    from ..resources import checkout_root, data_dir

    root = checkout_root()
    where = f"{root} (a checkout: its ontology/, data/, queries/)" if root else f"{data_dir().parent} (installed)"
    click.echo(f"ots-kg, version {__version__}\nbundled graph: {where}")
    ctx.exit()


@click.group(cls=_LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_version,
    help="The version, and where the bundled graph is read from.",
)
@click.option("--quiet", is_flag=True, help="No progress lines on stderr (they show only on a terminal, never in CI).")
def cli(quiet: bool) -> None:
    """The knowledge graph of the Organization of Turkic States.

    Validate it, query it with stored or ad-hoc SPARQL, export it, count it. Every command
    works on the bundled data unless you give it Turtle files or folders: inside a checkout
    its own files, else the installed copy (--version says which).

    \b
    Examples:
      ots-kg validate                      # the bundled graph against the SHACL shapes
      ots-kg find samarkand                # nodes by name: kind and compact IRI
      ots-kg queries                       # the stored query catalogue
      ots-kg query summits                 # every summit with date, city and theme
      ots-kg query series-timeline -p series=mech:transport-ministers
      ots-kg export --format nt -o ots.nt  # the whole graph, byte-stable
    """
    if quiet:
        from ..progress import silence

        silence()


def main() -> None:
    """Entry point: click's and our errors become one line on stderr with exit code 2."""
    # once the command is done (by any exit, `sys.exit` in a command too), spare the
    # interpreter's shutdown its collector's pass over every object the run made: 20-30 ms of
    # `validate` and `query members` (bench/README). Cleanups registered later still run
    # first, and every object is still freed by its reference count.
    atexit.register(gc.freeze)
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
        click.echo(
            f"ots-kg: internal error: {type(exc).__name__}: {exc} (set OTS_KG_DEBUG=1 for a traceback)", err=True
        )
        code = 3
    sys.exit(code if isinstance(code, int) else 0)
