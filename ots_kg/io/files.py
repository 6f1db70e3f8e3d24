"""Which Turtle files an input list names, and reading one as text. Free of rdflib so the
fast query path can hash the inputs without importing it; the loader uses the same list."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from ..errors import LoadError
from ..model.formats import GRAPH_FORMATS, SUFFIX_FORMATS
from ..resources import data_dir, ontology_file

PathLike = str | os.PathLike[str]


def display_path(file: str | os.PathLike[str] | None) -> str:
    """A file as CI tools want it: relative to the working directory when inside it."""
    if file is None:
        return ""
    return _display_path(os.fspath(file), os.getcwd())


@lru_cache(maxsize=1024)
def _display_path(file: str, cwd: str) -> str:
    """Once per file and working directory: a report names the same few files thousands of times."""
    path = os.path.abspath(os.path.join(cwd, file))
    rel = os.path.relpath(path, cwd)
    return path if rel.startswith("..") else rel


def _shown(path: str) -> str:
    """A path for a message, printable even when its name is not UTF-8."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def shown_file(path: str | os.PathLike[str]) -> str:
    """An input file (resolved) in a message: as display_path shows it, and printable."""
    return _shown(display_path(path))


def _walk(folder: str) -> list[str]:
    """*.ttl below a folder; os.scandir, since pathlib's rglob costs tens of ms here.
    Symbolic links inside folders are not followed (no loops, no escaping the folder)."""
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    found.extend(_walk(entry.path))
                elif entry.name.endswith(".ttl") and entry.is_file(follow_symlinks=False):
                    found.append(entry.path)
    except PermissionError:
        raise LoadError(f"{_shown(folder)}: permission denied") from None
    except OSError as exc:
        raise LoadError(f"{_shown(folder)}: cannot list ({exc.strerror})") from None
    return found


def _refuse_other_syntax(path: str, shown: str) -> None:
    """A LoadError for a file whose suffix names an RDF syntax other than Turtle and
    N-Triples (which is Turtle): parsed as Turtle it gave a hundred confusing syntax errors."""
    fmt = SUFFIX_FORMATS.get(os.path.splitext(path)[1].lower())
    if fmt in GRAPH_FORMATS and fmt not in ("ttl", "nt"):
        other = GRAPH_FORMATS[fmt]
        raise LoadError(
            f"{shown}: {other.label} by its suffix; ots-kg reads Turtle (.ttl) and N-Triples (.nt): "
            f"convert it first, e.g. rdfpipe -i {other.rdflib} -o turtle {shown} > {os.path.splitext(shown)[0]}.ttl"
        )


def turtle_files(paths: Iterable[PathLike]) -> list[Path]:
    """Expand files and folders (recursively, *.ttl) into a sorted, de-duplicated list."""
    found: list[str] = []
    for raw in paths:
        path = os.path.abspath(raw)
        try:
            info = os.stat(path)
        except FileNotFoundError:
            kind = "broken symbolic link" if os.path.islink(path) else "no such file or directory"
            raise LoadError(f"{_shown(str(raw))}: {kind}") from None
        except OSError as exc:
            raise LoadError(f"{_shown(str(raw))}: cannot open ({exc.strerror})") from None
        if stat.S_ISDIR(info.st_mode):
            files = _walk(path)
            if not files:
                raise LoadError(f"{_shown(str(raw))}: directory holds no .ttl file")
            found.extend(files)
        elif stat.S_ISREG(info.st_mode):
            _refuse_other_syntax(path, _shown(str(raw)))
            found.append(path)
        else:
            raise LoadError(f"{_shown(str(raw))}: not a regular file (a FIFO, socket or device is not read)")
    return [Path(p) for p in sorted(set(found))]


def input_files(paths: Iterable[PathLike] | None, *, include_ontology: bool = True) -> list[Path]:
    """The files a graph is loaded from, in order: the ontology, then the data (default: bundled)."""
    data = turtle_files(paths or [data_dir()])
    return [ontology_file(), *data] if include_ontology else data


def refuse_overwriting_input(output: PathLike | None, paths: Iterable[PathLike] | None) -> None:
    """A LoadError when `output` is one of the files a graph is read from (export -o INPUT
    would destroy the input before anyone noticed)."""
    if output is None or not os.path.exists(output):
        return
    for path in input_files(paths):
        try:
            if os.path.samefile(output, path):
                raise LoadError(f"{_shown(str(output))}: is an input of this command; write the output elsewhere")
        except OSError:
            continue


def read_bytes(path: Path) -> bytes:
    """A regular file's bytes, read once. Opened without blocking and checked on the open
    descriptor, so a FIFO or device fails at once instead of hanging or being read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except PermissionError:
        raise LoadError(f"{shown_file(path)}: permission denied") from None
    except OSError as exc:
        raise LoadError(f"{shown_file(path)}: cannot read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise LoadError(f"{shown_file(path)}: not a regular file (a FIFO, socket or device is not read)")
        try:
            return handle.read()
        except OSError as exc:
            raise LoadError(f"{shown_file(path)}: cannot read ({exc.strerror})") from None


def read_text(path: Path, raw: bytes | None = None) -> str:
    """File text as UTF-8 (BOM allowed), or a LoadError saying why it is not Turtle text;
    `raw` gives bytes already read (the cache hashes exactly the bytes that are parsed)."""
    if raw is None:
        raw = read_bytes(path)
    name = shown_file(path)
    if b"\x00" in raw:
        raise LoadError(f"{name}: binary file, not Turtle text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(f"{name}:{line}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise LoadError(f"{name}: empty file, no triples")
    return text
