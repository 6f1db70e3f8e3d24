"""The documentation site: complete, every internal link resolves, offline, and it renders."""

from __future__ import annotations

import html
import posixpath
import re
import shutil
import struct
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import CHROMIUM, NO_CHROMIUM, chromium
from conftest import PREFIXES as PREFIXES_TTL
from conftest import ROOT, SOURCES, run_cli
from markupsafe import escape
from once import once_per_run
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.namespace import SH

from ots_kg.model.vocab import ID, OTS, PREFIXES
from ots_kg.render.site import build
from ots_kg.sparql.catalogue import catalogue


class Page(HTMLParser):
    """ids, links, asset references, style/script tags and visible text of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.srcs: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.hrefs.append(attrs["href"])
        if "src" in attrs:
            self.srcs.append(attrs["src"])
        if tag == "link" and "href" in attrs:
            self.srcs.append(attrs["href"])

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def site(run_folder):
    """The site as `ots-kg docs` writes it (one build per test run serves every test here on
    every xdist worker, the command's own test included): (folder, the command's output line,
    pages by relative path)."""
    out = run_folder / "site" / "out"

    def build_site(line: Path) -> None:
        shutil.rmtree(out, ignore_errors=True)  # what a failed build left
        proc = run_cli("docs", "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        line.write_text(proc.stdout, encoding="utf-8")

    line = once_per_run(run_folder / "site" / "line.txt", build_site).read_text(encoding="utf-8")
    pages = {}
    for path in sorted(out.rglob("*.html")):
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(out).as_posix()] = page
    return out, line, pages


def reported(site) -> tuple[int, int]:
    """(pages, charts) as the command's output line reports them."""
    found = re.search(r"docs: (\d+) pages and (\d+) charts in ", site[1])
    assert found, site[1]
    return int(found.group(1)), int(found.group(2))


def ids(site, name: str) -> set[str]:
    return site[2][name].ids


def test_builds_every_page(site):
    """How long it takes is for bench/; here only that every page it reports was written."""
    _, _, pages = site
    assert reported(site)[0] == len(pages) > 500


def test_every_class_and_property_has_a_section(site):
    onto = Graph().parse(ROOT / "ontology" / "ots.ttl", format="turtle")
    terms = [
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in onto.subjects(RDF.type, kind)
        if str(t).startswith(str(OTS))
    ]
    assert len(terms) >= 50
    anchors = ids(site, "ontology.html")
    missing = [t for t in terms if str(t)[len(str(OTS)) :] not in anchors]
    assert not missing


def test_ontology_sections_show_label_comment_domain_range_alignment(site):
    out = site[0]
    text = (out / "ontology.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="ofState">.*?</section>', text, re.S).group(0)
    assert "of state" in section and "belongs to" in section and "range" in section
    assert 'href="#State"' in section
    summit = re.search(r'<section id="MeetingSeries">.*?</section>', text, re.S).group(0)
    assert "schema:EventSeries" in summit and 'href="#Mechanism"' in summit


def test_every_shape_is_explained(site):
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl", format="turtle")
    named = {
        s
        for kind in (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint)
        for s in shapes.subjects(RDF.type, kind)
        if isinstance(s, URIRef)
    }
    anchors = ids(site, "shapes.html")
    assert named and all(f"shape-{str(s).rsplit('#', 1)[-1]}" in anchors for s in named)
    text = (site[0] / "shapes.html").read_text(encoding="utf-8")
    assert "exactly 1 value" in text and "every instance of" in text and "warning" in text


def test_every_stored_query_has_a_section_with_a_sample(site):
    out = site[0]
    text = (out / "queries.html").read_text(encoding="utf-8")
    anchors = ids(site, "queries.html")
    stored = catalogue()
    assert stored
    for name, query in stored.items():
        assert name in anchors
        section = re.search(rf'<section id="{re.escape(name)}">.*?</section>', text, re.S).group(0)
        assert html.escape(query.summary, quote=False) in html.unescape(section) or query.summary in html.unescape(
            section
        )
        assert "Query text" in section and "Could not run" not in section
        if query.kind == "SELECT":
            assert "<table" in section and "rows" in section


def test_page_per_state_organisation_mechanism_and_event(site, graph):
    out = site[0]
    query = """SELECT DISTINCT ?n WHERE {
        VALUES ?root { ots:State ots:PrincipalOrgan ots:Organization ots:AffiliatedOrganization
                       ots:Institution
                       org:OrganizationalUnit ots:Mechanism schema:Event }
        ?n a/rdfs:subClassOf* ?root }"""
    nodes = [str(n) for (n,) in graph.query(query, initNs=PREFIXES)]
    assert len(nodes) > 500
    missing = [n for n in nodes if not (out / (n[len(ID) :] + ".html")).is_file()]
    assert not missing


def test_every_internal_link_resolves(site):
    out, _, pages = site
    files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}  # one walk, not a stat per link
    checked = 0
    for name, page in pages.items():
        for ref in page.hrefs + page.srcs:
            parts = urlsplit(ref)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme and not parts.netloc, f"{name}: {ref}"
            path = posixpath.join(posixpath.dirname(name), unquote(parts.path))
            key = posixpath.normpath(path) if parts.path else name
            assert key != ".." and not key.startswith(("../", "/")), f"{name}: {ref} leaves the site"
            assert key in files, f"{name}: broken link {ref}"
            if parts.fragment:
                assert parts.fragment in pages[key].ids, f"{name}: no #{parts.fragment} in {key}"
            checked += 1
    assert checked > 10_000


def test_offline_one_linked_stylesheet_no_scripts(site):
    out, _, pages = site
    css = (ROOT / "ots_kg" / "render" / "static" / "site.css").read_bytes()
    assert (out / "static" / "site.css").read_bytes() == css
    for name, page in pages.items():
        tags = [t for t, _ in page.tags]
        assert "style" not in tags and "script" not in tags and "iframe" not in tags, name
        sheets = [a["href"] for t, a in page.tags if t == "link" and a.get("rel") == "stylesheet"]
        assert len(sheets) == 1 and len([t for t in tags if t == "link"]) == 1, name
        assert ((out / name).parent / sheets[0]).resolve() == (out / "static" / "site.css").resolve(), name
        for src in page.srcs:
            assert not urlsplit(src).scheme, f"{name}: external asset {src}"


HOSTILE = '<script>alert(1)</script>" onmouseover="alert(2)'


def test_data_is_escaped_never_markup(tmp_path):
    """Labels and literals from the data reach every page as text: a label that is HTML
    (in a temp copy of part of the data: core and the transport area, 240 pages) shows
    escaped, and no page gains a script or a handler."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "core", data / "core")
    shutil.copy(ROOT / "data" / "areas" / "transport.ttl", data)
    turtle = PREFIXES_TTL + (
        f"state:hostile a ots:State ; rdfs:label {literal(HOSTILE)}@en .\n"
        f"event:2019-04-17-transport-ministers-4 rdfs:comment {literal(HOSTILE)}@en .\n"
    )
    (data / "hostile.ttl").write_text(turtle, encoding="utf-8")
    out = tmp_path / "site"
    build(out, [data])
    shown = str(escape(HOSTILE))
    assert shown in (out / "state" / "hostile.html").read_text(encoding="utf-8")
    assert shown in (out / "states.html").read_text(encoding="utf-8")
    assert shown in (out / "event" / "2019-04-17-transport-ministers-4.html").read_text(encoding="utf-8")
    seen = 0
    for path in out.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text.lower(), path
        page = Page()
        page.feed(text)
        assert not any(k.startswith("on") for _, attrs in page.tags for k in attrs), path
        seen += "alert(1)" in "".join(page.text)
    assert seen >= 3


def test_charts_are_embedded_svg(site):
    out, _, pages = site
    charts = ["charts/network.svg", "charts/series.svg", "charts/timeline.svg"]
    assert sorted(p.relative_to(out).as_posix() for p in (out / "charts").iterdir()) == charts
    assert reported(site)[1] == len(charts)
    for chart in charts:
        root = ET.parse(out / chart).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "charts/timeline.svg" in pages["index.html"].srcs
    assert set(charts) <= set(pages["charts.html"].srcs)


def test_entity_page_facts_links_and_citations(site, graph):
    out, _, pages = site
    event = URIRef(ID + "event/2019-04-17-transport-ministers-4")
    page = pages["event/2019-04-17-transport-ministers-4.html"]
    text = "".join(page.text)
    assert "4th Meeting of the Ministers in charge of Transport" in text and "2019-04-17" in text
    assert "../mechanism/transport-ministers.html" in page.hrefs
    assert "../place/bishkek.html" in page.hrefs
    for passage in graph.objects(event, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")):
        line = str(passage).rsplit("#L", 1)[1]
        assert f"../sources.html#ots-areas-of-cooperation-L{line}" in page.hrefs
        if SOURCES.is_dir():
            assert f"ots-areas-of-cooperation.txt, line {line}" in text
    series = "".join(pages["mechanism/transport-ministers.html"].text)
    assert "4th Meeting of the Ministers in charge of Transport" in series


def test_pages_copy_no_source_text(site):
    """No run of 30 words of a source document appears in any text of any page.

    Labels and titles are shorter; each text node is checked on its own, since a page may
    list titles one after another in the order a source names them."""
    if not SOURCES.is_dir():
        pytest.skip("sources folder not present")
    words = lambda text: re.findall(r"[^\W_]+", text.lower())  # noqa: E731
    window = 30
    shingles = set()
    for page in site[2].values():
        for text in page.text:
            for part in text.split(" | "):  # GROUP_CONCAT cells of query samples list titles
                tokens = words(part)
                shingles.update(hash(tuple(tokens[i : i + window])) for i in range(len(tokens) - window + 1))
    for source in SOURCES.glob("ots-*"):
        for line in source.read_text(encoding="utf-8").splitlines():
            tokens = words(line)
            for i in range(0, len(tokens) - window + 1):
                assert hash(tuple(tokens[i : i + window])) not in shingles, f"{source.name}: {line[:80]}"


def test_cli_docs_and_bad_sources(site, tmp_path):
    out, line, _ = site  # the fixture's build is the command's happy path
    assert f"open {out / 'index.html'}" in line and (out / "index.html").is_file()
    proc = run_cli("docs", "-o", str(tmp_path / "x"), "--sources", str(tmp_path / "missing"))
    assert proc.returncode == 2 and "sources folder not found" in proc.stderr
    proc = run_cli("docs", "--help")
    assert "Example" in proc.stdout and "offline" in proc.stdout


def literal(text: str) -> str:
    """text as a Turtle string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)
def test_chromium_renders_index(site, tmp_path):
    out = site[0]
    shot = tmp_path / "index.png"
    proc = chromium(
        tmp_path / "profile", (out / "index.html").resolve().as_uri(), f"--screenshot={shot}", "--window-size=1280,900"
    )
    assert shot.is_file(), proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (1280, 900)
    assert len(data) > 30_000, "screenshot is (nearly) blank"
    artifacts = Path(ROOT) / "artifacts"
    artifacts.mkdir(exist_ok=True)
    shutil.copyfile(shot, artifacts / "docs-index.png")


def test_summit_record_page_counts_attendance(site, graph):
    """summits.html lists every summit with a page, linked, with as many participants as the
    graph records (counted here by SPARQL, independently of the site code)."""
    out, _, pages = site
    query = """SELECT ?summit (COUNT(?p) AS ?n) WHERE {
        ?summit a ots:Summit . OPTIONAL { ?summit ots:participation ?p } } GROUP BY ?summit"""
    counts = {str(s)[len(ID) :] + ".html": int(n) for s, n in graph.query(query, initNs=PREFIXES)}
    assert sum(counts.values()) > 100
    text = (out / "summits.html").read_text(encoding="utf-8")
    assert "summits.html" in pages["index.html"].hrefs
    for target, n in counts.items():
        assert target in pages["summits.html"].hrefs
        row = re.search(rf'<tr><td>[^<]*</td><td>[^<]*</td><td><a href="{re.escape(target)}">.*?</tr>', text)
        assert row is not None, target
        cells = re.findall(r"<td>(.*?)</td>", row.group(0))
        assert cells[4] == (str(n) if n else ""), target
    event = pages["event/2022-11-11-summit-9.html"]
    assert "Attendance" in "".join(event.text) and "../person/viktor-orban.html" in event.hrefs
