"""The stored query catalogue: .rq files whose `#+` header says what they answer.

Header lines (grlc-style decorators, one per line, before the query):
    #+ summary: one line a person reads in `ots-kg queries`
    #+ tags: membership, states
    #+ param: series iri required -- the meeting series, e.g. mech:transport-ministers
    #+ param: year year default=2022 -- a year
    #+ example: ots-kg query series-timeline -p series=mech:transport-ministers
    #+ engine-exception: virtuoso: one-line reason this engine answers it wrongly
    #+ key: ?event                  the columns that name one row (rows are unique per key)
    #+ column: ?state schema:Country|org:OrganizationalUnit   what a column holds, where
                                    its name (city, date, start, state, ...) would say otherwise
`key` and `column` are checked for every stored query by tests/test_query_columns.py.
A parameter `name` is the variable `?_name` in the query; values are bound as typed RDF
terms, never pasted into the text. A header key not listed above, a parameter whose
`?_name` the query never uses (its value would be ignored without a word) and a `?_name`
with no parameter (never bound) are errors naming the file and line.
"""

from __future__ import annotations

import datetime
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import QueryError
from ..io.files import shown_file
from ..model.prefixes import XSD, expand_iri
from ..model.terms import Term, iri, literal
from ..resources import queries_dir

TYPES = ("iri", "string", "integer", "date", "year", "boolean")
HEADER_KEYS = ("summary", "tags", "param", "example", "engine-exception", "key", "column")
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
    engine_exceptions: tuple[tuple[str, str], ...] = ()  # (engine, reason) from the header

    def engine_exception(self, engine: str) -> str | None:
        """Why `engine` is known to answer this query wrongly (its header says so), or None."""
        return dict(self.engine_exceptions).get(engine)

    def example_values(self, index: int = 0) -> dict[str, str]:
        """The `-p name=value` pairs of an `#+ example:` line (what tests, docs and benchmarks run)."""
        if index >= len(self.examples):
            return {}
        try:
            words = shlex.split(self.examples[index])
        except ValueError:
            words = self.examples[index].split()
        values = {}
        for i, word in enumerate(words[:-1]):
            if word in ("-p", "--param"):
                name, sep, value = words[i + 1].partition("=")
                if sep:
                    values[name] = value
        return values

    def describe(self, *, with_text: bool = False) -> dict:
        """The catalogue entry as JSON-ready data (`ots-kg queries --format json`, the server)."""
        out = {
            "name": self.name,
            "summary": self.summary,
            "kind": self.kind,
            "tags": list(self.tags),
            "params": [vars(p) for p in self.params],
            "examples": list(self.examples),
        }
        if with_text:
            out["text"] = self.text
        return out

    @property
    def bundled(self) -> bool:
        """One of the catalogue's own queries (tests hold them free of sparql.lint warnings)."""
        return self.path.parent == queries_dir()

    @property
    def kind(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query keyword after the prologue."""
        body = "\n".join(ln for ln in self.text.splitlines() if not ln.lstrip().startswith("#"))
        match = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.I)
        return match.group(1).upper() if match else "SELECT"


def parse_query_file(path: Path) -> StoredQuery:
    """Read one .rq file and its header; a malformed header is a QueryError naming the line."""
    text = path.read_text(encoding="utf-8")
    where = shown_file(path)
    meta: dict[str, list[str]] = {}
    params: list[Param] = []
    param_lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.startswith("#+"):
            continue
        key, _, value = line[2:].strip().partition(":")
        key, value = key.strip(), value.strip()
        if key not in HEADER_KEYS:
            import difflib  # only for this message: not on every command's start-up

            near = difflib.get_close_matches(key, HEADER_KEYS, n=1)
            hint = f"did you mean '#+ {near[0]}:'? " if near else ""
            raise QueryError(f"{where}:{number}: unknown header '#+ {key}:' ({hint}keys: {', '.join(HEADER_KEYS)})")
        if key == "param":
            match = _PARAM.match(value)
            if not match or match["type"] not in TYPES:
                raise QueryError(f"{where}:{number}: bad param line (types: {', '.join(TYPES)})")
            param_lines[match["name"]] = number
            params.append(
                Param(
                    name=match["name"],
                    type=match["type"],
                    required=match["req"] == "required",
                    default=match["default"],
                    description=(match["doc"] or "").strip(),
                )
            )
        else:
            meta.setdefault(key, []).append(value)
    if "summary" not in meta:
        raise QueryError(f"{where}: stored query has no '#+ summary:' line")
    used = parameter_variables(text)
    for param in params:
        if param.name not in used:
            raise QueryError(
                f"{where}:{param_lines[param.name]}: parameter {param.name}: the query never uses ?_{param.name}, "
                "so its value would be ignored"
            )
    undeclared = sorted(used - {p.name for p in params})
    if undeclared:
        raise QueryError(
            f"{where}: the query uses ?_{undeclared[0]} but no '#+ param: {undeclared[0]} …' line declares it"
        )
    tags = tuple(t.strip() for v in meta.get("tags", []) for t in v.split(",") if t.strip())
    return StoredQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=meta["summary"][0],
        tags=tags,
        params=tuple(params),
        examples=tuple(meta.get("example", [])),
        engine_exceptions=_engine_exceptions(path, meta.get("engine-exception", [])),
    )


def _engine_exceptions(path: Path, lines: list[str]) -> tuple[tuple[str, str], ...]:
    """`#+ engine-exception: ENGINE: reason` lines: engines known to answer this query wrongly
    (the engine contract test expects exactly these pairs to differ)."""
    out = {}
    for value in lines:
        engine, sep, reason = value.partition(":")
        if not sep or not engine.strip() or not reason.strip():
            raise QueryError(f"{shown_file(path)}: bad engine-exception line (write 'ENGINE: reason')")
        out[engine.strip().lower()] = reason.strip()
    return tuple(sorted(out.items()))


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
        if any(line.startswith("#+") for line in text.splitlines()):  # a header, even a misspelt one
            return parse_query_file(path)
        return StoredQuery(name=path.stem, path=path, text=text, summary="(ad-hoc query)")
    direct = queries_dir() / f"{name_or_file}.rq"
    if re.fullmatch(r"[A-Za-z0-9_-]+", name_or_file) and direct.is_file():
        return parse_query_file(direct)
    queries = catalogue()
    if name_or_file not in queries:
        close = [n for n in queries if name_or_file in n or n in name_or_file]
        hint = f"; did you mean {', '.join(close[:3])}?" if close else "; see 'ots-kg queries'"
        raise QueryError(f"unknown query {name_or_file!r}{hint}")
    return queries[name_or_file]


_SPARQL_START = re.compile(r"^\s*(?:#[^\n]*\n\s*)*(?:PREFIX|BASE|SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def looks_like_sparql(text: str) -> bool:
    """SPARQL text rather than a query name or file: starts with a query keyword."""
    return bool(_SPARQL_START.match(text)) and (" " in text.strip() or "\n" in text)


def inline_query(text: str) -> StoredQuery:
    """SPARQL text typed on the command line or read from standard input, as an ad-hoc query
    (the engines predeclare the project prefixes, so `ots:Summit` just works)."""
    if not text.strip():
        raise QueryError("empty SPARQL text")
    return StoredQuery(name="inline", path=Path("-"), text=text, summary="(ad-hoc query)")


def parse_value(param: Param, raw: str) -> Term:
    """A parameter value as the typed term it means, checked against its type.

    Engine-neutral, so every engine binds exactly the same term.
    """
    if param.type == "iri":
        return iri(expand_iri(raw))
    if param.type == "string":
        return literal(raw)
    if param.type == "integer":
        if not re.fullmatch(r"[+-]?[0-9]{1,100}", raw):  # ASCII digits only: `\d` takes ٢٠٢٢
            raise QueryError(f"parameter {param.name}: {raw!r} is not an integer (at most 100 digits)")
        sign, digits = ("-" if raw[0] == "-" else ""), raw.lstrip("+-").lstrip("0") or "0"
        return literal(sign + digits if digits != "0" else "0", XSD + "integer")
    if param.type == "year":
        if not re.fullmatch(r"[0-9]{4}", raw):
            raise QueryError(f"parameter {param.name}: {raw!r} is not a year (YYYY)")
        return literal(raw, XSD + "gYear")
    if param.type == "date":
        try:
            ok = re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw) and datetime.date.fromisoformat(raw)
        except ValueError:
            ok = False
        if not ok:
            raise QueryError(f"parameter {param.name}: {raw!r} is not a date (YYYY-MM-DD)")
        return literal(raw, XSD + "date")
    if param.type == "boolean":
        if raw.lower() not in ("true", "false"):
            raise QueryError(f"parameter {param.name}: {raw!r} is not true or false")
        return literal(raw.lower(), XSD + "boolean")
    raise QueryError(f"parameter {param.name}: unknown type {param.type}")


def parameter_variables(text: str) -> set[str]:
    """The names of the `?_name` (or `$_name`) variables the query uses, outside strings,
    IRIs and comments: the ones a parameter binds."""
    from .text import blank_out

    return set(re.findall(r"[?$]_([A-Za-z][A-Za-z0-9_]*)\b", blank_out(text)))


def edited(query: StoredQuery, text: str) -> StoredQuery:
    """The stored query with its text edited (the served page): it keeps the parameters
    whose `?_name` variable the new text still uses (outside strings, IRIs and comments),
    so they are bound as before; the others can no longer be bound."""
    from dataclasses import replace

    used = parameter_variables(text)
    kept = tuple(p for p in query.params if p.name in used)
    return replace(query, name=f"the edited text of {query.name}", text=text, params=kept)


def bind_values(query: StoredQuery, values: Mapping[str, str], spelling: str = "-p {}=...") -> dict[str, Term]:
    """Checked values for the `?_name` variables: given ones, then defaults; unknown or
    missing required names are errors (a missing one shown as its adapter spells it)."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(declared))
    if unknown:
        known = ", ".join(declared) or "none"
        raise QueryError(f"unknown parameter {unknown[0]!r} for {query.name} (parameters: {known})")
    bound = {}
    for name, param in declared.items():
        raw = values.get(name, param.default)
        if raw is None:
            if param.required:
                what = f": {param.description}" if param.description else ""  # its example
                raise QueryError(f"{query.name} needs parameter {name} ({spelling.format(name)}){what}")
            continue
        bound["_" + name] = parse_value(param, raw)
    return bound
