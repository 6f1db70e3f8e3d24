"""Which outbound requests a query would make, decided by a real parse, not by regexes.

A local engine reaches the network through SERVICE (Oxigraph and rdflib), and rdflib also
fetches FROM / FROM NAMED graphs; updates (LOAD among them) are refused outright. The text
is parsed by rdflib's SPARQL grammar and the parse tree walked for those clauses. Anything
the grammar does not accept is refused (fail closed): an engine must never run a query
whose clauses were not seen. Because SPARQL allows \\u escapes anywhere in the text, the text
with escapes decoded is parsed too and must be clean as well.

Fast path: without the letters "service", the word "from" (any case) and a \\u escape, no
remote clause can be written, so the parser (and rdflib's import) is skipped. Whole-line
comments are left out of that search when the text holds no long string: a stored query's
"# ... from ..." comment otherwise cost a parse (0.34 s of a cold `query activity-per-year`).
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Any

from ..errors import QueryError

MAX_DEPTH = 64
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# Sound, not exact: the FROM keyword cannot touch a name character or a variable sign
# (`?fromDate`, `ex:from` are other tokens); escapes could spell anything, so they count.
_MAYBE_REMOTE = re.compile(r"service|(?<![?$\w])from(?![\w:])|\\u|\\U", re.I)
_REMOTE = {"ServiceGraphPattern": "SERVICE", "DatasetClause": "FROM"}
# A line whose first non-blank character is "#" is a comment to its end, unless a long
# string spans lines (it may close on that line): no other SPARQL token holds a line break.
# Only "\n" starts a line here and a comment stops at "\r" too, so lines after a bare "\r"
# are searched, never wrongly dropped. (Not text.blank_out: it also blanks strings and IRIs
# and reads `ex:a\#` as a comment, fine for finding keywords, unsound for refusing.)
_LINE_COMMENT = re.compile(r"^[ \t]*#[^\r\n]*", re.M)
_LONG_STRING = re.compile(r"'''|\"\"\"")


def may_reach_network(text: str) -> bool:
    """Whether the text could hold a remote clause, decided without parsing (sound, not
    exact: True sends it to the parser)."""
    probe = text if _LONG_STRING.search(text) else _LINE_COMMENT.sub("", text)
    return _MAYBE_REMOTE.search(probe) is not None


class NetworkRefused(QueryError):
    """The query would contact another server."""


def nesting_depth(text: str) -> int:
    """The deepest nesting of (, { and [ outside strings, IRIs and comments: parsers recurse
    on it (Oxigraph overflows its stack at a few thousand), so it is checked before parsing.
    A scanner, not a regex: a backslash always escapes the next character."""
    depth = deepest = 0
    i, n = 0, len(text)
    quote: str | None = None
    while i < n:
        c = text[i]
        if quote:
            if c == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
            i += 1
            continue
        if c == "\\":
            i += 2
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            continue
        if c == "<":
            m = re.compile(r"<[^<>\"{}|^`\\\s]*>").match(text, i)
            if m:
                i = m.end()
                continue
        if c in "({[":
            depth += 1
            deepest = max(deepest, depth)
        elif c in ")}]":
            depth = max(0, depth - 1)
        i += 1
    return deepest


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse queries nested deeper than `limit` before any parser sees them."""
    depth = nesting_depth(_decode_escapes(text))
    if depth > limit:
        raise QueryError(f"query nested {depth} levels deep; at most {limit} are allowed")


def _decode_escapes(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= sys.maxunicode and not 0xD800 <= code <= 0xDFFF else m.group(0)

    return _ESCAPE.sub(one, text)


def _walk(node: Any, found: set[str]) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name in _REMOTE:
                found.add(_REMOTE[item.name])
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or hasattr(item, "asList"):
            stack.extend(item)


def _parse(text: str) -> set[str]:
    """Remote clauses of one text; QueryError when it is an update or does not parse."""
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(text)
    except RecursionError:
        raise QueryError("query nested too deeply to check") from None
    except Exception as exc:
        try:
            parseUpdate(text)
        except Exception:
            line = str(exc).strip().splitlines()
            raise QueryError(f"not a valid SPARQL query ({line[0][:200] if line else type(exc).__name__})") from None
        raise QueryError("SPARQL Update is not allowed; queries are read-only") from None
    found: set[str] = set()
    _walk(tree, found)
    return found


@lru_cache(maxsize=256)
def remote_clauses(text: str) -> frozenset[str]:
    """SERVICE and FROM clauses of a query (empty: it contacts nobody). Raises QueryError for
    updates, unparseable text and deep nesting: such a query must not reach an engine.
    Cached by text: rdflib's parser takes up to a second on a long query."""
    check_depth(text)
    if not may_reach_network(text):
        return frozenset()
    found = _parse(text)
    decoded = _decode_escapes(text)
    if decoded != text:
        found |= _parse(decoded)
    return frozenset(found)


def check_network(text: str, allow_network: bool = False, name: str = "query") -> None:
    """Refuse a query that would contact another server unless the caller allows it."""
    if allow_network:
        check_depth(text)
        return
    found = remote_clauses(text)
    if found:
        raise NetworkRefused(
            f"{name}: {', '.join(sorted(found))} reaches other servers; refused unless --allow-network is given"
        )
