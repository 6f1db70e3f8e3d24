"""Where a node or triple of loaded files is written: file and line.

The file is the one whose quads have the node as subject (data before the ontology); the
line that of the triple (node, predicate, object), of the predicate, or of the node's
subject block (io.turtle_positions); a blank node is found through the triple holding it,
a node no file describes (a derived passage) through the first triple naming it. Files are
tokenized only when asked about, so a conforming graph pays nothing. The disk store keeps
no file per quad: written_lines applies the same rule to the files it was built from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice
from pathlib import Path
from typing import Any

from ..model.terms import Term
from ..resources import ontology_file
from .turtle_positions import (
    BASE_LINE,
    PREFIX_LINE,
    RDF_TYPE,
    TOKENIZED_BYTES,
    FilePositions,
    iri_key,
    positions,
    resolve_iri,
    statement_spans,
)


def term_key(term: Any) -> str | None:
    """A term as a positions key: `<iri>` or `"lexical form`; blank nodes have none."""
    if term is None:
        return None
    if isinstance(term, Term):
        kind, value = term.kind, term.value
    else:  # a pyoxigraph term
        kind = {"NamedNode": "uri", "Literal": "literal"}.get(type(term).__name__, "bnode")
        value = term.value
    if kind == "uri":
        return f"<{value}>"
    if kind == "literal":
        return '"' + value
    return None


class Locator:
    """Where each subject is written (it may be in several files: the summit record adds
    triples to summits of core/summits.ttl), and for blank nodes the triple holding them."""

    def __init__(self, loaded: Any, nodes: Iterable[str] | None = None) -> None:
        """Index the subjects `nodes` (keys as node_key gives them; all when None): one pass
        over the quads that keeps only what those nodes need."""
        self.files: dict[str, dict[Path, int]] = {}  # subject -> file -> triples there
        self.typed: dict[str, Path] = {}
        self.parents: dict[str, tuple[Path, Any, Any]] = {}
        self._cited: dict[str, tuple[Path, Any, Any]] | None = None  # see cited()
        self._loaded = loaded
        self._wanted: set[Any] | None = None
        self._positions: dict[Path, FilePositions] = {}
        if nodes is not None:
            nodes = set(nodes)
            if not nodes:  # nothing to locate (a conforming graph): no pass at all
                return
        import pyoxigraph as ox

        # membership on Oxigraph terms: no key string built per quad
        wanted = None if nodes is None else {_ox_node(n) for n in nodes}
        self._wanted = wanted
        blanks = nodes is None or any(n.startswith("_:") for n in nodes)
        blank = ox.BlankNode
        ontology = ontology_file()
        for path, quads in loaded.quads.items():
            if path == ontology:
                continue
            for quad in quads:
                if blanks and type(quad.object) is blank:
                    okey = f"_:{quad.object.value}"
                    if nodes is None or okey in nodes:
                        self.parents.setdefault(okey, (path, quad.subject, quad.predicate))
                subject = quad.subject
                if wanted is not None and subject not in wanted:
                    continue
                key = node_key(subject)
                counts = self.files.setdefault(key, {})
                counts[path] = counts.get(path, 0) + 1
                if quad.predicate.value == RDF_TYPE:
                    self.typed.setdefault(key, path)

    def cited(self, node: str) -> tuple[Path, Any, Any] | None:
        """(file, subject, predicate) of the first triple naming an IRI as object, for a node
        no file describes. One pass over the quads when first asked, for every wanted node
        without a subject block at once: a pass on every validation cost 12 ms (bundled)."""
        if self._cited is None or (node not in self._cited and self._wanted is None):
            import pyoxigraph as ox

            wanted = self._wanted if self._wanted is not None else {_ox_node(node)}
            missing = {n for n in wanted if type(n) is ox.NamedNode and node_key(n) not in self.files}
            self._cited = self._cited or {}
            named, ontology = ox.NamedNode, ontology_file()
            for path, quads in self._loaded.quads.items():
                if path == ontology:
                    continue
                for quad in quads:
                    if type(quad.object) is named and quad.object in missing:
                        self._cited.setdefault(f"<{quad.object.value}>", (path, quad.subject, quad.predicate))
        return self._cited.get(node)

    def positions(self, path: Path) -> FilePositions:
        """A file's positions, looked up once per locator: turtle_positions.positions() stats
        the file on every call, and a report of many results asks about the same few files."""
        if path not in self._positions:
            self._positions[path] = positions(path)
        return self._positions[path]

    def home(self, focus: str) -> Path | None:
        """The file that defines a node: where it is typed, else where most of it is."""
        return home_file(self.typed.get(focus), self.files.get(focus) or {})

    def where(self, focus: str, predicate: str | None = None, obj: str | None = None) -> tuple[Path, int] | None:
        """File and line of the triple (focus, predicate, obj), else of the predicate, else of
        the focus node's subject block in its home file; for a node no file describes, of the
        first triple that names it."""
        if focus.startswith("_:"):  # a blank node: the line of the triple that holds it
            parent = self.parents.get(focus)
            if parent is None:
                return None
            path, subject, predicate_term = parent
            return path, self.positions(path).line_of(node_key(subject), term_key(predicate_term)) or 1
        home = self.home(focus)
        if home is None:  # written in no file (a passage the loader derives): where it is first named
            cited = self.cited(focus)
            if cited is None:
                return None
            path, subject, predicate_term = cited
            return path, self.positions(path).line_of(node_key(subject), term_key(predicate_term), focus) or 1
        return placed(home, self.files[focus], lambda path: self.positions(path).find(focus, predicate, obj), predicate)


def home_file(typed: Path | None, triples: dict[Path, int]) -> Path | None:
    """The file that defines a node (both routes): where it is typed, else where most of it is."""
    return typed or (max(triples, key=lambda p: (triples[p], str(p))) if triples else None)


def placed(
    home: Path, files: Iterable[Path], find: Callable[[Path], tuple[int, int | None]], predicate: str | None
) -> tuple[Path, int]:
    """The rule both routes place a result by: `find(path)` -> (quality, line) in the node's
    home file (3 the triple, 2 the predicate, 1 the block); with a predicate and no triple
    there, another file that writes the node (in name order) only for a better match."""
    (quality, line), path = find(home), home
    if predicate is not None and quality < 3:
        for other in sorted(files, key=str):
            other_quality, other_line = find(other)
            if other_quality > quality:
                quality, line, path = other_quality, other_line, other
    return path, line or 1


def _ox_node(key: str) -> Any:
    """A node_key back as the Oxigraph term it was made from (None: no such term, e.g. the
    key of a literal focus node, which no quad has as subject)."""
    import pyoxigraph as ox

    try:
        return ox.BlankNode(key[2:]) if key.startswith("_:") else ox.NamedNode(key[1:-1])
    except ValueError:
        return None


def node_key(term: Any) -> str:
    """A subject as a key: `<iri>` or `_:id` (Terms and pyoxigraph terms alike)."""
    if isinstance(term, Term):
        return f"<{term.value}>" if term.kind == "uri" else f"_:{term.value}"
    return f"<{term.value}>" if type(term).__name__ == "NamedNode" else f"_:{term.value}"


def written_lines(
    files: Iterable[Path],
    asked: Iterable[tuple[str, str | None, str | None]],
    tokenized: int = TOKENIZED_BYTES,
) -> dict[tuple[str, str | None, str | None], tuple[Path, int]]:
    """File and line of each asked (node, predicate, object) — keys as node_key and term_key
    give them — for the disk store, whose quads carry no file: the file route's rule
    (Locator.where) on the files themselves. The node's home is the file where it is typed,
    else the one that writes most of its triples; there the line of the triple, else of the
    predicate, else of its subject block; another file only for a better match (the summit
    record adds triples to summits written elsewhere). A file above `tokenized` bytes is not
    tokenized whole: its wanted subject blocks are, one at a time (_streamed_blocks)."""
    from .files import read_text

    asked = set(asked)
    nodes = {node for node, _, _ in asked if node.startswith("<")}
    if not nodes:
        return {}
    files = list(files)
    small = [f for f in files if f.stat().st_size <= tokenized]
    # per node, the files that write it, in the given order: (path, typed, triples, {pair: (quality, line)})
    seen: dict[str, list[tuple[Path, bool, int, dict]]] = {}
    pairs: dict[str, set[tuple[str | None, str | None]]] = {}
    for node, predicate, obj in asked:
        pairs.setdefault(node, set()).add((predicate, obj))
    for path in files:
        if path not in small:
            for node, (typed, triples, found) in _streamed_blocks(path, pairs).items():
                seen.setdefault(node, []).append((path, typed, triples, found))
            continue
        written = FilePositions(read_text(path), base=path.absolute().as_uri())  # not positions(): not kept
        for node in nodes & written.by_subject.keys():  # a set operation, not a lookup per node and file
            if not written.find(node)[1]:
                continue
            found = {pair: written.find(node, *pair) for pair in pairs[node]}
            typed = written.find(node, f"<{RDF_TYPE}>")[0] >= 2
            seen.setdefault(node, []).append((path, typed, written.triples_of(node), found))
    missing = {node: pairs[node] for node in nodes if node not in seen}
    for path in files if missing else ():  # written where no line starts: every statement read
        if path not in small:
            for node, (typed, triples, found) in _statement_blocks(path, missing).items():
                seen.setdefault(node, []).append((path, typed, triples, found))
    out: dict[tuple[str, str | None, str | None], tuple[Path, int]] = {}
    for node, predicate, obj in asked:
        holders = {path: (typed, triples, found) for path, typed, triples, found in seen.get(node, ())}
        typed = next((path for path, (is_typed, _, _) in holders.items() if is_typed), None)
        home = home_file(typed, {path: triples for path, (_, triples, _) in holders.items()})
        if home is not None:  # the node is written in some file
            found = {path: answers[(predicate, obj)] for path, (_, _, answers) in holders.items()}
            out[(node, predicate, obj)] = placed(home, found, found.__getitem__, predicate)
    return out


def _streamed_blocks(path: Path, pairs: dict[str, set[tuple[str | None, str | None]]]) -> dict[str, tuple]:
    """For a file too large to tokenize whole: each wanted node's (typed, triples, {pair:
    (quality, line)}) as FilePositions finds them, from its subject blocks (a line whose first
    token is the node under the prefixes so far), each tokenized alone behind the directives
    read so far, as a line-by-line pass meets it: a block's memory at a time (6-7 s of CPU for
    the 364 MB file of 10 M triples, where tokenizing it whole took 21 s and 1.1 GB). What
    follows a directive or a wanted statement on its last line is read as well; a statement
    after one not wanted is not (the line pass would tokenize every line): _statement_blocks."""
    out: dict[str, tuple] = {}
    directives: list[str] = []  # the file's directives so far, one per line, before each block
    prefixes: dict[bytes, str] = {}
    base = path.absolute().as_uri()
    with open(path, "rb") as handle:
        lines = enumerate(handle, 1)
        for number, line in lines:
            head = line[:1]
            if head in b" \t\r\n#" or not head:
                continue
            if head not in b"@pPbB" and _subject_key(line.split(None, 1)[0], prefixes, base) not in pairs:
                continue  # most lines: no directive, a subject not wanted
            while line:  # a statement starts here: its line's start, or after another on the line
                head = line[:1]
                directive = head == b"@" or line[:6].lower() == b"prefix"
                if directive or line[:4].lower() == b"base":
                    text = line.decode("utf-8", "replace")
                    after = _read_directive(text, prefixes, base)
                    if after is not None:  # the directive alone: a statement after it is no preamble
                        base = after
                        end = statement_spans(text)[0][1]
                        directives.append(text[:end].strip() + "\n")
                        line = _next_statement(text[end:])
                        continue
                    if directive:
                        break
                key = _subject_key(line.split(None, 1)[0], prefixes, base)
                if key not in pairs:
                    break
                block = [line]
                while len(block) < 10_000:  # the statement, to its closing '.'
                    text = b"".join(block).decode("utf-8", "replace")
                    spans = statement_spans(text) if b"." in block[-1] else []
                    if spans and (len(spans) > 1 or text[spans[0][1] - 1] == "."):
                        break
                    following = next(lines, None)
                    if following is None:
                        break
                    block.append(following[1])
                text = b"".join(block).decode("utf-8", "replace")
                end = statement_spans(text)[0][1]
                _merge(out, key, _block_answers(key, pairs[key], directives, text[:end], number, path))
                number += len(block) - 1  # the rest of the block's last line: what follows there
                line = _next_statement(text[end:])
    return out


def _next_statement(rest: str) -> bytes:
    """The rest of a line after a statement, from the next statement's first character (b"":
    nothing but space or a comment follows)."""
    rest = rest.lstrip(" \t")
    return b"" if rest[:1] in ("", "#", "\n", "\r") else rest.encode("utf-8")


def _statement_blocks(path: Path, pairs: dict[str, set[tuple[str | None, str | None]]]) -> dict[str, tuple]:
    """As _streamed_blocks, for the nodes its line pass did not find: written only after a
    statement not wanted on the same line (or the end of a multi-line one), which the line
    pass skips unread. The file's statements in order (statement_spans over 100,000 lines at a time),
    each wanted one tokenized alone behind the directives so far. Runs only when a node is
    missing: it reads every statement, where the line pass reads the first token of a line."""
    out: dict[str, tuple] = {}
    directives: list[str] = []
    prefixes: dict[bytes, str] = {}
    base = path.absolute().as_uri()
    carry, first = "", 1  # the statement a chunk cut off, and the file line where the text starts
    with open(path, encoding="utf-8", errors="replace") as handle:
        while True:
            chunk = "".join(islice(handle, 100_000))
            text = carry + chunk
            if not text:
                break
            spans = statement_spans(text)
            carry = ""
            if chunk and spans:  # the last statement may go on in the next chunk
                cut, _, cut_line = spans.pop()
                carry, after = text[cut:], first + cut_line - 1
            else:
                after = first + text.count("\n")
            for start, end, line in spans:
                statement = text[start:end]
                read = _read_directive(statement, prefixes, base)
                if read is not None:
                    base = read
                    directives.append(statement.strip() + "\n")
                    continue
                key = _subject_key(statement.split(None, 1)[0].encode(), prefixes, base)
                if key in pairs:
                    answers = _block_answers(key, pairs[key], directives, statement, first + line - 1, path)
                    _merge(out, key, answers)
            first = after
            if not chunk:
                break
    return out


def _read_directive(text: str, prefixes: dict[bytes, str], base: str) -> str | None:
    """A @prefix/PREFIX or @base/BASE directive at the start of `text`, read into `prefixes`:
    the base after it (None: `text` is no directive). Relative IRIs resolve as the loader's."""
    declared = PREFIX_LINE.match(text)
    if declared:
        prefixes[declared["name"].encode()] = resolve_iri(base, declared["iri"])
        return base
    based = BASE_LINE.match(text)
    if based:
        return resolve_iri(base, based["iri"])
    return None


def _subject_key(token: bytes, prefixes: dict[bytes, str], base: str) -> str | None:
    """The node a statement's first token names, as node_key spells it (None: a blank node,
    a literal or an undeclared prefix)."""
    if token[:1] == b"<":
        return iri_key(token.decode("utf-8", "replace"), base)
    name, colon, local = token.partition(b":")
    if not colon or name not in prefixes:
        return None
    return f"<{prefixes[name]}{local.decode('utf-8', 'replace')}>"


def _block_answers(
    key: str, pairs: set[tuple[str | None, str | None]], directives: list[str], block: str, line: int, path: Path
) -> tuple[bool, int, dict]:
    """(typed, triples, {pair: (quality, line)}) of one subject block starting at the file's
    `line`, tokenized alone behind the directives read so far (one line each)."""
    written = FilePositions("".join(directives) + block, base=path.absolute().as_uri())
    shift = line - 1 - len(directives)  # the block's lines there -> the file's
    found = {}
    for pair in pairs:
        quality, at = written.find(key, *pair)
        found[pair] = (quality, at + shift if at else None)
    return written.find(key, f"<{RDF_TYPE}>")[0] >= 2, written.triples_of(key), found


def _merge(out: dict[str, tuple], key: str, answers: tuple[bool, int, dict]) -> None:
    """Add one block's answers to the node's, as FilePositions.find over all its blocks would
    give them: the best quality, and of a predicate its last mention."""
    before = out.get(key)
    if before is None:
        out[key] = answers
        return
    typed, triples, found = answers
    merged = {}
    for pair, (quality, at) in found.items():
        old_quality, old_at = before[2][pair]
        later = quality == 2 and old_quality == 2  # a predicate: its last mention
        merged[pair] = (quality, at) if quality > old_quality or later else (old_quality, old_at)
    out[key] = (before[0] or typed, before[1] + triples, merged)


def literal_lines(files: Iterable[Path], values: Iterable[str]) -> dict[str, tuple[Path, int]]:
    """Where each lexical form is first written as a quoted literal (`"2009-13-03"`), in one
    streaming pass over the files: an ill-typed literal on the disk-store route, at the line
    of its triple (its subject's block may be in another file)."""
    wanted = {f'"{v}"'.encode(): v for v in values if "\n" not in v}
    found: dict[str, tuple[Path, int]] = {}
    for path in files:
        if len(found) == len(wanted):
            break
        with open(path, "rb") as handle:
            for number, line in enumerate(handle, 1):
                if b'"' not in line:
                    continue
                for quoted, value in wanted.items():
                    if value not in found and quoted in line:
                        found[value] = (path, number)
    return found
