"""The graph as a property graph: networkx, GraphML (Gephi, Cytoscape, yEd) and Neo4j CSV.

Property-graph tools want nodes with attributes and typed edges, not triples. Data
resources (IRIs under https://w3id.org/ots-kg/id/) become nodes; object properties between
two of them become edges labelled with the property's compact name; literals, and links to
vocabulary terms or outside IRIs, become node attributes. Cited passages stay an attribute
(`wasDerivedFrom`) unless asked for as nodes, so the picture shows the domain, not 400
source lines. Every output is sorted, so two runs give identical files.
"""

from __future__ import annotations

import csv
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS, XSD

from ..errors import OtsKgError
from ..model.graph import Classifier, compact, is_data, label, local_name

_INTEGERS = {XSD.integer, XSD.nonNegativeInteger, XSD.int, XSD.long}


def _value(term):
    if isinstance(term, Literal):
        if term.datatype in _INTEGERS:
            return int(term)
        if term.datatype == XSD.boolean:
            return bool(term.toPython())
        return str(term)
    return compact(term)


def _attribute_names(predicates: Iterable[URIRef]) -> dict[URIRef, str]:
    """Local names as attribute names; a clash keeps the first (sorted) and prefixes the rest."""
    names: dict[URIRef, str] = {}
    used = {"label", "type", "kind"}
    for pred in sorted(set(predicates)):
        name = local_name(pred)
        if name in used:
            name = compact(pred).replace(":", "_")
        used.add(name)
        names[pred] = name
    return names


_SKIP = {RDF.type, RDFS.label, SKOS.prefLabel}


def to_networkx(graph: Graph, *, passages: bool = False):
    """A networkx MultiDiGraph of the data resources.

    Nodes are data IRIs with `label`, `type` (most specific class, compact), `kind` and one
    attribute per literal property (several values joined with " | "). Edges carry `label`,
    the property's compact name, and are keyed by it. With passages=True the cited passages
    and source documents are nodes too, linked by prov:wasDerivedFrom and dct:isPartOf.
    """
    import networkx as nx

    classify = Classifier(graph)
    excluded = set() if passages else {"passage", "source"}
    nodes = sorted({t for s, _, o in graph for t in (s, o) if is_data(t)}, key=str)
    nodes = [n for n in nodes if classify.kind(n) not in excluded]
    node_set = set(nodes)
    attrs: dict[URIRef, dict[URIRef, list]] = {n: defaultdict(list) for n in nodes}
    edges: set[tuple[str, str, str]] = set()
    for s, p, o in graph:
        if s not in node_set or p in _SKIP:
            continue
        if o in node_set:
            edges.add((str(s), str(o), compact(p)))
        else:
            attrs[s][p].append(_value(o))
    names = _attribute_names(p for a in attrs.values() for p in a)
    kinds = _attribute_kinds(attrs)
    out = nx.MultiDiGraph(name="ots-kg")
    for node in nodes:
        data = {
            "label": label(graph, node),
            "type": " | ".join(compact(t) for t in classify.types(node)),
            "kind": classify.kind(node),
        }
        for pred, values in sorted(attrs[node].items()):
            data[names[pred]] = _join(values, kinds[pred])
        out.add_node(str(node), **data)
    for s, o, p in sorted(edges):
        out.add_edge(s, o, key=p, label=p)
    return out


def _attribute_kinds(attrs: dict) -> dict[URIRef, type]:
    """int or bool where every node has one such value, else str: GraphML keys need one type."""
    seen: dict[URIRef, set[type]] = defaultdict(set)
    for per_node in attrs.values():
        for pred, values in per_node.items():
            seen[pred].add(type(values[0]) if len(values) == 1 else str)
    return {p: (types.pop() if len(types) == 1 else str) for p, types in seen.items()}


def _join(values: list, kind: type):
    if kind is not str:
        return values[0]
    return " | ".join(sorted(str(v) for v in values))


def write_graphml(graph: Graph, path: str | os.PathLike[str], *, passages: bool = False) -> tuple[int, int]:
    """GraphML for Gephi, Cytoscape or yEd; returns (nodes, edges)."""
    import networkx as nx

    net = to_networkx(graph, passages=passages)
    try:
        nx.write_graphml(net, str(path), encoding="utf-8", prettyprint=True)
    except OSError as exc:
        raise OtsKgError(f"{path}: cannot write ({exc.strerror})") from None
    return net.number_of_nodes(), net.number_of_edges()


_NEO4J_TYPES = {int: "int", bool: "boolean"}


def _relationship_type(compact_name: str) -> str:
    """`ots:inSeries` -> IN_SERIES, Neo4j's convention for relationship types."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", compact_name.split(":")[-1]).upper()


def _neo4j_labels(data: dict) -> str:
    labels = [data["kind"].capitalize()]
    for cls in data["type"].split(" | "):
        name = re.split(r"[#/:]", cls)[-1] if cls else ""
        if name and name not in labels:
            labels.append(name)
    return ";".join(labels)


def write_neo4j_csv(graph: Graph, directory: str | os.PathLike[str], *, passages: bool = False) -> tuple[Path, Path]:
    """nodes.csv and relationships.csv for `neo4j-admin database import full`.

    nodes.csv: `id:ID,label,:LABEL,kind,type,...` (int and boolean columns typed in the
    header); relationships.csv: `:START_ID,:END_ID,:TYPE,property`. Returns both paths.
    """
    net = to_networkx(graph, passages=passages)
    folder = Path(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OtsKgError(f"{folder}: cannot create ({exc.strerror})") from None
    columns: dict[str, type] = {}
    for _, data in net.nodes(data=True):
        for key, value in data.items():
            if key not in ("label", "kind", "type"):
                columns.setdefault(key, type(value))
    extra = sorted(columns)
    header = ["id:ID", "label", ":LABEL", "kind", "type"]
    header += [f"{c}:{_NEO4J_TYPES[columns[c]]}" if columns[c] in _NEO4J_TYPES else c for c in extra]
    nodes_path, rels_path = folder / "nodes.csv", folder / "relationships.csv"
    try:
        with nodes_path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(header)
            for node, data in sorted(net.nodes(data=True)):
                row = [node, data["label"], _neo4j_labels(data), data["kind"], data["type"]]
                row += [_csv_cell(data.get(c)) for c in extra]
                writer.writerow(row)
        with rels_path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow([":START_ID", ":END_ID", ":TYPE", "property"])
            for s, o, key in sorted(net.edges(keys=True)):
                writer.writerow([s, o, _relationship_type(key), key])
    except OSError as exc:
        raise OtsKgError(f"{folder}: cannot write ({exc.strerror})") from None
    return nodes_path, rels_path


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
