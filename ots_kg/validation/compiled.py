"""A shapes file compiled to SPARQL checks once, kept in the cache (io.cache) as JSON.

Parsing shapes.ttl with rdflib and compiling it is two thirds of validating the bundled
graph (importing rdflib alone 0.2 s); the result depends only on the shapes' bytes and the
compiler, so it is cached under the SHA-256 of both: the shapes file, and the source of the
modules that parse and compile it (a changed compiler never reads an old entry). An entry
is trusted on the same terms as the graph cache (own file, checksum). The shapes' SHACL
features the compiler does not cover are part of the entry, so a fallback to plain
pySHACL is decided the same way on a hit.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .. import __version__
from ..io.cache import cache_dir, read_entry, write_entry
from ..model.terms import Term
from .checks import Check

_COMPILER = ("checks.py", "compile.py", "shapes.py", "compiled.py")


def compiled_checks(path: Path) -> tuple[list[Check], list[str]]:
    """(checks, unsupported features) of the shapes file: from the cache when the file and
    the compiler are unchanged, else compiled (and cached). With unsupported features the
    checks are empty: the caller falls back to plain pySHACL."""
    shapes = path.read_bytes()
    digest = hashlib.sha256(f"ots-kg shapes {__version__}\n".encode())
    for name in _COMPILER:
        digest.update((Path(__file__).parent / name).read_bytes())
    digest.update(shapes)
    target = cache_dir() / f"shapes-{digest.hexdigest()}.json"
    entry = read_entry(target)
    if entry is not None:
        try:
            return _decode(json.loads(entry))
        except (ValueError, KeyError, TypeError):
            pass  # an entry of another layout: compile again
    from .compile import compiled_or_unsupported
    from .shapes import load_shapes

    checks, unsupported = compiled_or_unsupported(load_shapes(path).graph)
    write_entry(target, json.dumps(_encode(checks, unsupported), ensure_ascii=False).encode())
    return checks, unsupported


def _encode(checks: list[Check], unsupported: list[str]) -> dict[str, Any]:
    def term(t: Term | None) -> list[Any] | None:
        return None if t is None else [t.kind, t.value, t.language, t.datatype]

    rows = [[c.shape, c.severity, term(c.path), c.message, c.query, c.template] for c in checks]
    return {"checks": rows, "unsupported": unsupported}


def _decode(raw: dict[str, Any]) -> tuple[list[Check], list[str]]:
    checks = [
        Check(shape, severity, Term(*path) if path else None, message, query, bool(template))
        for shape, severity, path, message, query, template in raw["checks"]
    ]
    return checks, [str(u) for u in raw["unsupported"]]
