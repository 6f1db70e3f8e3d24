"""A static, offline documentation site of the graph: `ots-kg docs -o DIR`.

One pass over one loaded graph writes plain HTML files (one local stylesheet, no scripts,
no external assets) so the site opens from disk, from a CI artifact or from any static
host: the ontology reference, the SHACL shapes in plain words, the stored query catalogue
with sample answers, one page per entity with its facts and cited passages, the summit
record, and the charts of `ots-kg plot` as SVG. Cited passages are shown by IRI, file name
and line, never by their text: the graph holds facts, not the sources' sentences.

This module only gathers what each page shows, as plain values (strings, numbers, `Ref`
and `Join` fragments); the Jinja2 templates in templates/ turn them into HTML with
autoescaping, and static/site.css is copied next to the pages.
"""

from __future__ import annotations

import functools
import posixpath
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SH, SKOS, XSD

from ..errors import OtsKgError
from ..model.graph import Classifier, compact, is_data, label, local_name
from ..model.kinds import BY_NAME, KINDS
from ..model.prefixes import passage_parts
from ..model.terms import to_rdflib
from ..model.vocab import ID, ORG, OTS, PROV, SCHEMA, TIME
from ..validation.shapes import Shape, ShapePath, Shapes

STYLESHEET = "static/site.css"  # where the pages find the stylesheet, relative to the site root
# kind -> (list page, heading); the kinds that get a page of their own
SECTIONS: dict[str, tuple[str, str]] = {k.name: (k.page, k.heading) for k in KINDS if k.page and k.heading}
NAV = (
    ("index.html", "Home"),
    ("ontology.html", "Ontology"),
    ("shapes.html", "Shapes"),
    ("queries.html", "Queries"),
    ("summits.html", "Summits"),
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
HIDDEN = {RDF.type, RDFS.label, PROV.wasDerivedFrom, OTS.claim, OTS.statedAggregate, OTS.participation, SKOS.prefLabel}


@dataclass
class Report:
    """What a build wrote: page count, chart files, wall-clock seconds."""

    output: Path
    pages: int = 0
    charts: list[str] = field(default_factory=list)
    seconds: float = 0.0


# ---- what a page shows, as plain values; templates/macros.html turns them into HTML ----------


@dataclass(frozen=True, slots=True)
class Ref:
    """A node or term as shown: its text, where it links (a site path, maybe with #id, or an
    outside URL), a hover title, a style and a muted note after it (a passage's file and line)."""

    text: str
    target: str = ""
    title: str = ""
    style: str = ""  # "" | "code" | "ext" (outside link) | "muted" | "blank" (italic)
    note: str = ""


@dataclass(frozen=True, slots=True)
class Join:
    """Fragments shown one after another with a separator; sep "br" breaks lines, "li" makes a list."""

    items: tuple
    sep: str = ", "

    def __bool__(self) -> bool:
        return bool(self.items)


def join(items: Iterable, sep: str = ", ") -> Join:
    """The non-empty fragments of items."""
    return Join(tuple(i for i in items if i or i == 0), sep)


def phrase(*parts) -> Join:
    """Fragments run together into one phrase."""
    return join(parts, "")


def plain(fragment) -> str:
    """A fragment's visible text (to sort by what a reader sees)."""
    if isinstance(fragment, Join):
        sep = {"br": " ", "li": " "}.get(fragment.sep, fragment.sep)
        return sep.join(plain(i) for i in fragment.items)
    if isinstance(fragment, Ref):
        return fragment.text + (f" {fragment.note}" if fragment.note else "")
    return str(fragment)


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
        self._refs: dict = {}
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

    # ---- nodes as fragments -----------------------------------------------------------

    def ref(self, node, text: str | None = None) -> Ref | str:
        """A node as shown: a link to its page, the ontology, a cited passage or the outside
        IRI; a compact IRI; else its label."""
        key = (node, text)
        if key not in self._refs:
            self._refs[key] = self._ref(node, text)
        return self._refs[key]

    def _ref(self, node, text: str | None) -> Ref | str:
        shown = text if text is not None else self.label(node)
        if node in self.pages:
            return Ref(shown, self.pages[node])
        if node in self.vocab:
            return Ref(shown, "ontology.html#" + self.vocab[node], title=compact(node))
        if node in self.passages:
            return self.cite(node)
        if isinstance(node, URIRef) and not is_data(node) and text is None:
            if str(node).startswith(("http://", "https://")) and compact(node) == str(node):
                return Ref(str(node), str(node), style="ext")
            return Ref(compact(node), style="code")
        return shown

    def prop(self, pred) -> Ref:
        name = str(self.g.value(pred, RDFS.label) or FRIENDLY.get(pred) or local_name(pred))
        if pred in self.vocab:
            return Ref(name, "ontology.html#" + self.vocab[pred], title=compact(pred))
        return Ref(name, title=compact(pred))

    def cite(self, passage) -> Ref:
        """A passage as its compact IRI linked to the sources page, plus file and line when
        the source file is at hand (its text is never copied)."""
        parts = passage_parts(passage)
        if not parts or passage not in self.passages:
            return Ref(compact(passage), style="code")
        doc, line = URIRef(parts[0]), parts[1]
        note = (
            f"{self.g.value(doc, OTS.fileName)}, line {line}" if doc in self.lines and line <= self.lines[doc] else ""
        )
        return Ref(compact(passage), "sources.html#" + passage_id(passage), style="code", note=note)

    def value(self, term) -> Ref | str:
        if isinstance(term, Literal):
            if term.datatype == XSD.boolean:
                return "yes" if term.toPython() is True else "no"
            return str(term)
        if isinstance(term, BNode):
            return Ref("(blank node)", style="blank")
        if is_data(term) and self.kind(term) == "time":
            return self.span(term)
        return self.ref(term)

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

    # ---- writing --------------------------------------------------------------------

    def write(self, path: str, template: str, title: str, **view) -> None:
        """One page: templates/<template> filled with what the page shows (autoescaped)."""
        page = _templates().get_template(template).render(here=path, title=title, nav=NAV, **view)
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page, encoding="utf-8")
        self.report.pages += 1


@functools.lru_cache(maxsize=1)
def _templates() -> Environment:
    """The site's Jinja2 templates, autoescaping everything."""
    env = Environment(
        loader=PackageLoader("ots_kg.render", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["rel"] = _rel
    env.globals["STYLESHEET"] = STYLESHEET
    return env


@pass_context
def _rel(context, target: str) -> str:
    """A site path (maybe with #id) as a link from the page being rendered; outside URLs
    and same-page ids as they are."""
    if target.startswith(("#", "http://", "https://")):
        return target
    here = context["here"]
    path, _, frag = target.partition("#")
    if path == here and frag:
        return f"#{frag}"
    return _relative(path, posixpath.dirname(here)) + (f"#{frag}" if frag else "")


@functools.lru_cache(maxsize=4096)
def _relative(path: str, folder: str) -> str:
    if not path:
        return ""
    return posixpath.relpath(path, folder or ".")


def copy_static(out: Path) -> None:
    """The stylesheet next to the pages (every page links it; nothing is inlined)."""
    target = out / STYLESHEET
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(resources.files("ots_kg.render").joinpath("static/site.css").read_bytes())


def passage_id(passage) -> str:
    """The id of a passage on sources.html: `ots-areas-of-cooperation-L194`."""
    doc, _, line = str(passage).rpartition("#")
    return anchor(f"{doc.rsplit('/', 1)[-1]}-{line}")


def _passage_order(passage) -> tuple[str, int]:
    doc, _, line = str(passage).rpartition("#L")
    return (doc, int(line) if line.isdigit() else 0)


# ---- entity pages -----------------------------------------------------------------------


def entity_page(site: Site, node: URIRef) -> None:
    kind = site.kind(node)
    listing, heading = SECTIONS[kind]
    facts = defaultdict(list)
    for pred, obj in site.outgoing[node]:
        if pred not in HIDDEN:
            facts[pred].append(obj)
    order = sorted(facts, key=lambda p: (FIRST.index(p), ()) if p in FIRST else (len(FIRST), _prop_order(site, p)))
    rows = []
    for pred in order:
        values = sorted(facts[pred], key=lambda o: site.sort_key(o) if not isinstance(o, Literal) else ("", str(o), ""))
        rows.append((site.prop(pred), join((site.value(v) for v in values), "br")))
    site.write(
        site.pages[node],
        "entity.html",
        site.label(node),
        listing=listing,
        heading=heading,
        types=join(site.ref(t) for t in site.types(node)) or kind,
        label=site.label(node),
        iri=str(node),
        facts=rows,
        incoming=_incoming(site, node),
        claims=_claims(site, [c for p, c in site.outgoing[node] if p == OTS.claim]),
        aggregates=_aggregates(site, [a for p, a in site.outgoing[node] if p == OTS.statedAggregate]),
        attendance=_attendance(site, [a for p, a in site.outgoing[node] if p == OTS.participation]),
        cited=[
            site.cite(c)
            for c in sorted((o for p, o in site.outgoing[node] if p == PROV.wasDerivedFrom), key=_passage_order)
        ],
    )


def _prop_order(site: Site, pred) -> tuple[int, str]:
    """ots: properties first, by name; then the others by compact IRI."""
    return (0, site.vocab[pred].lower()) if pred in site.vocab else (1, compact(pred).lower())


def _incoming(site: Site, node) -> list[dict]:
    """The nodes linking here, grouped by property and kind."""
    groups: dict[tuple, list] = defaultdict(list)
    for pred, subject in site.incoming[node]:
        if pred not in (OTS.claim, OTS.statedAggregate, PROV.wasDerivedFrom):
            groups[(pred, site.kind(subject))].append(subject)
    return [
        {
            "title": PLURAL.get(kind, kind).capitalize(),
            "prop": site.prop(pred),
            "items": [_describe(site, subject, node) for subject in sorted(set(subjects), key=site.sort_key)],
        }
        for (pred, kind), subjects in sorted(groups.items(), key=lambda kv: (kv[0][1], str(kv[0][0])))
    ]


def _describe(site: Site, subject, target) -> Join:
    """One line for a node linking here: events with their date, memberships and posts in words."""
    g = site.g
    kind = site.kind(subject)
    if kind == "membership":
        role, org, member = (g.value(subject, p) for p in (ORG.role, ORG.organization, ORG.member))
        during = g.value(subject, ORG.memberDuring)
        accepted = g.value(subject, OTS.acceptedAt)
        return join(
            (
                site.ref(member) if member is not None and member != target else "",
                site.ref(role) if role is not None else "",
                phrase("of ", site.ref(org)) if org is not None and org != target else "",
                site.span(during) if during is not None else "",
                phrase("(accepted at ", site.ref(accepted), ")") if accepted is not None else "",
            ),
            " ",
        )
    if kind == "post":
        holders = join(site.ref(h) for h in sorted(g.objects(subject, ORG.heldBy), key=site.sort_key))
        org = g.value(subject, ORG.postIn)
        return phrase(
            site.label(subject),
            phrase(" in ", site.ref(org)) if org is not None and org != target else "",
            phrase(" — held by ", holders) if holders else "",
        )
    date = site.start(subject)
    return join((Ref(date, style="muted") if date else "", site.ref(subject)), " ")


def _claims(site: Site, claims: list) -> list[tuple]:
    g = site.g
    rows = []
    for claim in sorted(claims, key=str):
        prop = g.value(claim, OTS.claimedProperty)
        canonical = g.value(claim, OTS.isCanonical)
        passages = sorted(g.objects(claim, PROV.wasDerivedFrom), key=_passage_order)
        rows.append(
            (
                site.prop(prop) if prop is not None else "",
                site.value(g.value(claim, OTS.claimedValue)),
                "canonical" if canonical is not None and canonical.toPython() is True else "not canonical",
                join((site.cite(p) for p in passages), "br"),
            )
        )
    return rows


def _aggregates(site: Site, aggregates: list) -> list[dict]:
    g = site.g
    rows = []
    for agg in sorted(aggregates, key=str):
        count, lower = g.value(agg, OTS.countValue), g.value(agg, OTS.isLowerBound)
        claims = sorted(g.objects(agg, OTS.claim), key=str)
        rows.append(
            {
                "statement": site.label(agg),
                "count": ("more than " if lower is not None and lower.toPython() is True else "")
                + (str(count) if count is not None else "?"),
                "claims": join(
                    (
                        phrase(str(g.value(c, OTS.claimedValue)), " (", site.cite(g.value(c, PROV.wasDerivedFrom)), ")")
                        for c in claims
                    ),
                    "; ",
                ),
                "what": str(g.value(agg, OTS.countedThing) or ""),
                "as_of": str(g.value(agg, OTS.asOf) or ""),
                "passages": join(
                    (site.cite(p) for p in sorted(g.objects(agg, PROV.wasDerivedFrom), key=_passage_order)), "br"
                ),
            }
        )
    return rows


def _attendance(site: Site, participations: list) -> list[tuple]:
    """Who attended an event (ots:Participation nodes): person, whom they represented, post,
    level, capacity, host or chair, and the cited passages."""
    g = site.g

    def one(node, pred):
        value = g.value(node, pred)
        return site.ref(value) if value is not None else ""

    def flag(node, pred, word):
        return word if (node, pred, Literal(True)) in g else ""

    rows = []
    for part in participations:
        rows.append(
            (
                one(part, OTS.participant),
                one(part, OTS.represents),
                one(part, OTS.inPost),
                one(part, OTS.level),
                one(part, OTS.capacity),
                join((flag(part, OTS.isHost, "host"), flag(part, OTS.isChair, "chair"))),
                join((site.cite(p) for p in sorted(g.objects(part, PROV.wasDerivedFrom), key=_passage_order)), "br"),
            )
        )
    return sorted(rows, key=lambda row: (plain(row[1]).lower(), plain(row[0]).lower()))


# ---- list pages -------------------------------------------------------------------------

INTROS = {
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


def list_pages(site: Site) -> None:
    by_listing: dict[str, list] = defaultdict(list)
    for node in site.pages:
        by_listing[SECTIONS[site.kind(node)][0]].append(node)
    for listing, heading in sorted(set(SECTIONS.values())):
        nodes = sorted(by_listing.get(listing, []), key=site.sort_key)
        groups: dict[str, list] = defaultdict(list)
        if listing == "events.html":
            for node in nodes:
                groups[site.start(node)[:4] or "undated"].append(node)
            sections = [
                {
                    "id": f"y{key}",
                    "title": key,
                    "headers": ("start", "event", "type", "area"),
                    "rows": [
                        (
                            site.start(n),
                            site.ref(n),
                            join(site.ref(t) for t in site.types(n)),
                            join(site.ref(a) for a in sorted(site.g.objects(n, OTS.area), key=site.label)),
                        )
                        for n in groups[key]
                    ],
                }
                for key in sorted(groups, reverse=True)
            ]
        else:
            for node in nodes:
                types = site.types(node)
                groups[site.label(types[0]) if types else "other"].append(node)
            sections = [
                {
                    "id": anchor(key),
                    "title": key,
                    "headers": ("name", "details"),
                    "rows": [(site.ref(n), _list_details(site, n)) for n in groups[key]],
                }
                for key in sorted(groups, key=lambda k: (-len(groups[k]), k))
            ]
        site.write(
            listing,
            "listing.html",
            heading,
            heading=heading,
            intro=INTROS.get(listing, ""),
            total=len(nodes),
            years=[s["id"][1:] for s in sections] if listing == "events.html" else [],
            sections=sections,
        )


def _list_details(site: Site, node) -> Join:
    g = site.g
    kind = site.kind(node)
    bits: list = []
    if kind == "state":
        roles = [g.value(m, ORG.role) for p, m in site.incoming[node] if p == ORG.member]
        bits += [site.ref(r) for r in sorted((r for r in roles if r is not None), key=site.sort_key)]
        codes = [str(v) for v in (g.value(node, OTS.iso3166Alpha2), g.value(node, OTS.iso3166Alpha3)) if v]
        bits += [" / ".join(codes)] if codes else []
    elif kind in ("organisation", "organ"):
        for pred in (OTS.ofState, ORG.unitOf, OTS.seat):
            bits += [site.ref(o) for o in g.objects(node, pred)]
    elif kind in ("mechanism", "document"):
        bits += [site.ref(a) for a in sorted(g.objects(node, OTS.area), key=site.label)]
        count = sum(1 for p, _ in site.incoming[node] if p == OTS.inSeries)
        if count:
            bits.append(f"{count} events")
        bits.append(site.start(node))
    elif kind == "place":
        bits += [site.ref(o) for o in g.objects(node, SCHEMA.containedInPlace)]
    elif kind == "person":
        bits += [site.ref(o) for o in g.objects(node, OTS.ofState)]
        bits += sorted(site.label(s) for pr, s in site.incoming[node] if pr == ORG.heldBy)
    elif kind == "area":
        counts = Counter(site.kind(s) for p, s in site.incoming[node] if p == OTS.area)
        bits += [f"{n} {PLURAL.get(k, k)}" for k, n in sorted(counts.items())]
    return join(bits, " · ")


# ---- ontology ------------------------------------------------------------------------------


def ontology_page(site: Site) -> None:
    g = site.g
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

    def terms(values: Iterable, name=None) -> Join:
        return join(
            site.ref(v, name(v) if name else None) if v in site.vocab else Ref(compact(v), style="code")
            for v in sorted(values, key=str)
        )

    def section(term, what: str, rows: list[tuple[str, object]]) -> dict:
        comment = g.value(term, RDFS.comment)
        return {
            "id": site.vocab[term],
            "title": str(g.value(term, RDFS.label) or local_name(term)),
            "what": what,
            "iri": compact(term),
            "comment": str(comment or ""),
            "rows": [(k, v) for k, v in rows if v],
        }

    class_sections = []
    for cls in classes:
        subs = sorted((s for s in g.subjects(RDFS.subClassOf, cls) if s in site.vocab), key=str)
        examples = sorted(by_type.get(cls, ()), key=site.sort_key)[:6]
        count = instances.get(cls, 0)
        listed = (
            phrase(": ", join(site.ref(n) for n in examples), ", …" if count > len(examples) else "")
            if examples
            else ""
        )
        rows = [
            ("subclass of", terms(g.objects(cls, RDFS.subClassOf))),
            ("subclasses", join(site.ref(s) for s in subs)),
            ("disjoint with", terms(disjoint.get(cls, ()))),
            ("domain of", join(site.ref(p, local_name(p)) for p in props if (p, RDFS.domain, cls) in g)),
            ("range of", join(site.ref(p, local_name(p)) for p in props if (p, RDFS.range, cls) in g)),
            ("in the data", phrase(f"{count} instances", listed)),
        ]
        class_sections.append(section(cls, "class", rows))
    prop_sections = []
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
        rows = [("kind", ", ".join(kinds))]
        for name, pred in (("domain", RDFS.domain), ("range", RDFS.range), ("subproperty of", RDFS.subPropertyOf)):
            rows.append((name, terms(g.objects(prop, pred))))
        subs = sorted((s for s in g.subjects(RDFS.subPropertyOf, prop) if s in site.vocab), key=str)
        rows.append(("subproperties", join(site.ref(s, local_name(s)) for s in subs)))
        rows.append(("in the data", f"{usage.get(prop, 0)} statements"))
        prop_sections.append(section(prop, "property", rows))
    other_sections = [
        section(
            term,
            "individual",
            [
                ("type", terms(g.objects(term, RDF.type))),
                ("broader", join(site.ref(b) for b in g.objects(term, SKOS.broader))),
                ("in the data", f"{sum(1 for _ in g.subjects(ORG.role, term))} memberships"),
            ],
        )
        for term in others
    ]
    licence = g.value(ontology, DCTERMS.license) if ontology is not None else None
    site.write(
        "ontology.html",
        "ontology.html",
        "Ontology",
        ontology=str(ontology) if ontology is not None else None,
        description=str(g.value(ontology, DCTERMS.description) or "") if ontology is not None else "",
        version=str(g.value(ontology, OWL.versionInfo) or "?") if ontology is not None else "?",
        licence=site.ref(licence) if licence is not None else None,
        class_index=[(local_name(c), site.vocab[c]) for c in classes],
        prop_index=[(local_name(p), site.vocab[p]) for p in props],
        classes=class_sections,
        properties=prop_sections,
        individuals=other_sections,
    )


# ---- shapes --------------------------------------------------------------------------------

TARGET_WORDS = {
    SH.targetClass: "every instance of",
    SH.targetNode: "the node",
    SH.targetSubjectsOf: "every subject of",
    SH.targetObjectsOf: "every object of",
}
LOGICAL_WORDS = {SH["or"]: ("either ", " or "), SH.xone: ("exactly one of ", " or "), SH["and"]: ("all of ", " and ")}


class ShapeText:
    """Parsed SHACL shapes (validation.shapes) explained in words: targets, then one phrase
    per constraint."""

    def __init__(self, site: Site, shapes: Shapes) -> None:
        self.site = site
        self.named = set(shapes.named)

    def ref(self, node) -> Ref | str:
        if node in self.named:
            return Ref(local_name(node), "#shape-" + anchor(local_name(node)))
        if isinstance(node, URIRef) and node in self.site.vocab:
            return self.site.ref(node, compact(node))
        return Ref(compact(node), style="code")

    def path(self, path: ShapePath):
        if path.kind == "iri":
            return self.ref(path.iri)
        if path.kind == "inverse":
            return phrase("the inverse of ", self.path(path.parts[0]), " (nodes linking here)")
        if path.kind == "sequence":
            return join((self.path(p) for p in path.parts), " then ")
        return "(complex path)"

    def constraint(self, component, value):
        words = {
            SH.datatype: lambda v: phrase("each value a literal of type ", self.ref(v)),
            SH["class"]: lambda v: phrase("each value an instance of ", self.ref(v)),
            SH.nodeKind: lambda v: "each value an IRI" if v == SH.IRI else phrase("each value ", self.ref(v)),
            SH.pattern: lambda v: phrase("each value matching the pattern ", Ref(str(v), style="code")),
            SH.uniqueLang: lambda v: "at most one value per language" if v.toPython() else "",
            SH.hasValue: lambda v: phrase("must include ", self.ref(v)),
            SH.minInclusive: lambda v: f"at least {v}",
            SH.maxInclusive: lambda v: f"at most {v}",
            SH.minLength: lambda v: f"at least {v} characters",
            SH.maxLength: lambda v: f"at most {v} characters",
            SH.node: lambda v: phrase("each value conforming to ", self.ref(v)),
        }
        return words[component](value)

    def constraints(self, shape: Shape) -> list:
        out: list = []
        lo, hi = shape.min_count, shape.max_count
        if lo is not None and hi is not None and lo == hi:
            out.append(f"exactly {lo} value{'s' if lo != 1 else ''}")
        else:
            if lo is not None:
                out.append(f"at least {lo} value{'s' if lo != 1 else ''}")
            if hi is not None:
                out.append(f"at most {hi} value{'s' if hi != 1 else ''}")
        out += [c for c in (self.constraint(k, v) for k, v in shape.constraints) if c]
        for component, items in shape.logical:
            lead, word = LOGICAL_WORDS[component]
            out.append(phrase(lead, join((phrase("(", self.inline(i), ")") for i in items), word)))
        out += [phrase("not (", self.inline(n), ")") for n in shape.negated]
        return out

    def inline(self, shape: Shape):
        """A nested shape in one phrase."""
        said = self.constraints(shape)
        if shape.named:
            if shape.path is None or not said:
                return self.ref(shape.node)
            return phrase(self.ref(shape.node), " (", self.path(shape.path), ": ", join(said), ")")
        words = join(said) or "any value"
        return phrase(self.path(shape.path), ": ", words) if shape.path is not None else words

    def section(self, shape: Shape) -> dict:
        name = local_name(shape.node)
        rows: list[tuple[str, object]] = []
        targets = [phrase(TARGET_WORDS[pred], " ", self.ref(value)) for pred, value in shape.targets]
        if targets:
            rows.append(("applies to", join(targets, "; ")))
        if shape.users:
            rows.append(("used by", join(Ref(u, "#shape-" + anchor(u)) for u in shape.users)))
        rows.append(
            (
                "severity",
                "warning: reported, does not make the data fail"
                if shape.severity == SH.Warning
                else "violation: the data does not conform",
            )
        )
        said = self.constraints(shape)
        if shape.path is not None:
            rows.append(("checks", phrase(self.path(shape.path), ": ", join(said) or "any value")))
        elif said:
            rows.append(("requires", join(said, "; ")))
        if shape.properties:
            rows.append(("properties", join(sorted((self.inline(p) for p in shape.properties), key=plain), "li")))
        if shape.sparql:
            graph = self.site.shapes.graph
            rows.append(
                (
                    "SPARQL checks",
                    join(
                        (phrase(self.ref(c), ": ", str(graph.value(c, SH.message) or "")) for c in shape.sparql), "li"
                    ),
                )
            )
        return {
            "id": "shape-" + anchor(name),
            "title": shape.label or name,
            "kinds": ", ".join(sorted(shape.kinds)),
            "name": name,
            "comment": shape.comment or "",
            "rows": rows,
            "select": shape.select,
            "message": shape.messages[0] if shape.messages else None,
        }


def shapes_page(site: Site) -> None:
    if site.shapes is None:
        site.write("shapes.html", "shapes.html", "Shapes", shapes=None)
        return
    text = ShapeText(site, site.shapes)
    parsed = site.shapes.parsed()
    node_shapes = [s for s in parsed if site.shapes.is_node_shape(s.node)]
    rest = [s for s in parsed if s not in node_shapes]
    site.write(
        "shapes.html",
        "shapes.html",
        "Shapes",
        shapes=True,
        node_index=[text.ref(s.node) for s in node_shapes],
        rest_index=[text.ref(s.node) for s in rest],
        node_shapes=[text.section(s) for s in node_shapes],
        rest=[text.section(s) for s in rest],
    )


# ---- queries -------------------------------------------------------------------------------


def queries_page(site: Site) -> None:
    from ..sparql.catalogue import catalogue
    from ..sparql.engines import open_engine

    engine = open_engine("oxigraph", graph=site.g)
    sections = []
    for name, query in catalogue().items():
        values = query.example_values()
        try:
            sample, error = _sample(site, engine.run(query, values)), ""
        except OtsKgError as exc:
            sample, error = None, str(exc)
        sections.append(
            {
                "id": anchor(name),
                "name": name,
                "kind": query.kind,
                "summary": query.summary,
                "tags": query.tags,
                "params": [
                    (
                        Ref(p.name, style="code"),
                        p.type,
                        "required" if p.required else (f"default {p.default}" if p.default else "optional"),
                        p.description,
                    )
                    for p in query.params
                ],
                "examples": query.examples,
                "file": query.path.name,
                "text": query.text,
                "shown": " ".join(f"-p {k}={v}" for k, v in values.items()),
                "sample": sample,
                "error": error,
                "exceptions": query.engine_exceptions,
            }
        )
    site.write("queries.html", "queries.html", "Queries", queries=sections)


def _sample(site: Site, results, limit: int = 10) -> dict:
    """The first rows of a query's answer, as cells."""

    def cell(value):
        if value is None:
            return ""
        term = to_rdflib(value)
        if isinstance(term, URIRef):
            return site.ref(term, site.label(term) if term in site.pages else None)
        return site.value(term)

    if results.kind == "ASK":
        return {"answer": "yes" if results.boolean else "no"}
    if results.kind in ("CONSTRUCT", "DESCRIBE"):
        triples = sorted(results.triples, key=lambda t: tuple(str(x) for x in t))
        rows = [tuple(cell(t) for t in triple) for triple in triples[:limit]]
        return {
            "note": f"{len(triples)} triples; first {len(rows)}:",
            "headers": ("subject", "predicate", "object"),
            "rows": rows,
        }
    rows = [tuple(cell(t) for t in row) for row in results.rows[:limit]]
    more = (
        f"{len(results.rows)} rows; first {len(rows)} shown."
        if len(results.rows) > limit
        else f"{len(results.rows)} rows."
    )
    return {"note": more, "headers": results.vars, "rows": rows}


# ---- sources, summits, charts, index --------------------------------------------------------


def owner(site: Site, node, depth: int = 0):
    """The page a citing node belongs to: itself, or what its claim, count, membership,
    post or participation is about."""
    if node in site.pages or depth > 3:
        return node if node in site.pages else None
    for pred in (OTS.claim, OTS.statedAggregate, OTS.participation):
        for subject in site.g.subjects(pred, node):
            return owner(site, subject, depth + 1)
    for pred in (ORG.member, ORG.postIn):
        value = site.g.value(node, pred)
        if value is not None:
            return owner(site, value, depth + 1)
    return None


def sources_page(site: Site) -> None:
    g = site.g
    citing = defaultdict(set)
    for subject, passage in g.subject_objects(PROV.wasDerivedFrom):
        page = owner(site, subject)
        if page is not None:
            citing[passage].add(page)
    documents = []
    for doc in sorted(g.subjects(RDF.type, OTS.SourceDocument), key=str):
        passages = sorted((p for p in site.passages if g.value(p, DCTERMS.isPartOf) == doc), key=_passage_order)
        documents.append(
            {
                "id": anchor(str(doc).rsplit("/", 1)[-1]),
                "title": site.label(doc),
                "iri": str(doc),
                "file": str(g.value(doc, OTS.fileName) or "?"),
                "found": f"found in the sources folder ({site.lines[doc]} lines)"
                if doc in site.lines
                else "source file not at hand: line numbers come from the passage IRIs",
                "rows": [
                    (
                        passage_id(p),
                        compact(p),
                        str(g.value(p, OTS.lineNumber)),
                        join(site.ref(n) for n in sorted(citing.get(p, ()), key=site.sort_key)),
                    )
                    for p in passages
                ],
            }
        )
    site.write("sources.html", "sources.html", "Sources", documents=documents)


def summits_page(site: Site) -> None:
    """The summit record: every summit with its attendance, linking to the event pages."""
    g = site.g
    rows = []
    summits = {s for s in g.subjects(RDF.type, OTS.Summit) if s in site.pages}
    for summit in sorted(summits, key=site.sort_key):
        attended = [p for p in g.objects(summit, OTS.participation)]
        chairs = [g.value(p, OTS.participant) for p in attended if (p, OTS.isChair, Literal(True)) in g]
        represented = {g.value(p, OTS.represents) for p in attended} - {None}
        rows.append(
            (
                str(g.value(summit, OTS.ordinal) or ""),
                site.start(summit),
                site.ref(summit),
                join(site.ref(p) for p in sorted(g.objects(summit, SCHEMA.location), key=str)),
                len(attended) or "",
                len(represented) or "",
                join(site.ref(c) for c in sorted((c for c in chairs if c is not None), key=site.sort_key)),
            )
        )
    site.write(
        "summits.html",
        "summits.html",
        "Summits",
        rows=rows,
        recorded=sum(1 for r in rows if r[4]),
        participations=sum(r[4] or 0 for r in rows),
    )


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
    site.write(
        "charts.html",
        "charts.html",
        "Charts",
        charts=[(anchor(name[:-4]), title, command, f"charts/{name}") for name, title, command in CHARTS],
    )


def index_page(site: Site) -> None:
    g = site.g
    counts = Counter(site.kind(n) for n in site.pages)
    ontology = next(iter(g.subjects(RDF.type, OWL.Ontology)), None)
    version = g.value(ontology, OWL.versionInfo) if ontology is not None else None
    site.write(
        "index.html",
        "index.html",
        "Home",
        cards=[
            ("states.html", counts["state"], "states"),
            ("organisations.html", counts["organisation"] + counts["organ"], "organisations"),
            ("mechanisms.html", counts["mechanism"], "mechanisms"),
            ("events.html", counts["event"], "events"),
            ("summits.html", sum(1 for s in g.subjects(RDF.type, OTS.Summit) if s in site.pages), "summits"),
            ("documents.html", counts["document"], "documents"),
            ("people.html", counts["person"], "people"),
            ("sources.html", len(site.passages), "cited passages"),
            ("areas.html", len(set(g.subjects(RDF.type, OTS.AreaOfCooperation))), "areas of cooperation"),
        ],
        reference=[
            ("ontology.html", "Ontology reference", "every class and property, with domain, range and alignments"),
            ("shapes.html", "SHACL shapes", "what validation checks, in plain words"),
            ("queries.html", "Query catalogue", "the stored SPARQL queries with sample results"),
            ("summits.html", "Summit record", "every summit with its attendance, states represented and chair"),
            ("charts.html", "Charts", "timeline, meeting series and the institutional network"),
        ],
        triples=len(g),
        version=str(version or "?"),
    )


def build(
    output: str | Path,
    paths: Sequence[str | Path] | None = None,
    *,
    sources: str | Path | None = None,
    graph: Graph | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Write the site into output (created if missing); load the graph once, draw each chart once.
    progress(text) is told each step as it starts (the command line shows it on a terminal)."""
    say = progress or (lambda text: None)
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
    say("loading the graph")
    g = graph if graph is not None else load_graph(list(paths) if paths else None)
    shapes = load_shapes()
    folder = Path(sources) if sources is not None else sources_dir()
    if sources is not None and not folder.is_dir():
        raise OtsKgError(f"{folder}: sources folder not found")
    site = Site(g, out, folder, shapes)
    try:
        copy_static(out)
        nodes = sorted(site.pages, key=str)
        for number, node in enumerate(nodes, 1):
            if number % 50 == 1:
                say(f"entity pages {number} of {len(nodes)}")
            entity_page(site, node)
        for write in (list_pages, ontology_page, shapes_page, queries_page, sources_page, summits_page, charts):
            say(write.__name__.replace("_", " "))
            write(site)
        index_page(site)
    except OSError as exc:
        raise OtsKgError(f"{out}: cannot write ({exc.strerror})") from None
    site.report.seconds = time.perf_counter() - started
    return site.report
