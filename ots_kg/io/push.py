"""Load the graph into a triple store with the SPARQL 1.1 Graph Store HTTP Protocol,
in batches, then check the store holds what was sent."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph

from ..errors import OtsKgError
from ..model.formats import GRAPH_FORMATS
from ..sparql.engines import USER_AGENT
from .export import ntriples_lines, serialize
from .http import MAX_ANSWER, HttpClient, HttpError, first_line

NT = GRAPH_FORMATS["nt"].media_type


@dataclass
class PushReport:
    sent: int
    batches: int
    in_store: int
    before: int = 0  # triples the graph held before (0 with --replace)
    expected: int = 0  # what it should hold after: the union of before and sent, blank nodes counted apart

    @property
    def ok(self) -> bool:
        return self.in_store == self.expected


class PushMismatch(OtsKgError):
    """The store's count after the push is not what was there plus what was sent: a check
    failure (exit 1), the data may be partly in."""

    exit_code = 1

    def __init__(self, message: str, report: PushReport) -> None:
        super().__init__(message)
        self.report = report


def _target(endpoint: str, graph_iri: str | None) -> str:
    sep = "&" if "?" in endpoint else "?"
    if graph_iri:
        return f"{endpoint}{sep}graph={urllib.parse.quote(graph_iri, safe='')}"
    return f"{endpoint}{sep}default"


def _batches(lines: list[str], size: int) -> list[list[str]]:
    """Blank-node triples travel together in the first batch: a store reads each request's
    `_:b0` as a fresh node, so splitting them would break lists apart."""
    with_bnodes = [ln for ln in lines if "_:" in ln]
    plain = [ln for ln in lines if "_:" not in ln]
    first = with_bnodes + plain[: max(0, size - len(with_bnodes))]
    rest = plain[len(first) - len(with_bnodes) :]
    return [first] + [rest[i : i + size] for i in range(0, len(rest), size)]


def _stored(client: HttpClient, url: str) -> tuple[set[str], int]:
    """What the graph holds now: its triples without blank nodes (as N-Triples lines) and the
    number with blank nodes (those can't be compared across requests). A missing graph is empty."""
    import pyoxigraph as ox

    try:
        answer = client.send("GET", url, accept=f"{NT}, text/turtle;q=0.9")
    except HttpError as exc:
        if exc.status == 404:
            return set(), 0
        raise
    formats = {NT: ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES, "text/turtle": ox.RdfFormat.TURTLE}
    if answer.content_type not in formats:
        raise OtsKgError(f"{url}: GET answered {answer.content_type or 'no Content-Type'}, not N-Triples or Turtle")
    plain, with_bnodes = set(), 0
    try:
        for quad in ox.parse(answer.body, format=formats[answer.content_type]):
            if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
                with_bnodes += 1
            else:
                plain.add(f"{quad.subject} {quad.predicate} {quad.object} .")
    except (SyntaxError, ValueError) as exc:
        raise OtsKgError(f"{url}: unreadable graph from the store ({first_line(str(exc))})") from None
    return plain, with_bnodes


def push(
    graph: Graph,
    endpoint: str,
    *,
    graph_iri: str | None = None,
    replace: bool = False,
    batch_size: int = 5000,
    timeout: float = 60.0,
    user: str | None = None,
    password: str | None = None,
    user_agent: str = USER_AGENT,
    max_bytes: int = MAX_ANSWER,
    on_batch: Callable[[int], None] | None = None,
) -> PushReport:
    """POST (or, with replace, first PUT) N-Triples batches to the graph store endpoint, then
    check the store holds what was there plus what was sent.

    Without replace, a graph that already holds blank-node triples is refused when the push
    sends blank nodes too: a store reads every request's blank nodes as new ones, so pushing
    the same data twice would silently keep two copies of each.

    `timeout` is a deadline for each request as a whole; `max_bytes` caps what the store may
    answer (the graph read back to check the push included).
    """
    import pyoxigraph as ox

    if batch_size < 1:
        raise OtsKgError("batch size must be at least 1")
    client = HttpClient(timeout=timeout, user=user, password=password, user_agent=user_agent, max_bytes=max_bytes)
    url = _target(endpoint, graph_iri)
    text = serialize(graph, "nt")
    lines = ntriples_lines(text)
    sent_plain, sent_bnodes = set(), 0
    for q in ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            sent_bnodes += 1
        else:
            sent_plain.add(f"{q.subject} {q.predicate} {q.object} .")
    before_plain, before_bnodes = (set(), 0) if replace else _stored(client, url)
    if before_bnodes and sent_bnodes:
        raise OtsKgError(
            f"{url}: the graph already holds {before_bnodes} triples with blank nodes; pushing again would add "
            "a second copy of each (a store cannot tell blank nodes apart): use --replace, or --graph for another graph"
        )
    batches = _batches(lines, batch_size)
    for number, batch in enumerate(batches):
        method = "PUT" if replace and number == 0 else "POST"
        client.send(method, url, ("\n".join(batch) + "\n").encode("utf-8"), content_type=NT)
        if on_batch:
            on_batch(len(batch))
    after_plain, after_bnodes = _stored(client, url)
    report = PushReport(
        sent=len(lines),
        batches=len(batches),
        in_store=len(after_plain) + after_bnodes,
        before=len(before_plain) + before_bnodes,
        expected=len(before_plain | sent_plain) + before_bnodes + sent_bnodes,
    )
    if not report.ok:
        raise PushMismatch(
            f"{url}: the store holds {report.in_store} triples after the push, expected {report.expected} "
            f"({report.before} there before + {report.sent} sent, shared triples counted once); "
            "check the store's log, or push again with --replace",
            report,
        )
    return report
