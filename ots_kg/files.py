"""Which Turtle files an input list names. Free of rdflib so the fast query path can
hash the inputs without importing it; the loader uses the same list."""
from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .errors import LoadError

PathLike = str | os.PathLike[str]


def _walk(folder: str) -> list[str]:
    """*.ttl below a folder; os.scandir, since pathlib's rglob costs tens of ms here."""
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir():
                found.extend(_walk(entry.path))
            elif entry.name.endswith(".ttl") and entry.is_file():
                found.append(entry.path)
    return found


def turtle_files(paths: Iterable[PathLike]) -> list[Path]:
    """Expand files and folders (recursively, *.ttl) into a sorted, de-duplicated list."""
    found: list[str] = []
    for raw in paths:
        path = os.path.abspath(raw)
        if os.path.isdir(path):
            files = _walk(path)
            if not files:
                raise LoadError(f"{raw}: directory holds no .ttl file")
            found.extend(files)
        elif os.path.lexists(path):
            found.append(path)
        else:
            raise LoadError(f"{raw}: no such file or directory")
    return [Path(p) for p in sorted(set(found))]
