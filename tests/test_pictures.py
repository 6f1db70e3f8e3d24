"""Pictures that tell the truth: the attendance matrix equals an independent count, the
timeline uses a colour-blind-safe palette with few categories and says where coverage ends,
series labels keep what tells them apart."""

from __future__ import annotations

import pytest
from conftest import ROOT, run_cli

from ots_kg.render import charts
from ots_kg.sparql.catalogue import StoredQuery, find_query
from ots_kg.sparql.engines import open_engine


@pytest.fixture(scope="module")
def engine(graph):
    return open_engine("oxigraph", graph=graph)


def count(engine, text: str) -> int:
    res = engine.run(
        StoredQuery("count", ROOT / "count.rq", "PREFIX ots: <https://w3id.org/ots-kg/ontology#>\n" + text, "count")
    )
    return int(res.rows[0][0].value)


def test_attendance_cells_equal_an_independent_count(engine, tmp_path):
    res = engine.run(find_query("representation-level"))
    rows = [{v: t.value for v, t in zip(res.vars, row, strict=True) if t is not None} for row in res.rows]
    matrix = charts.attendance(rows, tmp_path / "a.png")
    assert (tmp_path / "a.png").stat().st_size > 20_000
    pairs = count(
        engine,
        """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?state ?summit WHERE {
        ?summit a ots:Summit ; ots:participation ?p . ?p ots:represents ?state ; ots:participant [] ; ots:capacity [] .
        ?state a ots:State } }""",
    )
    assert len(matrix.cells) == pairs
    heads = count(
        engine,
        """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?state ?summit WHERE {
        ?summit a ots:Summit ; ots:participation ?p . ?p ots:represents ?state ; ots:level ots:HeadOfStateLevel ;
        ots:participant [] ; ots:capacity [] . ?state a ots:State } }""",
    )
    assert sum(1 for level in matrix.cells.values() if level == "head of state") == heads
    summits = count(
        engine,
        """SELECT (COUNT(DISTINCT ?summit) AS ?n) WHERE {
        ?summit a ots:Summit ; ots:participation/ots:represents ?state . ?state a ots:State }""",
    )
    assert len(matrix.summits) == summits


def test_plot_attendance_command(tmp_path):
    proc = run_cli("plot", "attendance", "-o", str(tmp_path / "a.svg"))
    assert proc.returncode == 0, proc.stderr
    assert "states x" in proc.stdout and (tmp_path / "a.svg").read_text().startswith("<?xml")


def test_palette_is_okabe_ito_with_minor_areas_grouped():
    names = [f"area {i}" for i in range(20)]
    colours, minor = charts.category_colours(names)
    assert len(colours) == 7 and set(colours.values()) <= set(charts.OKABE_ITO)
    assert minor == names[7:]
    colours, minor = charts.category_colours(names[:8])  # one "other" of a single area helps no one
    assert len(colours) == 8 and minor == []


def test_timeline_notes_where_the_overview_source_ends(graph, tmp_path):
    end = charts.coverage_end(graph)
    assert charts.coverage_source(graph) == "ots-areas-of-cooperation"
    years = count(
        open_engine("oxigraph", graph=graph),
        """SELECT (MAX(xsd:integer(SUBSTR(STR(?d), 1, 4))) AS ?n) WHERE {
        ?e schema:startDate ?d ; prov:wasDerivedFrom ?p .
        FILTER STRSTARTS(STR(?p), "https://w3id.org/ots-kg/id/source/ots-areas-of-cooperation#")
        FILTER NOT EXISTS { ?e ots:isPlanned true } }""",
    )
    assert end == years
    svg = tmp_path / "t.svg"
    charts.timeline(graph, svg)
    text = svg.read_text()
    assert f"overview source ends ({end})" in text and "other (" in text
    assert "#0072b2" in text.lower() and "#1f77b4" not in text.lower()  # Okabe-Ito, not tab20


def test_series_labels_drop_shared_words_not_the_tail():
    labels = {
        "a": "Meeting of the Ministers in charge of Transport",
        "b": "Meeting of the Heads of Railway Administrations",
        "c": "Meeting of the Heads of Customs Administrations",
        "d": "Meeting of the Ministers and Heads of Institutions in charge of Diaspora Affairs",
    }
    short, dropped = charts.shorten_labels(labels, 32)
    assert dropped[0] == "meeting of the"
    assert short["a"] == "Ministers in charge of Transport" and short["b"].endswith("Railway Administrations")
    assert short["d"].endswith("Diaspora Affairs") and "…" in short["d"] and len(short["d"]) <= 32
    assert len(set(short.values())) == len(labels)


def test_series_chart_labels_are_distinct_and_keep_their_ends(graph):
    data = charts.series_data(graph)
    assert len(set(data.labels.values())) == len(data.labels)
    diaspora = next(v for k, v in data.labels.items() if k.endswith("/diaspora-ministers"))
    assert diaspora.endswith("Diaspora Affairs")


def test_network_styles_members_and_observers_apart(graph, tmp_path):
    status = charts.state_status(graph)
    assert status["https://w3id.org/ots-kg/id/state/hungary"] == "observer"
    assert status["https://w3id.org/ots-kg/id/state/uzbekistan"] == "member"
    svg = tmp_path / "n.svg"
    charts.network(graph, svg, focus="inst:ots")
    text = svg.read_text()
    assert "member state" in text and "observer state" in text


def test_series_labels_keep_every_city_and_do_not_overlap(graph, tmp_path):
    from ots_kg.render.labels import overlapping

    data = charts.series(graph, tmp_path / "series.png")
    labelled = [m for ms in data.meetings.values() for m in ms if m.ordinal or m.place]
    assert data.unlabelled == []  # crowded meetings keep their place too
    assert len(data.label_boxes) == len(labelled)
    assert overlapping(data.label_boxes) == []  # boxes as matplotlib's renderer measures them


def test_label_placement_never_stacks_labels_on_one_spot():
    from ots_kg.render.charts import _pyplot
    from ots_kg.render.labels import around, overlapping, place, text_boxes

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    anchors = [(5.0, 5.0)] * 12 + [(5.2, 5.1)] * 12  # 24 labels fighting for one place
    placed = place(ax, anchors, [f"label number {i}" for i in range(24)], around(4), fontsize=8)
    boxes = text_boxes(placed.texts)
    plt.close(fig)
    assert len(placed.texts) + len(placed.unplaced) == 24 and len(placed.texts) >= 8
    assert overlapping(boxes) == []
