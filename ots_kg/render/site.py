"""A static, offline documentation site of the graph: `ots-kg docs -o DIR`.

One pass over one loaded graph writes plain HTML files (one small inline stylesheet, no
scripts, no external assets) so the site opens from disk, from a CI artifact or from any
static host: the ontology reference, the SHACL shapes in plain words, the stored query
catalogue with sample answers, one page per entity with its facts and cited passages,
and the charts of `ots-kg plot` as SVG. Cited passages are shown by IRI, file name and
line, never by their text: the graph holds facts, not the sources' sentences.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SH, SKOS, XSD

from ..errors import OtsKgError
from ..model.graph import Classifier, compact, is_data, label, local_name
from ..model.kinds import BY_NAME, KINDS
from ..model.prefixes import passage_parts
from ..model.terms import to_rdflib
from ..model.vocab import ID, ORG, OTS, PROV, SCHEMA, TIME
from ..validation.shapes import Shapes

# kind -> (list page, heading); the kinds that get a page of their own
SECTIONS: dict[str, tuple[str, str]] = {k.name: (k.page, k.heading) for k in KINDS if k.page and k.heading}
NAV = (
    ("index.html", "Home"),
    ("ontology.html", "Ontology"),
    ("shapes.html", "Shapes"),
    ("queries.html", "Queries"),
    ("states.html", "States"),
    ("organisations.html", "Organisations"),
    ("mechanisms.html", "Mechanisms"),
    ("events.html", "Events"),
    ("documents.html", "Documents"),
    ("people.html", "People"),
    ("places.html", "Places"),
    ("areas.html", "Areas"),
    ("sources.html", "Sources"),
    ("charts.html", "Charts"),
)
PLURAL = {name: kind.plural for name, kind in BY_NAME.items()}
FRIENDLY = {  # properties outside ots: that pages name in words
    SCHEMA.startDate: "start date",
    SCHEMA.endDate: "end date",
    SCHEMA.location: "place",
    SCHEMA.organizer: "organizer",
    SCHEMA.attendee: "attendee",
    SCHEMA.containedInPlace: "in",
    SCHEMA.eventAttendanceMode: "attendance mode",
    SKOS.altLabel: "also called",
    SKOS.prefLabel: "preferred label",
    SKOS.inScheme: "in scheme",
    SKOS.topConceptOf: "top concept of",
    SKOS.hasTopConcept: "top concept",
    SKOS.broader: "broader",
    ORG.unitOf: "unit of",
    ORG.hasUnit: "has unit",
    ORG.linkedTo: "linked to",
    ORG.member: "member",
    ORG.organization: "organisation",
    ORG.role: "role",
    ORG.memberDuring: "member during",
    ORG.postIn: "post in",
    ORG.heldBy: "held by",
    ORG.subOrganizationOf: "part of",
    OWL.sameAs: "same as",
    DCTERMS.date: "date",
    DCTERMS.publisher: "publisher",
    DCTERMS.creator: "creator",
    DCTERMS.isPartOf: "part of",
    RDFS.comment: "note",
    RDFS.label: "label",
    PROV.wasDerivedFrom: "cited passage",
}
FIRST = (
    SCHEMA.startDate,
    SCHEMA.endDate,
    SCHEMA.location,
    OTS.hostCountry,
    OTS.inSeries,
    OTS.ordinal,
    OTS.area,
    SKOS.altLabel,
)
HIDDEN = {RDF.type, RDFS.label, PROV.wasDerivedFrom, OTS.claim, OTS.statedAggregate, SKOS.prefLabel}


@dataclass
class Report:
    """What a build wrote: page count, chart files, wall-clock seconds."""

    output: Path
    pages: int = 0
    charts: list[str] = field(default_factory=list)
    seconds: float = 0.0


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def anchor(text: str) -> str:
    """A safe HTML id from a name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x"


class Site:
    """Everything the pages need, computed once from one graph."""

    def __init__(self, graph: Graph, output: Path, sources: Path | None, shapes: Shapes | None) -> None:
        self.g = graph
        self.out = output
        self.shapes = shapes
        self.classify = Classifier(graph)
        self.report = Report(output)
        self._labels: dict = {}
        self._kinds: dict = {}
        self._types: dict = {}
        self.outgoing: dict = defaultdict(list)
        self.incoming: dict = defaultdict(list)
        for s, p, o in graph:
            if is_data(s):
                self.outgoing[s].append((p, o))
                if is_data(o):
                    self.incoming[o].append((p, s))
        self.pages: dict[URIRef, str] = {}
        for node in self.outgoing:
            if self.kind(node) in SECTIONS:
                self.pages[node] = str(node)[len(ID) :] + ".html"
        self.vocab = self._vocabulary()
        self.passages = {p for p in graph.subjects(RDF.type, OTS.Passage) if isinstance(p, URIRef)}
        self.lines = self._source_lines(sources)

    # ---- lookups ------------------------------------------------------------------

    def label(self, node) -> str:
        if node not in self._labels:
            self._labels[node] = label(self.g, node)
        return self._labels[node]

    def types(self, node) -> list[URIRef]:
        if node not in self._types:
            self._types[node] = self.classify.types(node)
        return self._types[node]

    def kind(self, node) -> str:
        if node not in self._kinds:
            self._kinds[node] = self.classify.kind(node)
        return self._kinds[node]

    def _vocabulary(self) -> dict[URIRef, str]:
        """ots: terms documented on the ontology page -> their anchor there."""
        terms = {}
        for s in set(self.g.subjects(RDF.type, None)):
            if isinstance(s, URIRef) and str(s).startswith(str(OTS)) and local_name(s):
                terms[s] = local_name(s)
        return terms

    def _source_lines(self, folder: Path | None) -> dict[URIRef, int]:
        """Source document -> number of lines, for the documents found in the sources folder."""
        found: dict[URIRef, int] = {}
        if folder is None or not folder.is_dir():
            return found
        for doc in self.g.subjects(RDF.type, OTS.SourceDocument):
            name = self.g.value(doc, OTS.fileName)
            path = folder / str(name) if name is not None else None
            if path is not None and path.is_file():
                found[doc] = len(path.read_text(encoding="utf-8", errors="replace").splitlines())
        return found

    def start(self, node) -> str:
        value = self.g.value(node, SCHEMA.startDate) or self.g.value(node, DCTERMS.date)
        return str(value) if value is not None else ""

    def sort_key(self, node):
        dated = self.kind(node) in ("event", "document")
        return (self.start(node) or "~" if dated else "", self.label(node).lower(), str(node))

    # ---- links ----------------------------------------------------------------------

    @staticmethod
    def href(here: str, target: str) -> str:
        """target (a site path, maybe with #id) relative to the page at here."""
        path, _, frag = target.partition("#")
        if path == here and frag:
            return esc(f"#{frag}")
        return esc(_relative(path, posixpath.dirname(here)) + (f"#{frag}" if frag else ""))

    def link(self, here: str, node, text: str | None = None) -> str:
        """A node as HTML: a link to its page, the ontology, or the outside IRI; else its label."""
        shown = esc(text if text is not None else self.label(node))
        if node in self.pages:
            return f'<a href="{self.href(here, self.pages[node])}">{shown}</a>'
        if node in self.vocab:
            return (
                f'<a href="{self.href(here, "ontology.html#" + self.vocab[node])}" '
                f'title="{esc(compact(node))}">{shown}</a>'
            )
        if node in self.passages:
            return self.cite(here, node)
        if (
            isinstance(node, URIRef)
            and not is_data(node)
            and str(node).startswith(("http://", "https://"))
            and text is None
            and compact(node) == str(node)
        ):
            return f'<a class="ext" href="{esc(node)}">{esc(node)}</a>'
        if isinstance(node, URIRef) and not is_data(node) and text is None:
            return f"<code>{esc(compact(node))}</code>"
        return shown

    def prop(self, here: str, pred) -> str:
        name = str(self.g.value(pred, RDFS.label) or FRIENDLY.get(pred) or local_name(pred))
        if pred in self.vocab:
            return (
                f'<a href="{self.href(here, "ontology.html#" + self.vocab[pred])}" '
                f'title="{esc(compact(pred))}">{esc(name)}</a>'
            )
        return f'<span title="{esc(compact(pred))}">{esc(name)}</span>'

    def cite(self, here: str, passage) -> str:
        """A passage as its compact IRI linked to the sources page, plus file and line when
        the source file is at hand (its text is never copied)."""
        parts = passage_parts(passage)
        text = f"<code>{esc(compact(passage))}</code>"
        if not parts or passage not in self.passages:
            return text
        doc, line = URIRef(parts[0]), parts[1]
        out = f'<a href="{self.href(here, "sources.html#" + passage_id(passage))}">{text}</a>'
        if doc in self.lines and line <= self.lines[doc]:
            out += f' <span class="muted">{esc(self.g.value(doc, OTS.fileName))}, line {line}</span>'
        return out

    def value(self, here: str, term) -> str:
        if isinstance(term, Literal):
            if term.datatype == XSD.boolean:
                return "yes" if term.toPython() is True else "no"
            return esc(term)
        if isinstance(term, BNode):
            return "<i>(blank node)</i>"
        kind = self.kind(term) if is_data(term) else ""
        if kind == "time":
            return esc(self.span(term))
        return self.link(here, term)

    def span(self, node) -> str:
        """An OWL-Time interval or instant in words: 'from 2009-10-03 to 2018'."""

        def date(instant) -> str:
            for prop in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear, TIME.inXSDDateTime):
                value = self.g.value(instant, prop)
                if value is not None:
                    return str(value)
            return "?"

        begin, end = self.g.value(node, TIME.hasBeginning), self.g.value(node, TIME.hasEnd)
        if begin is None and end is None:
            return date(node)
        parts = [f"from {date(begin)}" if begin is not None else "", f"to {date(end)}" if end is not None else ""]
        return " ".join(p for p in parts if p)

    # ---- page frame -----------------------------------------------------------------

    def write(self, path: str, title: str, body: str) -> None:
        """One page in the frame of templates/page.html (autoescaped; body is built HTML)."""
        nav = [(_relative(target, posixpath.dirname(path)), name, target == path) for target, name in NAV]
        page = (
            _templates()
            .get_template("page.html")
            .render(
                title=title,
                css=_css(),
                nav=nav,
                home=_relative("index.html", posixpath.dirname(path)),
                body=Markup(body),
            )
        )
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        self.report.pages += 1


@functools.lru_cache(maxsize=1)
def _templates() -> Environment:
    """The site's Jinja2 templates, autoescaping everything not marked Markup."""
    return Environment(
        loader=PackageLoader("ots_kg.render", "templates"),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


@functools.lru_cache(maxsize=1)
def _css() -> Markup:
    return Markup(resources.files("ots_kg.render").joinpath("static/site.css").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4096)
def _relative(path: str, folder: str) -> str:
    if not path:
        return ""
    return posixpath.relpath(path, folder or ".")


def passage_id(passage) -> str:
    """The id of a passage on sources.html: `ots-areas-of-cooperation-L194`."""
    doc, _, line = str(passage).rpartition("#")
    return anchor(f"{doc.rsplit('/', 1)[-1]}-{line}")


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    attr = f" class={cls}" if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---- entity pages -----------------------------------------------------------------------


def entity_page(site: Site, node: URIRef) -> None:
    here = site.pages[node]
    kind = site.kind(node)
    listing, heading = SECTIONS[kind]
    types = site.types(node)
    type_links = ", ".join(site.link(here, t) for t in types) or esc(kind)
    parts = [
        f'<p class="meta"><a href="{site.href(here, listing)}">{esc(heading)}</a> › {type_links}</p>',
        f"<h1>{esc(site.label(node))}</h1>",
        f'<p class="meta"><code>{esc(node)}</code></p>',
    ]
    facts = defaultdict(list)
    for pred, obj in site.outgoing[node]:
        if pred in HIDDEN:
            continue
        facts[pred].append(obj)
    order = sorted(
        facts,
        key=lambda p: (
            FIRST.index(p) if p in FIRST else len(FIRST),
            site.prop(here, p).lower() if p not in FIRST else "",
        ),
    )
    rows = []
    for pred in order:
        values = sorted(facts[pred], key=lambda o: site.sort_key(o) if not isinstance(o, Literal) else ("", str(o), ""))
        rows.append((site.prop(here, pred), "<br>".join(site.value(here, v) for v in values)))
    if rows:
        parts.append(
            "<h2>Facts</h2>"
            + "<table class=facts><tbody>"
            + "".join(f"<tr><th>{p}</th><td>{v}</td></tr>" for p, v in rows)
            + "</tbody></table>"
        )
    parts.append(_incoming(site, here, node))
    parts.append(_claims(site, here, [c for p, c in site.outgoing[node] if p == OTS.claim]))
    parts.append(_aggregates(site, here, [a for p, a in site.outgoing[node] if p == OTS.statedAggregate]))
    cited = sorted((o for p, o in site.outgoing[node] if p == PROV.wasDerivedFrom), key=_passage_order)
    if cited:
        parts.append("<h2>Cited passages</h2><ul>" + "".join(f"<li>{site.cite(here, c)}</li>" for c in cited) + "</ul>")
    site.write(here, site.label(node), "\n".join(p for p in parts if p))


def _passage_order(passage) -> tuple[str, int]:
    doc, _, line = str(passage).rpartition("#L")
    return (doc, int(line) if line.isdigit() else 0)


def _incoming(site: Site, here: str, node) -> str:
    groups: dict[tuple, list] = defaultdict(list)
    for pred, subject in site.incoming[node]:
        if pred in (OTS.claim, OTS.statedAggregate, PROV.wasDerivedFrom):
            continue
        groups[(pred, site.kind(subject))].append(subject)
    if not groups:
        return ""
    out = ["<h2>Linked from</h2>"]
    for (pred, kind), subjects in sorted(groups.items(), key=lambda kv: (kv[0][1], str(kv[0][0]))):
        items = []
        for subject in sorted(set(subjects), key=site.sort_key):
            items.append(f"<li>{_describe(site, here, subject, node)}</li>")
        out.append(
            f"<h3>{esc(PLURAL.get(kind, kind)).capitalize()} · {site.prop(here, pred)} "
            f'<span class="muted">({len(items)})</span></h3><ul>{"".join(items)}</ul>'
        )
    return "\n".join(out)


def _describe(site: Site, here: str, subject, target) -> str:
    """One line for a node linking here: events with their date, memberships and posts in words."""
    g = site.g
    kind = site.kind(subject)
    if kind == "membership":
        role, org, member = (g.value(subject, p) for p in (ORG.role, ORG.organization, ORG.member))
        bits = [
            site.link(here, member) if member != target else "",
            site.link(here, role) if role is not None else "",
            f"of {site.link(here, org)}" if org is not None and org != target else "",
        ]
        during = g.value(subject, ORG.memberDuring)
        if during is not None:
            bits.append(esc(site.span(during)))
        accepted = g.value(subject, OTS.acceptedAt)
        if accepted is not None:
            bits.append(f"(accepted at {site.link(here, accepted)})")
        return " ".join(b for b in bits if b)
    if kind == "post":
        held = sorted(g.objects(subject, ORG.heldBy), key=site.sort_key)
        holders = ", ".join(site.link(here, h) for h in held)
        org = g.value(subject, ORG.postIn)
        text = esc(site.label(subject))
        if org is not None and org != target:
            text += f" in {site.link(here, org)}"
        return text + (f" — held by {holders}" if holders else "")
    date = site.start(subject)
    prefix = f'<span class="muted">{esc(date)}</span> ' if date else ""
    return prefix + site.link(here, subject)


def _claims(site: Site, here: str, claims: list) -> str:
    if not claims:
        return ""
    g = site.g
    rows = []
    for claim in sorted(claims, key=str):
        prop = g.value(claim, OTS.claimedProperty)
        value = g.value(claim, OTS.claimedValue)
        canonical = g.value(claim, OTS.isCanonical)
        passages = sorted(g.objects(claim, PROV.wasDerivedFrom), key=_passage_order)
        status = "canonical" if canonical is not None and canonical.toPython() is True else "not canonical"
        rows.append(
            (
                site.prop(here, prop) if prop is not None else "",
                site.value(here, value),
                status,
                "<br>".join(site.cite(here, p) for p in passages),
            )
        )
    return (
        "<h2>Conflicting claims</h2><p class=muted>Where passages disagree, every claim is kept; "
        "the node carries the canonical value.</p>" + _table(("property", "claimed value", "status", "passage"), rows)
    )


def _aggregates(site: Site, here: str, aggregates: list) -> str:
    if not aggregates:
        return ""
    g = site.g
    rows = []
    for agg in sorted(aggregates, key=str):
        count = g.value(agg, OTS.countValue)
        lower = g.value(agg, OTS.isLowerBound)
        as_of = g.value(agg, OTS.asOf)
        text = ("more than " if lower is not None and lower.toPython() is True else "") + (
            str(count) if count is not None else "?"
        )
        claims = [c for c in g.objects(agg, OTS.claim)]
        note = ""
        if claims:
            note = (
                "<br><span class=muted>claims: "
                + "; ".join(
                    f"{esc(g.value(c, OTS.claimedValue))} ({site.cite(here, g.value(c, PROV.wasDerivedFrom))})"
                    for c in sorted(claims, key=str)
                )
                + "</span>"
            )
        passages = sorted(g.objects(agg, PROV.wasDerivedFrom), key=_passage_order)
        rows.append(
            (
                esc(site.label(agg)),
                esc(text) + note,
                esc(g.value(agg, OTS.countedThing) or ""),
                esc(as_of or ""),
                "<br>".join(site.cite(here, p) for p in passages),
            )
        )
    return (
        "<h2>Stated counts</h2><p class=muted>Counts the sources state, kept as facts rather than "
        "turned into invented events.</p>" + _table(("statement", "count", "what", "as of", "passage"), rows)
    )


# ---- list pages -------------------------------------------------------------------------


def list_pages(site: Site) -> None:
    by_listing: dict[str, list] = defaultdict(list)
    for node in site.pages:
        by_listing[SECTIONS[site.kind(node)][0]].append(node)
    intros = {
        "states.html": "States the sources name: members, observers and others, with their OTS status.",
        "organisations.html": "The OTS, its principal organs, affiliated organisations and every other "
        "organisation the sources name, grouped by type.",
        "mechanisms.html": "Standing instruments of cooperation: meeting series, committees and working "
        "groups, programmes, projects, platforms and funds.",
        "events.html": "Every event by year of its start date.",
        "documents.html": "Documents signed, adopted, endorsed or published, by type.",
        "people.html": "People the sources name, with their posts.",
        "places.html": "Cities (and the state they lie in).",
        "areas.html": "The areas of cooperation, with how many events and mechanisms each has.",
    }
    for listing, heading in sorted({v for v in SECTIONS.values()}):
        nodes = sorted(by_listing.get(listing, []), key=site.sort_key)
        if listing == "events.html":
            groups = defaultdict(list)
            for node in nodes:
                groups[site.start(node)[:4] or "undated"].append(node)
            keys = sorted(groups, reverse=True)
            body = ['<p class="meta">Years: ' + " ".join(f'<a href="#y{k}">{k}</a>' for k in keys) + "</p>"]
            for key in keys:
                rows = [
                    (
                        esc(site.start(n)),
                        site.link(listing, n),
                        ", ".join(site.link(listing, t) for t in site.types(n)),
                        ", ".join(site.link(listing, a) for a in sorted(site.g.objects(n, OTS.area), key=site.label)),
                    )
                    for n in groups[key]
                ]
                body.append(
                    f'<h2 id="y{key}">{key} <span class=muted>({len(rows)})</span></h2>'
                    + _table(("start", "event", "type", "area"), rows)
                )
        else:
            groups = defaultdict(list)
            for node in nodes:
                types = site.types(node)
                groups[site.label(types[0]) if types else "other"].append(node)
            body = []
            for key in sorted(groups, key=lambda k: (-len(groups[k]), k)):
                rows = [_list_row(site, listing, n) for n in groups[key]]
                body.append(
                    f'<h2 id="{anchor(key)}">{esc(key)} <span class=muted>({len(rows)})</span></h2>'
                    + _table(("name", "details"), rows)
                )
        intro = f'<h1>{esc(heading)}</h1><p class="lead">{esc(intros.get(listing, ""))} {len(nodes)} in all.</p>'
        site.write(listing, heading, intro + "\n".join(body))


def _list_row(site: Site, here: str, node) -> tuple[str, str]:
    g = site.g
    kind = site.kind(node)
    bits: list[str] = []
    if kind == "state":
        roles = [
            site.link(here, g.value(m, ORG.role))
            for p, m in site.incoming[node]
            if p == ORG.member and g.value(m, ORG.role) is not None
        ]
        codes = [str(v) for v in (g.value(node, OTS.iso3166Alpha2), g.value(node, OTS.iso3166Alpha3)) if v]
        bits += roles + ([esc(" / ".join(codes))] if codes else [])
    elif kind in ("organisation", "organ"):
        for pred in (OTS.ofState, ORG.unitOf, OTS.seat):
            bits += [site.link(here, o) for o in g.objects(node, pred)]
    elif kind in ("mechanism", "document"):
        bits += [site.link(here, a) for a in sorted(g.objects(node, OTS.area), key=site.label)]
        count = sum(1 for p, _ in site.incoming[node] if p == OTS.inSeries)
        if count:
            bits.append(f"{count} events")
        if site.start(node):
            bits.append(esc(site.start(node)))
    elif kind == "place":
        bits += [site.link(here, o) for o in g.objects(node, SCHEMA.containedInPlace)]
    elif kind == "person":
        bits += [site.link(here, o) for o in g.objects(node, OTS.ofState)]
        bits += [esc(site.label(p)) for (p,) in [(s,) for pr, s in site.incoming[node] if pr == ORG.heldBy]]
    elif kind == "area":
        counts = Counter(site.kind(s) for p, s in site.incoming[node] if p == OTS.area)
        bits += [f"{n} {PLURAL.get(k, k)}" for k, n in sorted(counts.items())]
    return site.link(here, node), " · ".join(b for b in bits if b)


# ---- ontology ------------------------------------------------------------------------------


def ontology_page(site: Site) -> None:
    g = site.g
    here = "ontology.html"
    ontology = next(iter(g.subjects(RDF.type, OWL.Ontology)), None)
    classes = sorted((t for t in site.vocab if (t, RDF.type, OWL.Class) in g), key=local_name)
    props = sorted(
        (t for t in site.vocab if (t, RDF.type, OWL.ObjectProperty) in g or (t, RDF.type, OWL.DatatypeProperty) in g),
        key=lambda t: local_name(t).lower(),
    )
    others = sorted((t for t in site.vocab if t not in classes and t not in props), key=local_name)
    disjoint = defaultdict(set)
    for group in g.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(Collection(g, g.value(group, OWL.members)))
        for m in members:
            disjoint[m] |= set(members) - {m}
    instances = Counter()
    for node, cls in g.subject_objects(RDF.type):
        if is_data(node) and isinstance(cls, URIRef):
            for sup in site.classify.supers(cls):
                instances[sup] += 1
    usage = Counter(p for s, p, _ in g if is_data(s))
    by_type = defaultdict(list)
    for node in site.pages:
        for cls in site.types(node):
            by_type[cls].append(node)
    body = ["<h1>Ontology reference</h1>"]
    if ontology is not None:
        licence = g.value(ontology, DCTERMS.license)
        body.append(
            f'<p class="lead">{esc(g.value(ontology, DCTERMS.description) or "")}</p>'
            f'<p class="meta"><code>{esc(ontology)}</code> · version '
            f"{esc(g.value(ontology, OWL.versionInfo) or '?')}"
            + (f" · licence {site.link(here, licence)}" if licence is not None else "")
            + "</p>"
        )
    body.append(
        "<p>Contents: "
        + ", ".join(
            f'<a href="#{a}">{t}</a>'
            for a, t in (
                ("classes", f"{len(classes)} classes"),
                ("properties", f"{len(props)} properties"),
                ("individuals", f"{len(others)} named individuals"),
            )
        )
        + "</p>"
    )
    body.append(
        '<h2 id="classes">Classes</h2><p>'
        + " · ".join(f'<a href="#{site.vocab[c]}">{esc(local_name(c))}</a>' for c in classes)
        + "</p>"
    )

    def terms(values: Iterable, name=None) -> str:
        return ", ".join(
            site.link(here, v, name(v) if name else None) if v in site.vocab else f"<code>{esc(compact(v))}</code>"
            for v in sorted(values, key=str)
        )

    for cls in classes:
        rows = [("subclass of", terms(g.objects(cls, RDFS.subClassOf)))]
        subs = sorted((s for s in g.subjects(RDFS.subClassOf, cls) if s in site.vocab), key=str)
        rows.append(("subclasses", ", ".join(site.link(here, s) for s in subs)))
        rows.append(("disjoint with", terms(disjoint.get(cls, ()))))
        rows.append(
            ("domain of", ", ".join(site.link(here, p, local_name(p)) for p in props if (p, RDFS.domain, cls) in g))
        )
        rows.append(
            ("range of", ", ".join(site.link(here, p, local_name(p)) for p in props if (p, RDFS.range, cls) in g))
        )
        examples = sorted(by_type.get(cls, ()), key=site.sort_key)[:6]
        count = instances.get(cls, 0)
        listed = ", ".join(site.link(here, n) for n in examples) + (", …" if count > len(examples) else "")
        rows.append(("in the data", f"{count} instances" + (f": {listed}" if examples else "")))
        body.append(_term_section(site, cls, "class", rows))
    body.append(
        '<h2 id="properties">Properties</h2><p>'
        + " · ".join(f'<a href="#{site.vocab[p]}">{esc(local_name(p))}</a>' for p in props)
        + "</p>"
    )
    for prop in props:
        kinds = [
            k
            for k, t in (
                ("object property", OWL.ObjectProperty),
                ("datatype property", OWL.DatatypeProperty),
                ("functional", OWL.FunctionalProperty),
            )
            if (prop, RDF.type, t) in g
        ]
        rows = [("kind", esc(", ".join(kinds)))]
        for name, pred in (("domain", RDFS.domain), ("range", RDFS.range), ("subproperty of", RDFS.subPropertyOf)):
            rows.append((name, terms(g.objects(prop, pred))))
        subs = sorted((s for s in g.subjects(RDFS.subPropertyOf, prop) if s in site.vocab), key=str)
        rows.append(("subproperties", ", ".join(site.link(here, s, local_name(s)) for s in subs)))
        rows.append(("in the data", f"{usage.get(prop, 0)} statements"))
        body.append(_term_section(site, prop, "property", rows))
    body.append('<h2 id="individuals">Named individuals</h2><p>Roles used in memberships.</p>')
    for term in others:
        rows = [
            ("type", terms(g.objects(term, RDF.type))),
            ("broader", ", ".join(site.link(here, b) for b in g.objects(term, SKOS.broader))),
            ("in the data", f"{sum(1 for _ in g.subjects(ORG.role, term))} memberships"),
        ]
        body.append(_term_section(site, term, "individual", rows))
    site.write(here, "Ontology", "\n".join(body))


def _term_section(site: Site, term, what: str, rows: list[tuple[str, str]]) -> str:
    g = site.g
    comment = g.value(term, RDFS.comment)
    table = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows if v)
    return (
        f'<section id="{site.vocab[term]}"><h3>{esc(g.value(term, RDFS.label) or local_name(term))} '
        f'<span class="tag">{what}</span> <code>{esc(compact(term))}</code></h3>'
        f"<p>{esc(comment or '')}</p><table class=facts><tbody>{table}</tbody></table></section>"
    )


# ---- shapes --------------------------------------------------------------------------------


class ShapeText:
    """SHACL shapes explained in words: targets, then one sentence per constraint."""

    def __init__(self, site: Site, shapes: Shapes) -> None:
        self.site = site
        self.g = shapes.graph
        self.named = shapes.named

    def ref(self, node) -> str:
        here = "shapes.html"
        if node in self.named:
            return f'<a href="#shape-{anchor(local_name(node))}">{esc(local_name(node))}</a>'
        if isinstance(node, URIRef) and node in self.site.vocab:
            return self.site.link(here, node, compact(node))
        return f"<code>{esc(compact(node))}</code>"

    def path(self, node) -> str:
        if isinstance(node, URIRef):
            return self.ref(node)
        inverse = self.g.value(node, SH.inversePath)
        if inverse is not None:
            return f"the inverse of {self.path(inverse)} (nodes linking here)"
        if (node, RDF.first, None) in self.g:
            return " then ".join(self.path(p) for p in Collection(self.g, node))
        return "(complex path)"

    def constraints(self, node) -> list[str]:
        g = self.g
        out = []
        lo, hi = g.value(node, SH.minCount), g.value(node, SH.maxCount)
        if lo is not None and hi is not None and int(lo) == int(hi):
            out.append(f"exactly {int(lo)} value{'s' if int(lo) != 1 else ''}")
        else:
            if lo is not None:
                out.append(f"at least {int(lo)} value{'s' if int(lo) != 1 else ''}")
            if hi is not None:
                out.append(f"at most {int(hi)} value{'s' if int(hi) != 1 else ''}")
        words = {
            SH.datatype: lambda v: f"each value a literal of type {self.ref(v)}",
            SH["class"]: lambda v: f"each value an instance of {self.ref(v)}",
            SH.nodeKind: lambda v: f"each value {'an IRI' if v == SH.IRI else self.ref(v)}",
            SH.pattern: lambda v: f"each value matching the pattern <code>{esc(v)}</code>",
            SH.uniqueLang: lambda v: "at most one value per language" if v.toPython() else "",
            SH.hasValue: lambda v: f"must include {self.ref(v)}",
            SH.minInclusive: lambda v: f"at least {esc(v)}",
            SH.maxInclusive: lambda v: f"at most {esc(v)}",
            SH.minLength: lambda v: f"at least {esc(v)} characters",
            SH.maxLength: lambda v: f"at most {esc(v)} characters",
            SH.node: lambda v: f"each value conforming to {self.ref(v)}",
        }
        for pred, say in words.items():
            for value in sorted(g.objects(node, pred), key=str):
                text = say(value)
                if text:
                    out.append(text)
        for pred, lead, word in (
            (SH["or"], "either ", " or "),
            (SH.xone, "exactly one of ", " or "),
            (SH["and"], "all of ", " and "),
        ):
            for head in g.objects(node, pred):
                items = [self.inline(i) for i in Collection(g, head)]
                out.append(lead + word.join(f"({i})" for i in items))
        for value in g.objects(node, SH["not"]):
            out.append(f"not ({self.inline(value)})")
        return out

    def inline(self, node) -> str:
        """A nested shape in one phrase."""
        path = self.g.value(node, SH.path)
        if node in self.named:
            phrase = ", ".join(self.constraints(node))
            if path is None or not phrase:
                return self.ref(node)
            return f"{self.ref(node)} ({self.path(path)}: {phrase})"
        phrase = ", ".join(self.constraints(node)) or "any value"
        return f"{self.path(path)}: {phrase}" if path is not None else phrase

    def section(self, shape) -> str:
        g = self.g
        name = local_name(shape)
        kinds = [local_name(t) for t in g.objects(shape, RDF.type)]
        rows = []
        targets = []
        for pred, words in (
            (SH.targetClass, "every instance of"),
            (SH.targetNode, "the node"),
            (SH.targetSubjectsOf, "every subject of"),
            (SH.targetObjectsOf, "every object of"),
        ):
            for value in sorted(g.objects(shape, pred), key=str):
                targets.append(f"{words} {self.ref(value)}")
        if targets:
            rows.append(("applies to", "; ".join(targets)))
        users = sorted(
            {local_name(s) for s in g.subjects(SH.property, shape)}
            | {local_name(s) for s in g.subjects(SH.sparql, shape)}
        )
        if users:
            rows.append(("used by", ", ".join(f'<a href="#shape-{anchor(u)}">{esc(u)}</a>' for u in users)))
        severity = g.value(shape, SH.severity)
        rows.append(
            (
                "severity",
                "warning: reported, does not make the data fail"
                if severity == SH.Warning
                else "violation: the data does not conform",
            )
        )
        path = g.value(shape, SH.path)
        if path is not None:
            rows.append(("checks", f"{self.path(path)}: {', '.join(self.constraints(shape)) or 'any value'}"))
        elif self.constraints(shape):
            rows.append(("requires", "; ".join(self.constraints(shape))))
        props = [self.inline(p) for p in g.objects(shape, SH.property)]
        if props:
            rows.append(("properties", "<ul>" + "".join(f"<li>{p}</li>" for p in sorted(props)) + "</ul>"))
        checks = sorted(g.objects(shape, SH.sparql), key=str)
        if checks:
            rows.append(
                (
                    "SPARQL checks",
                    "<ul>"
                    + "".join(f"<li>{self.ref(c)}: {esc(g.value(c, SH.message) or '')}</li>" for c in checks)
                    + "</ul>",
                )
            )
        select = g.value(shape, SH.select)
        if select is not None:
            rows.append(("how", "reports every focus node the query below returns"))
            rows.append(("query", f"<details><summary>SPARQL</summary><pre>{esc(select.strip())}</pre></details>"))
        message = g.value(shape, SH.message)
        if message is not None:
            rows.append(("message", f"<q>{esc(message)}</q>"))
        table = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
        title = g.value(shape, RDFS.label)
        return (
            f'<section id="shape-{anchor(name)}"><h3>{esc(title or name)} '
            f'<span class="tag">{esc(", ".join(sorted(kinds)))}</span> '
            f"<code>shapes:{esc(name)}</code></h3>"
            f"<p>{esc(g.value(shape, RDFS.comment) or '')}</p><table class=facts><tbody>{table}</tbody>"
            "</table></section>"
        )


def shapes_page(site: Site) -> None:
    here = "shapes.html"
    if site.shapes is None:
        site.write(here, "Shapes", "<h1>SHACL shapes</h1><p>No shapes file found.</p>")
        return
    text = ShapeText(site, site.shapes)
    node_shapes = [s for s in text.named if (s, RDF.type, SH.NodeShape) in site.shapes.graph]
    rest = [s for s in text.named if s not in node_shapes]
    body = [
        "<h1>SHACL shapes</h1>",
        '<p class="lead">What <code>ots-kg validate</code> checks, in plain words. A violation makes the '
        "data fail; a warning is shown for a person to look at.</p>",
        "<p>Node shapes: " + " · ".join(text.ref(s) for s in node_shapes) + "</p>",
        "<p>Shared property shapes and SPARQL constraints: " + " · ".join(text.ref(s) for s in rest) + "</p>",
        '<h2 id="node-shapes">Node shapes</h2>',
    ]
    body += [text.section(s) for s in node_shapes]
    body.append('<h2 id="shared">Shared property shapes and SPARQL constraints</h2>')
    body += [text.section(s) for s in rest]
    site.write(here, "Shapes", "\n".join(body))


# ---- queries -------------------------------------------------------------------------------


def queries_page(site: Site) -> None:
    from ..sparql.catalogue import catalogue
    from ..sparql.engines import open_engine

    here = "queries.html"
    stored = catalogue()
    engine = open_engine("oxigraph", graph=site.g)
    body = [
        "<h1>Query catalogue</h1>",
        '<p class="lead">The stored SPARQL queries. Run one with <code>ots-kg query NAME</code>; '
        "parameters are bound as typed RDF terms, never pasted into the text. Each sample below is "
        "the query run with its example parameters on this graph.</p>",
        "<p>Every example is checked against rdflib's answer on Oxigraph, <code>ots-kg serve</code>, the "
        "Oxigraph server, OpenLink Virtuoso 7 and Comunica by the engine contract test; where an engine is "
        "known to answer wrongly the query says so below (the test requires exactly those to differ). "
        "The whole query × engine matrix is <code>docs/conformance.md</code> in the source.</p>",
        "<p>" + " · ".join(f'<a href="#{anchor(n)}">{esc(n)}</a>' for n in stored) + "</p>",
    ]
    for name, query in stored.items():
        params = (
            _table(
                ("parameter", "type", "required", "description"),
                [
                    (
                        f"<code>{esc(p.name)}</code>",
                        esc(p.type),
                        "required" if p.required else (f"default {esc(p.default)}" if p.default else "optional"),
                        esc(p.description),
                    )
                    for p in query.params
                ],
            )
            if query.params
            else "<p class=muted>None.</p>"
        )
        tags = "".join(f'<span class="tag">{esc(t)}</span>' for t in query.tags)
        examples = "".join(f"<pre>{esc(e)}</pre>" for e in query.examples)
        values = query.example_values()
        try:
            results = engine.run(query, values)
            sample = _sample(site, here, results)
        except OtsKgError as exc:
            sample = f'<p class="warn">Could not run the example: {esc(exc)}</p>'
        shown = " ".join(f"-p {k}={v}" for k, v in values.items())
        known = "".join(
            f"<li><strong>{esc(engine_name)}</strong>: {esc(reason)}</li>"
            for engine_name, reason in query.engine_exceptions
        )
        body.append(
            f'<section id="{anchor(name)}"><h3>{esc(name)} <span class="tag">{esc(query.kind)}</span></h3>'
            f"<p>{esc(query.summary)}</p>"
            + (f"<p>{tags}</p>" if tags else "")
            + f"<h4>Parameters</h4>{params}<h4>Example</h4>{examples or '<p class=muted>none</p>'}"
            + (f"<h4>Engines that answer it wrongly</h4><ul>{known}</ul>" if known else "")
            + f"<details><summary>Query text ({esc(query.path.name)})</summary>"
            f"<pre>{esc(query.text)}</pre></details>"
            f"<h4>Sample results{' with ' + esc(shown) if shown else ''}</h4>{sample}</section>"
        )
    site.write(here, "Queries", "\n".join(body))


def _sample(site: Site, here: str, results, limit: int = 10) -> str:
    def cell(value) -> str:
        if value is None:
            return ""
        term = to_rdflib(value)
        if isinstance(term, URIRef):
            return site.link(here, term, site.label(term) if term in site.pages else None)
        return site.value(here, term)

    if results.kind == "ASK":
        return f"<p>Answer: <b>{'yes' if results.boolean else 'no'}</b></p>"
    if results.kind in ("CONSTRUCT", "DESCRIBE"):
        triples = sorted(results.triples, key=lambda t: tuple(str(x) for x in t))
        rows = [tuple(cell(t) for t in triple) for triple in triples[:limit]]
        return f"<p class=muted>{len(triples)} triples; first {len(rows)}:</p>" + _table(
            ("subject", "predicate", "object"), rows
        )
    rows = [tuple(cell(t) for t in row) for row in results.rows[:limit]]
    more = (
        f"{len(results.rows)} rows; first {len(rows)} shown."
        if len(results.rows) > limit
        else f"{len(results.rows)} rows."
    )
    return f"<p class=muted>{more}</p>" + _table(results.vars, rows)


# ---- sources, charts, index ------------------------------------------------------------------


def owner(site: Site, node, depth: int = 0):
    """The page a citing node belongs to: itself, or what its claim, count, membership or post is about."""
    if node in site.pages or depth > 3:
        return node if node in site.pages else None
    for pred in (OTS.claim, OTS.statedAggregate):
        for subject in site.g.subjects(pred, node):
            return owner(site, subject, depth + 1)
    for pred in (ORG.member, ORG.postIn):
        value = site.g.value(node, pred)
        if value is not None:
            return owner(site, value, depth + 1)
    return None


def sources_page(site: Site) -> None:
    here = "sources.html"
    g = site.g
    citing = defaultdict(set)
    for subject, passage in g.subject_objects(PROV.wasDerivedFrom):
        page = owner(site, subject)
        if page is not None:
            citing[passage].add(page)
    body = [
        "<h1>Sources and cited passages</h1>",
        '<p class="lead">Every fact cites the line of a source document it comes from '
        "(<code>prov:wasDerivedFrom &lt;document#L<i>n</i>&gt;</code>). This page lists each cited "
        "passage and the pages that cite it. The sources' text is not reproduced here.</p>",
    ]
    for doc in sorted(g.subjects(RDF.type, OTS.SourceDocument), key=str):
        passages = sorted((p for p in site.passages if g.value(p, DCTERMS.isPartOf) == doc), key=_passage_order)
        found = (
            f"found in the sources folder ({site.lines[doc]} lines)"
            if doc in site.lines
            else "source file not at hand: line numbers come from the passage IRIs"
        )
        rows = [
            (
                f'<span id="{passage_id(p)}"><code>{esc(compact(p))}</code></span>',
                esc(g.value(p, OTS.lineNumber)),
                ", ".join(site.link(here, n) for n in sorted(citing.get(p, ()), key=site.sort_key)),
            )
            for p in passages
        ]
        file_name = esc(g.value(doc, OTS.fileName) or "?")
        body.append(
            f'<section id="{anchor(str(doc).rsplit("/", 1)[-1])}"><h2>{esc(site.label(doc))}</h2>'
            f'<p class="meta"><code>{esc(doc)}</code> · file <code>{file_name}</code> · '
            f"{esc(found)} · {len(passages)} cited passages</p>"
            + _table(("passage", "line", "cited by"), rows)
            + "</section>"
        )
    site.write(here, "Sources", "\n".join(body))


CHARTS = (
    ("timeline.svg", "Events per year by area of cooperation", "ots-kg plot timeline"),
    ("series.svg", "Meeting series over time", "ots-kg plot series"),
    ("network.svg", "The institutional network", "ots-kg plot network"),
)


def charts(site: Site) -> None:
    from . import charts as plot

    folder = site.out / "charts"
    folder.mkdir(parents=True, exist_ok=True)
    plot.timeline(site.g, folder / "timeline.svg")
    plot.series(site.g, folder / "series.svg")
    plot.network(site.g, folder / "network.svg")
    site.report.charts = [f"charts/{name}" for name, _, _ in CHARTS]
    body = [
        "<h1>Charts</h1>",
        '<p class="lead">Drawn from the graph by <code>ots-kg plot</code>; '
        "each command also writes PNG and takes options (areas, years, a focus entity).</p>",
    ]
    for name, title, command in CHARTS:
        body.append(
            f'<h2 id="{anchor(name[:-4])}">{esc(title)}</h2><p><code>{esc(command)}</code></p>'
            f'<div class="chart"><img src="charts/{name}" alt="{esc(title)}"></div>'
        )
    site.write("charts.html", "Charts", "\n".join(body))


def index_page(site: Site) -> None:
    g = site.g
    counts = Counter(site.kind(n) for n in site.pages)
    ontology = next(iter(g.subjects(RDF.type, OWL.Ontology)), None)
    cards = [
        ("states.html", counts["state"], "states"),
        ("organisations.html", counts["organisation"] + counts["organ"], "organisations"),
        ("mechanisms.html", counts["mechanism"], "mechanisms"),
        ("events.html", counts["event"], "events"),
        ("documents.html", counts["document"], "documents"),
        ("people.html", counts["person"], "people"),
        ("sources.html", len(site.passages), "cited passages"),
        ("areas.html", len(set(g.subjects(RDF.type, OTS.AreaOfCooperation))), "areas of cooperation"),
    ]
    reference = [
        ("ontology.html", "Ontology reference", "every class and property, with domain, range and alignments"),
        ("shapes.html", "SHACL shapes", "what validation checks, in plain words"),
        ("queries.html", "Query catalogue", "the stored SPARQL queries with sample results"),
        ("charts.html", "Charts", "timeline, meeting series and the institutional network"),
    ]
    version = g.value(ontology, OWL.versionInfo) if ontology is not None else None
    body = [
        "<h1>The Organization of Turkic States knowledge graph</h1>",
        '<p class="lead">A curated knowledge graph of the Organization of Turkic States (OTS): its '
        "member and observer states, organs and affiliated organisations, mechanisms of cooperation, "
        "events, documents and people. Every fact cites the line of the source document it comes "
        "from.</p>",
        '<div class="cards">'
        + "".join(f'<a class="card" href="{t}"><b>{n}</b>{esc(w)}</a>' for t, n, w in cards)
        + "</div>",
        '<div class="cards wide">'
        + "".join(
            f'<a class="card" href="{t}"><strong>{esc(h)}</strong><br><span class="muted">{esc(d)}</span></a>'
            for t, h, d in reference
        )
        + "</div>",
        '<h2>Events per year</h2><div class="chart"><img src="charts/timeline.svg" '
        'alt="Events per year by area of cooperation"></div>',
        f'<p class="muted">{len(g)} triples · ontology version {esc(version or "?")} · built by '
        "<code>ots-kg docs</code>; static HTML with no external assets.</p>",
    ]
    site.write("index.html", "Home", "\n".join(body))


def build(
    output: str | Path,
    paths: Sequence[str | Path] | None = None,
    *,
    sources: str | Path | None = None,
    graph: Graph | None = None,
) -> Report:
    """Write the site into output (created if missing); load the graph once, draw each chart once."""
    from ..io.loader import load_graph
    from ..resources import sources_dir
    from ..validation.shapes import load_shapes

    started = time.perf_counter()
    out = Path(output)
    if out.exists() and not out.is_dir():
        raise OtsKgError(f"{out}: exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OtsKgError(f"{out}: cannot create ({exc.strerror})") from None
    g = graph if graph is not None else load_graph(list(paths) if paths else None)
    shapes = load_shapes()
    folder = Path(sources) if sources is not None else sources_dir()
    if sources is not None and not folder.is_dir():
        raise OtsKgError(f"{folder}: sources folder not found")
    site = Site(g, out, folder, shapes)
    try:
        for node in sorted(site.pages, key=str):
            entity_page(site, node)
        list_pages(site)
        ontology_page(site)
        shapes_page(site)
        queries_page(site)
        sources_page(site)
        charts(site)
        index_page(site)
    except OSError as exc:
        raise OtsKgError(f"{out}: cannot write ({exc.strerror})") from None
    site.report.seconds = time.perf_counter() - started
    return site.report
