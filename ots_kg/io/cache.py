"""The content-keyed cache of the loaded graph, so `ots-kg query` skips parsing.

The key is the SHA-256 of every input file's path and bytes (plus the package version), so
any edit to the ontology or the data makes a new key: never stale. A miss runs the loader
(with its file:line errors and checks) into an Oxigraph store and writes its N-Triples; a
hit loads those straight into a store. Neither imports rdflib.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import LoadError
from .files import PathLike, input_files

CACHE_VERSION = "2"


def cache_dir() -> Path:
    """$OTS_KG_CACHE, else $XDG_CACHE_HOME/ots-kg, else ~/.cache/ots-kg."""
    explicit = os.environ.get("OTS_KG_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ots-kg"


def cache_key(files: Sequence[Path]) -> str:
    digest = hashlib.sha256(f"ots-kg cache {CACHE_VERSION} {__version__}\n".encode())
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LoadError(f"{path}: cannot read ({exc.strerror})") from None
        digest.update(f"{path}\n{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def cached_ntriples(paths: Sequence[PathLike] | None = None) -> bytes:
    """N-Triples of the loaded graph (ontology + data), from the cache when the inputs are unchanged."""
    from .loader import load_store, ntriples

    target = cache_dir() / f"{cache_key(input_files(paths))}.nt"
    try:
        return target.read_bytes()
    except OSError:
        pass
    data = ntriples(load_store(list(paths) if paths else None))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only home still gets answers, just not cached ones
    return data


def open_store(paths: Sequence[PathLike] | None = None) -> Any:
    """An in-memory Oxigraph store holding ontology + data, through the cache."""
    from .loader import store_from_ntriples

    return store_from_ntriples(cached_ntriples(paths))
