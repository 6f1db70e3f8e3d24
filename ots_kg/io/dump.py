"""Export straight from an Oxigraph store, streamed to the file: the large-graph route.

Oxigraph's serialisers write quads as the store yields them, so memory stays flat however
large the graph is. The order is the store's index order, not sorted, and blank node labels
are those of the load: for large exports the bytes are not promised stable across loads,
only the triples (the rdflib route in io.export stays the byte-stable one). No rdflib here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..errors import OtsKgError
from ..model.prefixes import PREFIXES

_FORMATS = {"nt": "N_TRIPLES", "ttl": "TURTLE", "trig": "TRIG", "xml": "RDF_XML", "jsonld": "JSON_LD"}


class _CountingWriter:
    """The output, its bytes counted as Oxigraph writes them (for a progress line)."""

    def __init__(self, handle: IO[bytes], advance: Callable[[float], None]) -> None:
        self.handle, self.advance = handle, advance

    def write(self, block: bytes) -> int:
        self.advance(len(block))
        return self.handle.write(block)

    def flush(self) -> None:
        self.handle.flush()


def dump_store(store: Any, fmt: str, output: Path | None, advance: Callable[[float], None] | None = None) -> None:
    """The store's default graph in `fmt`, written to `output` (or stdout) as it is read;
    `advance(n)` is told each n bytes written (only when given: a counted write costs a call)."""
    import pyoxigraph as ox

    if fmt not in _FORMATS:
        raise OtsKgError(f"--format {fmt} needs the in-memory graph; from a store: {', '.join(_FORMATS)}")
    rdf_format = getattr(ox.RdfFormat, _FORMATS[fmt])
    options: dict[str, Any] = {"format": rdf_format, "from_graph": ox.DefaultGraph()}
    if fmt in ("ttl", "trig", "xml"):
        options["prefixes"] = dict(PREFIXES)
    try:
        if output is None:
            sys.stdout.flush()
            store.dump(_CountingWriter(sys.stdout.buffer, advance) if advance else sys.stdout.buffer, **options)
            sys.stdout.buffer.flush()
        else:
            with open(output, "wb") as handle:
                store.dump(_CountingWriter(handle, advance) if advance else handle, **options)
    except OSError as exc:
        raise OtsKgError(f"{output or 'stdout'}: cannot write ({exc.strerror or exc})") from None
