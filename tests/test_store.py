"""The on-disk store (`--store DIR`) and the large-input route: built once, rebuilt when an
input's content changes, opened read-only by many processes, and never an rdflib graph."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import PREFIXES, ROOT, run_cli
from servers import ots_server

from ots_kg.io.store import ensure_store

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }\n"
EVENTS = "SELECT ?e WHERE { ?e a schema:Event } ORDER BY ?e\n"


def _event(slug: str) -> str:
    return (
        f'event:{slug} a schema:Event ; rdfs:label "{slug}"@en ; schema:startDate "2020-01-01"^^xsd:date ;\n'
        "    prov:wasDerivedFrom <https://w3id.org/ots-kg/source/ots-charter#L1> .\n"
    )


@pytest.fixture
def small(tmp_path) -> dict[str, Path]:
    """A data file, a store folder and two queries in a temp dir."""
    data = tmp_path / "data.ttl"
    data.write_text(PREFIXES + _event("e1"), encoding="utf-8")
    (tmp_path / "count.rq").write_text(COUNT, encoding="utf-8")
    (tmp_path / "events.rq").write_text(EVENTS, encoding="utf-8")
    return {"data": data, "store": tmp_path / "store", "count": tmp_path / "count.rq", "events": tmp_path / "events.rq"}


def _query_args(small: dict[str, Path], rq: str) -> list[str]:
    return ["query", str(small[rq]), "--data", str(small["data"]), "--store", str(small["store"]), "--format", "csv"]


def _query(small: dict[str, Path], rq: str = "events", *extra: str, env: dict | None = None):
    return run_cli(*_query_args(small, rq), *extra, env=env)


def _hold_open(small: dict[str, Path]) -> subprocess.Popen:
    """A process that opens the store read-only, prints its size and keeps it open until
    its stdin closes."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from ots_kg.io.store import open_disk_store; s = open_disk_store(sys.argv[1], [sys.argv[2]]); "
            "print(len(s), flush=True); sys.stdin.read()",
            str(small["store"]),
            str(small["data"]),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert int(holder.stdout.readline()) > 0
    return holder


def test_store_is_rebuilt_when_a_data_file_changes(small):
    first = _query(small)
    assert first.returncode == 0, first.stderr
    assert "building store" in first.stderr
    assert first.stdout.splitlines()[1:] == ["https://w3id.org/ots-kg/id/event/e1"]
    small["data"].write_text(PREFIXES + _event("e1") + _event("e2"), encoding="utf-8")
    second = _query(small)
    assert second.returncode == 0, second.stderr
    assert "building store" in second.stderr and "inputs changed" in second.stderr
    assert second.stdout.splitlines()[1:] == [
        "https://w3id.org/ots-kg/id/event/e1",
        "https://w3id.org/ots-kg/id/event/e2",
    ]


def test_store_is_reused_when_unchanged(small):
    assert _query(small).returncode == 0
    stamp = small["store"] / "stamp.json"
    before = (stamp.stat().st_ino, stamp.stat().st_mtime_ns, sorted(os.listdir(small["store"] / "oxigraph")))
    again = _query(small)
    assert again.returncode == 0
    assert "building store" not in again.stderr
    assert (stamp.stat().st_ino, stamp.stat().st_mtime_ns, sorted(os.listdir(small["store"] / "oxigraph"))) == before
    # the same bytes saved again (new mtime) are not a change either
    small["data"].write_bytes(small["data"].read_bytes())
    touched = _query(small)
    assert "building store" not in touched.stderr
    assert stamp.stat().st_ino == before[0]


def test_store_answers_like_the_in_memory_route(tmp_path):
    store = str(tmp_path / "store")
    env = {**os.environ, "OTS_KG_CACHE": str(tmp_path / "cache")}
    for name in ("members", "summits"):
        on_disk = run_cli("query", name, "--store", store, "--format", "csv", env=env)
        in_memory = run_cli("query", name, "--format", "csv", env=env)
        assert on_disk.returncode == in_memory.returncode == 0, on_disk.stderr
        assert on_disk.stdout == in_memory.stdout
    validated = run_cli("validate", "--store", store, "--format", "json", env=env)
    reference = run_cli("validate", "--engine", "oxigraph", "--format", "json", env=env)
    assert validated.returncode == reference.returncode

    # the same findings at the same file and line (the disk store keeps no positions: they
    # are read from the files it was built from)
    def findings(proc):
        return sorted(map(str, json.loads(proc.stdout)["results"]))

    assert findings(validated) == findings(reference)
    assert all(r["file"] and r["line"] for r in json.loads(validated.stdout)["results"])


def test_the_store_route_finds_every_vocabulary_mistake_the_file_route_finds(tmp_path):
    """`validate --store` (and any input over 50 MB) checked the shapes only: a misspelt class
    or property, an unknown datatype or vocabulary term and an untyped node passed without a
    word. Each rule of the closed vocabulary, with what it must not flag beside it."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("areas.ttl", "states.ttl", "places.ttl"):
        (data / name).write_text((ROOT / "data" / "core" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (data / "mistakes.ttl").write_text(
        PREFIXES
        + """
event:m1 a ots:MinisterialMeting ; rdfs:label "m1"@en ; ots:area area:transport .
event:m2 a ots:MinisterialMeeting ; rdfs:label "m2"@en ; ots:hostcountry state:turkiye ;
    ots:area area:transport ; schema:startDate "2020-01-01"^^xsd:dat .
event:m3 a ots:MinisterialMeeting ; rdfs:label "m3"@en ; ots:area area:transport ;
    schema:eventAttendanceMode schema:OnlineEventAttendanceMod ;
    rdfs:comment "a plain string, a language string"@en , "plain" .
event:m4 rdfs:label "m4, untyped"@en ; ots:area ( area:transport area:energy ) .
event:m5 a ots:MinisterialMeeting ; rdfs:label "m5"@en ; ots:area area:transport ;
    ots:participation [ a ots:Participation ; ots:levl "a blank node's misspelt property" ] .
@prefix ex: <http://example.org/> . ex:m6 a ots:Summit ; rdfs:label "m6"@en ; ots:ordinl 6 .
""",
        encoding="utf-8",
    )
    env = {**os.environ, "OTS_KG_CACHE": str(tmp_path / "cache")}
    on_disk = run_cli("validate", str(data), "--store", str(tmp_path / "store"), "--format", "json", env=env)
    in_memory = run_cli("validate", str(data), "--format", "json", env=env)
    assert on_disk.returncode == in_memory.returncode == 1, on_disk.stderr

    # a blank node's label is random: Oxigraph writes a 128-bit number in hex without its
    # leading zeros (32 digits; 31 in one of 16 labels, 30 in one of 256)
    label = re.compile(r"\b[0-9a-f]{20,32}\b")

    def vocabulary(proc):
        results = json.loads(proc.stdout)["results"]
        return sorted(
            label.sub("BLANK", str({k: v for k, v in r.items() if k not in ("file", "line")}))
            for r in results
            if r["shape"] == "vocabulary"
        )

    found = vocabulary(on_disk)
    assert found == vocabulary(in_memory)

    # each result at the file and line the file route gives it: the triple's line, not its
    # node's block (the store keeps no positions: they are read from the files), a blank
    # node's at the triple that holds it, a statement after a directive on its line too
    def located(proc):
        return sorted(
            (str(r["file"]), r["line"] or 0, label.sub("BLANK", r["message"]))
            for r in json.loads(proc.stdout)["results"]
        )

    assert located(on_disk) == located(in_memory)
    lines = (data / "mistakes.ttl").read_text(encoding="utf-8").splitlines()
    for mistake in (
        "ots:MinisterialMeting",
        "ots:hostcountry",
        "xsd:dat",
        "schema:OnlineEventAttendanceMod",
        "event:m4",
        "ots:levl",
        "ots:ordinl",
    ):
        assert sum(mistake in finding for finding in found) == 1, (mistake, found)
        at = next(n for n, line in enumerate(lines, 1) if mistake in line)
        assert any(f == str(data / "mistakes.ttl") and n == at for f, n, _ in located(on_disk)), (mistake, at)
    assert len(found) == 7  # the list cells, the language string and the plain one are not flagged


def test_an_ill_typed_literal_no_shape_constrains_is_a_load_error_on_both_routes(tmp_path):
    """The bulk loader stores "2009-13-03"^^xsd:date as written; only a shape's sh:datatype
    caught it on the store route, and ots:established has none: it passed. Now the store's
    literals of the checked datatypes are read once and held to the loader's rule."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "organization.ttl").write_text(
        (ROOT / "data" / "core" / "organization.ttl").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (data / "late.ttl").write_text(PREFIXES + '\ninst:ots ots:established "2009-13-03"^^xsd:date .\n', encoding="utf-8")
    env = {**os.environ, "OTS_KG_CACHE": str(tmp_path / "cache")}
    line = PREFIXES.count("\n") + 2
    expected = f"::error file=data/late.ttl,line={line},title=ots-kg literal::ill-typed literal"
    for route in (["--store", str(tmp_path / "store")], []):
        proc = run_cli("validate", "data", *route, "--format", "github", cwd=tmp_path, env=env)
        assert proc.returncode == 2, (route, proc.stderr)
        assert [e for e in proc.stdout.splitlines() if "ots-kg literal" in e][0].startswith(expected), proc.stdout


def test_concurrent_readers_share_the_store(small):
    assert _query(small, "count").returncode == 0  # build it
    holder = _hold_open(small)  # one process keeps the store open read-only while others query it
    try:
        readers = [
            subprocess.Popen(
                [sys.executable, "-m", "ots_kg", *_query_args(small, "count")],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        outputs = [reader.communicate(timeout=120) for reader in readers]
    finally:
        holder.communicate("", timeout=30)
    assert all(r.returncode == 0 for r in readers), [o[1] for o in outputs]
    assert len({o[0] for o in outputs}) == 1
    assert not any("building store" in o[1] for o in outputs)


def test_a_store_in_use_is_not_rebuilt_under_its_readers(small):
    assert _query(small).returncode == 0
    holder = _hold_open(small)
    try:
        small["data"].write_text(PREFIXES + _event("e3"), encoding="utf-8")
        refused = _query(small, env={**os.environ, "OTS_KG_STORE_WAIT": "0.5"})
    finally:
        holder.communicate("", timeout=30)
    assert refused.returncode == 2
    assert "in use by another process" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert _query(small).stdout.splitlines()[1:] == ["https://w3id.org/ots-kg/id/event/e3"]  # free: rebuilt


def test_a_syntax_error_names_the_line_and_leaves_no_store(small):
    small["data"].write_text(PREFIXES + _event("e1") + "event:x schema:name .\n", encoding="utf-8")
    proc = _query(small)
    assert proc.returncode == 2
    line = len((PREFIXES + _event("e1")).splitlines()) + 1
    assert f"{small['data']}:{line}:" in proc.stderr
    assert not (small["store"] / "stamp.json").exists()


def test_options_that_need_rdflib_are_refused_with_a_store(small):
    proc = _query(small, "events", "--engine", "rdflib")
    assert proc.returncode == 2 and "--engine rdflib" in proc.stderr
    proc = run_cli("validate", str(small["data"]), "--store", str(small["store"]), "--engine", "pyshacl")
    assert proc.returncode == 2 and "--engine pyshacl" in proc.stderr


def test_export_from_the_store_holds_the_same_triples(tmp_path):
    env = {**os.environ, "OTS_KG_CACHE": str(tmp_path / "cache")}
    streamed = run_cli("export", "--format", "nt", "--store", str(tmp_path / "store"), env=env)
    sorted_export = run_cli("export", "--format", "nt", env=env)
    assert streamed.returncode == sorted_export.returncode == 0, streamed.stderr

    def named(text: str) -> list[str]:
        """Lines without blank nodes (labels differ between the routes); rdflib writes the
        xsd:string datatype that RDF 1.1 (and Oxigraph) leaves implicit."""
        plain = text.replace("^^<http://www.w3.org/2001/XMLSchema#string>", "")
        return sorted(line for line in plain.splitlines() if line and "_:" not in line)

    assert named(streamed.stdout) == named(sorted_export.stdout)
    assert len(streamed.stdout.splitlines()) == len(sorted_export.stdout.splitlines())


def test_stats_from_the_store_equal_stats_from_the_files(tmp_path):
    on_disk = run_cli("stats", "--format", "json", "--store", str(tmp_path / "store"))
    from_files = run_cli("stats", "--format", "json")
    assert on_disk.returncode == from_files.returncode == 0, on_disk.stderr
    assert json.loads(on_disk.stdout) == json.loads(from_files.stdout)


_NO_RDFLIB = """
import gc, sys
sys.argv = ["ots-kg", *sys.argv[1:]]
from ots_kg.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("rdflib", "pyshacl")})
graphs = 0
if "rdflib" in sys.modules:  # validation parses the shapes with rdflib: the data must not be there
    from rdflib import Graph, URIRef
    marker = URIRef("https://w3id.org/ots-kg/id/event/e1")
    graphs = sum(1 for g in gc.get_objects() if isinstance(g, Graph) and (marker, None, None) in g)
print("EXIT", code, "HEAVY", heavy, "DATA-GRAPHS", graphs, file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("args", "rdflib_allowed"),
    [
        (["query", "{events}", "--data", "{data}", "--format", "csv"], False),
        (["export", "{data}", "--format", "nt", "-o", "{out}"], False),
        (["validate", "{data}"], True),
    ],
)
def test_a_large_input_never_becomes_an_rdflib_graph(small, tmp_path, args, rdflib_allowed):
    """The threshold is lowered so a small file counts as large (the route is the same). The
    harness ends as the interpreter does, so the temporary store must be gone after it (an
    atexit cleanup, run before the CLI freezes the collector at exit)."""
    temp = tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "OTS_KG_LARGE_BYTES": "100", "OTS_KG_CACHE": str(tmp_path / "cache"), "TMPDIR": str(temp)}
    argv = [a.format(events=small["events"], data=small["data"], out=tmp_path / "out.nt") for a in args]
    proc = subprocess.run(
        [sys.executable, "-c", _NO_RDFLIB, *argv], capture_output=True, text=True, env=env, timeout=300
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "large input: loading into a temporary disk store" in proc.stderr
    finished = ("EXIT 0", "EXIT None", "EXIT 1") if args[0] == "validate" else ("EXIT 0", "EXIT None")
    assert any(f in proc.stderr for f in finished), proc.stderr  # validate: 1 = ran, found violations
    assert "DATA-GRAPHS 0" in proc.stderr
    if not rdflib_allowed:
        assert "HEAVY []" in proc.stderr, proc.stderr
    if args[0] == "export":
        assert "<https://w3id.org/ots-kg/id/event/e1>" in (tmp_path / "out.nt").read_text(encoding="utf-8")
    assert list(temp.iterdir()) == []


def test_serve_workers_open_the_disk_store(small):
    location = ensure_store(small["store"], [small["data"]])
    with ots_server(location, timeout=10.0, max_rows=100) as base:
        request = urllib.request.Request(
            base + "/sparql?query=" + urllib.parse.quote(EVENTS),
            headers={"Accept": "text/csv"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read().decode("utf-8")
    assert body.split() == ["e", "https://w3id.org/ots-kg/id/event/e1"]


def test_the_progress_bar_route_counts_every_byte_and_builds_the_same_store(small, tmp_path):
    """On a terminal the files go through a counting reader instead of Oxigraph's own path
    reader: the bar reaches the input size and the store holds exactly the same quads."""
    from ots_kg.io.files import input_files
    from ots_kg.io.store import build_store, input_bytes, read_only

    files = input_files([small["data"]])
    counted: list[int] = []
    for name, progress in (("bar", counted.append), ("plain", None)):
        (tmp_path / name).mkdir()
        build_store(tmp_path / name, files, progress=progress)
    assert sum(counted) == input_bytes(files)
    bar, plain = (sorted(map(str, read_only(tmp_path / name / "oxigraph"))) for name in ("bar", "plain"))
    assert len(bar) == len(plain)
    assert [q for q in bar if "_:" not in q] == [q for q in plain if "_:" not in q]  # blank labels are random
    assert any("ontology#Passage" in q for q in plain)  # the derived passages are there


def test_off_a_terminal_oxigraph_reads_the_files_itself(small, monkeypatch):
    """With no bar drawn (piped, CI) no Python reader sits in Oxigraph's parse loop: the
    counting reader cost 1.2x pyoxigraph's own bulk load in CPU at 10 M triples."""
    import ots_kg.io.store as store

    def refuse(*_args, **_kwargs):
        raise AssertionError("the counting reader was used with no progress bar shown")

    monkeypatch.setattr(store, "_CountingReader", refuse)
    monkeypatch.setenv("CI", "true")  # progress.wanted(): no bar
    ensure_store(small["store"], [small["data"]])
    assert (small["store"] / "stamp.json").is_file()


def test_a_missing_node_on_a_store_is_named_without_scanning_every_name(small):
    """On a disk store (millions of nodes) an unknown IRI parameter is one line pointing to
    `ots-kg find`, not a "did you mean" that compares the IRI with every name in the graph
    (at 10 M triples that took minutes and 1.2 GB, outside the time limit)."""
    args = ["query", "documents-at-event", "-p", "event=event:e2", "--data", str(small["data"])]
    on_store = run_cli(*args, "--store", str(small["store"]))
    assert on_store.returncode == 2
    assert "no event:e2 in the graph (parameter event); try 'ots-kg find NAME'" in on_store.stderr
    in_memory = run_cli(*args)
    assert in_memory.returncode == 2 and "did you mean event:e1" in in_memory.stderr


def test_relative_iris_resolve_against_the_file_as_in_memory(tmp_path):
    """The store loads files without a base IRI (6 % of the load's CPU) unless a file turns
    out to need one: then the build starts again and that file's relative IRIs resolve
    against its own URI, exactly as the in-memory route resolves them."""
    data = tmp_path / "rel.ttl"
    data.write_text(
        PREFIXES + '<#e9> a schema:Event ; rdfs:label "e9"@en ; schema:startDate "2020-01-01"^^xsd:date ;\n'
        "    prov:wasDerivedFrom <https://w3id.org/ots-kg/source/ots-charter#L1> .\n",
        encoding="utf-8",
    )
    (tmp_path / "q.rq").write_text("SELECT ?e WHERE { ?e a schema:Event }\n", encoding="utf-8")
    args = ["query", str(tmp_path / "q.rq"), "--data", str(data), "--format", "csv"]
    on_store = run_cli(*args, "--store", str(tmp_path / "store"))
    in_memory = run_cli(*args)
    assert on_store.returncode == 0 and in_memory.returncode == 0, on_store.stderr + in_memory.stderr
    assert f"{data.as_uri()}#e9" in on_store.stdout
    assert on_store.stdout == in_memory.stdout
