"""Load the graph into a triple store with the SPARQL 1.1 Graph Store HTTP Protocol,
in batches, then check the store holds what was sent."""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph

from ..errors import OtsKgError
from ..model.formats import GRAPH_FORMATS
from ..sparql.engines import USER_AGENT
from .export import serialize

NT = GRAPH_FORMATS["nt"].media_type


@dataclass
class PushReport:
    sent: int
    batches: int
    in_store: int


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


class _Client:
    def __init__(self, timeout: float, user: str | None, password: str | None, user_agent: str):
        self.timeout = timeout
        self.headers = {"User-Agent": user_agent}
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"

    def send(self, method: str, url: str, body: bytes | None = None, accept: str | None = None) -> bytes:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = NT
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace").strip().splitlines()
            raise OtsKgError(
                f"{url}: {method} answered {exc.code} {exc.reason}" + (f": {detail[0][:200]}" if detail else "")
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise OtsKgError(f"{url}: store unreachable ({getattr(exc, 'reason', exc)})") from None


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
    on_batch: Callable[[int], None] | None = None,
) -> PushReport:
    """POST (or, with replace, first PUT) N-Triples batches to the graph store endpoint."""
    if batch_size < 1:
        raise OtsKgError("batch size must be at least 1")
    client = _Client(timeout, user, password, user_agent)
    url = _target(endpoint, graph_iri)
    lines = [ln for ln in serialize(graph, "nt").splitlines() if ln.strip()]
    batches = _batches(lines, batch_size)
    for number, batch in enumerate(batches):
        method = "PUT" if replace and number == 0 else "POST"
        client.send(method, url, ("\n".join(batch) + "\n").encode("utf-8"))
        if on_batch:
            on_batch(len(batch))
    stored = client.send("GET", url, accept=NT).decode("utf-8")
    in_store = sum(1 for ln in stored.splitlines() if ln.strip() and not ln.startswith("#"))
    report = PushReport(sent=len(lines), batches=len(batches), in_store=in_store)
    if (replace and in_store != len(lines)) or in_store < len(lines):
        raise OtsKgError(f"{url}: sent {len(lines)} triples but the store holds {in_store}")
    return report
