"""The stored query catalogue: .rq files whose `#+` header says what they answer.

Header lines (grlc-style decorators, one per line, before the query):
    #+ summary: one line a person reads in `ots-kg queries`
    #+ tags: membership, states
    #+ param: series iri required -- the meeting series, e.g. mech:transport-ministers
    #+ param: year year default=2022 -- a year
    #+ example: ots-kg query series-timeline -p series=mech:transport-ministers
A parameter `name` is the variable `?_name` in the query; values are bound as typed RDF
terms, never pasted into the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QueryError
from .resources import queries_dir

TYPES = ("iri", "string", "integer", "date", "year", "boolean")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z][A-Za-z0-9_]*)\s+(?P<type>\w+)"
    r"(?:\s+(?P<req>required|optional))?(?:\s+default=(?P<default>\S+))?"
    r"(?:\s+--\s+(?P<doc>.*))?$"
)


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool
    default: str | None
    description: str


@dataclass(frozen=True)
class StoredQuery:
    name: str
    path: Path
    text: str
    summary: str
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    examples: tuple[str, ...] = field(default=())

    @property
    def kind(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query keyword after the prologue."""
        body = "\n".join(ln for ln in self.text.splitlines() if not ln.lstrip().startswith("#"))
        match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.I)
        return match.group(1).upper() if match else "SELECT"


def parse_query_file(path: Path) -> StoredQuery:
    """Read one .rq file and its header; a malformed header is a QueryError naming the line."""
    text = path.read_text(encoding="utf-8")
    meta: dict[str, list[str]] = {}
    params: list[Param] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#+"):
            continue
        key, _, value = line[2:].strip().partition(":")
        key, value = key.strip(), value.strip()
        if key == "param":
            match = _PARAM.match(value)
            if not match or match["type"] not in TYPES:
                raise QueryError(f"{path}:{number}: bad param line (types: {', '.join(TYPES)})")
            params.append(Param(
                name=match["name"], type=match["type"],
                required=match["req"] == "required",
                default=match["default"], description=(match["doc"] or "").strip(),
            ))
        else:
            meta.setdefault(key, []).append(value)
    if "summary" not in meta:
        raise QueryError(f"{path}: stored query has no '#+ summary:' line")
    tags = tuple(t.strip() for v in meta.get("tags", []) for t in v.split(",") if t.strip())
    return StoredQuery(
        name=path.stem, path=path, text=text, summary=meta["summary"][0], tags=tags,
        params=tuple(params), examples=tuple(meta.get("example", [])),
    )


def catalogue(directory: Path | None = None) -> dict[str, StoredQuery]:
    """Every stored query by name, sorted."""
    folder = directory or queries_dir()
    return {p.stem: parse_query_file(p) for p in sorted(folder.glob("*.rq"))}


def find_query(name_or_file: str) -> StoredQuery:
    """A stored query by name, or any .rq file by path."""
    path = Path(name_or_file)
    if name_or_file.endswith(".rq") or path.is_file():
        if not path.is_file():
            raise QueryError(f"{name_or_file}: no such query file")
        text = path.read_text(encoding="utf-8")
        if "#+ summary:" in text:
            return parse_query_file(path)
        return StoredQuery(name=path.stem, path=path, text=text, summary="(ad-hoc query)")
    queries = catalogue()
    if name_or_file not in queries:
        close = [n for n in queries if name_or_file in n or n in name_or_file]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else "; see 'ots-kg queries'"
        raise QueryError(f"unknown query {name_or_file!r}{hint}")
    return queries[name_or_file]
