"""Lexical facts about SPARQL text: where the outermost WHERE group opens, which keywords
occur outside strings, IRIs and comments. Enough to bind parameters with VALUES and to
spot updates; outbound requests (SERVICE, FROM) are decided by a real parse in
sparql.guard, never by these regexes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..errors import QueryError
from ..model.terms import Term

if TYPE_CHECKING:
    from .catalogue import StoredQuery

_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"  # IRIs
    r"|#[^\r\n]*",  # comments (a line ends at \n or \r)
    re.S,
)
# a PREFIX or BASE declaration (group 1 the prefix name, 2 the IRI), read where strings and
# comments are blanked and IRIs kept (blank_out(text, keep_iris=True))
DECLARATION = re.compile(r"(?i)\b(?:PREFIX\s+([A-Za-z][\w.-]*)?:|BASE)\s*<([^<>\"{}|^`\\\s]*)>")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH")


def blank_out(text: str, keep_iris: bool = False) -> str:
    """The query with strings, IRIs (unless kept) and comments replaced by spaces (same length)."""
    if keep_iris:
        return _TOKEN.sub(lambda m: m.group(0) if m.group(0)[0] == "<" else " " * len(m.group(0)), text)
    return _TOKEN.sub(lambda m: " " * len(m.group(0)), text)


def keywords(text: str) -> set[str]:
    """Upper-cased words that occur as syntax (not inside strings, IRIs or comments)."""
    return {w.upper() for w in re.findall(r"\b[A-Za-z]+\b", blank_out(text))}


def is_update(text: str) -> bool:
    """True for SPARQL Update requests (which a read-only endpoint refuses)."""
    bare = blank_out(text)
    bare = re.sub(r"(?is)^\s*(?:(?:PREFIX\s+\S*:\s*|BASE\s+)\s*)*", "", bare)
    first = re.match(r"\s*([A-Za-z]+)", bare)
    return bool(first) and first.group(1).upper() in UPDATE_WORDS


def values_block(bindings: Mapping[str, Term]) -> str:
    """`VALUES (?_a ?_b) { (<iri> "lit"^^<dt>) }` from typed terms (Term.n3 escapes them)."""
    names = sorted(bindings)
    if not names:
        return ""
    head = " ".join("?" + n for n in names)
    row = " ".join(bindings[n].n3() for n in names)
    return f"VALUES ({head}) {{ ({row}) }}"


def group_end(bare: str, brace: int) -> int:
    """The index of the `}` that closes the group opened at `brace` (strings already blanked)."""
    depth = 0
    for i in range(brace, len(bare)):
        if bare[i] == "{":
            depth += 1
        elif bare[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(bare)


def _subselect_groups(bare: str, start: int) -> list[tuple[int, int]]:
    """(open, close) of the WHERE group of every sub-select after `start`."""
    groups = []
    for m in re.finditer(r"\{\s*SELECT\b", bare[start:], re.I):  # a sub-select is `{ SELECT`: not ?select, ex:select
        brace = bare.find("{", start + m.end())
        if brace >= 0:
            groups.append((brace, group_end(bare, brace)))
    return groups


def bind_with_values(text: str, bindings: Mapping[str, Term], subselects: bool = True) -> str:
    """Insert a VALUES block at the start of the outermost WHERE group, where the query's
    own FILTERs see the bound variables; terms are typed and escaped, never raw input.

    A sub-select that names a parameter in its own group (not only in a sub-select nested
    in it) gets a VALUES block of those parameters too: a sub-select is evaluated on its
    own, so an aggregate that repeats the outer query's selective pattern there works on
    the answer's rows, not on the whole graph. Where the sub-select gives the parameter back,
    or the query tests it again outside the sub-select (docs/engine-bugs.md, rules 10 and 11),
    unbound there it would match more and the join or test keep the same rows: the same
    answer either way. `subselects=False` binds the top only, as another tool would
    (tests/test_queries.py holds every stored query to the same answer so)."""
    block = values_block(bindings)
    if not block:
        return text
    bare = blank_out(text)
    form = re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", bare, re.I)
    start = form.end() if form else 0
    if form and form.group(1).upper() == "CONSTRUCT":
        where = re.search(r"\bWHERE\b", bare[start:], re.I)
        if where:
            start += where.end()
    brace = bare.find("{", start)
    if brace < 0:
        return f"{text}\n{block}"
    inserts = {brace: block}
    groups = _subselect_groups(bare, start) if subselects else []
    for open_, close in groups:
        own = bare[open_:close]
        for inner_open, inner_close in groups:
            if open_ < inner_open and inner_close < close:
                own = own.replace(bare[inner_open:inner_close], " ")
        used = {n: t for n, t in bindings.items() if re.search(rf"\?{re.escape(n)}\b", own)}
        if used:
            inserts[open_] = values_block(used)
    out, last = [], 0
    for at in sorted(inserts):
        out += [text[last : at + 1], f" {inserts[at]} "]
        last = at + 1
    return "".join(out) + text[last:]


def prefix_declarations(text: str) -> dict[str, str]:
    """The prefixes the query declares itself (outside strings and comments): name -> IRI."""
    bare = blank_out(text, keep_iris=True)
    return {m[1] or "": m[2] for m in DECLARATION.finditer(bare) if m[0][:1].upper() == "P"}


def declare_prefixes(text: str, prefixes: Mapping[str, str]) -> str:
    """The query with PREFIX lines for the project prefixes it does not declare itself,
    for stores that know none of them."""
    declared = prefix_declarations(text)
    missing = [f"PREFIX {p}: <{ns}>" for p, ns in sorted(prefixes.items()) if p not in declared]
    return "\n".join(missing + [text])


def check_safe(query: StoredQuery, allow_network: bool = False) -> None:
    """Refuse updates, deep nesting, and SERVICE/FROM (outbound requests, found by
    parsing) unless the user allowed them."""
    from .guard import check_network

    if is_update(query.text):
        raise QueryError(f"{query.name}: SPARQL Update is not allowed; queries are read-only")
    check_network(query.text, allow_network, query.name)
