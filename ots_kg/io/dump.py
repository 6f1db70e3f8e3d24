"""Export straight from an Oxigraph store, streamed to the file: the large-graph route.

Oxigraph's serialisers write quads as the store yields them, so memory stays flat however
large the graph is. The order is the store's index order, not sorted, and blank node labels
are those of the load: for large exports the bytes are not promised stable across loads,
only the triples (the rdflib route in io.export stays the byte-stable one). No rdflib here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from ..errors import OtsKgError
from ..model.prefixes import PREFIXES

_FORMATS = {"nt": "N_TRIPLES", "ttl": "TURTLE", "trig": "TRIG", "xml": "RDF_XML", "jsonld": "JSON_LD"}


def dump_store(store: Any, fmt: str, output: Path | None) -> None:
    """The store's default graph in `fmt`, written to `output` (or stdout) as it is read."""
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
            store.dump(sys.stdout.buffer, **options)
            sys.stdout.buffer.flush()
        else:
            with open(output, "wb") as handle:
                store.dump(handle, **options)
    except OSError as exc:
        raise OtsKgError(f"{output or 'stdout'}: cannot write ({exc.strerror or exc})") from None
