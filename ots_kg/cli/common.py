"""What every command shares: the epilog, NAME=VALUE parsing, writing output, PATHS."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import OtsKgError

EPILOG = "Exit codes: 0 ok, 1 validation or check failed, 2 usage or input error."
PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path, readable=False))


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
