"""Synthetic OTS-shaped graphs: series of numbered meetings with dates, places, documents
and cited passages, at a chosen size, optionally with seeded errors.

    python bench/generate.py 100000 -o bench/out/100k.ttl [--errors 20] [--seed 1]

The real core files (states, places, areas, sources) give the synthetic nodes something
to point at, so the graph validates like the bundled one when no errors are seeded.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

HEADER = (
    (Path(__file__).resolve().parent.parent / "data" / "core" / "places.ttl")
    .read_text(encoding="utf-8")
    .split("\n\n")[0]
)
AREAS = [
    "political",
    "economic",
    "customs",
    "transport",
    "tourism",
    "education",
    "media",
    "youth-sports",
    "diaspora",
    "ict",
    "energy",
    "health",
    "migration",
    "agriculture",
    "justice",
]
CITIES = [
    ("baku", "azerbaijan"),
    ("astana", "kazakhstan"),
    ("bishkek", "kyrgyzstan"),
    ("istanbul", "turkiye"),
    ("tashkent", "uzbekistan"),
    ("budapest", "hungary"),
    ("samarkand", "uzbekistan"),
    ("ankara", "turkiye"),
]
TRIPLES_PER_EVENT = 14  # event 12 + a third of a document's 6


def generate(triples: int, errors: int = 0, seed: int = 1) -> tuple[str, list[str]]:
    """Turtle text of about `triples` triples, and the IRIs of the seeded errors."""
    rng = random.Random(seed)
    events = max(1, triples // TRIPLES_PER_EVENT)
    per_series = 12
    out = [HEADER, ""]
    seeded: list[str] = []
    bad = set(rng.sample(range(events), min(errors, events)))
    for s in range(events // per_series + 1):
        area = AREAS[s % len(AREAS)]
        out.append(
            f'mech:syn-series-{s} a ots:MeetingSeries ; rdfs:label "Synthetic series {s}"@en ; '
            f"ots:area area:{area} ; prov:wasDerivedFrom aoc:L{1 + s % 590} ."
        )
    for e in range(events):
        s, n = divmod(e, per_series)
        year = 2000 + n * 2 + rng.randrange(2)
        month, day = rng.randrange(1, 13), rng.randrange(1, 28)
        city, state = CITIES[e % len(CITIES)]
        iri = f"event:syn-{e}"
        start = f'"{year}-{month:02d}-{day:02d}"^^xsd:date'
        end = f'"{year}-{month:02d}-{day + 1:02d}"^^xsd:date'
        ordinal = n + 1
        kind = e in bad and ["no-date", "end-before-start", "duplicate-ordinal", "bad-area"][e % 4]
        if kind:
            seeded.append(f"{iri} {kind}")
        lines = [
            f"{iri} a ots:MinisterialMeeting",
            f'rdfs:label "Synthetic meeting {e}"@en',
            f"ots:inSeries mech:syn-series-{s}",
            f'ots:ordinal "{1 if kind == "duplicate-ordinal" and n else ordinal}"^^xsd:integer',
        ]
        if kind != "no-date":
            lines.append(f"schema:startDate {start}")
        lines.append(
            f'schema:endDate "{year - 1}-01-01"^^xsd:date' if kind == "end-before-start" else f"schema:endDate {end}"
        )
        lines += [
            f"schema:location place:{city}",
            f"ots:hostCountry state:{state}",
            f"ots:area {'place:baku' if kind == 'bad-area' else f'area:{AREAS[s % len(AREAS)]}'}",
            f"ots:isPlanned {'true' if year > 2024 else 'false'}",
            f"prov:wasDerivedFrom aoc:L{1 + e % 590}, ref:L{1 + e % 150}",
        ]
        out.append(" ;\n    ".join(lines) + " .")
        if e % 3 == 0:
            out.append(
                f'doc:syn-{e} a ots:Declaration ; rdfs:label "Synthetic declaration {e}"@en ; '
                f"ots:adoptedAt {iri} ; ots:area area:{AREAS[s % len(AREAS)]} ; "
                f"dct:date {start} ; prov:wasDerivedFrom aoc:L{1 + e % 590} ."
            )
    return "\n".join(out) + "\n", seeded


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("triples", type=int)
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--errors", type=int, default=0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    text, seeded = generate(args.triples, args.errors, args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    for line in seeded:
        print(line)


if __name__ == "__main__":
    main()
