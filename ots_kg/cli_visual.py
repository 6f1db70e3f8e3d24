"""Pictures and documentation of the graph: `ots-kg plot ...` and `ots-kg docs`."""
from __future__ import annotations

import click


@click.group()
def plot() -> None:
    """Charts of the graph (timeline, series, network)."""
