"""Warnings for what a query text says that cannot be what its writer meant.

A SPARQL engine answers a misspelt term with an empty answer and exit 0: `?e a ots:Sumit`
matches nothing, `ots:hostcountry` is just another property, `event:2022-summit` names no
node, `SELECT ?x` over a pattern that binds only `?s` gives empty cells. The ontology is a
closed vocabulary (validation.vocabulary), so the first two are known to be wrong before any
engine runs; the third needs one lookup in the graph; the fourth is lexical. Each becomes one
line on stderr: the answer is still given, the exit code unchanged (an ASK about a node's
absence is a fair question).

Lexical, like sparql.text: strings and comments are blanked first, PREFIX declarations are
honoured (the project prefixes are predeclared), and a name followed by `(` is a function
(`xsd:integer(?y)`), not a term.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..model.prefixes import ID, ONTOLOGY, PREFIXES, XSD, compact_iri

if TYPE_CHECKING:
    from .engines import Engine

_IRI = r"<([^<>\"{}|^`\\\s]*)>"
_LOCAL = r"(?:[\w:]|%[0-9A-Fa-f]{2})(?:[\w.:-]|%[0-9A-Fa-f]{2})*"
# a prefixed name (not part of a variable, a longer name or an IRI), or an IRI
_TERM = re.compile(rf"(?<![\w?$.:\-<])([A-Za-z][\w.-]*)?:({_LOCAL})|{_IRI}")
_VARIABLE = re.compile(r"[?$]([A-Za-z_][\w]*)")
# warnings of one kind beyond this are counted, not spelt out: each "did you mean" compares
# the term with every known one (3,000 unknown terms in a 90 KB text took 14.5 s of CPU,
# in the server's thread for POST /lint)
MOST = 10
_NOT_FOUND = """SELECT ?node WHERE {{
  VALUES ?node {{ {nodes} }}
  FILTER NOT EXISTS {{ ?node ?p ?o }}
  FILTER NOT EXISTS {{ ?s ?q ?node }}
}}"""


def _body(text: str) -> tuple[str, dict[str, str]]:
    """The text with strings, comments and PREFIX/BASE lines replaced by spaces (same length;
    IRIs kept), and the prefixes in force: the query's own over the project's."""
    from .text import DECLARATION, blank_out, prefix_declarations

    bare = blank_out(text, keep_iris=True)
    prefixes = {**PREFIXES, **prefix_declarations(text)}
    return DECLARATION.sub(lambda m: " " * len(m.group(0)), bare), prefixes


def _template(bare: str) -> range:
    """Where a CONSTRUCT template is (its terms are written out, not matched), or nowhere."""
    from .text import group_end

    m = re.search(r"(?i)\bCONSTRUCT\s*\{", bare)
    return range(m.end() - 1, group_end(bare, m.end() - 1)) if m else range(0)


def _written(text: str) -> list[tuple[str, bool]]:
    """(IRI, whether it is in a CONSTRUCT template) for every term the query writes."""
    bare, prefixes = _body(text)
    template = _template(bare)
    found: list[tuple[str, bool]] = []
    for m in _TERM.finditer(bare):
        if re.match(r"\s*\(", bare[m.end() :]) or bare[max(0, m.start() - 2) : m.start()] == "^^":
            continue  # xsd:integer(?y), a function; "1.5"^^xsd:decimal, a literal's datatype
        if m.group(3) is not None:
            found.append((m.group(3), m.start() in template))
        elif (m.group(1) or "") in prefixes:
            found.append((prefixes[m.group(1) or ""] + m.group(2).rstrip("."), m.start() in template))
    return found


def terms(text: str) -> list[str]:
    """The IRIs the query writes, in order, prefixed names expanded (its own PREFIX lines
    first, then the project prefixes); functions and undeclared prefixes left out."""
    return [term for term, _ in _written(text)]


def unknown_vocabulary(text: str, ours: bool = True) -> list[str]:
    """Warnings for the ontology and reused terms the query writes that neither ots.ttl nor
    reused-terms.ttl declares, each with the nearest known term. Over our own graph (`ours`)
    such a term in a pattern "matches nothing" (a CONSTRUCT template's terms are written
    out, not matched). Over another store (--endpoint), which may hold other data, only the
    ots: namespace is ours to judge, and only as a term the ontology does not declare."""
    from ..validation.vocabulary import VOCABULARIES, vocabulary

    vocab = vocabulary()
    # datatypes are compared and cast, never matched
    closed = tuple(ns for ns in VOCABULARIES if ns != XSD) if ours else (ONTOLOGY,)
    unknown = [(t, tpl) for t, tpl in dict.fromkeys(_written(text)) if t.startswith(closed) and t not in vocab.any]
    out: list[str] = []
    for term, in_template in unknown[:MOST]:
        near = vocab.nearest(term, "any")
        hint = f" (did you mean {compact_iri(near)}?)" if near else ""
        effect = "" if in_template or not ours else ": it matches nothing"
        out.append(f"{compact_iri(term)} is not a term of the ontology{effect}{hint}")
    out = list(dict.fromkeys(out))
    if len(unknown) > MOST:
        out.append(f"and {len(unknown) - MOST} more terms the ontology does not declare")
    return out


def missing_nodes(text: str, engine: Engine, suggest: bool = True) -> list[str]:
    """Warnings for the graph's own IRIs (…/id/…) the query's patterns write that name no
    node of the graph the engine answers from (one lookup for all of them), with the nearest
    nodes unless `suggest` is off (a disk store of millions of nodes, as in
    search.check_nodes). A CONSTRUCT template may name new nodes: its terms are left out."""
    from .catalogue import StoredQuery
    from .search import did_you_mean

    safe = re.compile(r"[^<>\"{}|^`\\\s]*")  # written into the lookup's text as <IRI>
    wanted = list(
        dict.fromkeys(
            t for t, in_template in _written(text) if not in_template and t.startswith(ID) and safe.fullmatch(t)
        )
    )
    if not wanted:
        return []
    probe = StoredQuery(
        name="nodes",
        path=Path("nodes.rq"),
        text=_NOT_FOUND.format(nodes=" ".join(f"<{t}>" for t in wanted)),
        summary="the given nodes the graph does not hold",
    )
    absent = {row[0].value for row in engine.run(probe).rows}
    missing = [term for term in wanted if term in absent]
    out = []
    for term in missing[:MOST]:
        near = did_you_mean(engine, term) if suggest else ""
        hint = f"; did you mean {near}?" if near else "; try 'ots-kg find NAME'"
        out.append(f"{compact_iri(term)} names no node in the graph: it matches nothing{hint}")
    if len(missing) > MOST:
        out.append(f"and {len(missing) - MOST} more IRIs that name no node in the graph")
    return out


def unbound_selection(text: str) -> list[str]:
    """Warnings for variables the outermost SELECT names that the rest of the query never
    mentions: their column is always empty (a typo, `SELECT ?sumit … ?summit`)."""
    bare, _ = _body(text)
    select = re.search(r"(?i)\bSELECT\b", bare)
    if not select:
        return []
    end = re.compile(r"(?i)\bWHERE\b|\{|\bFROM\b").search(bare, select.end())
    if not end:
        return []
    projection, rest = bare[select.end() : end.start()], bare[end.start() :]
    targets = set(re.findall(r"(?i)\bAS\s+[?$]([A-Za-z_]\w*)", projection))
    used = set(_VARIABLE.findall(rest))
    unbound = [n for n in dict.fromkeys(_VARIABLE.findall(projection)) if n not in targets and n not in used]
    out = [f"?{name} is selected but the query never binds it: its column is always empty" for name in unbound[:MOST]]
    if len(unbound) > MOST:
        out.append(f"and {len(unbound) - MOST} more selected variables the query never binds")
    return out


def text_warnings(text: str, ours: bool = True) -> list[str]:
    """The warnings read from the text alone (no graph): undeclared terms, unbound columns."""
    return unknown_vocabulary(text, ours) + unbound_selection(text)


def query_warnings(text: str, engine: Engine | None = None, suggest: bool = True) -> list[str]:
    """Every warning above for a query over our graph through `engine` (nodes looked up in
    it); without an engine, for a query sent to another store (--endpoint)."""
    if engine is None:
        return text_warnings(text, ours=False)
    return text_warnings(text) + missing_nodes(text, engine, suggest)
