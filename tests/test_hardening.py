"""Bad input, hostile queries and load: one-line errors, exit 2, nothing changed, nothing
reached that should not be."""

from __future__ import annotations

import hashlib
import http.server
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, run_cli
from servers import POLL, free_port, wait_for

# name -> (file bytes, words the message must contain, whether a line number is expected)
BAD_FILES = {
    "unterminated-string": (b'@prefix ex: <http://e/> .\nex:a ex:b "never closed .\n', "", True),
    "undefined-prefix": (b"@prefix ex: <http://e/> .\n\nex:a ex:b nope:c .\n", "nope", True),
    "bad-iri": (b"@prefix ex: <http://e/> .\nex:a ex:b <http://e/with space> .\n", "", True),
    "stray-characters": (b"@prefix ex: <http://e/> .\nex:a ex:b ex:c .\n}}} ))) ;;\n", "", True),
    "ill-typed-literal": (
        b"@prefix ex: <http://e/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        b'ex:a ex:d "2019-02-30"^^xsd:date .\n',
        "ill-typed literal",
        True,
    ),
    "ill-typed-integer": (
        b"@prefix ex: <http://e/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        b'ex:a ex:n "twelve"^^xsd:integer .\n',
        "ill-typed literal",
        True,
    ),
    "empty": (b"", "empty file", False),
    "binary": (bytes(range(256)) * 4, "binary file", False),
    "latin-1": ('@prefix ex: <http://e/> .\nex:a ex:b "Türkiye" .\n'.encode("latin-1"), "not UTF-8", True),
    "json-ld-instead": (b'{"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://e/a"}', "", True),
}


def _one_line_exit_2(proc, path: Path, words: str, line: bool) -> None:
    assert proc.returncode == 2, proc.stdout[-500:]
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"ots-kg: {path}"), err
    if line:
        assert re.match(rf"ots-kg: {re.escape(str(path))}:\d+: ", err), err
    assert words in err


@pytest.mark.parametrize("name", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["validate", "export", "stats", "query"])
def test_bad_file_one_line_exit_2_unchanged(tmp_path, name, command):
    content, words, line = BAD_FILES[name]
    path = tmp_path / f"{name}.ttl"
    path.write_bytes(content)
    before = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    args = ["query", "members", "--data", str(path)] if command == "query" else [command, str(path)]
    proc = run_cli(*args, env={**os.environ, "OTS_KG_CACHE": str(tmp_path / "cache")})
    _one_line_exit_2(proc, path, words, line)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


def test_very_large_file_with_an_error_near_the_end(tmp_path):
    path = tmp_path / "large.ttl"
    with path.open("w", encoding="utf-8") as out:
        out.write("@prefix ex: <http://example.org/> .\n")
        # 30,000 lines, each also two violations (no class, unknown property): 60,000 results
        # located and reported; 300,000 lines take minutes (bench/README.md), too long for a test
        for i in range(30_000):
            out.write(f'ex:s{i} ex:p "value {i}" .\n')
        out.write("ex:broken ex:p .\n")
    proc = run_cli("validate", str(path))
    _one_line_exit_2(proc, path, "", True)
    assert f"{path}:30002:" in proc.stderr


@pytest.mark.parametrize("case", ["missing", "no-turtle-dir", "unknown-format"])
def test_path_and_usage_problems(tmp_path, case):
    if case == "missing":
        proc = run_cli("validate", str(tmp_path / "absent.ttl"))
        assert "no such file or directory" in proc.stderr
    elif case == "no-turtle-dir":
        (tmp_path / "notes.txt").write_text("hello")
        proc = run_cli("validate", str(tmp_path))
        assert "holds no .ttl file" in proc.stderr
    else:
        proc = run_cli("export", "--format", "xlsx")
        assert "Invalid value for '--format'" in proc.stderr
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_unreadable_file(tmp_path):
    """Permission denied. Root reads anything, so as root (CI) the command runs with the
    file-permission capabilities dropped (util-linux setpriv), where mode 000 counts."""
    path = tmp_path / "secret.ttl"
    path.write_text("@prefix ex: <http://e/> .\nex:a ex:b ex:c .\n")
    path.chmod(0o000)
    prefix: list[str] = []
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv (util-linux): cannot make a file unreadable")
        prefix = [setpriv, "--bounding-set", "-dac_override,-dac_read_search"]
    proc = subprocess.run(
        [*prefix, sys.executable, "-m", "ots_kg", "validate", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    path.chmod(0o644)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2 and proc.stderr.strip() == f"ots-kg: {path}:1: permission denied"


@pytest.mark.parametrize(
    "name,text",
    [
        ("bom", '\ufeff@prefix ex: <http://example.org/> .\nex:a ex:label "x" .\n'),
        ("crlf", '@prefix ex: <http://example.org/> .\r\nex:a ex:label "x" .\r\n'),
        (
            "non-ascii",
            '@prefix ex: <http://example.org/> .\nex:Şəki ex:label "Şəki — Гәнҹә"@az .\n'
            '<http://example.org/İstanbul/çarşı> ex:label "çarşı"@tr .\n',
        ),
    ],
)
def test_valid_oddities_load_normally(tmp_path, name, text):
    path = tmp_path / f"{name}.ttl"
    path.write_bytes(text.encode("utf-8"))
    proc = run_cli("export", "--format", "nt", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "<http://example.org/a>" in proc.stdout or "Şəki" in proc.stdout


# ---- query safety ------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[]}}')

    do_POST = do_GET  # noqa: N815

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Recorder)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL}, daemon=True).start()
    _Recorder.hits = []
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_service_and_load_refused_locally_and_nothing_is_fetched(tmp_path, recorder, engine):
    for text in (
        f"SELECT * WHERE {{ SERVICE <{recorder}/sparql> {{ ?s ?p ?o }} }}",
        f"#+ summary: t\nSELECT * WHERE {{ ?s ?p ?o . SERVICE <{recorder}/x> {{ ?s ?p ?o }} }} LIMIT 1",
        f"LOAD <{recorder}/data.ttl>",
    ):
        path = tmp_path / "q.rq"
        path.write_text(text)
        proc = run_cli("query", str(path), "--engine", engine)
        assert proc.returncode == 2
        assert "refused unless --allow-network" in proc.stderr or "not allowed" in proc.stderr
    assert _Recorder.hits == []


def test_allow_network_lets_service_through(tmp_path, recorder):
    path = tmp_path / "q.rq"
    path.write_text(f"SELECT * WHERE {{ SERVICE <{recorder}/sparql> {{ ?s ?p ?o }} }}")
    proc = run_cli("query", str(path), "--engine", "rdflib", "--allow-network")
    assert proc.returncode == 0, proc.stderr
    assert _Recorder.hits, "the SERVICE request should have reached the local recorder"


def test_loading_never_fetches_a_remote_context(tmp_path, recorder):
    path = tmp_path / "ctx.ttl"
    path.write_text(f'{{"@context": "{recorder}/context.jsonld", "@id": "http://e/a"}}')
    proc = run_cli("validate", str(path))
    assert proc.returncode == 2
    assert _Recorder.hits == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_runaway_query_is_stopped_locally(tmp_path, engine):
    path = tmp_path / "runaway.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    start = time.monotonic()
    proc = run_cli("query", str(path), "--engine", engine, "--timeout", "1.5")
    assert proc.returncode == 2 and "time limit" in proc.stderr
    assert time.monotonic() - start < 30


def test_time_limit_covers_writing_a_large_graph_answer(tmp_path):
    """A CONSTRUCT of 300,000 triples that the command answers and writes as N-Triples in
    ~3 s, and as Turtle (rdflib's writer) in ~21 s: --timeout 5 stops the Turtle command
    (the limit once covered only the query, and a 10 M-triple state-graph ran 91 s past
    --timeout 60 and exited 0). The bundled graph's largest CONSTRUCT is written in under 5 s
    on a fast day, so the data is made here."""
    data = tmp_path / "many.nt"
    with data.open("w") as out:
        for i in range(150_000):
            out.write(f'<http://e/s{i}> <http://e/p> "v{i}" .\n<http://e/s{i}> <http://e/q> <http://e/o{i % 1000}> .\n')
    path = tmp_path / "all.rq"
    path.write_text("CONSTRUCT WHERE { ?s ?p ?o }")
    start = time.monotonic()
    proc = run_cli("query", str(path), "--data", str(data), "--timeout", "5", "--format", "ttl")
    assert proc.returncode == 2 and "time limit" in proc.stderr, proc.stderr
    assert proc.stdout == ""  # nothing half-written
    assert time.monotonic() - start < 30


# ---- server robustness -------------------------------------------------------------------


def _rss_kib(pid: int) -> int:
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.mark.early
def test_server_under_bounded_load_then_clean_stop():
    proc = subprocess.Popen(
        [sys.executable, "-m", "ots_kg", "serve", "--port", "0"], stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    port = int(re.search(r":(\d+)/sparql", proc.stderr.readline()).group(1))
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/health")
    urls = [
        f"{base}/sparql?stored=members",
        f"{base}/sparql?stored=summits",
        f"{base}/sparql?stored=series-timeline&p.series=mech:transport-ministers",
        f"{base}/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D",
    ]
    errors: list[str] = []

    def client(i: int, n: int) -> None:
        for k in range(n):
            try:
                with urllib.request.urlopen(urls[(i + k) % len(urls)], timeout=30) as r:
                    if r.status != 200:
                        errors.append(str(r.status))
            except Exception as exc:  # counted, not raised: the test reports them all
                errors.append(repr(exc))

    def burst(n: int) -> None:
        threads = [threading.Thread(target=client, args=(i, n)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)

    burst(20)  # warm up
    before = _rss_kib(proc.pid)
    burst(100)  # 16 clients x 100 queries
    after = _rss_kib(proc.pid)
    assert errors == []
    # growth measured: 1.2 MiB over 3,200 queries; the bound is 19 KiB a query, as it was
    # when the test sent 3,200 (60 MB)
    assert after - before < 30_000, f"memory grew by {after - before} KiB"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(15) == 0
