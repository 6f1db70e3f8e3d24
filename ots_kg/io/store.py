"""The persistent on-disk store (`--store DIR`) and the route for inputs too large for rdflib.

A store directory holds `oxigraph/` (an Oxigraph RocksDB store, bulk-loaded once), `stamp.json`
(the key it was built from, and each input's path, size, mtime and SHA-256) and `lock`.

When it is rebuilt: the key is the SHA-256 of the store format, the package version and
each input's path and content hash (ontology first, then the data files). Any difference
rebuilds it, with a one-line notice on stderr. To keep `ots-kg query` fast on tens of
millions of triples, a file whose size and mtime (ns) equal those in the stamp is taken to
have the hash recorded there; any other file is hashed again. A build records each file's
size and mtime from before it hashes and loads it, so a file saved during a build leaves a
stamp that no longer matches: it is hashed again next time and the store rebuilt.

Loading costs what Oxigraph's own bulk load costs plus little: each file is hashed
(hashlib, C speed) and then bulk-loaded by path (Oxigraph reads it, no Python in the
parse loop; on a terminal a counting reader feeds the progress bar instead), smallest file
first and without a base IRI unless a file needs one (see _smallest_first, _bulk_load), and the
passages are derived from one DISTINCT query over prov:wasDerivedFrom objects, answered
on encoded terms (no FILTER, which would decode every object: 7x slower at 1 M triples).
Then the store is compacted (`Store.optimize`): each bulk-load batch adds its own sorted file
to every index, their key ranges overlap, and a lookup or scan then reads all of them — at
10 M triples 57 files, and the stored queries ran 3-8x slower than on the compacted store
(24 files); compacting costs about a quarter of the load's wall time (bench/README.md).

Locking: a reader holds a shared `flock` on `lock` for as long as its process runs and
opens the store read-only (`Store.read_only`), so any number of readers run side by side;
a build needs the exclusive lock, waits for readers for up to `OTS_KG_STORE_WAIT` seconds
(default 30) and otherwise fails with one line, so no process reads a store being written.

What the disk route does not do that the rdflib loader does: ill-typed literals are stored
as written rather than refused at load (`validate` holds them to the loader's rule,
ill_typed_in_store, and reports them as load errors as the file route does);
syntax errors still name `file:line` (a bulk load cannot resume, so once a file fails the
others are only parsed, for their first error each: one run names every broken file), and
derived passages are added the same way.

Inputs above `large_threshold()` bytes (50 MB, or `OTS_KG_LARGE_BYTES`) without `--store`
are loaded the same way into a temporary store that is removed at exit.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from .. import __version__
from .. import progress as terminal
from ..errors import LoadError
from .files import PathLike, input_files, shown_file

STORE_FORMAT = "1"
LARGE_BYTES = 50_000_000
_HELD: list[IO[str]] = []  # lock files held for the life of the process (shared locks)
# no FILTER(isIRI(?o)): literals are dropped in Python, after DISTINCT (see the module docstring)
_CITED = "SELECT DISTINCT ?o WHERE { ?s <http://www.w3.org/ns/prov#wasDerivedFrom> ?o }"

Progress = Callable[[int], None]
Step = Callable[[str], None]


# every distinct object of the store once: its datatype, or itself when an IRI or a literal
# of a checked datatype. DISTINCT on the store's encoded terms comes first and each distinct
# object is decoded once; the namespaces are tested in Python (13 STRSTARTS per IRI, or a
# FILTER that Oxigraph ran before the DISTINCT, took 51-70 s at 10 M triples against 31 s so;
# `?datatype IN` reuses the datatype: a second DATATYPE(?o) per object took 75 s)
_OBJECTS = """SELECT DISTINCT ?datatype ?term WHERE {{
  {{ SELECT DISTINCT ?o WHERE {{ ?s ?p ?o }} }}
  BIND (DATATYPE(?o) AS ?datatype)
  BIND (IF(isIRI(?o) || ?datatype IN ({checked}), ?o, ?unbound) AS ?term)
}}"""


@dataclass(frozen=True)
class ObjectSummary:
    """What objects a store holds, in one pass: datatypes, IRIs, literals of checked types."""

    datatypes: frozenset[str]
    iris: frozenset[str]
    literals: tuple[Any, ...]  # pyoxigraph Literals of the datatypes loader.ill_typed checks


def object_summary(store: Any) -> ObjectSummary:
    """The store's objects summarised (the closed-vocabulary and literal checks of the disk
    route read it; 32-37 s at 10 M triples)."""
    import pyoxigraph as ox

    from .loader import checked_datatypes

    checked = checked_datatypes()
    datatypes, iris, literals = set(), set(), []
    for row in store.query(_OBJECTS.format(checked=", ".join(f"<{d}>" for d in sorted(checked)))):
        datatype, term = row["datatype"], row["term"]
        if isinstance(datatype, ox.NamedNode):
            datatypes.add(datatype.value)
        if isinstance(term, ox.NamedNode):
            iris.add(term.value)
        elif isinstance(term, ox.Literal) and term.datatype.value in checked:
            literals.append(term)
    return ObjectSummary(frozenset(datatypes), frozenset(iris), tuple(literals))


def ill_typed_in_store(store: Any, objects: ObjectSummary | None = None) -> list[tuple[Any, Any, Any]]:
    """The triples whose literal is not a value of its datatype (loader.ill_typed, the one
    rule): the file route refuses them at load; the bulk loader stores them as written."""
    from .loader import ill_typed

    objects = objects or object_summary(store)
    found = []
    for literal in objects.literals:
        if ill_typed(literal.value, literal.datatype.value):
            found += [(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, literal)]
    return found


def large_threshold() -> int:
    """Input size in bytes above which the rdflib route is never taken."""
    try:
        return int(os.environ.get("OTS_KG_LARGE_BYTES", LARGE_BYTES))
    except ValueError:
        raise LoadError("OTS_KG_LARGE_BYTES must be a number of bytes") from None


def input_bytes(files: Sequence[Path]) -> int:
    return sum(p.stat().st_size for p in files if p.is_file())


def is_large(paths: Sequence[PathLike] | None) -> bool:
    """True when the inputs (ontology + data) exceed the threshold."""
    return input_bytes(input_files(paths)) > large_threshold()


@dataclass(frozen=True)
class Stamp:
    key: str
    files: list[dict[str, Any]]

    def known_hash(self, path: Path, stat: os.stat_result) -> str | None:
        for entry in self.files:
            if entry["path"] == str(path) and entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns:
                return entry["sha256"]
        return None


def store_key(hashes: Sequence[tuple[Path, str]]) -> str:
    digest = hashlib.sha256(f"ots-kg store {STORE_FORMAT} {__version__}\n".encode())
    for path, sha in hashes:
        digest.update(f"{path}\n{sha}\n".encode())
    return digest.hexdigest()


def _file_hash(path: Path) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise LoadError(f"{shown_file(path)}: cannot read ({exc.strerror})") from None


def _read_stamp(directory: Path) -> Stamp | None:
    try:
        raw = json.loads((directory / "stamp.json").read_text(encoding="utf-8"))
        return Stamp(str(raw["key"]), list(raw["files"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def current_key(files: Sequence[Path], stamp: Stamp | None) -> str:
    """The key of the inputs as they are now (hashing only files whose size or mtime changed)."""
    hashes = []
    for path in files:
        try:
            stat = path.stat()
        except OSError as exc:
            raise LoadError(f"{shown_file(path)}: cannot read ({exc.strerror})") from None
        known = stamp.known_hash(path, stat) if stamp else None
        hashes.append((path, known or _file_hash(path)))
    return store_key(hashes)


class _CountingReader:
    """A binary file read by Oxigraph's bulk loader, its bytes counted for the progress bar."""

    def __init__(self, handle: IO[bytes], progress: Progress) -> None:
        self.handle = handle
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        block = self.handle.read(size)
        self.progress(len(block))
        return block


_NO_BASE = "No scheme found in an absolute IRI"  # Oxigraph's error for a relative IRI without a base


class _NeedsBase(Exception):
    """A file uses relative IRIs: the build starts again, resolving that file against its URI."""

    def __init__(self, path: Path) -> None:
        self.path = path


def _bulk_load(store: Any, path: Path, progress: Progress | None, base: bool = False) -> None:
    """Bulk-load one Turtle file: by path (Oxigraph reads it), or through a counting reader
    when a progress bar is shown. Without a base IRI unless asked: resolving every IRI against
    one cost 6 % of the load's CPU at 1 M triples, and data files rarely hold relative IRIs
    (those that do are loaded again with their file URI as base, as the in-memory loader does)."""
    import pyoxigraph as ox

    options: dict[str, Any] = {"format": ox.RdfFormat.TURTLE}
    if base:
        options["base_iri"] = path.as_uri()
    if progress is None:
        store.bulk_load(path=str(path), **options)
        return
    with open(path, "rb") as handle:
        store.bulk_load(input=_CountingReader(handle, progress), **options)


def _syntax_check(path: Path, problems: Any, progress: Progress | None) -> None:
    """Parse a file only (nothing stored), adding its first syntax error to `problems`:
    after one file failed the bulk load, the others are still read so that one run names
    every broken file, as the in-memory loader does. Relative IRIs resolve against the file."""
    import pyoxigraph as ox

    from .loader import blamed_syntax_error, syntax_message

    try:
        with open(path, "rb") as handle:
            source = _CountingReader(handle, progress) if progress is not None else handle
            for _ in ox.parse(source, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
                pass
    except SyntaxError as exc:
        problems.add(path, *blamed_syntax_error(path, exc.lineno, syntax_message(exc)))
    except OSError as exc:
        raise LoadError(f"{shown_file(path)}: cannot read ({exc.strerror})") from None


def _smallest_first(files: Sequence[Path]) -> list[tuple[Path, os.stat_result]]:
    """The files with their stat (taken before hashing: a later save changes it, so the stamp
    goes stale), smallest first. Each bulk load adds sorted files to RocksDB; small files
    loaded after a large one overlap its key range and made RocksDB compact the large one
    again (25 s of CPU after a 10 M-triple file, against 3 s loaded largest last)."""
    stats = []
    for path in files:
        try:
            stats.append((path, path.stat()))
        except OSError as exc:
            raise LoadError(f"{shown_file(path)}: cannot read ({exc.strerror})") from None
    return sorted(stats, key=lambda item: item[1].st_size)


def _lock(directory: Path, exclusive: bool) -> IO[str]:
    """The store's lock file, locked shared (wait) or exclusive (wait up to OTS_KG_STORE_WAIT s)."""
    handle = open(directory / "lock", "a+")  # noqa: SIM115 (held for the life of the process)
    if not exclusive:
        fcntl.flock(handle, fcntl.LOCK_SH)
        return handle
    deadline = time.monotonic() + float(os.environ.get("OTS_KG_STORE_WAIT", "30"))
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                raise LoadError(f"{directory}: store is in use by another process; cannot rebuild it now") from None
            time.sleep(0.2)


def _notice(message: str) -> None:
    print(f"ots-kg: {message}", file=sys.stderr, flush=True)


def build_store(
    directory: Path, files: Sequence[Path], *, progress: Progress | None = None, step: Step | None = None
) -> Stamp:
    """Bulk-load the files into DIR/oxigraph (replacing it), compact it and write the stamp;
    the caller holds the exclusive lock. A syntax error removes the half-built store. A bulk
    load cannot be undone, so a file found to use relative IRIs restarts the build with a base
    for it. `step` is told when the build moves from loading to compacting."""
    based: set[Path] = set()
    while True:
        try:
            return _build(directory, files, progress, step, based)
        except _NeedsBase as needs:
            based.add(needs.path)


def _build(
    directory: Path, files: Sequence[Path], progress: Progress | None, step: Step | None, based: set[Path]
) -> Stamp:
    import shutil  # here, not at the top: shutil and tempfile cost every command ~10 ms

    import pyoxigraph as ox

    from .loader import Problems, add_passages, blamed_syntax_error, syntax_message

    target = directory / "oxigraph"
    (directory / "stamp.json").unlink(missing_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    store = ox.Store(str(target))
    entries: dict[Path, dict[str, Any]] = {}
    problems = Problems()
    try:
        for path, stat in _smallest_first(files):
            if problems.issues:  # the build is lost (a bulk load cannot resume): only find each file's first error
                _syntax_check(path, problems, progress)
                continue
            sha = _file_hash(path)
            try:
                _bulk_load(store, path, progress, base=path in based)
            except SyntaxError as exc:
                if _NO_BASE in syntax_message(exc) and path not in based:
                    raise _NeedsBase(path) from None
                problems.add(path, *blamed_syntax_error(path, exc.lineno, syntax_message(exc)))
                continue
            except (ValueError, OSError) as exc:
                raise LoadError(f"{shown_file(path)}: cannot load ({exc})") from None
            entries[path] = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": sha}
        problems.issues.sort(key=lambda issue: (str(issue.file), issue.line))  # in file order, not load order
        problems.raise_any()  # every file's first syntax error, not only the first file's
        cited = [row["o"].value for row in store.query(_CITED) if isinstance(row["o"], ox.NamedNode)]
        add_passages(store, cited)
        if step is not None:
            step("compacting")
        store.optimize()  # one sorted file per index instead of one per bulk-load batch (docstring)
        store.flush()
    except BaseException:
        del store
        shutil.rmtree(target, ignore_errors=True)
        raise
    del store
    listed = [entries[path] for path in files]  # the key is over the inputs in their given order
    stamp = Stamp(store_key([(Path(e["path"]), e["sha256"]) for e in listed]), listed)
    tmp = directory / "stamp.json.tmp"
    tmp.write_text(json.dumps({"key": stamp.key, "version": __version__, "files": listed}, indent=1), encoding="utf-8")
    os.replace(tmp, directory / "stamp.json")
    return stamp


def ensure_store(directory: PathLike, paths: Sequence[PathLike] | None = None) -> Path:
    """The path of an up-to-date Oxigraph store of the inputs (ontology + data, default:
    bundled) under DIR, built or rebuilt first when the inputs' key differs from the stamp;
    this process then holds a shared lock on it until it exits."""
    folder = Path(directory)
    files = input_files(paths)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        held = _lock(folder, exclusive=False)
    except OSError as exc:
        raise LoadError(f"{folder}: cannot use as a store directory ({exc.strerror})") from None
    stamp = _read_stamp(folder)
    if stamp is None or current_key(files, stamp) != stamp.key or not (folder / "oxigraph").is_dir():
        fcntl.flock(held, fcntl.LOCK_UN)
        held.close()
        held = _lock(folder, exclusive=True)
        stamp = _read_stamp(folder)  # another process may have built it meanwhile
        if stamp is None or current_key(files, stamp) != stamp.key or not (folder / "oxigraph").is_dir():
            why = "new store" if stamp is None else "inputs changed"
            _notice(f"building store {folder} ({why}: {len(files)} files, {input_bytes(files) / 1e6:.1f} MB)")
            with terminal.Progress("loading", input_bytes(files), unit="MB", scale=1e6) as shown:
                # the counting reader only when a bar is drawn: by path, Oxigraph reads the files itself
                build_store(folder, files, progress=shown.advance if shown.shown else None, step=shown.step)
        fcntl.flock(held, fcntl.LOCK_SH)  # downgrade: readers may come in
    _HELD.append(held)
    return folder / "oxigraph"


def read_only(location: PathLike) -> Any:
    """An Oxigraph store opened read-only (any number of processes at once)."""
    import pyoxigraph as ox

    try:
        return ox.Store.read_only(str(location))
    except OSError as exc:
        raise LoadError(f"{location}: cannot open the store ({exc})") from None


def open_disk_store(directory: PathLike, paths: Sequence[PathLike] | None = None) -> Any:
    """A read-only Oxigraph store of the inputs at DIR (see ensure_store)."""
    return read_only(ensure_store(directory, paths))


def store_location(store_dir: PathLike | None, paths: Sequence[PathLike] | None) -> Path | None:
    """Where the store a command should read is: under DIR when given, a temporary one
    (removed at exit) for large inputs, or None for the in-memory route."""
    if store_dir:
        return ensure_store(store_dir, paths)
    if is_large(paths):
        import shutil
        import tempfile

        folder = tempfile.mkdtemp(prefix="ots-kg-store-")
        atexit.register(shutil.rmtree, folder, True)
        _notice("large input: loading into a temporary disk store (keep it with --store DIR)")
        return ensure_store(folder, paths)
    return None
