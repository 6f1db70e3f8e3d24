"""Blank nodes renamed by what they are, so that the same graph always gives the same triples.

rdflib's canonicalizer (`rdflib.compare`) compares every colour with every other as it refines:
a CONSTRUCT answer with 1,000 distinct blank nodes took it 12 s to label, one with 172,000 had
no labels after 60 s; and its labels of some symmetric graphs depend on the names they had (a
loop beside a 3-cycle: two results in 30 namings; rdflib issue #385). Here each blank node is
coloured by its own triples, then by its neighbours' colours, round by round to a fixed point
(linear per round), which tells apart nearly every graph met in practice; where linked nodes
still share a colour, nodes are set apart one at a time and the labelling whose triples sort
first is kept, one group of linked blank nodes at a time. Only generalised RDF (a blank node
as predicate) still goes to rdflib's canonicalizer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from hashlib import sha256

from rdflib import BNode, Graph
from rdflib.compare import _TripleCanonicalizer
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


# what setting nodes apart may spend on one group of linked blank nodes (node colourings and
# written triples: a few seconds) before it goes on with one choice per step
SEARCH_WORK = 2_000_000


def canonical_triples(graph: Graph | Iterable[Triple]) -> set[Triple]:
    """The distinct triples of a graph (or of rdflib triples), its blank nodes renamed by
    content (`_:cb` and a SHA-256 of the node's place in its group of linked blank nodes): two
    graphs that differ only in their blank nodes' names give the same set. A node's name
    depends only on the triples that hold a blank node."""
    triples = set(graph)
    if any(isinstance(p, BNode) for _, p, _ in triples):  # generalised RDF
        if not isinstance(graph, Graph):
            graph = Graph()
            graph.addN((s, p, o, graph) for s, p, o in triples)
        return set(_TripleCanonicalizer(graph).canonical_triples())
    blanks = _Blanks(triples)
    if not blanks.nodes:
        return triples
    labels = blanks.labels()
    return {(labels.get(s, s), p, labels.get(o, o)) for s, p, o in triples}  # type: ignore[misc]


class _Blanks:
    """The blank nodes of a set of triples, each with its triples to ground terms and its links
    to other blank nodes."""

    def __init__(self, triples: set[Triple]) -> None:
        ground: dict[Node, list[str]] = defaultdict(list)  # the node's triples with no other blank node
        self.linked: dict[Node, list[tuple[str, str, Node]]] = {}  # every blank node: (">"/"<", p, other)
        self.touching: dict[Node, list[Triple]] = defaultdict(list)  # the triples each blank node is in
        for triple in triples:
            s, p, o = triple
            s_blank, o_blank = isinstance(s, BNode), isinstance(o, BNode)
            if not (s_blank or o_blank):
                continue
            for node in (s, o) if s_blank and o_blank else (s if s_blank else o,):
                self.linked.setdefault(node, [])
                self.touching[node].append(triple)
            if s_blank and o_blank:
                self.linked[s].append((">", p.n3(), o))
                self.linked[o].append(("<", p.n3(), s))
            elif s_blank:
                ground[s].append(f"> {p.n3()} {o.n3()}")
            else:
                ground[o].append(f"< {s.n3()} {p.n3()}")
        self.nodes = list(self.linked)
        self.start = {node: _digest(sorted(ground[node])) for node in self.nodes}
        self.work = 0

    def labels(self) -> dict[Node, BNode]:
        """Each group of linked blank nodes is labelled on its own (a graph's groups are its
        blank nodes' connected parts: renaming one never touches another), then named by its
        own canonical triples; groups with the same triples (twins) differ by a count, and as
        they are alike, any order of counting writes the same graph."""
        colour = self.refine(self.start, self.nodes)
        copies: dict[str, int] = defaultdict(int)
        labels: dict[Node, BNode] = {}
        for group in self.groups():
            if len(group) == 1:  # one node, no links: its colour is its ground triples
                local, name = {group[0]: colour[group[0]]}, colour[group[0]]
            else:
                self.work = 0
                triples = {triple for node in group for triple in self.touching[node]}
                local = self.search({node: colour[node] for node in group}, group, triples)
                name = _digest([self.written(triples, local)])
            count = copies[name]
            copies[name] += 1
            for node in group:
                label = name if len(group) == 1 else _digest([name, local[node]])
                labels[node] = BNode(f"cb{label}n{count}" if count else f"cb{label}")
        return labels

    def groups(self) -> list[list[Node]]:
        """The blank nodes' connected parts, through their links to one another."""
        seen: set[Node] = set()
        groups = []
        for first in self.nodes:
            if first in seen:
                continue
            seen.add(first)
            group, todo = [], [first]
            while todo:
                node = todo.pop()
                group.append(node)
                for _, _, other in self.linked[node]:
                    if other not in seen:
                        seen.add(other)
                        todo.append(other)
            groups.append(group)
        return groups

    def refine(self, colour: dict[Node, str], nodes: list[Node]) -> dict[Node, str]:
        """Each node's colour joined with its links' colours, round after round, until a round
        splits no colour (each round's colour holds the last one, so colours only ever split)."""
        classes = len(set(colour[node] for node in nodes))
        while classes < len(nodes):
            self.work += len(nodes)
            refined = {node: _digest([colour[node], *self.links(node, colour)]) for node in nodes}
            count = len(set(refined.values()))
            if count == classes:
                break
            colour, classes = refined, count
        return colour

    def links(self, node: Node, colour: dict[Node, str]) -> list[str]:
        return sorted(f"{way} {p} {colour[other]}" for way, p, other in self.linked[node])

    def search(self, colour: dict[Node, str], group: list[Node], triples: set[Triple]) -> dict[Node, str]:
        """A colour for each node of a linked group, all different. Where refinement leaves
        nodes of one colour, each node of the first such colour is set apart in turn and the
        colouring refined again; of the colourings reached, the one whose group's triples
        sort first is kept (the nodes tried depend on colours alone, not on names). Past
        SEARCH_WORK the nodes tried so far are all there is, and then the first node is taken at
        each step: still a correct renaming, but the labels of so symmetric a group can depend
        on the names it had (as rdflib's can, see above)."""
        tied = _first_tie(colour, group)
        while tied and self.work > SEARCH_WORK:  # one choice per step, no recursion
            colour = self.set_apart(colour, tied[0], group)
            tied = _first_tie(colour, group)
        if not tied:
            return colour
        best: tuple[str, dict[Node, str]] | None = None
        for node in tied:
            local = self.search(self.set_apart(colour, node, group), group, triples)
            written = self.written(triples, local)
            if best is None or written < best[0]:
                best = (written, local)
            if self.work > SEARCH_WORK:
                break
        assert best is not None
        return best[1]

    def set_apart(self, colour: dict[Node, str], node: Node, group: list[Node]) -> dict[Node, str]:
        """The colouring with `node` given a colour of its own, refined again."""
        return self.refine({**colour, node: _digest([colour[node], "set apart"])}, group)

    def written(self, triples: set[Triple], colour: dict[Node, str]) -> str:
        """A group's triples, its nodes written as their colours, sorted: the group's form."""
        self.work += len(triples)
        lines = sorted(" ".join(colour[t] if t in colour else t.n3() for t in triple) for triple in triples)
        return "\n".join(lines)


def _first_tie(colour: dict[Node, str], group: list[Node]) -> list[Node]:
    """The nodes of the first colour (in sorted order) that more than one node of the group
    has; none when every node's colour is its own."""
    members: dict[str, list[Node]] = defaultdict(list)
    for node in group:
        members[colour[node]].append(node)
    tied = [c for c, nodes in members.items() if len(nodes) > 1]
    return members[min(tied)] if tied else []


def _digest(lines: list[str]) -> str:
    return sha256("\n".join(lines).encode("utf-8")).hexdigest()
