"""What compiled shapes are, and how they run: rdflib-free, so a validation whose shapes
come compiled from the cache (validation.compiled) never imports rdflib.

A Check is one constraint component of one shape as a SELECT over the whole graph; each
solution is a result. Findings are engine-neutral (model.terms.Term).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..model.terms import Term, from_ox

Row = dict[str, Term]
Select = Callable[[str], list[Row]]
Counted = Callable[[int, int], None]  # (checks done, checks in all): for a progress line
# The compiled core checks write full IRIs: Oxigraph's parser takes twice as long over
# prefixed names (14 vs 28 ms for the bundled shapes' 197 checks). SPARQL constraints are
# the shapes author's text and may use rdf:/rdfs: undeclared, as pySHACL allows.
PROLOGUE = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
INSTANCE_OF = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"


@dataclass(frozen=True)
class Check:
    shape: str
    severity: str
    path: Term | None
    message: str
    query: str
    template: bool = False


@dataclass(frozen=True)
class Finding:
    severity: str
    shape: str
    focus: Term
    path: Term | None
    value: Term | None
    message: str


def run_checks(
    checks: Iterable[Check], select: Select, threads: int = 1, counted: Counted | None = None
) -> list[Finding]:
    """Every check's findings, in the checks' order. With threads > 1 the queries run side by
    side: only for a select that leaves the GIL while it evaluates (Oxigraph's does).
    `counted(done, total)` hears of each check answered (minutes of them at 10 M triples)."""
    checks = list(checks)
    texts = [PROLOGUE + check.query if check.template else check.query for check in checks]
    answers: list[list[Row]] = []
    if threads > 1 and len(checks) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            for rows in pool.map(select, texts):
                answers.append(rows)
                if counted is not None:
                    counted(len(answers), len(texts))
    else:
        for text in texts:
            answers.append(select(text))
            if counted is not None:
                counted(len(answers), len(texts))
    findings = []
    for check, rows in zip(checks, answers, strict=True):
        for row in rows:
            focus = row.get("focus", row.get("this"))
            value = row.get("value")
            if value is None and check.template:
                # SHACL 5.3.2: sh:value is the binding of ?value, else the value node, and the
                # one value node of a node shape is its focus node (3.7); sh:resultPath the
                # binding of ?path if an IRI. Only node shapes' SPARQL constraints are
                # compiled (unsupported_features), so the shape itself has no path.
                value = focus
            bound_path = row.get("path") if check.template else None
            path = bound_path if bound_path is not None and bound_path.is_iri else check.path
            message = _fill(check.message, row, focus) if check.template else check.message
            findings.append(Finding(check.severity, check.shape, focus, path, value, message))
    return findings


def _fill(template: str, row: Row, focus) -> str:
    """pySHACL-style {?var} / {$this} substitution in a SPARQL constraint's message."""
    values = {**row, "this": focus}
    return re.sub(r"\{[?$](\w+)\}", lambda m: str(values.get(m.group(1)) or ""), template)


def oxigraph_select(store) -> Select:
    """Run compiled checks on an Oxigraph store (thread-safe: pyoxigraph releases the GIL
    while a query evaluates, so run_checks can run several at once)."""

    def select(query: str) -> list[Row]:
        result = store.query(query)
        names = [v.value for v in result.variables]
        return [{n: from_ox(s[n]) for n in names if s[n] is not None} for s in result]

    return select
