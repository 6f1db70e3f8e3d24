"""The content-keyed cache of the loaded graph, so `ots-kg query` skips parsing.

The key is the SHA-256 of every input file's path and bytes (plus the package version), and
the graph is parsed from exactly those bytes (each file is read once), so an edit made
while a query runs can never file graph B under the key of content A. A miss runs the loader
(with its file:line errors and checks) into an Oxigraph store and writes its N-Triples
behind a header holding their SHA-256; a hit is used only when the entry is a regular file
owned by this user, writable by no one else, and its checksum matches. Anything else
(truncated, emptied, planted by another user of a shared OTS_KG_CACHE) is ignored and
rebuilt. Neither path imports rdflib.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from .files import PathLike, input_files, read_bytes

CACHE_VERSION = "3"
_MAGIC = b"ots-kg-cache " + CACHE_VERSION.encode() + b" sha256="


def cache_dir() -> Path:
    """$OTS_KG_CACHE, else $XDG_CACHE_HOME/ots-kg, else ~/.cache/ots-kg."""
    explicit = os.environ.get("OTS_KG_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ots-kg"


def read_sources(paths: Sequence[PathLike] | None = None) -> list[tuple[Path, bytes]]:
    """Every input file with its bytes, each read once (regular files only)."""
    return [(path, read_bytes(path)) for path in input_files(paths)]


def cache_key(sources: Sequence[tuple[Path, bytes]]) -> str:
    digest = hashlib.sha256(f"ots-kg cache {CACHE_VERSION} {__version__}\n".encode())
    for path, data in sources:
        digest.update(os.fsencode(path) + f"\n{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def read_entry(target: Path) -> bytes | None:
    """The N-Triples of a trustworthy cache entry, else None (missing, not a regular file,
    another owner, writable by others, or a checksum that does not match)."""
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None
        try:
            raw = handle.read()
        except OSError:
            return None
    head, newline, body = raw.partition(b"\n")
    if not newline or not head.startswith(_MAGIC):
        return None
    if hashlib.sha256(body).hexdigest().encode() != head[len(_MAGIC) :]:
        return None
    return body


def write_entry(target: Path, data: bytes) -> None:
    """Write an entry atomically (private file, renamed into place); a read-only cache
    directory only costs speed."""
    import tempfile  # only a cache miss writes: a hit skips its imports (shutil, random: ~8 ms)

    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(_MAGIC + hashlib.sha256(data).hexdigest().encode() + b"\n")
            handle.write(data)
        os.replace(tmp, target)
    except OSError:
        pass


def cached_ntriples(paths: Sequence[PathLike] | None = None) -> bytes:
    """N-Triples of the loaded graph (ontology + data), from the cache when the inputs are unchanged."""
    from .loader import load_store, ntriples

    sources = read_sources(paths)
    target = cache_dir() / f"{cache_key(sources)}.nt"
    data = read_entry(target)
    if data is not None:
        return data
    data = ntriples(load_store(sources=sources))
    write_entry(target, data)
    return data


def open_store(paths: Sequence[PathLike] | None = None) -> Any:
    """An in-memory Oxigraph Store holding ontology + data, through the cache; an entry
    that passed its checks but still does not load is rebuilt."""
    from .loader import load_store, ntriples, store_from_ntriples

    data = cached_ntriples(paths)
    try:
        return store_from_ntriples(data)
    except (SyntaxError, ValueError, OSError):
        sources = read_sources(paths)
        store = load_store(sources=sources)
        write_entry(cache_dir() / f"{cache_key(sources)}.nt", ntriples(store))
        return store
