"""The network picture: a readable default (the OTS and what touches it, one link deep),
labels that do not overlap, members and observers apart, and a self-contained HTML view."""

from __future__ import annotations

import re

import networkx as nx
import pytest
from browser import CHROMIUM, NO_CHROMIUM, chromium
from conftest import run_cli

from ots_kg.render import charts
from ots_kg.render.labels import overlapping

OTS = "https://w3id.org/ots-kg/id/org/ots"


@pytest.fixture(scope="module")
def full(graph):
    return charts.network_data(graph)


def test_default_is_the_organisation_one_link_deep(graph, full, tmp_path):
    net = charts.network(graph, tmp_path / "n.png")
    assert set(net.nodes) == {OTS, *full.neighbors(OTS)}  # bounded by focus and depth
    assert net.number_of_nodes() < full.number_of_nodes() / 3
    assert net.graph["unlabelled"] == [] and len(net.graph["label_boxes"]) == net.number_of_nodes()
    assert overlapping(net.graph["label_boxes"]) == []


@pytest.mark.parametrize("focus, depth", [("inst:secretariat", 2), ("state:hungary", 2)])
def test_focus_and_depth_bound_the_nodes_and_labels_do_not_overlap(graph, full, tmp_path, focus, depth):
    net = charts.network(graph, tmp_path / "n.svg", focus, depth)
    centre = str(charts.expand(focus))
    assert set(net.nodes) == set(nx.ego_graph(full, centre, radius=depth).nodes)
    assert overlapping(net.graph["label_boxes"]) == []


def test_whole_network_labels_do_not_overlap(graph, full, tmp_path):
    net = charts.network(graph, tmp_path / "all.png", focus=None)
    assert net.number_of_nodes() == full.number_of_nodes()
    assert overlapping(net.graph["label_boxes"]) == []
    assert "Organization of Turkic States" not in net.graph["unlabelled"]


def test_members_and_observers_are_drawn_apart(graph, tmp_path):
    net = charts.network(graph, tmp_path / "n.png")
    status = {n: d["status"] for n, d in net.nodes(data=True) if d["group"] == "state"}
    assert {"member", "observer"} <= set(status.values())
    dashed = [(a, b) for a, b, d in net.edges(data=True) if d["observer"]]
    observers = {n for n, s in status.items() if s == "observer"}
    assert all(a in observers or b in observers for a, b in dashed)  # an observer's membership
    assert {a if a != OTS else b for a, b in dashed if OTS in (a, b)} == observers


def test_colours_are_the_colour_blind_safe_palette():
    assert {colour for _, colour in charts.GROUPS.values()} <= set(charts.OKABE_ITO)


def test_html_view_is_self_contained(graph, tmp_path):
    page = tmp_path / "n.html"
    net = charts.network(graph, page, "inst:secretariat", 1)
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"https?:|//[a-z]|\b(src|href)\s*=|@import|url\(", text, re.I)  # nothing fetched
    assert len(re.findall(r'<g class="node', text)) == net.number_of_nodes()
    assert len(re.findall(r'<line class="edge', text)) == net.number_of_edges()
    assert "Secretariat" in text and "<script>" in text and "observer" in text


def test_cli_network_html_by_suffix(tmp_path):
    proc = run_cli("plot", "network", "-o", str(tmp_path / "n.html"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "n.html").read_text(encoding="utf-8").startswith("<!doctype html>")
    proc = run_cli("plot", "network", "-o", str(tmp_path / "n.gif"))
    assert proc.returncode == 2 and "use .png, .svg or .html" in proc.stderr


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_html_view_runs_offline_in_chromium(graph, tmp_path):
    page = tmp_path / "n.html"
    net = charts.network(graph, page)
    dom = chromium(tmp_path / "profile", page.as_uri(), "--dump-dom", timeout=120).stdout
    drawn = re.findall(r'<line class="edge[^"]*"[^>]* x1="[-\d.]+" y1="[-\d.]+" x2="[-\d.]+" y2="[-\d.]+"', dom)
    assert len(drawn) == net.number_of_edges()  # the script ran and drew every link
