"""Charts and property-graph exports: valid files, and what they show equals what SPARQL counts."""

from __future__ import annotations

import csv
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

import networkx as nx
import pytest
from conftest import run_cli
from rdflib import URIRef

from ots_kg.errors import OtsKgError
from ots_kg.io import property_graph as graphtools
from ots_kg.model.prefixes import ID, PREFIXES
from ots_kg.render import charts as plot

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def png_size(path) -> tuple[int, int]:
    """Width and height from the IHDR chunk; fails unless the file is a PNG."""
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def assert_png(path, min_width: int = 600, min_height: int = 300) -> None:
    width, height = png_size(path)
    assert width >= min_width and height >= min_height, (width, height)
    assert path.stat().st_size > 10_000


def assert_svg(path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    width = float(root.get("width", "0").rstrip("pt"))
    assert width > 300
    assert path.stat().st_size > 10_000
    return root


def select(graph, text: str, **bindings):
    return list(graph.query(text, initNs=PREFIXES, initBindings=bindings))


# ---- timeline ----------------------------------------------------------------------------

COUNTS = """
SELECT ?year ?area (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a/rdfs:subClassOf* schema:Event ; schema:startDate ?d ; ots:area ?a .
  ?a skos:prefLabel ?area .
  BIND (SUBSTR(STR(?d), 1, 4) AS ?year)
  FILTER (?year >= ?lo && ?year <= ?hi)
  FILTER (!BOUND(?only) || ?a IN (area:health, area:transport))
} GROUP BY ?year ?area"""
TOTALS = """
SELECT ?year (COUNT(DISTINCT ?e) AS ?n) WHERE {
  ?e a/rdfs:subClassOf* schema:Event ; schema:startDate ?d ; ots:area ?a .
  BIND (SUBSTR(STR(?d), 1, 4) AS ?year)
  FILTER (?year >= ?lo && ?year <= ?hi)
  FILTER (!BOUND(?only) || ?a IN (area:health, area:transport))
} GROUP BY ?year"""


def expected_counts(graph, lo="0000", hi="9999", only=False):
    from rdflib import Literal

    binds = {"lo": Literal(lo), "hi": Literal(hi)}
    if only:
        binds["only"] = Literal(True)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for year, area, n in select(graph, COUNTS, **binds):
        counts[str(year)][str(area)] = int(n)
    totals = {str(year): int(n) for year, n in select(graph, TOTALS, **binds)}
    return dict(counts), totals


def test_timeline_png_counts_equal_sparql(graph, tmp_path):
    out = tmp_path / "timeline.png"
    data = plot.timeline(graph, out)
    assert_png(out, 1200, 600)
    counts, totals = expected_counts(graph)
    assert data.counts == counts
    assert data.totals == totals
    assert data.events == len(plot.events(graph)) == sum(totals.values())


def test_timeline_filters_by_area_and_years(graph, tmp_path):
    out = tmp_path / "timeline.svg"
    data = plot.timeline(graph, out, areas=["health", "area:transport"], year_from=2019, year_to=2023)
    assert_svg(out)
    counts, totals = expected_counts(graph, "2019", "2023", only=True)
    assert data.counts == counts
    assert data.totals == totals
    assert set(data.areas) == {"Health cooperation", "Transport cooperation"}


def test_timeline_rejects_unknown_area_and_format(graph, tmp_path):
    with pytest.raises(OtsKgError, match="unknown area 'astrology'; areas: agriculture"):
        plot.timeline(graph, tmp_path / "t.png", areas=["astrology"])
    with pytest.raises(OtsKgError, match="use .png or .svg"):
        plot.timeline(graph, tmp_path / "t.jpg")
    with pytest.raises(OtsKgError, match="after --to"):
        plot.timeline(graph, tmp_path / "t.png", year_from=2022, year_to=2020)


def test_year_slots_squeeze_long_empty_runs():
    assert plot.year_slots([1992, 2009, 2010], 1992, 2010) == [(1992, 1992), (1993, 2008), (2009, 2009), (2010, 2010)]
    assert plot.year_slots([2019, 2021], 2019, 2021) == [(2019, 2019), (2020, 2020), (2021, 2021)]


# ---- series ------------------------------------------------------------------------------

SERIES = """
SELECT ?series ?event ?start ?planned WHERE {
  ?series a ots:MeetingSeries . ?event ots:inSeries ?series ; schema:startDate ?start .
  OPTIONAL { ?event ots:isPlanned ?p } BIND (COALESCE(?p, false) AS ?planned)
}"""


def test_series_meetings_equal_sparql(graph, tmp_path):
    out = tmp_path / "series.png"
    data = plot.series(graph, out)
    assert_png(out, 1200, 1000)
    expected: dict[str, set] = defaultdict(set)
    for series, event, start, planned in select(graph, SERIES):
        expected[str(series)].add((str(event), str(start), bool(planned.toPython())))
    drawn = {s: {(m.event, m.start, m.planned) for m in ms} for s, ms in data.meetings.items()}
    assert drawn == dict(expected)
    assert any(m.planned for ms in data.meetings.values() for m in ms)
    for meetings in data.meetings.values():
        assert [m.x for m in meetings] == sorted(m.x for m in meetings)


def test_series_svg_and_annotations(graph, tmp_path):
    out = tmp_path / "series.svg"
    plot.series(graph, out)
    text = out.read_text(encoding="utf-8")
    assert_svg(out)
    assert "planned (announced, not yet held)" in text
    assert "Bishkek" in text  # the 4th transport ministers' meeting, annotated with its city


def test_fractional_year_puts_imprecise_dates_mid_period():
    assert plot.fractional_year("2019") == 2019.5
    assert 2019.25 < plot.fractional_year("2019-04") < 2019.34
    assert 2019.28 < plot.fractional_year("2019-04-17") < 2019.3


# ---- network -----------------------------------------------------------------------------


def test_network_edges_are_the_graph_links(graph, tmp_path):
    out = tmp_path / "network.png"
    net = plot.network(graph, out, focus=None)  # the whole network
    assert_png(out, 1200, 900)
    coordinated = select(graph, "SELECT ?m ?o WHERE { ?m ots:coordinatedBy ?o }")
    assert len(coordinated) > 20
    for mech, org in coordinated:
        assert net.has_edge(str(mech), str(org)), (mech, org)
        assert "ots:coordinatedBy" in net.edges[str(mech), str(org)]["label"]
    members = select(
        graph, "SELECT ?s ?o WHERE { ?m a org:Membership ; org:member ?s ; org:organization ?o . ?s a ots:State }"
    )
    for state, org in members:
        assert net.has_edge(str(state), str(org))
    organs = select(graph, "SELECT ?u WHERE { ?u a ots:PrincipalOrgan ; org:unitOf inst:ots }")
    assert len(organs) == 5
    for (organ,) in organs:
        assert net.nodes[str(organ)]["group"] == "ots"
    assert all(net.degree(n) > 0 for n in net.nodes)


def test_network_focus_is_the_neighbourhood(graph, tmp_path):
    out = tmp_path / "focus.svg"
    full = plot.network_data(graph)
    centre = ID + "org/secretariat"
    net = plot.network(graph, out, focus="inst:secretariat", depth=1)
    assert_svg(out)
    assert set(net.nodes) == {centre, *full.neighbors(centre)}
    rows = select(graph, "SELECT ?m WHERE { ?m ots:coordinatedBy inst:secretariat }")
    coordinated = {str(m) for (m,) in rows}
    assert coordinated <= set(net.nodes)
    deeper = plot.network_data(graph, focus="inst:secretariat", depth=2)
    assert set(net.nodes) < set(deeper.nodes)


def test_network_focus_must_be_a_network_node(graph, tmp_path):
    with pytest.raises(OtsKgError, match="not a state, organ, organisation or mechanism"):
        plot.network(graph, tmp_path / "n.png", focus="event:2022-11-11-summit-9")
    with pytest.raises(OtsKgError, match="is not an IRI"):
        plot.network(graph, tmp_path / "n.png", focus="not an iri")


# ---- CLI ---------------------------------------------------------------------------------


@pytest.mark.early
def test_cli_plots(tmp_path):
    png, svg = tmp_path / "t.png", tmp_path / "s.svg"
    proc = run_cli("plot", "timeline", "-o", str(png), "--area", "health", "--from", "2020", "--to", "2023")
    assert proc.returncode == 0, proc.stderr
    assert "events in" in proc.stdout
    assert_png(png)
    proc = run_cli("plot", "series", "-o", str(svg))
    assert proc.returncode == 0, proc.stderr
    assert_svg(svg)
    net = tmp_path / "n.png"
    proc = run_cli("plot", "network", "--focus", "state:hungary", "--depth", "2", "-o", str(net))
    assert proc.returncode == 0, proc.stderr
    assert_png(net)


@pytest.mark.parametrize(
    "args, message",
    [
        (("plot", "timeline", "--area", "astrology"), "unknown area 'astrology'"),
        (("plot", "network", "--focus", "state:atlantis"), "not a state, organ, organisation or mechanism"),
        (("plot", "series", "-o", "chart.gif"), "use .png or .svg"),
    ],
)
def test_cli_plot_errors_are_one_line(tmp_path, args, message):
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("ots-kg: ") and message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["timeline", "series", "network"])
def test_cli_plot_help_explains(command):
    proc = run_cli("plot", command, "--help")
    assert proc.returncode == 0
    assert "Example" in proc.stdout and "-o, --output" in proc.stdout and f"{command}.png" in proc.stdout


# ---- GraphML and Neo4j CSV ---------------------------------------------------------------

NODES = """
SELECT DISTINCT ?n WHERE {
  { ?n ?p ?o } UNION { ?s ?p ?n }
  FILTER (isIRI(?n) && STRSTARTS(STR(?n), "https://w3id.org/ots-kg/id/"))
  FILTER NOT EXISTS { ?n a ots:Passage } FILTER NOT EXISTS { ?n a ots:SourceDocument }
}"""
LINKS = """
SELECT ?s ?p ?o WHERE {
  ?s ?p ?o .
  FILTER (isIRI(?o) && STRSTARTS(STR(?s), "https://w3id.org/ots-kg/id/")
          && STRSTARTS(STR(?o), "https://w3id.org/ots-kg/id/") && ?p != rdf:type)
  FILTER NOT EXISTS { ?o a ots:Passage } FILTER NOT EXISTS { ?s a ots:Passage }
  FILTER NOT EXISTS { ?o a ots:SourceDocument } FILTER NOT EXISTS { ?s a ots:SourceDocument }
}"""


@pytest.fixture(scope="module")
def store(graph):
    """The graph in pyoxigraph, for the two oracle queries below: their FILTER NOT EXISTS per
    triple took rdflib ~30 s each; Oxigraph answers the same SPARQL in well under a second."""
    from ots_kg.io.loader import store_from_graph

    return store_from_graph(graph)


def ox_select(store, text: str) -> list[tuple[str, ...]]:
    """Rows of plain strings (IRIs and literal values) from pyoxigraph, the project prefixes declared."""
    from ots_kg.sparql.text import declare_prefixes

    return [tuple(term.value for term in row) for row in store.query(declare_prefixes(text, PREFIXES))]


@pytest.fixture(scope="module")
def expected_nodes(store):
    return {n for (n,) in ox_select(store, NODES)}


@pytest.fixture(scope="module")
def expected_links(store):
    return {(s, o, graphtools.compact(URIRef(p))) for s, p, o in ox_select(store, LINKS)}


def test_graphml_opens_with_networkx(graph, tmp_path, expected_nodes, expected_links):
    path = tmp_path / "ots.graphml"
    nodes, edges = graphtools.write_graphml(graph, path)
    back = nx.read_graphml(path)
    assert set(back.nodes) == expected_nodes
    assert (nodes, edges) == (len(expected_nodes), len(expected_links))
    found = {(s, o, d["label"]) for s, o, d in back.edges(data=True)}
    assert found == expected_links
    event = back.nodes[ID + "event/2019-04-17-transport-ministers-4"]
    assert event["label"] == "4th Meeting of the Ministers in charge of Transport"
    assert (event["type"], event["kind"], event["startDate"], event["ordinal"]) == (
        "ots:MinisterialMeeting",
        "event",
        "2019-04-17",
        4,
    )
    assert "aoc:L" in event["wasDerivedFrom"]
    assert back.nodes[ID + "state/turkiye"]["iso3166Alpha2"] == "TR"


def test_to_networkx_with_passages_adds_provenance(graph):
    net = graphtools.to_networkx(graph, passages=True)
    passages = [n for n, d in net.nodes(data=True) if d["kind"] == "passage"]
    assert len(passages) == len(select(graph, "SELECT ?p WHERE { ?p a ots:Passage }"))
    assert any(k == "prov:wasDerivedFrom" for _, _, k in net.edges(keys=True))


def test_neo4j_csv_headers_and_ends(graph, tmp_path, expected_nodes, expected_links):
    nodes_path, rels_path = graphtools.write_neo4j_csv(graph, tmp_path / "neo4j")
    with nodes_path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    assert header[:3] == ["id:ID", "label", ":LABEL"]
    assert "ordinal:int" in header and "isPlanned:boolean" in header
    ids = [r[0] for r in rows[1:]]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
    assert set(ids) == expected_nodes
    assert all(len(r) == len(header) for r in rows)
    with rels_path.open(encoding="utf-8", newline="") as fh:
        rels = list(csv.reader(fh))
    assert rels[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    known = set(ids)
    for start, end, rel_type, _ in rels[1:]:
        assert start in known and end in known
        assert rel_type.replace("_", "").isalnum() and rel_type.isupper()
    assert {(s, e, p) for s, e, _, p in rels[1:]} == expected_links
    assert [
        "https://w3id.org/ots-kg/id/event/2019-04-17-transport-ministers-4",
        ID + "mechanism/transport-ministers",
        "IN_SERIES",
        "ots:inSeries",
    ] in rels


def test_exports_are_deterministic_across_hash_seeds(tmp_path):
    script = (
        "import sys; from ots_kg.io.loader import load_graph; from ots_kg.io import property_graph as gt; "
        "g = load_graph(); gt.write_graphml(g, sys.argv[1] + '/g.graphml'); "
        "gt.write_neo4j_csv(g, sys.argv[1])"
    )
    outputs = []
    for seed in ("1", "2"):
        folder = tmp_path / seed
        folder.mkdir()
        subprocess.run(
            [sys.executable, "-c", script, str(folder)],
            check=True,
            timeout=300,
            env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"},
        )
        outputs.append([(folder / n).read_bytes() for n in ("g.graphml", "nodes.csv", "relationships.csv")])
    assert outputs[0] == outputs[1]


def test_kinds_and_compact_names(graph):
    from ots_kg.model import graph as model

    classify = model.Classifier(graph)
    assert classify.kind(URIRef(ID + "mechanism/transport-coordination-committee")) == "mechanism"
    assert classify.kind(URIRef(ID + "org/secretariat")) == "organ"
    assert classify.kind(URIRef(ID + "state/hungary")) == "state"
    assert model.compact(URIRef(ID + "event/x")) == "event:x"
    assert model.expand("area:health") == URIRef(ID + "area/health")
