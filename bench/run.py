"""The ots-kg benchmark: one command, one table.

    python bench/run.py [--sizes 10000,100000,1000000] [--repeat 5] [--out bench/out]
    python bench/run.py --targets --sizes 100000,1000000 --repeat 3 [--large 10000000]

For the bundled graph and synthetic graphs of each size (bench/generate.py) it measures,
each step in a fresh process (wall time; peak RSS from wait4): loading (rdflib's Turtle
parser, ots-kg's loader, an Oxigraph store), validation (ots-kg's engines and plain
pySHACL where it finishes in reasonable time), every stored query (Oxigraph route;
rdflib route on the bundled graph), N-Triples export; then the ratios the targets are
stated in, each pair measured side by side in this run. Only loopback, no network.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
sys.path.insert(0, str(ROOT))


CPU: dict[str, float] = {}  # CPU seconds (user + system) of the last measured child: robust to a busy machine
_HWM = (
    "import atexit, sys\n"
    "def _hwm():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM'):\n"
    "            sys.stderr.write('\\n@@' + line.split()[1] + '\\n')\n"
    "atexit.register(_hwm)\n"
)


def compiled(root: Path = ROOT) -> None:
    """Byte-compile the package first, as `pip install .` does: a checkout run with
    PYTHONDONTWRITEBYTECODE set (this machine sets it) would otherwise time Python compiling
    ots_kg's sources on every cold run (~0.1 s of a 0.3 s `ots-kg query`)."""
    import compileall

    compileall.compile_dir(root / "ots_kg", quiet=1)


def measured(code: str, *args: str) -> tuple[float, float, str]:
    """(seconds, peak MiB, stdout) of `python -c code args` in a fresh process.

    Peak memory is the child's VmHWM, read at exit: rusage would count the benchmark's own
    memory, which the child shares between fork and exec.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [PY, "-c", _HWM + code, *args], capture_output=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU["last"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark step failed: {proc.stderr.decode()[-800:]}")
    marks = [line for line in proc.stderr.decode().splitlines() if line.startswith("@@")]
    peak = int(marks[-1][2:]) / 1024 if marks else float("nan")
    return elapsed, peak, proc.stdout.decode()


def median_of(n: int, code: str, *args: str) -> tuple[float, float, str]:
    runs = [measured(code, *args) for _ in range(n)]
    return (statistics.median(r[0] for r in runs), max(r[1] for r in runs), runs[-1][2])


LOAD_RDFLIB = """
import sys, rdflib
g = rdflib.Graph()
for f in sys.argv[1:]:
    g.parse(f, format="turtle")
print(len(g))
"""
LOAD_OTS = "import sys; from ots_kg.io.loader import load_graph; print(len(load_graph(sys.argv[1:])))"
LOAD_STORE = """
import sys, pyoxigraph as ox
from ots_kg.resources import ontology_file
s = ox.Store()
for f in [str(ontology_file())] + sys.argv[1:]:
    s.bulk_load(path=f, format=ox.RdfFormat.TURTLE)
print(len(s))
"""
VALIDATE = """
import sys, json
from ots_kg.validation.validate import validate
r = validate(sys.argv[2:], engine=sys.argv[1])
print(json.dumps(sorted([r.severity, r.shape, r.focus.compact(), r.path.compact() if r.path else ""]
                        for r in r.results)))
"""
PLAIN_PYSHACL = """
import sys, rdflib, pyshacl
from ots_kg.resources import ontology_file, shapes_file
g = rdflib.Graph()
for f in [str(ontology_file())] + sys.argv[1:]:
    g.parse(f, format="turtle")
conforms, _, _ = pyshacl.validate(g, shacl_graph=rdflib.Graph().parse(shapes_file()), inference="none",
                                  advanced=True, allow_warnings=True)
print(conforms)
"""
QUERIES_STORE = """
import sys, json, time, statistics, pyoxigraph as ox
from ots_kg.resources import ontology_file
from ots_kg.sparql.catalogue import catalogue
from ots_kg.sparql.engines import OxigraphEngine
s = ox.Store()
for f in [str(ontology_file())] + sys.argv[2:]:
    s.bulk_load(path=f, format=ox.RdfFormat.TURTLE)
engine = OxigraphEngine(s)
repeat = int(sys.argv[1])
times = {}
for name, q in catalogue().items():
    if q.kind not in ("SELECT", "ASK"):
        continue
    values = q.example_values()
    runs = []
    for _ in range(repeat):
        t = time.perf_counter(); engine.run(q, values); runs.append(time.perf_counter() - t)
    times[name] = statistics.median(runs)
print(json.dumps(times))
"""
QUERIES_RDFLIB = (
    QUERIES_STORE.replace(
        "import sys, json, time, statistics, pyoxigraph as ox",
        ("import sys, json, time, statistics\nfrom ots_kg.io.loader import load_graph"),
    )
    .replace(
        """s = ox.Store()
for f in [str(ontology_file())] + sys.argv[2:]:
    s.bulk_load(path=f, format=ox.RdfFormat.TURTLE)
engine = OxigraphEngine(s)""",
        "engine = RdflibEngine(load_graph(sys.argv[2:]))",
    )
    .replace("from ots_kg.sparql.engines import OxigraphEngine", "from ots_kg.sparql.engines import RdflibEngine")
)
EXPORT = """
import sys
from ots_kg.io.loader import load_graph
from ots_kg.io.export import serialize
print(len(serialize(load_graph(sys.argv[1:]), "nt")))
"""
DUMP_STORE = """
import sys, pyoxigraph as ox
from ots_kg.resources import ontology_file
s = ox.Store()
for f in [str(ontology_file())] + sys.argv[1:]:
    s.bulk_load(path=f, format=ox.RdfFormat.TURTLE)
print(len(s.dump(format=ox.RdfFormat.N_QUADS)))
"""
NAIVE_QUERY = """
import sys, glob, rdflib
from ots_kg.model.prefixes import PREFIXES
g = rdflib.Graph()
for f in ["ontology/ots.ttl"] + sorted(glob.glob("data/**/*.ttl", recursive=True)):
    g.parse(f, format="turtle")
for row in g.query(open("queries/members.rq").read(), initNs=PREFIXES):
    print(*row)
"""
CLI_QUERY = "import sys; sys.argv = ['ots-kg', 'query', 'members']; from ots_kg.cli import main; main()"
CLI_VALIDATE = "import sys; sys.argv = ['ots-kg', 'validate']; from ots_kg.cli import main; main()"


def fmt_row(cells) -> str:
    return "| " + " | ".join(cells) + " |"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument(
        "--rdflib-max",
        type=int,
        default=100000,
        help="largest size for the rdflib/pySHACL steps (they take minutes beyond)",
    )
    ap.add_argument(
        "--targets",
        action="store_true",
        help="only the issue-16 targets (bench/targets.py): validators side by side on seeded graphs "
        "of --sizes, the bundled targets, and --large triples on a disk store",
    )
    ap.add_argument(
        "--large", type=int, default=0, help="with --targets: triples of the disk-store run (e.g. 10000000)"
    )
    ap.add_argument(
        "--build-only",
        type=int,
        default=0,
        metavar="N",
        help="with --large: only N alternated pairs of pyoxigraph's bulk load and ots-kg's store build",
    )
    args = ap.parse_args()
    compiled()
    if args.targets:
        from bench.targets import main as targets

        return targets([int(s) for s in args.sizes.split(",") if s], args.repeat, args.out, args.large, args.build_only)
    from bench.generate import generate

    data = sorted(str(p) for p in (ROOT / "data").rglob("*.ttl"))
    core = sorted(str(p) for p in (ROOT / "data" / "core").glob("*.ttl"))
    inputs = {"bundled": data}
    sizes = [int(s) for s in args.sizes.split(",") if s]
    args.out.mkdir(parents=True, exist_ok=True)
    for size in sizes:
        path = args.out / f"synthetic-{size}.ttl"
        if not path.exists():
            path.write_text(generate(size)[0], encoding="utf-8")
        inputs[f"{size // 1000}k"] = [*core, str(path)]

    cache = tempfile.mkdtemp(prefix="ots-kg-bench-cache-")
    os.environ["OTS_KG_CACHE"] = cache
    results = {}
    for name, files in inputs.items():
        size = sizes[list(inputs).index(name) - 1] if name != "bundled" else 0
        small = name == "bundled" or size <= args.rdflib_max
        r = {}
        r["triples"] = int(measured(LOAD_STORE, *files)[2])
        r["load_store"] = measured(LOAD_STORE, *files)[:2]
        r["load_ots"] = measured(LOAD_OTS, *files)[:2]
        if small:
            r["load_rdflib"] = measured(LOAD_RDFLIB, *files)[:2]
        r["validate_oxigraph"] = measured(VALIDATE, "oxigraph", *files)[:2]
        if small:
            r["validate_pyshacl"] = measured(VALIDATE, "pyshacl", *files)[:2]
        q = json.loads(measured(QUERIES_STORE, str(args.repeat), *files)[2])
        r["queries_store_max"] = max(q.values())
        r["queries_store_slowest"] = max(q, key=q.get)
        r["queries_store_peak"] = measured(QUERIES_STORE, "1", *files)[1]
        if name == "bundled":
            ql = json.loads(measured(QUERIES_RDFLIB, str(args.repeat), *files)[2])
            r["queries_rdflib_max"] = max(ql.values())
        r["export"] = measured(EXPORT, *files)[:2] if small else measured(DUMP_STORE, *files)[:2]
        results[name] = r
        print(name, json.dumps(r), flush=True)

    # ratios, each pair side by side in this run
    ratios = {}
    naive = median_of(args.repeat, NAIVE_QUERY)
    measured(CLI_QUERY)  # warm the cache once, as a user's first run does
    cold = median_of(args.repeat, CLI_QUERY)
    ratios["cold query: ots-kg query members / naive rdflib script"] = (cold[0], naive[0])
    plain = median_of(1, PLAIN_PYSHACL, *data)
    ours = median_of(args.repeat, CLI_VALIDATE)
    ratios["validate: ots-kg validate / plain pySHACL (same files)"] = (ours[0], plain[0])
    ratios["load: ots-kg loader / rdflib Turtle parser (bundled)"] = (
        results["bundled"]["load_ots"][0],
        results["bundled"]["load_rdflib"][0],
    )

    # seeded errors: the Oxigraph engine against pySHACL (hybrid engine) on a 100k sample
    seeded_text, seeded = generate(100000, errors=40, seed=7)
    seeded_path = args.out / "synthetic-100000-seeded.ttl"
    seeded_path.write_text(seeded_text, encoding="utf-8")
    a = measured(VALIDATE, "oxigraph", *core, str(seeded_path))[2]
    b = measured(VALIDATE, "pyshacl", *core, str(seeded_path))[2]
    same = json.loads(a) == json.loads(b)
    found = len([x for x in json.loads(a) if x[0] == "Violation"])

    print()
    print(f"command: python bench/run.py --sizes {args.sizes} --repeat {args.repeat}")
    head = [
        "graph",
        "triples",
        "load Oxigraph store",
        "load ots-kg (rdflib graph)",
        "load rdflib Turtle",
        "validate oxigraph",
        "validate pyshacl engine",
        "slowest stored query (Oxigraph)",
        "export N-Triples",
    ]
    print(fmt_row(head))
    print(fmt_row(["---"] * len(head)))

    def cell(value) -> str:
        return "not run" if value is None else f"{value[0]:.2f} s / {value[1]:.0f} MiB"

    for name, r in results.items():
        print(
            fmt_row(
                [
                    name,
                    str(r["triples"]),
                    cell(r["load_store"]),
                    cell(r["load_ots"]),
                    cell(r.get("load_rdflib")),
                    cell(r["validate_oxigraph"]),
                    cell(r.get("validate_pyshacl")),
                    f"{r['queries_store_max']:.3f} s ({r['queries_store_slowest']}) / "
                    f"{r['queries_store_peak']:.0f} MiB",
                    cell(r["export"]),
                ]
            )
        )
    print()
    print(fmt_row(["ratio (median of runs, same run)", "ours", "baseline", "ratio"]))
    print(fmt_row(["---"] * 4))
    for label, (x, y) in ratios.items():
        print(fmt_row([label, f"{x:.3f} s", f"{y:.3f} s", f"{x / y:.2f}"]))
    print()
    print(
        f"bundled: slowest stored query rdflib {results['bundled']['queries_rdflib_max']:.3f} s, "
        f"Oxigraph {results['bundled']['queries_store_max']:.3f} s"
    )
    print(
        f"seeded errors (100k sample, {len(seeded)} seeded, {found} violations found): "
        f"Oxigraph engine and pySHACL engine report {'the same' if same else 'DIFFERENT'} results"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
