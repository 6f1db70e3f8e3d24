"""Finding nodes by name, and the nearest nodes to an IRI that names none.

`find` ranks every name of a node (label, alternative, former and preferred labels, any
language) against a text: exact > prefix > word > substring, accents and case ignored, so a
newcomer finds `event:2022-11-11-summit-9` from "samarkand summit". `check_nodes` makes an
IRI parameter that names nothing in the graph an error with the nearest matches instead of
an empty answer. `matching_queries` finds stored queries by the words of their header.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import QueryError
from ..model.prefixes import ID, compact_iri
from .catalogue import Param, StoredQuery, bind_values
from .engines import Engine

_NAMES = StoredQuery(
    name="names",
    path=Path("names.rq"),
    summary="every name of every data node, with its most specific type's label",
    text=f"""
SELECT ?node ?name ?label ?typeLabel ?type WHERE {{
  ?node rdfs:label|skos:altLabel|skos:prefLabel|ots:formerName ?name .
  FILTER (STRSTARTS(STR(?node), "{ID}"))
  OPTIONAL {{ ?node rdfs:label ?label FILTER (LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }}
  OPTIONAL {{
    ?node a ?type .
    FILTER NOT EXISTS {{ ?node a ?sub . ?sub rdfs:subClassOf+ ?type FILTER (?sub != ?type) }}
    OPTIONAL {{ ?type rdfs:label ?typeLabel FILTER (LANGMATCHES(LANG(?typeLabel), "en")) }}
  }}
}}""",
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
RANKS = ("exact", "prefix", "word", "substring")
# nodes about other nodes (a claim, a membership, a participation, a stated count) come after
# the things themselves at the same rank
_SECONDARY = tuple(ID + k + "/" for k in ("claim", "membership", "participation", "aggregate"))


@dataclass(frozen=True)
class Hit:
    node: str  # full IRI
    label: str
    kind: str
    matched: str  # the name that matched
    rank: int  # index into RANKS

    @property
    def compact(self) -> str:
        return compact_iri(self.node)


def fold(text: str) -> str:
    """Accent- and case-insensitive form: `Türkiye` and `turkiye`, `Şuşa` and `susa` compare equal."""
    text = text.replace("ı", "i").replace("İ", "I")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def matching_queries(queries: Mapping[str, StoredQuery], words: Sequence[str]) -> list[StoredQuery]:
    """The stored queries whose name, summary, tags or parameters hold every word (accents and
    case ignored): with 45 of them, `ots-kg queries summit` is how an analyst finds the few
    about summits."""
    wanted = [fold(word) for word in words]
    found = []
    for query in queries.values():
        params = (f"{p.name} {p.description}" for p in query.params)
        text = fold(" ".join([query.name, query.summary, *query.tags, *params]))
        if all(word in text for word in wanted):
            found.append(query)
    return found


def rank(text: str, name: str) -> int | None:
    """0 exact, 1 prefix, 2 a word of the name starts with the text, 3 substring, None no match."""
    t, n = fold(text).strip(), fold(name)
    if not t:
        return None
    if n == t:
        return 0
    if n.startswith(t):
        return 1
    if re.search(r"(?<![^\W_])" + re.escape(t), n):
        return 2
    return 3 if t in n else None


def names(engine: Engine) -> list[tuple[str, str, str, str]]:
    """(node IRI, name, English label, kind) for every name of every data node."""
    res = engine.run(_NAMES)
    out = []
    for node, name, label, type_label, type_ in res.rows:
        kind = type_label.value if type_label else _words(type_.value) if type_ else ""
        out.append((node.value, name.value, (label or name).value, kind))
    return out


def _words(class_iri: str) -> str:
    """The local name of a class without an English label, in words:
    `schema:LandmarksOrHistoricalBuildings` reads "landmarks or historical buildings"."""
    return _CAMEL.sub(" ", re.sub(r"^.*[/#]", "", class_iri)).lower()


def find(engine: Engine, text: str, limit: int | None = 20) -> list[Hit]:
    """Nodes whose names match `text`, best first (rank, then label, then IRI); one hit per node.

    Several words must all occur (in any name of the node); the rank is that of the whole text
    or, failing that, of its weakest word."""
    words = fold(text).split()
    best: dict[str, Hit] = {}
    per_node: dict[str, list[tuple[str, str, str]]] = {}
    for node, name, label, kind in names(engine):
        per_node.setdefault(node, []).append((name, label, kind))
    for node, entries in per_node.items():
        all_names = " ".join(fold(n) for n, _, _ in entries) + " " + fold(compact_iri(node))
        if not all(w in all_names for w in words):
            continue
        for name, label, kind in entries:
            r = rank(text, name)
            if r is None and len(words) > 1:
                r = max((rank(w, name) if rank(w, name) is not None else 3) for w in words)
            if r is None:
                continue
            hit = Hit(node, label, kind, name, r)
            old = best.get(node)
            if old is None or (hit.rank, hit.matched != hit.label) < (old.rank, old.matched != old.label):
                best[node] = hit
    hits = sorted(best.values(), key=lambda h: (h.rank, h.node.startswith(_SECONDARY), fold(h.label), h.node))
    return hits[:limit] if limit else hits


def nearest(engine: Engine, missing: str, limit: int = 3) -> list[Hit]:
    """Nodes most like an IRI that names none: same namespace first, then the words of its
    local name found in their names, then the likeness of the IRIs."""
    namespace, local = (
        re.match(r"^(.*[/#:])([^/#:]*)$", missing).groups() if re.search(r"[/#:]", missing) else ("", missing)
    )
    import difflib  # only on a miss: every query would pay for it

    words = [w for w in re.split(r"[-_\s]+", fold(local)) if w and not w.isdigit() and len(w) > 1]
    scored = []
    seen = set()
    for node, name, label, kind in names(engine):
        if node in seen and not words:
            continue
        seen.add(node)
        folded = fold(name) + " " + fold(node)
        shared = sum(1 for w in words if w in folded)
        likeness = difflib.SequenceMatcher(None, missing, node).ratio()
        scored.append(((node.startswith(namespace), shared, likeness), Hit(node, label, kind, name, 3)))
    scored.sort(key=lambda s: s[0], reverse=True)
    out: list[Hit] = []
    for _, hit in scored:
        if hit.node not in {h.node for h in out}:
            out.append(hit)
        if len(out) == limit:
            break
    return out


_EXISTS = StoredQuery(
    name="exists",
    path=Path("exists.rq"),
    summary="is this node in the graph",
    text="ASK { { ?_node ?p ?o } UNION { ?s ?p ?_node } }",
    params=(Param("node", "iri", True, None, "the node"),),
)


def did_you_mean(engine: Engine, missing: str) -> str:
    """The nearest nodes to an IRI that names none, as "event:x (its label), …", or ""."""
    return ", ".join(f"{h.compact} ({h.label})" for h in nearest(engine, missing))


def check_nodes(engine: Engine, query: StoredQuery, values: Mapping[str, str], suggest: bool = True) -> None:
    """Every IRI parameter given names a node of the graph; else a QueryError (exit 2) with
    the nearest matches: "no event:…-samarkand; did you mean event:…-summit-9 (9th Summit (Samarkand))?".
    Without `suggest` (a disk store of millions of nodes: the likeness of every name would take
    minutes and gigabytes) the error only points to `ots-kg find`."""
    bound = bind_values(query, values)  # checks types and names first
    for param in query.params:
        if param.type != "iri" or param.name not in values:
            continue
        node = bound["_" + param.name].value
        if engine.run(_EXISTS, {"node": node}).boolean:
            continue
        hint = did_you_mean(engine, node) if suggest else ""
        raise QueryError(
            f"no {compact_iri(node)} in the graph (parameter {param.name})"
            + (f"; did you mean {hint}?" if hint else "; try 'ots-kg find NAME'")
        )
