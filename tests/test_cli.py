"""The command line as a user meets it: help, exit codes, one-line errors."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, run_cli

COMMANDS = ["validate", "queries", "query", "export", "stats", "check-sources", "push", "serve", "plot", "docs", "find"]


def test_help_lists_every_command():
    out = run_cli("--help").stdout
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s", out, re.M), command


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_helpful_help(command):
    proc = run_cli(command, "--help")
    assert proc.returncode == 0
    assert "Usage:" in proc.stdout and "Exit codes" in proc.stdout
    assert len(proc.stdout.splitlines()) > 6
    assert proc.stdout.count("Examples:") <= 1, "one block of examples, not two"


def test_validate_shipped_data_conforms():
    proc = run_cli("validate")
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "conforms: 0 violations" in proc.stdout


def test_deleting_an_event_date_fails_validation_and_names_the_event(tmp_path):
    source = ROOT / "data" / "areas" / "transport.ttl"
    text = source.read_text(encoding="utf-8")
    block_start = text.index("event:2022-10-28-transport-ministers-6 a")
    block_end = text.index(" .\n", block_start)
    block = text[block_start:block_end]
    broken = re.sub(r"\n\s*schema:startDate [^;]+;", "", block)
    assert broken != block
    target = tmp_path / "transport.ttl"
    target.write_text(text[:block_start] + broken + text[block_end:], encoding="utf-8")
    proc = run_cli("validate", str(ROOT / "data" / "core"), str(target))
    assert proc.returncode == 1
    assert re.search(r"Violation: event:2022-10-28-transport-ministers-6\b.*startDate", proc.stdout)


def test_malformed_turtle_exits_2_with_file_and_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    proc = run_cli("validate", str(bad))
    assert proc.returncode == 2
    assert re.match(rf"ots-kg: {re.escape(str(bad))}:3: ", proc.stderr)
    assert len(proc.stderr.strip().splitlines()) == 1


def test_undefined_prefix_names_line(tmp_path):
    bad = tmp_path / "prefix.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b nope:c .\n")
    proc = run_cli("validate", str(bad))
    assert proc.returncode == 2 and f"{bad}:3:" in proc.stderr and "nope" in proc.stderr


def test_ill_typed_literal_is_reported_not_kept(tmp_path):
    bad = tmp_path / "date.ttl"
    bad.write_text(
        "@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'ex:a ex:date "2019-02-30"^^xsd:date .\n'
    )
    proc = run_cli("validate", str(bad))
    assert proc.returncode == 2
    assert f"{bad}:3: ill-typed literal" in proc.stderr and "2019-02-30" in proc.stderr


@pytest.mark.parametrize(
    "args,words",
    [
        (["query", "no-such-query"], "unknown query 'no-such-query'"),
        (["query", "series-timeline"], "needs parameter series (-p series=...): the series, e.g. mech:transport"),
        (["query", "members", "-p", "colour=red"], "unknown parameter 'colour'"),
        (["query", "members", "-p", "role"], "is not name=value"),
        (["query", "summits", "-p", "year=last"], "is not a year"),
        (["query", "members", "--format", "ttl"], "'ttl' is a graph format; a SELECT answer is written as table, csv"),
        (["export", "--format", "docx"], "Invalid value for '--format'"),
        (["validate", "--format", "pdf"], "Invalid value for '--format'"),
        (["validate", "/no/such/file.ttl"], "no such file or directory"),
        (["frobnicate"], "No such command"),
    ],
)
def test_usage_errors_are_one_line_exit_2(args, words):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert words in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_query_writes_xml_as_the_server_does(tmp_path):
    """`--format xml`: SPARQL XML results for a SELECT (the same rows as its CSV), RDF/XML for
    a CONSTRUCT (the same triples as its N-Triples), each read back by rdflib's own parsers."""
    import io
    from csv import reader

    from rdflib import Graph
    from rdflib.compare import isomorphic
    from rdflib.query import Result

    select = {fmt: run_cli("query", "members", "--format", fmt) for fmt in ("xml", "csv")}
    assert all(proc.returncode == 0 for proc in select.values()), select["xml"].stderr
    parsed = Result.parse(io.BytesIO(select["xml"].stdout.encode("utf-8")), format="xml")
    csv = list(reader(io.StringIO(select["csv"].stdout)))
    assert [str(v) for v in parsed.vars] == csv[0]
    assert [[str(t) if t is not None else "" for t in row] for row in parsed] == csv[1:]
    assert len(csv) > 5

    graph = {
        fmt: run_cli("query", "state-graph", "-p", "state=state:hungary", "--format", fmt) for fmt in ("xml", "nt")
    }
    assert all(proc.returncode == 0 for proc in graph.values()), graph["xml"].stderr
    from_xml = Graph().parse(data=graph["xml"].stdout, format="xml")
    assert len(from_xml) > 10
    assert isomorphic(from_xml, Graph().parse(data=graph["nt"].stdout, format="nt"))


def test_output_suffix_chooses_the_format_unless_format_is_given(tmp_path):
    """`-o FILE` without --format writes what the suffix names (export -o ots.nt wrote Turtle
    once); --format wins; a suffix that names nothing keeps the default."""
    import json

    from rdflib import Graph

    nt = tmp_path / "ots.nt"
    assert run_cli("export", "-o", str(nt)).returncode == 0
    assert len(Graph().parse(nt, format="nt")) > 10_000  # strict N-Triples: no PREFIX lines
    given = tmp_path / "given.nt"
    assert run_cli("export", "--format", "ttl", "-o", str(given)).returncode == 0
    assert given.read_text(encoding="utf-8").startswith("PREFIX ")

    answers = {suffix: tmp_path / f"members.{suffix}" for suffix in ("csv", "json", "txt")}
    for out in answers.values():
        assert run_cli("query", "members", "-o", str(out)).returncode == 0
    assert answers["csv"].read_text(encoding="utf-8").startswith("state,name,")
    assert json.loads(answers["json"].read_text(encoding="utf-8"))["head"]["vars"][0] == "state"
    assert answers["txt"].read_text(encoding="utf-8").split()[:2] == ["state", "name"]  # the table

    found = tmp_path / "found.tsv"
    assert run_cli("find", "samarkand", "-o", str(found)).returncode == 0
    assert found.read_text(encoding="utf-8").startswith("?node\t?kind")

    wrong = run_cli("query", "members", "-o", str(tmp_path / "members.ttl"))
    assert wrong.returncode == 2 and "'ttl' is a graph format" in wrong.stderr


def test_an_rdf_file_of_another_syntax_is_refused_by_name_with_a_conversion_that_works(tmp_path):
    """RDF/XML given as data was parsed as Turtle: `x.rdf:1: Invalid IRI code point ' ' (and
    194 more problems)`. Now one line names the syntax and a conversion; the conversion it
    names (rdflib's rdfpipe) gives a file that validates (the ontology, as data, conforms)."""
    import subprocess
    import sys

    from rdflib import Graph

    from ots_kg.resources import ontology_file

    rdf = tmp_path / "ots.rdf"
    Graph().parse(ontology_file()).serialize(rdf, format="xml")
    proc = run_cli("validate", str(rdf))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "ots.rdf: RDF/XML by its suffix" in proc.stderr
    command = proc.stderr.split("e.g. ", 1)[1].split()
    assert command[:5] == ["rdfpipe", "-i", "xml", "-o", "turtle"] and command[6] == ">"
    converted = subprocess.run(
        [sys.executable, "-m", "rdflib.tools.rdfpipe", *command[1:6]], capture_output=True, check=True
    ).stdout
    assert command[7] == str(tmp_path / "ots.ttl")
    (tmp_path / "ots.ttl").write_bytes(converted)
    checked = run_cli("validate", command[7])
    assert checked.returncode == 0 and "conforms: 0 violations" in checked.stdout


def test_queries_lists_the_catalogue():
    out = run_cli("queries").stdout
    for name in ("members", "summits", "series-timeline", "documents-at-event", "conflicts"):
        assert re.search(rf"^{name}\s", out, re.M)
    assert "-p series=<iri>  (required)" in out


def test_stats_counts_events_by_area_and_year():
    out = run_cli("stats").stdout
    assert "areas:" in out and "years:" in out
    assert re.search(r"^\s+2022\s+\d+$", out, re.M)


def test_installed_package_carries_its_resources(tmp_path):
    """The wheel ships ontology, shapes, data and queries inside the package."""
    import os
    import shutil
    import subprocess
    import sys
    import zipfile
    from pathlib import Path

    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr[-1000:]
    wheel = next(tmp_path.glob("ots_kg-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ots_kg/_ontology/ots.ttl" in names and "ots_kg/_ontology/shapes.ttl" in names
    assert "ots_kg/_data/core/summits.ttl" in names and "ots_kg/_data/areas/transport.ttl" in names
    assert "ots_kg/_queries/summits.rq" in names

    # Installed like README's first command (not editable), the package validates the
    # checkout it is run in: a contributor's edit is validated without reinstalling and named
    # by its path in the checkout (failed before: the install-time copy passed, "conforms").
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    checkout = tmp_path / "checkout"
    for name in ("ontology", "data", "queries"):
        shutil.copytree(ROOT / name, checkout / name)
    edited = checkout / "data" / "summits" / "2020-2022.ttl"
    text = edited.read_text(encoding="utf-8")
    line = text[: text.index("ots:hostCountry")].count("\n") + 1
    edited.write_text(text.replace("ots:hostCountry", "ots:hostcountry", 1), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "OTS_KG_CACHE": str(tmp_path / "cache")}

    def validate(cwd: Path) -> subprocess.CompletedProcess[str]:
        args = [sys.executable, "-m", "ots_kg", "validate", "--format", "github"]
        return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)

    proc = validate(checkout)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr
    assert f"::error file=data/summits/2020-2022.ttl,line={line}," in proc.stdout
    assert "did you mean ots:hostCountry?" in proc.stdout
    assert validate(checkout / "queries").returncode == 1  # found from a folder inside it
    proc = validate(elsewhere)  # no checkout here: the installed copy, which conforms
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert f"file={site / 'ots_kg' / '_data'}" in proc.stdout
    # and --version says which copy a command reads, from where it is run
    for cwd, where in ((checkout, f"{checkout} (a checkout"), (elsewhere, f"{site / 'ots_kg'} (installed)")):
        proc = subprocess.run(
            [sys.executable, "-m", "ots_kg", "--version"], cwd=cwd, env=env, capture_output=True, text=True
        )
        assert proc.returncode == 0 and f"bundled graph: {where}" in proc.stdout, proc.stdout + proc.stderr


def test_export_graph_tool_formats(tmp_path):
    import csv

    import networkx as nx

    graphml = tmp_path / "ots.graphml"
    proc = run_cli("export", "--format", "graphml", "-o", str(graphml))
    assert proc.returncode == 0, proc.stderr
    net = nx.read_graphml(graphml)
    assert "https://w3id.org/ots-kg/id/event/2022-11-11-summit-9" in net
    assert any(d.get("label") == "ots:inSeries" for _, _, d in net.edges(data=True))
    proc = run_cli("export", "--format", "csv", "-o", str(tmp_path / "neo4j"))
    assert proc.returncode == 0, proc.stderr
    with open(tmp_path / "neo4j" / "relationships.csv", encoding="utf-8") as handle:
        assert next(csv.reader(handle))[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert run_cli("export", "--format", "graphml").returncode == 2


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["query", "members", "--format", "csv"],
        ["validate", "--format", "json"],
        ["query", "no-such-query"],
        ["find", "Samarkand", "--format", "json"],
    ],
)
def test_a_command_forked_for_the_tests_behaves_as_in_a_fresh_interpreter(args, tmp_path):
    """run_cli forks most commands from a process that has imported the package
    (forked_cli.py); what they print and their exit code must be a fresh `python -m ots_kg`'s."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "OTS_KG_CACHE": str(tmp_path / "cache")}
    fresh = subprocess.run(
        [sys.executable, "-m", "ots_kg", *args], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300
    )
    forked = run_cli(*args, env=env, cwd=tmp_path)
    assert (forked.returncode, forked.stdout, forked.stderr) == (fresh.returncode, fresh.stdout, fresh.stderr)


def test_queries_lists_only_those_holding_every_word():
    """`ots-kg queries WORD…`: a query is listed when its name, summary, tags or parameters
    hold every word, accents and case ignored; the rest are not."""
    import json

    def listed(*words: str) -> list[dict]:
        proc = run_cli("queries", *words, "--format", "json")
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    def text(entry: dict) -> str:
        params = [f"{p['name']} {p['description']}" for p in entry["params"]]
        return " ".join([entry["name"], entry["summary"], *entry["tags"], *params]).casefold()

    every = listed()
    summit = listed("Summit")
    assert {"summits", "summit-record", "summit-attendance"} <= {e["name"] for e in summit}
    assert [e for e in every if "summit" in text(e)] == summit and len(summit) < len(every)
    both = listed("document", "event")
    assert both == [e for e in every if "document" in text(e) and "event" in text(e)]
    assert listed("türkiye") == listed("TURKIYE") == [e for e in every if "turkiye" in text(e)] != []
    proc = run_cli("queries", "summit")
    assert proc.stdout.splitlines()[-1].startswith(f"({len(summit)} of {len(every)} stored queries match 'summit'")
    proc = run_cli("queries", "no-such-word")
    assert (
        proc.returncode == 0
        and proc.stdout == f"(no stored query matches 'no-such-word'; 'ots-kg queries' lists all {len(every)})\n"
    )
