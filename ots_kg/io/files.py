"""Which Turtle files an input list names, and reading one as text. Free of rdflib so the
fast query path can hash the inputs without importing it; the loader uses the same list."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import LoadError
from ..resources import data_dir, ontology_file

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


def input_files(paths: Iterable[PathLike] | None, *, include_ontology: bool = True) -> list[Path]:
    """The files a graph is loaded from, in order: the ontology, then the data (default: bundled)."""
    data = turtle_files(paths or [data_dir()])
    return [ontology_file(), *data] if include_ontology else data


def read_text(path: Path) -> str:
    """File text as UTF-8 (BOM allowed), or a LoadError saying why it is not Turtle text."""
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise LoadError(f"{path}: permission denied") from None
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror})") from None
    if b"\x00" in raw:
        raise LoadError(f"{path}: binary file, not Turtle text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(f"{path}:{line}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise LoadError(f"{path}: empty file, no triples")
    return text
