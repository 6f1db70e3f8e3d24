"""Charts of the graph: events per year by area, meeting series over time, the institutional network.

Each chart function reads what it draws from the graph, writes a PNG or SVG (chosen by the
file suffix) and returns the data it plotted, so tests can check the picture against an
independent SPARQL count. matplotlib is imported lazily with the Agg backend: the CLI starts
fast and never needs a display.
"""

from __future__ import annotations

import calendar
import os
import re
import textwrap
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SKOS

from ..errors import OtsKgError
from ..model.formats import CHART_SUFFIXES as FORMATS
from ..model.graph import Classifier, compact, events, expand, label
from ..model.vocab import ORG, OTS, PREFIXES, SCHEMA
from .labels import Spot, around, place, text_boxes


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "ots-kg", "font.size": 9, "axes.titleweight": "bold"})
    return plt


def _save(fig, output: str | os.PathLike[str]) -> Path:
    """Write PNG or SVG by suffix; SVGs carry no date, so rebuilding gives the same bytes."""
    plt = _pyplot()
    path = Path(output)
    if path.suffix.lower() not in FORMATS:
        plt.close(fig)
        raise OtsKgError(f"{path}: unknown chart format {path.suffix or '(none)'!r}; use .png or .svg")
    metadata = {"Date": None} if path.suffix.lower() == ".svg" else {"Software": "ots-kg"}
    try:
        fig.savefig(path, dpi=150, metadata=metadata, bbox_inches="tight")
    except OSError as exc:
        raise OtsKgError(f"{path}: cannot write ({exc.strerror})") from None
    finally:
        plt.close(fig)
    return path


def short_label(graph: Graph, node, limit: int = 40) -> str:
    """The label, or a shorter alternative label (an acronym), or the label cut at limit."""
    text = label(graph, node)
    if len(text) <= limit:
        return text
    alts = sorted((str(a) for a in graph.objects(node, SKOS.altLabel)), key=len)
    if alts and len(alts[0]) < len(text):
        text = alts[0]
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _shared_phrase(word_lists: list[list[str]], at_start: bool, least: int) -> tuple[str, ...]:
    """The longest run of at least two words that at least `least` labels start (or end) with."""
    best: tuple[str, ...] = ()
    for n in range(2, 8):
        runs = Counter(tuple(w.lower() for w in (ws[:n] if at_start else ws[-n:])) for ws in word_lists if len(ws) > n)
        common = [run for run, k in runs.items() if k >= least]
        if not common:
            break
        best = max(common, key=lambda r: (runs[r], r))
    return best


def _cut_middle(words: list[str], limit: int) -> str:
    """`first words … last words` within limit characters, cut between words."""
    head: list[str] = []
    tail: list[str] = []
    i, j = 0, len(words) - 1
    while i <= j:  # take from the end first: the end tells series apart
        for side in (tail, head):
            if i > j:
                break
            word = words[j] if side is tail else words[i]
            if len(" ".join([*head, "…", word, *tail])) > limit:
                return " ".join([*head, "…", *tail])
            if side is tail:
                tail.insert(0, word)
                j -= 1
            else:
                head.append(word)
                i += 1
    return " ".join(words)


def shorten_labels(
    labels: dict[str, str], limit: int = 48, alternatives: dict[str, list[str]] | None = None
) -> tuple[dict[str, str], list[str]]:
    """Labels that tell series apart: the leading and trailing phrases many labels share
    ("Meeting of the", "of the Organization of Turkic States") are dropped, and a label still
    too long loses its middle, not its end, which is what distinguishes it. Returns the
    labels and the phrases dropped (for a note on the chart)."""
    word_lists = {k: v.split() for k, v in labels.items()}
    dropped = []
    for at_start in (True, False):
        least = max(3, len(labels) // 4) if at_start else 3
        phrase = _shared_phrase(list(word_lists.values()), at_start, least)
        if not phrase:
            continue
        n = len(phrase)
        for k, ws in word_lists.items():
            part = ws[:n] if at_start else ws[-n:]
            if len(ws) > n and tuple(w.lower() for w in part) == phrase:
                word_lists[k] = ws[n:] if at_start else ws[:-n]
        dropped.append(" ".join(phrase))
    out = {}
    for k, ws in word_lists.items():
        text = " ".join(ws)
        if ws and ws[0][0].islower():
            text = text[0].upper() + text[1:]
        if len(text) > limit:  # a short alternative name (an acronym) first, else drop the middle
            alts = sorted((a for a in (alternatives or {}).get(k, []) if len(a) <= limit), key=len)
            text = alts[0] if alts else _cut_middle(text.split(), limit)
        out[k] = text
    return out, dropped


# ---- areas -----------------------------------------------------------------------------


def all_areas(graph: Graph) -> list[URIRef]:
    """The areas of cooperation, sorted by label (which fixes their colours)."""
    return sorted(graph.subjects(RDF.type, OTS.AreaOfCooperation), key=lambda a: label(graph, a))


def resolve_areas(graph: Graph, specs: Iterable[str]) -> list[URIRef]:
    """Area slugs (health), prefixed (area:health) or full IRIs as area nodes; unknown ones fail."""
    known = set(all_areas(graph))
    slugs = sorted(str(a).rsplit("/", 1)[-1] for a in known)
    found: list[URIRef] = []
    for spec in specs:
        text = spec.strip()
        iri = expand(text) if ":" in text else URIRef(PREFIXES["area"] + text)
        if iri not in known:
            raise OtsKgError(f"unknown area {spec!r}; areas: {', '.join(slugs)}")
        if iri not in found:
            found.append(iri)
    return found


OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHER_COLOUR = "#BBBBBB"
MAX_CATEGORIES = 7  # Okabe-Ito without black: more than this and colours stop being told apart


def category_colours(names: Sequence[str], limit: int = MAX_CATEGORIES) -> tuple[dict[str, str], list[str]]:
    """Colours for the first `limit` names (biggest first) from the Okabe-Ito palette, which
    colour-blind readers tell apart; the rest are grouped as "other" (grey)."""
    if len(names) <= limit + 1:  # one "other" of a single name helps no one
        shown = list(names)
    else:
        shown = list(names[:limit])
    colours = {name: OKABE_ITO[i % 7] for i, name in enumerate(shown)}
    return colours, [n for n in names if n not in colours]


# ---- timeline -------------------------------------------------------------------------


@dataclass
class Timeline:
    """What `timeline` drew: counts[year][area label] (events; an event of two areas counts
    in both) and totals[year] (distinct events), only years and areas that have events."""

    counts: dict[str, dict[str, int]]
    totals: dict[str, int]
    areas: list[str]
    events: int = 0
    multi_area: int = 0


def timeline_data(
    graph: Graph, areas: Sequence[str] = (), year_from: int | None = None, year_to: int | None = None
) -> Timeline:
    """Events per start year and area of cooperation, optionally limited to areas and years."""
    if year_from is not None and year_to is not None and year_from > year_to:
        raise OtsKgError(f"--from {year_from} is after --to {year_to}")
    wanted = set(resolve_areas(graph, areas)) if areas else None
    counts: dict[str, Counter] = defaultdict(Counter)
    per_year: dict[str, set] = defaultdict(set)
    multi = 0
    for event in events(graph):
        start = graph.value(event, SCHEMA.startDate)
        if start is None:
            continue
        year = str(start)[:4]
        if (year_from is not None and int(year) < year_from) or (year_to is not None and int(year) > year_to):
            continue
        event_areas = [a for a in graph.objects(event, OTS.area) if wanted is None or a in wanted]
        if not event_areas:
            continue
        multi += len(event_areas) > 1
        per_year[year].add(event)
        for area in event_areas:
            counts[year][label(graph, area)] += 1
    years = sorted(counts)
    used = Counter()
    for year in years:
        used.update(counts[year])
    return Timeline(
        counts={y: dict(sorted(counts[y].items())) for y in years},
        totals={y: len(per_year[y]) for y in years},
        areas=[a for a, _ in sorted(used.items(), key=lambda kv: (-kv[1], kv[0]))],
        events=sum(len(per_year[y]) for y in years),
        multi_area=multi,
    )


def coverage_source(graph: Graph) -> str | None:
    """The file stem of the source document that the most events cite (the overview)."""
    return _coverage(graph)[0]


def coverage_end(graph: Graph) -> int | None:
    """The last year of a held event drawn from the overview source: after it the counts rest
    on fewer sources."""
    return _coverage(graph)[1]


def _coverage(graph: Graph) -> tuple[str | None, int | None]:
    from ..model.prefixes import passage_parts
    from ..model.vocab import PROV

    per_source: dict[str, list[int]] = defaultdict(list)
    for event in events(graph):
        start = graph.value(event, SCHEMA.startDate)
        if start is None or _flag(graph, event, OTS.isPlanned):
            continue
        for passage in set(graph.objects(event, PROV.wasDerivedFrom)):
            parts = passage_parts(passage)
            if parts:
                per_source[parts[0]].append(int(str(start)[:4]))
    if not per_source:
        return None, None
    main = max(per_source, key=lambda s: (len(per_source[s]), s))
    return main.rsplit("/", 1)[-1], max(per_source[main])


def year_slots(years: Iterable[int], first: int, last: int, min_gap: int = 4) -> list[tuple[int, int]]:
    """Year ranges to draw, one per slot: a year with data is (y, y); a run of at least
    min_gap empty years is one slot (a, b), so a lone early event does not squash the rest."""
    have = set(years)
    slots: list[tuple[int, int]] = []
    year = first
    while year <= last:
        end = year
        while end + 1 <= last and end + 1 not in have and year not in have:
            end += 1
        if year not in have and end - year + 1 >= min_gap and first < year and end < last:
            slots.append((year, end))
        else:
            end = year
            slots.append((year, year))
        year = end + 1
    return slots


def _slot_label(slot: tuple[int, int]) -> str:
    return str(slot[0]) if slot[0] == slot[1] else f"{slot[0]}–{slot[1]}\n(none)"


def timeline(
    graph: Graph,
    output: str | os.PathLike[str],
    areas: Sequence[str] = (),
    year_from: int | None = None,
    year_to: int | None = None,
) -> Timeline:
    """Stacked bars: events per year, one colour per area of cooperation, totals on top."""
    data = timeline_data(graph, areas, year_from, year_to)
    plt = _pyplot()
    colours, minor = category_colours(data.areas)
    if data.counts:
        first = year_from if year_from is not None else int(min(data.counts))
        last = year_to if year_to is not None else int(max(data.counts))
    else:
        first, last = year_from or 2009, year_to or year_from or 2009
    slots = year_slots((int(y) for y in data.counts), first, last)
    keys = [str(a) if a == b else "" for a, b in slots]
    xs = list(range(len(slots)))
    fig, ax = plt.subplots(figsize=(13, 6.2))
    bottoms = [0] * len(slots)
    stacks = [(area, [area]) for area in colours]
    if minor:
        stacks.append((f"other ({len(minor)} areas)", minor))
    for name, members in stacks:  # biggest area at the bottom, "other" on top
        heights = [sum(data.counts.get(k, {}).get(a, 0) for a in members) for k in keys]
        ax.bar(
            xs,
            heights,
            bottom=bottoms,
            color=colours.get(name, OTHER_COLOUR),
            label=name,
            edgecolor="white",
            linewidth=0.4,
            width=0.8,
        )
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    for i, key in enumerate(keys):
        if data.totals.get(key):
            ax.annotate(
                str(data.totals[key]),
                (i, bottoms[i]),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
                fontweight="bold",
            )
        if not key:
            ax.axvspan(i - 0.45, i + 0.45, color="#eeeeee", hatch="//", linewidth=0, zorder=0)
    ax.set_xticks(xs, [_slot_label(s) for s in slots])
    scope = "all areas" if not areas else ", ".join(data.areas) or "selected areas"
    ax.set_title(
        f"OTS events per year by area of cooperation\n{scope}, {first}–{last}: {data.events} events", loc="left"
    )
    ax.set_xlabel("year of the event's start date")
    ax.set_ylabel("events (stacked by area)")
    ax.margins(x=0.01)
    ax.set_ylim(0, max(bottoms + [1]) * 1.1)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="x", labelsize=8, labelrotation=45 if len(slots) > 20 else 0)
    if data.areas:
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(
            handles[::-1],
            labels[::-1],
            title="area of cooperation",
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            frameon=False,
            fontsize=8,
        )
    else:
        ax.text(0.5, 0.5, "no events match", transform=ax.transAxes, ha="center", color="grey")
    end = coverage_end(graph)
    if end and str(end) in keys and keys.index(str(end)) < len(keys) - 1:
        x = keys.index(str(end)) + 0.5
        ax.axvline(x, color="#555555", linestyle="--", linewidth=1)
        ax.text(
            x - 0.08,
            ax.get_ylim()[1] * 0.98,
            f"overview source ends ({end})",
            rotation=90,
            ha="right",
            va="top",
            fontsize=7.5,
            color="#333333",
        )
    note = "Numbers on bars: distinct events."
    if end:
        note += (
            f" Dashed line: the source most events come from ({coverage_source(graph)}) tells of no held event after"
            f" {end}; the later bars rest on fewer sources, not on less activity."
        )
    if minor:
        note += f" Other: {', '.join(minor)}."
    if data.multi_area:
        note += f" {data.multi_area} event(s) belong to two areas and count in each stack."
    note = textwrap.fill(note + " Source: ots-kg (schema:startDate, ots:area).", 190)
    fig.text(0.01, -0.06, note, fontsize=7, color="#555555", va="top")
    _save(fig, output)
    return data


# ---- meeting series -------------------------------------------------------------------


@dataclass
class Meeting:
    """One meeting of a series as drawn: x is its start date as a fractional year."""

    event: str
    start: str
    ordinal: int | None
    place: str | None
    planned: bool
    special: bool
    x: float


@dataclass
class SeriesChart:
    """What `series` drew: meetings[series IRI] in date order, and each series' label."""

    meetings: dict[str, list[Meeting]]
    labels: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)  # phrases shared by many labels, left out
    label_boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # drawn, in pixels
    unlabelled: list[str] = field(default_factory=list)  # meeting labels that fit nowhere (none expected)


def fractional_year(value: str) -> float:
    """2019 -> 2019.5, 2019-04 -> mid-April, 2019-04-17 -> that day: the middle of what is known."""
    parts = [int(p) for p in value[:10].split("-")]
    year = parts[0]
    if len(parts) == 1:
        return year + 0.5
    month = parts[1]
    if len(parts) == 2:
        return year + (month - 0.5) / 12
    days = 366 if calendar.isleap(year) else 365
    day_of_year = sum(calendar.monthrange(year, m)[1] for m in range(1, month)) + parts[2]
    return year + (day_of_year - 0.5) / days


def _flag(graph: Graph, node, prop) -> bool:
    value = graph.value(node, prop)
    return bool(value is not None and value.toPython() is True)


_SPECIAL = (OTS.isExtraordinary, OTS.isInformal, OTS.isAdHoc)


def series_data(graph: Graph) -> SeriesChart:
    """Every ots:MeetingSeries with at least one event, its meetings in date order."""
    out: dict[str, list[Meeting]] = {}
    labels: dict[str, str] = {}
    for series in sorted(graph.subjects(RDF.type, OTS.MeetingSeries), key=str):
        meetings = []
        for event in graph.subjects(OTS.inSeries, series):
            start = graph.value(event, SCHEMA.startDate)
            if start is None:
                continue
            ordinal = graph.value(event, OTS.ordinal)
            place = graph.value(event, SCHEMA.location)
            online = (event, SCHEMA.eventAttendanceMode, SCHEMA.OnlineEventAttendanceMode) in graph
            meetings.append(
                Meeting(
                    event=str(event),
                    start=str(start),
                    ordinal=int(ordinal) if ordinal is not None else None,
                    place=label(graph, place) if place is not None else ("online" if online else None),
                    planned=_flag(graph, event, OTS.isPlanned),
                    special=any(_flag(graph, event, p) for p in _SPECIAL),
                    x=fractional_year(str(start)),
                )
            )
        if meetings:
            out[str(series)] = sorted(meetings, key=lambda m: (m.x, m.ordinal or 0, m.event))
            labels[str(series)] = label(graph, series)
    alternatives = {s: [str(a) for a in graph.objects(URIRef(s), SKOS.altLabel)] for s in labels}
    labels, dropped = shorten_labels(labels, 48, alternatives)
    order = sorted(out, key=lambda s: (out[s][0].x, labels[s]))
    return SeriesChart({s: out[s] for s in order}, {s: labels[s] for s in order}, dropped)


ROW_INCHES = 0.6  # a row holds two tiers of labels above and below its line
# Where a meeting's "ordinal place" label may go, in order: beside the marker above or
# below, then a second tier, then shifted sideways (those with a leader line).
_SIDEWAYS = (
    (-4, "left"),
    (4, "right"),
    *((d * k, "left" if k > 0 else "right") for d in (10, 22, 34, 46, 58, 70) for k in (1, -1)),
)
SERIES_SPOTS = [
    *(Spot(dx, dy, ha, va) for dy, va in ((4, "bottom"), (-5, "top")) for dx, ha in _SIDEWAYS[:2]),
    *(
        Spot(dx, dy, ha, va, leader=True)
        for tiers in (((12.5, "bottom"), (-13.5, "top"), (4, "bottom"), (-5, "top")), ((21, "bottom"), (-22, "top")))
        for dx, ha in _SIDEWAYS
        for dy, va in tiers
    ),
]


class _Squeeze:
    """Fractional years -> x positions with long empty stretches squeezed to one year."""

    def __init__(self, xs: Sequence[float]) -> None:
        years = {int(x) for x in xs} or {2009}
        self.slots = year_slots(years, min(years), max(years) + 1)

    def __call__(self, x: float) -> float:
        year = int(x)
        shift = sum(b - a for a, b in self.slots if b < year)
        return x - shift

    def ticks(self) -> tuple[list[float], list[str]]:
        return [self(a) + (0.5 if a != b else 0) for a, b in self.slots], [
            str(a) if a == b else "…" for a, b in self.slots
        ]

    def gaps(self) -> str:
        return ", ".join(f"{a}–{b}" for a, b in self.slots if a != b)


def series(graph: Graph, output: str | os.PathLike[str]) -> SeriesChart:
    """One row per meeting series, a marker per meeting annotated with ordinal and place."""
    data = series_data(graph)
    plt = _pyplot()
    from matplotlib.lines import Line2D

    rows = list(data.meetings)
    squeeze = _Squeeze([m.x for ms in data.meetings.values() for m in ms])
    height = 1.5 + ROW_INCHES * max(len(rows), 1)
    fig, ax = plt.subplots(figsize=(15, height), dpi=150)  # placed at the dpi it is saved with
    fig.subplots_adjust(left=0.2, right=0.98, top=1 - 1.0 / height, bottom=0.7 / height)
    ticks, tick_labels = squeeze.ticks()
    lo, hi = ticks[0] - 0.3, ticks[-1] + 1.0
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    anchors: list[tuple[float, float]] = []
    texts: list[str] = []
    markers: dict[tuple[bool, bool], list[tuple[float, float]]] = defaultdict(list)
    colour = "#1f5f99"
    for a, b in squeeze.slots:
        if a != b:
            ax.axvspan(squeeze(a) + 0.1, squeeze(a) + 0.9, color="#eeeeee", hatch="//", linewidth=0, zorder=0)
    for i, key in enumerate(rows):
        y = len(rows) - 1 - i
        meetings = data.meetings[key]
        if i % 2 == 0:
            ax.axhspan(y - 0.5, y + 0.5, color="#f3f5f8", zorder=0, linewidth=0)
        ax.plot([squeeze(meetings[0].x), squeeze(meetings[-1].x)], [y, y], color="#b8c4d0", linewidth=1, zorder=1)
        for m in meetings:
            x = squeeze(m.x)
            markers[(m.special, m.planned)].append((x, y))
            text = " ".join(t for t in (str(m.ordinal) if m.ordinal else "", m.place or "") if t)
            if text:
                anchors.append((x, y))
                texts.append(text)
    for (special, planned), points in sorted(markers.items()):  # one artist per marker style: fast to save
        ax.plot(
            [p[0] for p in points],
            [p[1] for p in points],
            marker="D" if special else "o",
            markersize=6.5 if special else 7,
            markerfacecolor="white" if planned else colour,
            markeredgecolor=colour,
            markeredgewidth=1.4,
            linestyle="none",
            zorder=3,
        )
    placed = place(
        ax,
        anchors,
        texts,
        SERIES_SPOTS,
        obstacles=[(squeeze(m.x), len(rows) - 1 - i, 4.5) for i, k in enumerate(rows) for m in data.meetings[k]],
        fontsize=6.3,
        color="#333333",
        zorder=4,
    )
    data.label_boxes = text_boxes(placed.texts)
    data.unlabelled = [texts[i] for i in placed.unplaced]
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([data.labels[k] for k in reversed(rows)], fontsize=7.5)
    ax.set_xticks(ticks, tick_labels)
    ax.tick_params(axis="x", labelsize=8, labeltop=True, top=True)
    ax.grid(axis="x", color="#e2e2e2", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    total = sum(len(ms) for ms in data.meetings.values())
    fig.suptitle(
        f"OTS meeting series: {len(rows)} series, {total} meetings (label: ordinal and place)",
        x=0.01,
        y=1 - 0.12 / height,
        ha="left",
        va="top",
        fontweight="bold",
        fontsize=11,
    )
    gaps = f"; grey band: {squeeze.gaps()}, no meetings, squeezed" if squeeze.gaps() else ""
    shared = " and ".join(f"“{d}”" for d in data.dropped)
    shared = f"\nseries names without the words many share: {shared}" if shared else ""
    ax.set_xlabel(f"start date (a year or month without a day is drawn at its middle{gaps}){shared}")
    handles = [
        Line2D([], [], marker="o", linestyle="none", markerfacecolor=colour, markeredgecolor=colour, label="held"),
        Line2D(
            [],
            [],
            marker="o",
            linestyle="none",
            markerfacecolor="white",
            markeredgecolor=colour,
            markeredgewidth=1.4,
            label="planned (announced, not yet held)",
        ),
        Line2D(
            [],
            [],
            marker="D",
            linestyle="none",
            markerfacecolor=colour,
            markeredgecolor=colour,
            label="extraordinary, informal or ad hoc",
        ),
    ]
    fig.legend(
        handles=handles,
        loc="upper right",
        bbox_to_anchor=(0.98, 1 - 0.08 / height),
        ncol=3,
        frameon=False,
        fontsize=8.5,
    )
    _save(fig, output)
    return data


# ---- network --------------------------------------------------------------------------

GROUPS = {  # group -> (legend text, colour): Okabe-Ito, as in the other charts (colour-blind safe)
    "ots": ("OTS and its organs", OKABE_ITO[0]),
    "affiliated": ("affiliated organisation", OKABE_ITO[4]),
    "state": ("state", OKABE_ITO[1]),
    "institution": ("other organisation", OKABE_ITO[2]),
    "mechanism": ("mechanism", OKABE_ITO[3]),
    "area": ("area of cooperation", OKABE_ITO[5]),
}
NETWORK_LINKS = (
    ORG.unitOf,
    ORG.hasUnit,
    ORG.linkedTo,
    ORG.subOrganizationOf,
    OTS.ofState,
    OTS.coordinatedBy,
    SCHEMA.organizer,
    OTS.hostedBy,
    OTS.partOfMechanism,
)


def _group(graph: Graph, classify: Classifier, node) -> str | None:
    kind = classify.kind(node)
    if kind == "organ" or (node, RDF.type, OTS.Organization) in graph:
        return "ots"
    if (node, RDF.type, OTS.AffiliatedOrganization) in graph:
        return "affiliated"
    if kind == "organisation":
        return "institution"
    if kind in ("state", "mechanism"):
        return kind
    return None


def network_data(graph: Graph, focus: str | None = None, depth: int = 1, with_areas: bool = False):
    """A networkx Graph of states, the OTS and its organs, organisations and mechanisms.

    Nodes carry `label` and `group`; edges carry `label`, the compact property (memberships
    give `org:member` with the role). Unconnected nodes are left out; with focus, only the
    nodes within `depth` links of it.
    """
    import networkx as nx

    classify = Classifier(graph)
    groups: dict[URIRef, str] = {}
    for node in set(graph.subjects(RDF.type, None)):
        group = _group(graph, classify, node) if isinstance(node, URIRef) else None
        if group:
            groups[node] = group
    if with_areas:
        for area in all_areas(graph):
            groups[area] = "area"
    net = nx.Graph()

    def link(a, b, text: str) -> None:
        if a in groups and b in groups and a != b:
            a, b = str(a), str(b)
            names = set(net.edges[a, b]["label"].split(", ")) if net.has_edge(a, b) else set()
            net.add_edge(a, b, label=", ".join(sorted(names | {text})))

    for prop in NETWORK_LINKS:
        for s, o in graph.subject_objects(prop):
            link(s, o, "org:unitOf" if prop == ORG.hasUnit else compact(prop))
    for ms in graph.subjects(RDF.type, ORG.Membership):
        member, org, role = (graph.value(ms, p) for p in (ORG.member, ORG.organization, ORG.role))
        if member is not None and org is not None:
            link(member, org, f"org:member ({label(graph, role)})" if role is not None else "org:member")
    if with_areas:
        for mech in [n for n, g in groups.items() if g == "mechanism"]:
            for area in graph.objects(mech, OTS.area):
                link(mech, area, "ots:area")
    for node in list(net.nodes):
        iri = URIRef(node)
        net.nodes[node].update(label=short_label(graph, iri, 30), group=groups[iri])
    if focus is None:
        return net
    centre = str(expand(focus))
    if URIRef(centre) not in groups:
        raise OtsKgError(
            f"{focus}: not a state, organ, organisation or mechanism of the graph (the network shows only those)"
        )
    if depth < 1:
        raise OtsKgError(f"--depth must be at least 1, not {depth}")
    if centre not in net:
        net.add_node(centre, label=short_label(graph, URIRef(centre), 30), group=groups[URIRef(centre)])
    return nx.ego_graph(net, centre, radius=depth).copy()


def _rings(net, part: list[str]) -> dict:
    """The OTS at the centre, its organs and affiliated organisations on a ring, states on a
    wider ring, everything else placed by a spring layout around those fixed anchors."""
    import math

    import networkx as nx

    group = nx.get_node_attributes(net, "group")
    centre = [
        n for n in part if group[n] == "ots" and net.degree(n) == max(net.degree(m) for m in part if group[m] == "ots")
    ][:1]
    inner = sorted(
        (n for n in part if group[n] in ("ots", "affiliated") and n not in centre),
        key=lambda n: (group[n], net.nodes[n]["label"]),
    )
    states = sorted((n for n in part if group[n] == "state"), key=lambda n: net.nodes[n]["label"])
    pos = {n: (0.0, 0.0) for n in centre}
    for ring, radius in ((inner, 1.4), (states, 3.0)):
        for i, node in enumerate(ring):
            angle = math.pi / 2 + 2 * math.pi * i / max(len(ring), 1)
            pos[node] = (radius * math.cos(angle), radius * math.sin(angle))
    free = [n for n in part if n not in pos]
    if free:
        sub = net.subgraph(part)
        pos = nx.spring_layout(sub, pos=pos, fixed=list(pos), seed=7, k=0.36, iterations=300)
    return dict(pos)


def _layout(net, spread: float = 1.0) -> dict:
    """One layout per connected component, the biggest left, the others packed beside and below.

    One spring layout of a disconnected graph flings the small components to the corners
    and squeezes the big one into a dot; packing keeps every part readable.
    """
    import networkx as nx

    parts = sorted((sorted(c) for c in nx.connected_components(net)), key=lambda c: (-len(c), c))
    placed = []  # (positions centred on 0, half extent)
    for part in parts:
        if len(part) == 1:
            local = {part[0]: (0.0, 0.0)}
        elif len(part) > 60 and any(net.nodes[n]["group"] == "ots" for n in part):
            local = _rings(net, part)
        else:
            scale = 0.2 + 0.14 * len(part) ** 0.5 if parts[0] is not part else 1.0
            local = nx.spring_layout(
                net.subgraph(part), seed=7, k=spread / len(part) ** 0.5, iterations=200, scale=scale
            )
        xs = [p[0] for p in local.values()]
        ys = [p[1] for p in local.values()]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        half = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 + 0.3
        placed.append(({n: (p[0] - cx, p[1] - cy) for n, p in local.items()}, half))
    pos: dict = {}
    first, main = placed[0] if placed else ({}, 0.0)
    pos.update(first)
    region_x, region_w = main, main * 0.9  # beside the main component, then below it
    x, y, shelf = region_x, main, 0.0
    for local, half in placed[1:]:
        if x > region_x and x + 2 * half > region_x + region_w:
            x, y, shelf = region_x, y - shelf, 0.0
        if region_x > -main and y - 2 * half < -main:
            region_x, region_w = -main, main * 2.9
            x, y, shelf = region_x, -main, 0.0
        for node, (px, py) in local.items():
            pos[node] = (px + x + half, py + y - half)
        x += 2 * half
        shelf = max(shelf, 2 * half)
    return pos


def _radial(net, centre: str) -> tuple[dict, dict]:
    """Positions and label directions for one entity's neighbourhood.

    The focus sits at the centre, its neighbours on a ring; each farther node fans out
    around the neighbour that brought it in, facing away from the centre, so a hub's many
    links do not cut across the picture.
    """
    import math

    import networkx as nx

    levels = nx.single_source_shortest_path_length(net, centre)
    order = lambda n: (net.nodes[n]["group"], net.nodes[n]["label"], n)  # noqa: E731
    children: dict[str, list[str]] = {n: [] for n in levels}
    for node in sorted(levels, key=lambda n: (levels[n], order(n))):
        if levels[node] > 0:
            parent = min((p for p in net.neighbors(node) if levels[p] == levels[node] - 1), key=order)
            children[parent].append(node)
    pos = {centre: (0.0, 0.0)}
    facing = {centre: math.pi / 2}
    ring = sorted(children[centre], key=order)
    radius = 1.0 + 0.02 * len(ring)
    for i, node in enumerate(ring):
        facing[node] = math.pi / 2 + 2 * math.pi * i / max(len(ring), 1)
        pos[node] = (radius * math.cos(facing[node]), radius * math.sin(facing[node]))
    todo = list(ring)
    while todo:
        parent = todo.pop(0)
        kids = sorted(children[parent], key=order)
        if not kids:
            continue
        spread = min(math.radians(300), math.radians(22) * len(kids))
        reach = 0.55 + 0.06 * len(kids)
        px, py = pos[parent]
        for i, node in enumerate(kids):
            turn = facing[parent] + (spread * ((i + 0.5) / len(kids) - 0.5) if len(kids) > 1 else 0.0)
            facing[node] = turn
            pos[node] = (px + reach * math.cos(turn), py + reach * math.sin(turn))
        todo.extend(kids)
    return pos, facing


def state_status(graph: Graph) -> dict[str, str]:
    """State IRI -> "member" or "observer" from its memberships (org:role); a state that was
    ever a member counts as a member."""
    out: dict[str, str] = {}
    for membership in graph.subjects(RDF.type, ORG.Membership):
        state, role = graph.value(membership, ORG.member), graph.value(membership, ORG.role)
        if state is None or role is None:
            continue
        kind = "observer" if "Observer" in str(role) else "member" if "Member" in str(role) else None
        if kind and out.get(str(state)) != "member":
            out[str(state)] = kind
    return out


DEFAULT_FOCUS = "inst:ots"  # the default picture: the organisation and what touches it directly
MEMBER_LINK = "org:member"


def _node_radius(net, node, centre: str | None) -> float:
    """A node's marker radius in points: the focus biggest, hubs bigger than leaves."""
    return 11.0 if node == centre else 3.5 + 0.45 * min(net.degree(node), 20)


def _status_of(node: str, group: str, status: dict[str, str]) -> str:
    return status.get(node, "other") if group == "state" else group


STATE_STYLES = {  # members filled circles, observers hollow squares, other states pale circles
    "member": ("o", "fill", "member state"),
    "observer": ("s", "hollow", "observer state"),
    "other": ("o", "pale", "other state"),
}


def _equal_limits(ax, x0: float, x1: float, y0: float, y1: float, margin: float) -> None:
    """Limits with one unit as long across as up (a round layout stays round), fitted to the
    axes' box, set once so that label placement sees the final transform."""
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    ratio = (box.height * fig_h) / (box.width * fig_w)
    span = max(x1 - x0, (y1 - y0) / ratio, 1e-9) * (1 + 2 * margin)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - span / 2, cx + span / 2)
    ax.set_ylim(cy - span * ratio / 2, cy + span * ratio / 2)


def network_layout(
    graph: Graph, focus: str | None = DEFAULT_FOCUS, depth: int = 1, with_areas: bool = False
) -> tuple[Any, dict, str | None]:
    """The network to draw, its node positions and its centre (None for the whole network)."""
    net = network_data(graph, focus, depth, with_areas)
    centre = str(expand(focus)) if focus else None
    if centre:
        pos, _ = _radial(net, centre)
    else:
        pos = _layout(net)
    status = state_status(graph)
    for node, data in net.nodes(data=True):
        data["status"] = _status_of(node, data["group"], status)
    for _, _, data in net.edges(data=True):  # an observer's membership is drawn dashed
        data["observer"] = "(observer" in data["label"].lower()
    return net, pos, centre


def network(
    graph: Graph,
    output: str | os.PathLike[str],
    focus: str | None = DEFAULT_FOCUS,
    depth: int = 1,
    with_areas: bool = False,
):
    """Draw one entity's neighbourhood (default: the OTS, depth 1) or, with focus=None, the
    whole institutional network, as PNG, SVG or a self-contained interactive HTML page.

    Returns the networkx graph; its `graph` dict holds the drawn label boxes (pixels) and
    the labels that found no free place, for the tests."""
    suffix = Path(output).suffix.lower()
    if suffix not in (*FORMATS, ".html"):
        raise OtsKgError(f"{output}: unknown chart format {suffix or '(none)'!r}; use .png, .svg or .html")
    net, pos, centre = network_layout(graph, focus, depth, with_areas)
    plt = _pyplot()
    from matplotlib.lines import Line2D

    whole = centre is None
    fig, ax = plt.subplots(figsize=(17, 13) if whole else (13, 11), dpi=150)
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    fig.subplots_adjust(left=0.02, right=0.8, top=0.92, bottom=0.04)
    _equal_limits(ax, min(xs), max(xs), min(ys), max(ys), margin=0.1)  # final before labels are placed
    for a, b, data in net.edges(data=True):
        observer = data["observer"]
        ax.plot(
            [pos[a][0], pos[b][0]],
            [pos[a][1], pos[b][1]],
            color="#9aa4ae",
            linewidth=0.8,
            linestyle=(0, (3, 2)) if observer else "-",
            zorder=1,
        )
    handles = []
    for group, (text, colour) in GROUPS.items():
        nodes = [n for n, d in net.nodes(data=True) if d["group"] == group]
        kinds = (
            [k for k in STATE_STYLES if any(net.nodes[n]["status"] == k for n in nodes)]
            if group == "state"
            else [group]
        )
        for kind in kinds:
            part = sorted(n for n in nodes if net.nodes[n]["status"] == kind)
            if not part:
                continue
            shape, fill, legend = STATE_STYLES.get(kind, ("o", "fill", text))
            face = {"fill": colour, "hollow": "white", "pale": "#f3d9a6"}[fill]
            for node in part:
                r = _node_radius(net, node, centre)
                ax.plot(
                    *pos[node],
                    marker=shape,
                    markersize=2 * r * (0.9 if shape == "s" else 1),
                    markerfacecolor=face,
                    markeredgecolor=colour if fill != "fill" else "white",
                    markeredgewidth=2.0 if fill == "hollow" else 0.8,
                    linestyle="none",
                    zorder=3,
                )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=shape,
                    linestyle="none",
                    markersize=10,
                    markerfacecolor=face,
                    markeredgecolor=colour if fill != "fill" else "white",
                    markeredgewidth=2.0 if fill == "hollow" else 0.8,
                    label=legend,
                )
            )
    if any(d["observer"] for _, _, d in net.edges(data=True)):
        handles.append(Line2D([], [], color="#9aa4ae", linestyle=(0, (3, 2)), label="observer membership"))
    important = {"ots", "affiliated", "state"}
    wanted = [n for n in net.nodes if not whole or net.nodes[n]["group"] in important or net.degree(n) >= 4]
    wanted.sort(key=lambda n: (n != centre, -net.degree(n), net.nodes[n]["label"]))
    placed = place(
        ax,
        [pos[n] for n in wanted],
        [net.nodes[n]["label"] for n in wanted],
        [around(_node_radius(net, n, centre), rings=7 if whole else 4, step=10.0) for n in wanted],
        obstacles=[(*pos[n], _node_radius(net, n, centre)) for n in net.nodes],
        fontsize=8 if not whole else 6.5,
        zorder=4,
        bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    for text, node in zip(
        placed.texts, [n for i, n in enumerate(wanted) if i not in set(placed.unplaced)], strict=True
    ):
        if node == centre:
            text.set_fontweight("bold")
    net.graph["label_boxes"] = text_boxes(placed.texts)
    net.graph["unlabelled"] = [net.nodes[wanted[i]]["label"] for i in placed.unplaced]
    net.graph["labels"] = {
        n: (t.get_position(), t.get_ha(), t.get_va())
        for t, n in zip(placed.texts, [n for i, n in enumerate(wanted) if i not in set(placed.unplaced)], strict=True)
    }
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=9)
    what = (
        f"neighbourhood of {short_label(graph, URIRef(centre), 60)} "
        f"(up to {depth} link{'s' if depth != 1 else ''} away)"
        if centre
        else "states, the OTS and its organs, organisations and mechanisms"
    )
    ax.set_title(
        f"OTS network: {what}\n{net.number_of_nodes()} nodes, {net.number_of_edges()} links "
        "(org:unitOf, org:linkedTo, memberships, ots:ofState, ots:coordinatedBy, organizer, ...)",
        loc="left",
    )
    note = []
    if placed.unplaced:
        note.append(f"{len(placed.unplaced)} labels left out where there was no free room")
    if whole:
        note.append("labels for states, the OTS, its organs, affiliated organisations and nodes with 4+ links")
    else:
        note.append("--depth for more, --focus for another entity, --all for the whole network, .html to explore")
    ax.text(0.0, -0.01, "; ".join(note), transform=ax.transAxes, fontsize=8, color="#555555", va="top")
    ax.axis("off")
    if suffix == ".html":
        from .network_html import write_network_html

        (x0, _), (x1, _) = ax.transData.transform([(0.0, 0.0), (1.0, 0.0)])
        write_network_html(
            net,
            pos,
            f"OTS network: {what}",
            output,
            GROUPS,
            centre,
            lambda n: _node_radius(net, n, centre),
            (x1 - x0) * 72 / fig.dpi,
        )
        plt.close(fig)
        return net
    _save(fig, output)
    return net


# ---- attendance -----------------------------------------------------------------------

# Highest level first: where a state sent several people, the cell shows the highest level.
# level label (as the representation-level query gives it) -> (letter, Okabe-Ito colour)
LEVELS: dict[str, tuple[str, str]] = {
    "head of state": ("H", "#0072B2"),
    "head of government": ("G", "#56B4E9"),
    "vice-president": ("V", "#009E73"),
    "former head of state": ("F", "#CC79A7"),
    "parliament chair": ("P", "#F0E442"),
    "minister": ("M", "#E69F00"),
    "ambassador": ("A", "#D55E00"),
    "head of an organ or organisation": ("O", "#999999"),
    "other official": ("o", "#DDDDDD"),
    "": ("?", "#FFFFFF"),  # a representative named, the level not
}
_LEVEL_RANK = {name: i for i, name in enumerate(LEVELS)}
_DARK = {"#0072B2", "#D55E00", "#009E73", "#CC79A7"}


@dataclass
class AttendanceMatrix:
    """What `attendance` drew: summit columns in date order, state rows (most summits
    first), and the highest level per (state IRI, summit IRI) cell."""

    summits: list[tuple[str, str, str]] = field(default_factory=list)  # (iri, date, label)
    states: list[tuple[str, str]] = field(default_factory=list)  # (iri, label)
    cells: dict[tuple[str, str], str] = field(default_factory=dict)  # (state, summit) -> level label


def attendance_data(rows: Iterable[dict[str, str]]) -> AttendanceMatrix:
    """Rows of the `representation-level` stored query (summit, summitName, date, state,
    stateName, level) as the matrix."""
    summits: dict[str, tuple[str, str]] = {}
    states: dict[str, str] = {}
    cells: dict[tuple[str, str], str] = {}
    for row in rows:
        summit, state, level = row["summit"], row["state"], row.get("level") or ""
        summits[summit] = (row.get("date") or "", row["summitName"])
        states[state] = row["stateName"]
        best = cells.get((state, summit))
        if best is None or _LEVEL_RANK.get(level, len(LEVELS)) < _LEVEL_RANK.get(best, len(LEVELS)):
            cells[(state, summit)] = level
    seen = Counter(state for state, _ in cells)
    return AttendanceMatrix(
        summits=sorted(((iri, d, lab) for iri, (d, lab) in summits.items()), key=lambda s: (s[1], s[0])),
        states=sorted(states.items(), key=lambda s: (-seen[s[0]], s[1])),
        cells=cells,
    )


def attendance(rows: Iterable[dict[str, str]], output: str | os.PathLike[str]) -> AttendanceMatrix:
    """States x summits: each cell the level letter on its Okabe-Ito colour (reads in grey
    print too); a dot where the sources name no representative."""
    matrix = attendance_data(rows)
    plt = _pyplot()
    from matplotlib.patches import Patch, Rectangle

    n_cols, n_rows = len(matrix.summits), len(matrix.states)
    fig, ax = plt.subplots(figsize=(max(8.0, 0.42 * n_cols + 3.5), max(3.0, 0.42 * n_rows + 2.6)))
    for y, (state, _) in enumerate(matrix.states):
        for x, (summit, _, _) in enumerate(matrix.summits):
            level = matrix.cells.get((state, summit))
            if level is None:  # a dot: "no representative named" is visible, not blank
                ax.plot(x, y, marker=".", color="#BBBBBB", markersize=4)
                continue
            letter, colour = LEVELS.get(level, ("?", "#FFFFFF"))
            ax.add_patch(
                Rectangle((x - 0.45, y - 0.45), 0.9, 0.9, facecolor=colour, edgecolor="#333333", linewidth=0.4)
            )
            ax.text(
                x,
                y,
                letter,
                ha="center",
                va="center",
                fontsize=7,
                fontweight="bold",
                color="white" if colour in _DARK else "black",
            )
    ax.set_xlim(-0.6, n_cols - 0.4)
    ax.set_ylim(n_rows - 0.4, -0.6)
    ax.set_xticks(range(n_cols))
    names = [re.sub(r" of the Heads of [^()]*?(?= \(|$)", "", lab) for _, _, lab in matrix.summits]
    ax.set_xticklabels(
        [f"{d[:4]} {n}" for (_, d, _), n in zip(matrix.summits, names, strict=True)],
        rotation=60,
        ha="right",
        fontsize=7,
    )
    ax.set_yticks(range(n_rows))
    ax.set_yticklabels([lab for _, lab in matrix.states], fontsize=8)
    ax.tick_params(length=0)
    ax.spines[["top", "right", "left", "bottom"]].set_visible(False)
    used = [name for name in LEVELS if name in set(matrix.cells.values())]
    handles = [
        Patch(facecolor=LEVELS[n][1], edgecolor="#333333", label=f"{LEVELS[n][0]}  {n or 'level not given'}")
        for n in used
    ]
    handles.append(Patch(facecolor="white", edgecolor="white", label="·  no representative named"))
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=8,
        title="level of representation",
        title_fontsize=8,
    )
    ax.set_title(
        "Who represented each state at the summits of the heads of state\n",
        loc="left",
    )
    ax.text(
        0,
        1.02,
        "Highest level per state and summit; a dot means the sources name no representative, not that the "
        "state was absent. Source: ots-kg query representation-level.",
        transform=ax.transAxes,
        fontsize=7,
        color="#555555",
    )
    _save(fig, output)
    return matrix
