"""Where each statement and triple of a Turtle file is written: a light tokenizer, because
Oxigraph's parser gives no triple positions.

Used two ways, both only when needed (a conforming graph never pays for it): to split a
file that fails to parse into top-level statements, so parsing resumes after each error
(every syntax error of a file is reported, not only the first); and to locate a triple or
a subject block at `file:line` for a validation result. Strings (short and long, either
quote), comments, IRIs, blank-node property lists and collections are tokens or nesting,
so a '.' inside them never ends a statement and multi-line literals keep their start line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_TOKEN = re.compile(
    r"""
    (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<comment>\#[^\n]*)
  | (?P<word>[^\s"'<>\#;,\[\]()]+)
  | (?P<punct>[;,\[\]()])
  | (?P<error>\S)
    """,
    re.X,
)
_NUMBER = re.compile(r"[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    line: int
    start: int


@dataclass
class Statement:
    """One top-level statement (a directive or a subject with its predicate-object list)."""

    line: int
    start: int
    end: int
    tokens: list[Token] = field(default_factory=list)
    whole: bool = True  # False: only the first token, the rest read when asked for

    @property
    def directive(self) -> bool:
        return bool(self.tokens) and self.tokens[0].text.lower() in ("@prefix", "@base", "prefix", "base")


def tokens(text: str) -> list[Token]:
    """Every token but whitespace and comments, with the line it starts on. Words (names,
    numbers, language tags) are one match, split from a statement-ending '.' and '^^'."""
    out = []
    line = 1
    last = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "error"
        if kind == "comment":
            continue
        start = match.start()
        line += text.count("\n", last, start)
        last = start
        word = match.group()
        if kind != "word":
            out.append(Token(kind, word, line, start))
            continue
        if word.startswith("^^"):
            out.append(Token("dt", "^^", line, start))
            word, start = word[2:], start + 2
        dot = word.endswith(".") and not _NUMBER.fullmatch(word)
        if dot:
            word = word[:-1]
        if word:
            if word[0] == "@" and word.lower() not in ("@prefix", "@base"):
                kind = "lang"
            elif _NUMBER.fullmatch(word):
                kind = "number"
            else:
                kind = "name"
            out.append(Token(kind, word, line, start))
        if dot:
            out.append(Token("punct", ".", line, start + len(word)))
    return out


def statements(text: str) -> list[Statement]:
    """Top-level statements: a '.' outside brackets ends one; SPARQL-style PREFIX/BASE end
    after their IRI."""
    return _split(tokens(text))


def _split(found: list[Token]) -> list[Statement]:
    """Tokens grouped into top-level statements (statements() over a token list)."""
    out: list[Statement] = []
    current: Statement | None = None
    depth = 0
    for token in found:
        if current is None:
            current = Statement(token.line, token.start, token.start)
            depth = 0
        current.tokens.append(token)
        current.end = token.start + len(token.text)
        if token.text in ("[", "("):
            depth += 1
        elif token.text in ("]", ")"):
            depth = max(0, depth - 1)
        sparql_directive = current.tokens[0].text.lower() in ("prefix", "base") and token.kind == "iri"
        if (token.text == "." and token.kind == "punct" and depth == 0) or sparql_directive:
            out.append(current)
            current = None
    if current is not None:
        out.append(current)
    return out


# Every alternative starts with a literal character, so the regex engine skips the text
# between them in C (a charset prefix); named groups or a leading lookbehind turned that
# off and made this scan 4x slower (98 vs 25 ms over the bundled data). The kind of a match
# is told by its first character (_KIND).
_BOUNDARY = re.compile(
    r"""\"(?:\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|(?:[^"\\\n]|\\.)*")"""
    r"""|'(?:''(?:[^'\\]|\\.|'(?!''))*'''|(?:[^'\\\n]|\\.)*')"""
    r"""|<[^<>"{}|^`\\\s]*>|\#[^\n]*|\[|\(|\]|\)|\.(?=[\s#<"'\[(]|$)"""
    r"""|p(?<![\w:@]p)(?i:refix)(?=\s)|P(?<![\w:@]P)(?i:refix)(?=\s)"""
    r"""|b(?<![\w:@]b)(?i:ase)(?=\s)|B(?<![\w:@]B)(?i:ase)(?=\s)"""
)
_KIND = {"[": "open", "(": "open", "]": "close", ")": "close", ".": "dot"} | dict.fromkeys("pPbB", "sparql")


def statement_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, line) of each top-level statement, as statements() splits them but
    without building tokens: one regex pass that looks only at what can hide or end a
    statement (strings, IRIs, comments, brackets, a '.' before a space). For splitting a
    large file at its syntax errors in linear time."""
    out: list[tuple[int, int, int]] = []
    depth, start, sparql, line, counted, since = 0, None, False, 1, 0, 0
    for match in _BOUNDARY.finditer(text):
        kind = _KIND.get(text[match.start()])
        if start is None:
            if match.start() < since or text[match.start()] == "#":
                continue
            start = _SPACE.match(text, since).end()
            line += text.count("\n", counted, start)
            counted = start
            sparql = kind == "sparql" and start == match.start()
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif (kind == "dot" and depth == 0) or (sparql and text[match.start()] == "<"):
            out.append((start, match.end(), line))
            start, depth, since = None, 0, match.end()
    if start is None and text[_SPACE.match(text, since).end() :].strip():
        start = _SPACE.match(text, since).end()
        line += text.count("\n", counted, start)
    if start is not None:
        out.append((start, len(text), line))
    return out


_SPACE = re.compile(r"(?:\s+|\#[^\n]*)*")


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body

    def one(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "uU":
            return chr(int(esc[1:], 16))
        return _ESCAPES.get(esc, esc)

    return re.sub(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", one, body)


class FilePositions:
    """Lines of the subject blocks and triples of one Turtle file, by expanded terms.

    Cheap to build on a large file: statement_spans() finds the statements in one regex
    pass and only each one's first token (its subject) and the directives are tokenized;
    a statement's other tokens are read when a result asks about its subject. Should the
    tokens of a statement not form exactly that one statement (the two splitters disagree
    on malformed text), the whole file is tokenized as statements() splits it instead."""

    def __init__(self, text: str, base: str | None = None) -> None:
        """`base`: the file's URI, against which its relative IRIs resolve (as the loader
        parses them) until an @base directive says otherwise."""
        self._text = text
        self._file_base = base
        try:
            self._index(_lazy_statements(text))
        except _Disagree:
            self._index(statements(text))

    def _index(self, found: list[Statement]) -> None:
        self.statements = found
        self.prefixes: dict[str, str] = {}
        self.base = self._file_base
        self.by_subject: dict[str, list[Statement]] = {}
        self._keys: dict[int, list[tuple[str | None, int]]] = {}
        self._last = found[-1].start if found else -1
        for statement in found:
            if statement.directive:
                simple = PREFIX_LINE.fullmatch(self._text, statement.start, statement.end)
                if simple and not statement.whole:  # `@prefix p: <iri> .`: no tokenizing
                    self.prefixes[simple["name"]] = resolve_iri(self.base, simple["iri"])
                else:
                    self._directive(self._tokens(statement))
                continue
            key = self._key(statement.tokens[0])
            if key:
                self.by_subject.setdefault(key, []).append(statement)

    def _tokens(self, statement: Statement) -> list[Token]:
        """All tokens of a statement, tokenizing its text when first asked for."""
        if statement.whole:
            return statement.tokens
        found = [
            Token(t.kind, t.text, t.line + statement.line - 1, t.start + statement.start)
            for t in tokens(self._text[statement.start : statement.end])
        ]
        # closed statements followed by one more token split in two; only the file's last may be open
        parts = len(_split([*found, _SENTINEL]))
        if (
            not found
            or found[0] != statement.tokens[0]
            or not (parts == 2 or (parts == 1 and statement.start == self._last))
        ):
            raise _Disagree
        statement.tokens, statement.whole = found, True
        return found

    def _statement_keys(self, statement: Statement) -> list[tuple[str | None, int]]:
        """Expanded keys of a statement's tokens, computed when first asked for."""
        found = self._keys.get(statement.start)
        if found is None:
            found = self._keys[statement.start] = [
                (t.text if t.kind == "punct" else self._key(t), t.line) for t in self._tokens(statement)
            ]
        return found

    def _directive(self, parts: list[Token]) -> None:
        if len(parts) >= 3 and parts[0].text.lower() in ("@prefix", "prefix") and parts[2].kind == "iri":
            self.prefixes[parts[1].text.rstrip(":")] = resolve_iri(self.base, parts[2].text[1:-1])
        elif len(parts) >= 2 and parts[0].text.lower() in ("@base", "base") and parts[1].kind == "iri":
            self.base = resolve_iri(self.base, parts[1].text[1:-1])

    def _key(self, token: Token) -> str | None:
        """A token as an expanded term key: <iri>, "literal value", or None."""
        if token.kind == "iri":
            return iri_key(token.text, self.base)
        if token.kind == "name":
            if token.text == "a":
                return f"<{RDF_TYPE}>"
            if token.text in ("true", "false"):  # a boolean is a name token, not a prefixed name
                return '"' + token.text
            prefix, colon, local = token.text.partition(":")
            if colon and prefix != "_" and prefix in self.prefixes:
                if "\\" in local:
                    local = re.sub(r"\\(.)", r"\1", local)
                return f"<{self.prefixes[prefix]}{local}>"
            return None
        if token.kind == "long":
            return '"' + _unescape(token.text[3:-3])
        if token.kind == "string":
            return '"' + _unescape(token.text[1:-1])
        if token.kind == "number":
            return '"' + token.text
        return None

    def find(self, subject: str, predicate: str | None = None, obj: str | None = None) -> tuple[int, int | None]:
        """(quality, line) of (subject, predicate, object) — keys as `<iri>` or `"value`:
        quality 3 the triple, 2 the predicate (its last mention: an extra value is
        usually the later one), 1 the subject block, 0 not written in this file."""
        try:
            return self._find(subject, predicate, obj)
        except _Disagree:  # correctness first: the whole file, as statements() splits it
            self._index(statements(self._text))
            return self._find(subject, predicate, obj)

    def _find(self, subject: str, predicate: str | None, obj: str | None) -> tuple[int, int | None]:
        best: tuple[int, int | None] = (0, None)
        for statement in self.by_subject.get(subject, ()):
            if best[0] < 1:
                best = (1, statement.line)
            if predicate is None:
                return best
            keys = self._statement_keys(statement)
            for i, (key, line) in enumerate(keys):
                if key != predicate or i == 0:
                    continue
                if obj is not None:
                    for later, later_line in keys[i + 1 :]:
                        if later == obj:
                            return (3, later_line)
                        if later in (";", "."):
                            break
                best = (2, line)
        return best

    def triples_of(self, subject: str) -> int:
        """About how many triples this file writes about the subject (its predicate-object
        pairs at the top level of its blocks): which of several files is the node's home."""
        try:
            return self._triples_of(subject)
        except _Disagree:  # as find(): the whole file, as statements() splits it
            self._index(statements(self._text))
            return self._triples_of(subject)

    def _triples_of(self, subject: str) -> int:
        count = 0
        for statement in self.by_subject.get(subject, ()):
            depth = 0
            count += 1
            for key, _ in self._statement_keys(statement):
                if key in ("[", "("):
                    depth += 1
                elif key in ("]", ")"):
                    depth -= 1
                elif depth == 0 and key in (";", ","):
                    count += 1
        return count

    def line_of(self, subject: str, predicate: str | None = None, obj: str | None = None) -> int | None:
        """The line of the triple, else of the predicate, else of the subject block; None if
        the subject is not written in this file."""
        return self.find(subject, predicate, obj)[1]


_SENTINEL = Token("name", "_", 0, 0)
# A file up to this size is tokenized whole to place a result at its triple where the disk
# store, which keeps no positions, asks (io.locations.written_lines, io.loader.blamed_syntax_error);
# of a larger one only the subject blocks asked about are, one at a time.
TOKENIZED_BYTES = 50_000_000
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # an IRI that starts with one is absolute


def resolve_iri(base: str | None, iri: str) -> str:
    """An IRI as the parser reads it: an absolute one as it is, a relative one resolved
    against the base (RFC 3986 reference resolution)."""
    if base is None or SCHEME.match(iri):
        return iri
    from urllib.parse import urljoin

    return urljoin(base, iri)


def iri_key(token: str, base: str | None) -> str:
    """An `<iri>` token as a key: as written when absolute (no copy), else resolved."""
    return token if SCHEME.match(token, 1) else f"<{resolve_iri(base, token[1:-1])}>"


# the usual prefix directive, read without the tokenizer (anything else takes the tokens)
PREFIX_LINE = re.compile(
    r"(?:@prefix|(?i:prefix))[ \t]+(?P<name>[A-Za-z][\w-]*|):[ \t]*<(?P<iri>[^<>\"{}|^`\\\s]*)>(?:[ \t]*\.)?"
)
BASE_LINE = re.compile(r"(?:@base|(?i:base))[ \t]*<(?P<iri>[^<>\"{}|^`\\\s]*)>")


class _Disagree(Exception):
    """statement_spans() and statements() split a file differently."""


def _lazy_statements(text: str) -> list[Statement]:
    """The statements of statement_spans(), each holding only its first token (a
    directive all of its tokens: prefixes are needed to expand every subject)."""
    out = []
    for start, end, line in statement_spans(text):
        match = _TOKEN.match(text, start)
        if match is None:
            raise _Disagree
        kind, word = match.lastgroup, match.group()
        plain_name = kind == "word" and word[0] not in "^@" and word[-1] != "." and not _NUMBER.fullmatch(word)
        if kind == "iri" or plain_name:  # most subjects: no tokens() call
            head = Token("iri" if kind == "iri" else "name", word, line, start)
        else:
            first = tokens(word)
            if not first:
                raise _Disagree
            head = Token(first[0].kind, first[0].text, line, start)
        out.append(Statement(line, start, end, [head], whole=False))
    return out


@lru_cache(maxsize=256)
def _positions(path: str, mtime: float) -> FilePositions:
    from .files import read_text

    return FilePositions(read_text(Path(path)), base=Path(path).absolute().as_uri())


def positions(path: Path) -> FilePositions:
    """The positions of one file, tokenized once per process and file version."""
    return _positions(str(path), path.stat().st_mtime)
