"""The targets of issue 16, each measured side by side with its anchor in one run.

Imported by bench/run.py (`--targets`). Every step runs in a fresh process (bench.run.measured:
wall time, peak RSS of that process). Sizes: seeded-error graphs for validation (ots-kg's
Oxigraph engine vs the native validators `shacl` and `pyrudof`, violation counts compared);
one large graph on a disk store (ots-kg's store build vs pyoxigraph's own bulk load, every
stored query, `ots-kg query members`, validate and a streamed export).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from bench.run import CPU, ROOT, measured, median_of

# each validator prints its violation count; data = one Turtle file holding ontology + core + synthetic
V_OTS = """
import sys
from ots_kg.validation.validate import validate
r = validate([sys.argv[1]], engine="oxigraph")
vocabulary = sum(v.shape == "vocabulary" for v in r.violations)  # the closed-vocabulary pass, not SHACL
print(f"{len(r.violations) - vocabulary} (+{vocabulary} vocabulary)")
"""
# the disk-store route (`ots-kg validate --store`): the shapes and the closed vocabulary (by
# aggregate queries on the store), no file:line lookup; the store is built in the same timed process
V_OTS_STORE = """
import sys, tempfile
from ots_kg.io.store import open_disk_store
from ots_kg.validation.validate import validate
with tempfile.TemporaryDirectory(dir=sys.argv[2]) as folder:
    r = validate(store=open_disk_store(folder, [sys.argv[1]]), engine="oxigraph")
vocabulary = sum(v.shape == "vocabulary" for v in r.violations)
print(f"{len(r.violations) - vocabulary} (+{vocabulary} vocabulary)")
"""
V_SHACL = """
import sys, shacl
from ots_kg.resources import shapes_file
r = shacl.Shapes.from_file(str(shapes_file())).validate_file(sys.argv[1], allow_warnings=True)
print(sum(1 for x in r.results if str(x.severity).endswith("Violation")))
"""
V_RUDOF = """
import sys, pyrudof
from ots_kg.resources import shapes_file
r = pyrudof.Rudof(pyrudof.RudofConfig())
r.read_data(sys.argv[1]); r.read_shacl(str(shapes_file()))
print(sum(1 for x in r.validate_shacl() if str(x.severity).endswith("Violation")))
"""
OX_BULK = """
import sys, pyoxigraph as ox
s = ox.Store(sys.argv[1])
for f in sys.argv[2:]:
    s.bulk_load(path=f, format=ox.RdfFormat.TURTLE)
"""
OX_BULK_OPTIMIZE = OX_BULK + "s.optimize()\n"  # the load as Oxigraph's docs advise it: compacted after
# the store build, with the CPU spent inside its pyoxigraph bulk_load calls (the same calls as
# OX_BULK's, same files and arguments) summed by wrapping io.store._bulk_load: the whole build
# process over those calls is a ratio of two numbers taken minutes apart at most, where two
# processes' CPU for the same bulk load differed by a third (93 vs 125 s) on a noisy machine
OTS_BUILD = """
import sys, json, resource
import ots_kg.io.store as store


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)  # every thread: RocksDB's own included
    return r.ru_utime + r.ru_stime


inside = [0.0]
bulk_load = store._bulk_load


def timed(*args, **kwargs):
    start = cpu()
    try:
        return bulk_load(*args, **kwargs)
    finally:
        inside[0] += cpu() - start


store._bulk_load = timed
store.ensure_store(sys.argv[1], sys.argv[2:])
print(json.dumps({"bulk_load_cpu": inside[0]}))
"""
STORE_QUERIES = """
import sys, json, time
from ots_kg.io.store import open_disk_store
from ots_kg.sparql.catalogue import catalogue
from ots_kg.sparql.engines import OxigraphEngine
engine = OxigraphEngine(open_disk_store(sys.argv[1], sys.argv[2:]))
times = {}
for name, q in catalogue().items():
    t = time.perf_counter(); engine.run(q, q.example_values()); times[name] = time.perf_counter() - t
    print(f"{name} {times[name]:.2f} s", file=sys.stderr, flush=True)  # progress, for a run stopped early
print(json.dumps(times))
"""
CLI = "import sys; sys.argv = ['ots-kg', *sys.argv[1:]]; from ots_kg.cli import main; main()"
# the same, exit 1 (does not conform) counted as a finished run
CLI_CHECK = (
    "import sys; sys.argv = ['ots-kg', *sys.argv[1:]]; from ots_kg.cli import main\n"
    "try:\n    main()\nexcept SystemExit as e:\n    sys.exit(0 if e.code in (0, 1) else e.code)"
)
FLOOR = """
import pyoxigraph as ox
from ots_kg.io.cache import cached_ntriples
from ots_kg.io.loader import store_from_ntriples
store_from_ntriples(cached_ntriples(None))
"""


def combined(out: Path, name: str, synthetic: str, ontology: bool = True) -> Path:
    """Real core files + the synthetic graph in one Turtle file, with the ontology first for
    the native validators (they read one file). ots-kg adds the ontology itself and checks
    the data against it as a closed vocabulary, so it reads the file without it (otherwise
    every ontology declaration would be data with no known class)."""
    path = out / f"{name}-{'combined' if ontology else 'data'}.ttl"
    if not path.exists():
        parts = [(ROOT / "ontology" / "ots.ttl").read_text(encoding="utf-8")] if ontology else []
        parts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "data" / "core").glob("*.ttl"))]
        path.write_text("\n".join([*parts, synthetic]), encoding="utf-8")
    return path


def validation(sizes: list[int], repeat: int, out: Path) -> list[list[str]]:
    from bench.generate import generate

    rows = []
    for size in sizes:
        text, seeded = generate(size, errors=40, seed=7)
        path = combined(out, f"seeded-{size}", text)
        data = combined(out, f"seeded-{size}", text, ontology=False)
        row = [f"{size // 1000}k ({len(seeded)} seeded)"]
        for code in (V_OTS, V_OTS_STORE, V_SHACL, V_RUDOF):
            args = {V_OTS: [str(data)], V_OTS_STORE: [str(data), str(out)]}.get(code, [str(path)])
            try:
                seconds, peak, stdout = measured(code, *args)
                if seconds < 60 and repeat > 1:  # repeat what is quick; minutes-long runs once
                    runs = [(seconds, peak, stdout)] + [measured(code, *args) for _ in range(repeat - 1)]
                    seconds = statistics.median(r[0] for r in runs)
                    peak = max(r[1] for r in runs)
                row.append(f"{seconds:.2f} s / {peak:.0f} MiB / {stdout.strip()} violations")
            except RuntimeError as exc:
                row.append(f"failed: {str(exc)[-80:]}")
            print(row, flush=True)
        rows.append(row)
    return rows


def bundled(repeat: int) -> list[list[str]]:
    measured(CLI, "query", "members")  # warm the cache, as a user's first run does
    query = median_of(repeat, CLI, "query", "members")
    floor = median_of(repeat, FLOOR)
    validate = median_of(repeat, CLI, "validate", "--engine", "oxigraph")
    return [
        [
            "cold `ots-kg query members` (bundled)",
            f"{query[0]:.3f} s",
            f"floor {floor[0]:.3f} s",
            f"{query[0] / floor[0]:.2f}× (target ≤ 1.5×)",
        ],
        ["`ots-kg validate --engine oxigraph` (bundled)", f"{validate[0]:.3f} s", "", "target ≤ 0.5 s"],
    ]


def build_pair(files: list[str], work: Path) -> tuple[list[list[str]], Path]:
    """pyoxigraph's own bulk load (alone, and followed by Store.optimize) and ots-kg's store
    build (which compacts too) of the same files, back to back."""
    ox_dir = work / "plain"
    rows, anchors = [], []
    for label, script in (
        ("pyoxigraph bulk_load to disk (anchor)", OX_BULK),
        ("pyoxigraph bulk_load + optimize (anchor)", OX_BULK_OPTIMIZE),
    ):
        shutil.rmtree(ox_dir, ignore_errors=True)
        t, peak, _ = measured(script, str(ox_dir), str(ROOT / "ontology" / "ots.ttl"), *files)
        anchors.append((t, CPU["last"]))
        shutil.rmtree(ox_dir)
        rows.append(
            [label, f"{t:.1f} s (CPU {CPU['last']:.1f} s)", f"{peak:.0f} MiB", f"load average {os.getloadavg()[0]:.1f}"]
        )
    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    t2, peak2, stdout = measured(OTS_BUILD, str(store), *files)
    cpu2 = CPU["last"]
    inside = json.loads(stdout)["bulk_load_cpu"]
    (t, cpu), (t_opt, cpu_opt) = anchors
    rows.append(
        [
            "ots-kg store build (hash + bulk load + passages + optimize)",
            f"{t2:.1f} s (CPU {cpu2:.1f} s)",
            f"{peak2:.0f} MiB",
            f"wall {t2 / t:.2f}×, CPU {cpu2 / cpu:.2f}× of bulk_load (target ≤ 1.2×); "
            f"{t2 / t_opt:.2f}× / {cpu2 / cpu_opt:.2f}× of bulk_load + optimize; load average {os.getloadavg()[0]:.1f}",
        ]
    )
    rows.append(
        [
            "the same build: whole process over its own bulk_load calls (in-process)",
            f"CPU {cpu2:.1f} s / {inside:.1f} s",
            "",
            f"CPU {cpu2 / inside:.2f}× (target ≤ 1.2×)",
        ]
    )
    print(rows, flush=True)
    return rows, store


def large(path: Path, out: Path, build_only: int = 0) -> list[list[str]]:
    """One run of each step on a disk store of `path` (ontology + core + the big file);
    with build_only=N, only N alternated pairs of the two loads."""
    core = [str(p) for p in sorted((ROOT / "data" / "core").glob("*.ttl"))]
    files = [*core, str(path)]
    work = Path(tempfile.mkdtemp(prefix="ots-kg-bench-store-", dir=out))
    rows = []
    try:
        if build_only:
            for _ in range(build_only):
                rows.extend(build_pair(files, work)[0])
            return rows
        pair, store = build_pair(files, work)
        rows.extend(pair)
        t, peak, stdout = measured(STORE_QUERIES, str(store), *files)
        times = json.loads(stdout)
        slowest = max(times, key=times.get)
        rows.append(
            [
                "every stored query on the store (one process)",
                f"slowest {times[slowest]:.2f} s ({slowest})",
                f"{peak:.0f} MiB",
                f"{sum(v > 10 for v in times.values())} over 10 s; load average {os.getloadavg()[0]:.1f}",
            ]
        )
        print(rows[-1], json.dumps(times), flush=True)
        members = ["query", "members", "--store", str(store), *(a for f in files for a in ("--data", f))]
        for label, args, runs in (
            ("`ots-kg query members --store` (median of 3)", members, 3),
            (
                "`ots-kg export --format nt --store` (streamed)",
                ["export", "--store", str(store), "--format", "nt", "-o", str(work / "out.nt"), *files],
                1,
            ),
            # last: the longest step; every row above is printed before it starts
            ("`ots-kg validate --store`", ["validate", "--store", str(store), "--format", "json", *files], 1),
        ):
            try:
                t, peak, stdout = median_of(runs, CLI_CHECK, *args)
                note = f"load average {os.getloadavg()[0]:.1f}"
                if "validate" in args:
                    report = json.loads(stdout)
                    note = f"{report['violations']} violations; {note}"
                rows.append([label, f"{t:.2f} s", f"{peak:.0f} MiB", note])
            except RuntimeError as exc:  # validate exits 1 on violations: time it anyway
                rows.append([label, "exit≠0", str(exc)[-120:], ""])
            print(rows[-1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


def table(head: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def main(sizes: list[int], repeat: int, out: Path, large_size: int, build_only: int = 0) -> int:
    """The --targets run: validation anchors, the bundled targets, and a disk store of
    `large_size` triples (0: skipped)."""
    from bench.generate import generate

    out.mkdir(parents=True, exist_ok=True)
    if not build_only:
        rows_b = bundled(repeat)
        table(["bundled", "ours", "anchor", "ratio / target"], rows_b)
    if large_size:
        path = out / f"synthetic-{large_size}.ttl"
        if not path.exists():
            path.write_text(generate(large_size)[0], encoding="utf-8")
        rows_l = large(path, out, build_only)
        table([f"{large_size // 1_000_000} M triples, disk store", "wall", "peak RSS", "ratio / target"], rows_l)
    if sizes:
        rows_v = validation(sizes, repeat, out)
        table(
            [
                "seeded graph",
                "ots-kg validate (files)",
                "ots-kg validate --store (build + validate)",
                "shacl 0.3.4",
                "pyrudof 0.3.35",
            ],
            rows_v,
        )
    return 0
