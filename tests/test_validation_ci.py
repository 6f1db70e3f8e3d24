"""Validation a CI can trust: formats, every problem at once, --changed, the closed
vocabulary, the fast engine's equality with plain pySHACL and its fallback."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import PREFIXES, ROOT, run_cli

from ots_kg.io.files import input_files
from ots_kg.io.loader import graph_from, load_graph, read_files
from ots_kg.io.turtle_positions import FilePositions, statements
from ots_kg.resources import data_dir
from ots_kg.validation.shapes import Shapes, load_shapes
from ots_kg.validation.validate import validate

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
TWO_BROKEN = {
    "a.ttl": "@prefix ex: <http://e/> .\nex:a ex:b .\nex:c ex:d ex:e .\nex:f ex:g ;\n",
    "b.ttl": '@prefix ex: <http://e/> .\n\nfoo:a ex:b ex:c .\nex:x ex:y """long\n. text""" .\nex:z ex:w <http://e/ .\n',
}


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    for name, text in TWO_BROKEN.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_every_syntax_error_of_every_file_is_reported_in_one_run(broken):
    loaded = read_files(sorted(broken.glob("*.ttl")))
    found = sorted((p.file.name, p.line) for p in loaded.issues)
    assert found == [("a.ttl", 2), ("a.ttl", 4), ("b.ttl", 3), ("b.ttl", 6)]
    # the statements between the errors still load
    assert len(loaded.quads[broken / "a.ttl"]) == 1 and len(loaded.quads[broken / "b.ttl"]) == 1


def test_statements_split_only_at_top_level_dots():
    text = (
        '@prefix ex: <http://e/> .\n# "a comment . with quotes"\nex:a ex:b """one.\ntwo.""" , [ ex:c 1.5 ] ;\n'
        '   ex:d ( ex:e ex:f ) .\nex:g ex:h "x.y"@en .\n'
    )
    assert [s.line for s in statements(text)] == [1, 3, 6]
    positions = FilePositions(text)
    assert positions.line_of("<http://e/a>", "<http://e/d>") == 5
    assert positions.line_of("<http://e/g>", "<http://e/h>", '"x.y') == 6


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_load_errors_exit_2_in_every_format(broken, fmt):
    proc = run_cli("validate", str(broken), "--format", fmt, cwd=broken)
    assert proc.returncode == 2, proc.stderr
    assert "a.ttl" in proc.stdout and "b.ttl" in proc.stdout
    if fmt == "json":
        doc = json.loads(proc.stdout)
        assert {(e["file"], e["line"]) for e in doc["errors"]} >= {("a.ttl", 2), ("b.ttl", 6)}


def test_json_is_json_even_when_no_report_can_be_made(tmp_path):
    proc = run_cli("validate", str(tmp_path / "missing.ttl"), "--format", "json")
    assert proc.returncode == 2
    assert "missing.ttl" in json.loads(proc.stdout)["errors"][0]["message"]


MISTAKES = """
event:x a ots:MinisterialMeting ;
    rdfs:label "x"@en ;
    schema:startDate "2019-04-17"^^xsd:date ; schema:endDate "2019-04-16"^^xsd:date ;
    prov:wasDerivedFrom aoc:L194 .
event:y a ots:Forums ; rdfs:label "y"@en ; ots:hostcountry state:kyrgyzstan ;
    schema:startDate "2023-09-25"^^xsd:gYear ; prov:wasDerivedFrom aoc:L194 .
"""


@pytest.fixture
def mistakes(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    (folder / "new.ttl").write_text((ROOT / "data" / "areas" / "transport.ttl").read_text().split("\n\n")[0] + MISTAKES)
    return folder


def test_the_false_greens_of_the_issue_are_caught_with_their_lines(mistakes):
    report = validate([mistakes])
    new = str(mistakes / "new.ttl")
    prefix_lines = (ROOT / "data" / "areas" / "transport.ttl").read_text().split("\n\n")[0].count("\n") + 1
    by_line = {(r.line - prefix_lines, r.message.split(":")[0]) for r in report.results if r.file == new}
    assert (1, "unknown class ots") in by_line  # ots:MinisterialMeting, with a suggestion
    assert any("did you mean ots:MinisterialMeeting?" in r.message for r in report.results)
    assert any("did you mean ots:Forum?" in r.message for r in report.results)
    assert any("did you mean ots:hostCountry?" in r.message for r in report.results)
    assert (5, "unknown class ots") in by_line and (5, "unknown property ots") in by_line
    literal = [p for p in report.load_problems if "2023-09-25" in p.message]
    assert literal and literal[0].line == prefix_lines + 6


def test_a_misspelt_class_is_one_violation_not_two(mistakes):
    """event:x's only class is misspelt: "unknown class … (did you mean …)" says it all; the
    node is not reported again as having no known class."""
    report = validate([mistakes])
    on_x = [r.message for r in report.results if r.focus is not None and r.focus.value.endswith("/event/x")]
    assert len(on_x) == 1 and on_x[0].startswith("unknown class ots:MinisterialMeting"), on_x
    untyped = mistakes / "untyped.ttl"
    untyped.write_text(PREFIXES + 'event:z rdfs:label "z"@en .\n')
    report = validate([untyped])
    assert [r.message for r in report.results] == ["has no known class (rdf:type missing or misspelt)"]


def test_load_errors_name_the_file_as_given_in_every_command(tmp_path):
    """Every command's one-line load error names the file as the report does (relative to the
    working folder), and counts the rest in plain English."""
    (tmp_path / "broken.ttl").write_text(
        PREFIXES + "event:y a ots:Meeting ;\n    ots:area .\n\nnope:z a ots:Summit .\n"
    )
    line = PREFIXES.count("\n") + 2
    for args in (
        ["query", "members", "--data", "broken.ttl"],
        ["export", "broken.ttl", "-o", "x.nt"],
        ["stats", "broken.ttl"],
    ):
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode == 2 and proc.stderr.startswith(f"ots-kg: broken.ttl:{line}: "), (args, proc.stderr)
        assert proc.stderr.rstrip().endswith("(and 1 more problem)"), proc.stderr
    proc = run_cli("query", "members", "--data", "broken.ttl", "--store", "store", cwd=tmp_path)  # a disk store
    assert proc.returncode == 2 and proc.stderr.splitlines()[-1].startswith(f"ots-kg: broken.ttl:{line}: "), proc.stderr
    proc = run_cli("validate", "broken.ttl", cwd=tmp_path)
    assert proc.stderr.splitlines()[0].startswith(f"ots-kg: broken.ttl:{line}: "), proc.stderr


def test_github_format_annotates_file_and_line(mistakes):
    proc = run_cli("validate", "data", "--format", "github", cwd=mistakes.parent)
    assert proc.returncode == 2
    lines = proc.stdout.splitlines()
    assert any(line.startswith("::error file=data/new.ttl,line=") and "MinisterialMeting" in line for line in lines)
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines[:-1])


def test_sarif_output_is_valid_sarif_2_1_0(mistakes):
    proc = run_cli("validate", "data", "--format", "sarif", cwd=mistakes.parent)
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    results = doc["runs"][0]["results"]
    assert any(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "data/new.ttl"
        for r in results
        if r["locations"]
    )
    # a broken SARIF document does fail the schema
    del doc["runs"][0]["tool"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, json.loads(SCHEMA.read_text()))


def test_junit_is_xml_with_one_failure_per_problem(mistakes):
    from xml.etree import ElementTree

    proc = run_cli("validate", "data", "--format", "junit", cwd=mistakes.parent)
    suite = ElementTree.fromstring(proc.stdout)
    assert int(suite.get("failures")) == len(suite.findall("testcase/failure")) > 0


def test_changed_file_is_checked_in_context_and_alone_in_the_report(tmp_path):
    changed = tmp_path / "transport.ttl"
    shutil.copy(data_dir() / "areas" / "transport.ttl", changed)
    proc = run_cli("validate", "--changed", str(changed), "--format", "json")
    assert proc.returncode == 0, proc.stdout[-2000:]
    changed.write_text(changed.read_text().replace("a ots:MinisterialMeeting", "a ots:MinisterialMeting", 1))
    doc = json.loads(run_cli("validate", "--changed", str(changed), "--format", "json").stdout)
    assert doc["violations"] >= 1
    assert {r["file"] for r in doc["results"]} == {str(changed)}


def test_bundled_graph_conforms_with_the_default_engine():
    proc = run_cli("validate", "--format", "json")
    doc = json.loads(proc.stdout)
    assert proc.returncode == 0 and doc["engine"] == "oxigraph" and doc["fallback"] is None
    assert all(r["file"] and r["line"] for r in doc["results"])  # the warnings are located too


def test_an_uncompiled_shacl_feature_falls_back_to_pyshacl(ttl, core_context):
    """sh:hasValue is not compiled: the fast engine must not skip it silently."""
    from rdflib import Graph

    shapes = Graph()
    shapes.parse(data=load_shapes().graph.serialize(format="turtle"), format="turtle")
    shapes.parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ots: <https://w3id.org/ots-kg/ontology#> .
        @prefix shapes: <https://w3id.org/ots-kg/shapes#> . @prefix state: <https://w3id.org/ots-kg/id/state/> .
        shapes:HungaryHosts a sh:NodeShape ; sh:targetClass ots:MinisterialMeeting ;
            sh:property [ sh:path ots:hostCountry ; sh:hasValue state:hungary ] .""",
        format="turtle",
    )
    graph = load_graph([*core_context, data_dir() / "areas" / "transport.ttl"])
    report = validate(data=graph, shapes=Shapes(shapes), engine="oxigraph")
    assert report.engine == "pyshacl-full" and "sh:hasValue" in report.fallback
    assert any(r.shape.startswith("shapes:HungaryHosts") for r in report.violations)


@pytest.mark.early
def test_oxigraph_engine_equals_plain_pyshacl_on_the_seeded_error_corpus():
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate

    text, seeded = generate(2500, errors=15, seed=3)
    graph = load_graph()
    graph.parse(data=text, format="turtle")

    reference = {_key(r) for r in validate(data=graph, engine="pyshacl-full").results}
    assert len([k for k in reference if k[0] == "Violation"]) >= 10
    assert {_key(r) for r in validate(data=graph, engine="oxigraph").results} == reference


def test_checks_side_by_side_give_the_same_findings_in_the_same_order(tmp_path):
    """The oxigraph engine runs its checks on several threads: same findings, same order as
    one after another, on a graph with seeded errors; a check that fails still fails."""
    sys.path.insert(0, str(ROOT))
    from bench.generate import generate
    from ots_kg.io.loader import store_from
    from ots_kg.resources import shapes_file
    from ots_kg.validation.checks import Check, oxigraph_select, run_checks
    from ots_kg.validation.compiled import compiled_checks

    text, _ = generate(2500, errors=15, seed=3)
    seeded = tmp_path / "seeded.ttl"
    seeded.write_text(text, encoding="utf-8")
    loaded = read_files([*input_files(None), seeded])
    select = oxigraph_select(store_from(loaded))
    checks, _ = compiled_checks(shapes_file())
    one = run_checks(checks, select)
    assert len([f for f in one if f.severity == "Violation"]) >= 10
    for threads in (1, 4):  # each check answered is counted, in order, whatever the threads
        heard: list[tuple[int, int]] = []
        assert run_checks(checks, select, threads=threads, counted=lambda *n, into=heard: into.append(n)) == one
        assert heard == [(i, len(checks)) for i in range(1, len(checks) + 1)]
    broken = Check("shapes:Broken", "Violation", None, "m", "SELECT ?focus WHERE { ?focus ?p }")
    with pytest.raises(SyntaxError):
        run_checks([*checks[:5], broken, *checks[5:]], select, threads=4)


def _key(r):
    return (r.severity, r.shape, r.focus, r.path, r.value)


def _mutation_rounds() -> list[list]:
    """The mutation suite's shape-level mistakes (those that parse: syntax errors are the
    loader's, not an engine's), grouped so that each group applies to one copy of data/
    (a later mutation whose text an earlier one changed goes to the next group)."""
    from test_mutations import MUTATIONS

    parsing = []
    for m in MUTATIONS:
        path = data_dir() / m.file
        text = path.read_text(encoding="utf-8")
        one = read_files([path], [text.replace(m.old, m.new).encode("utf-8")])
        if m.tool == "validate" and not any(i.kind == "syntax" for i in one.issues):
            parsing.append(m)
    rounds: list[list] = []
    left = parsing
    while left:
        texts: dict[str, str] = {}
        applied, later = [], []
        for m in left:
            text = texts.get(m.file, (data_dir() / m.file).read_text(encoding="utf-8"))
            if text.count(m.old) == 1:
                texts[m.file] = text.replace(m.old, m.new)
                applied.append(m)
            else:
                later.append(m)
        rounds.append(applied)
        left = later
    return rounds


@pytest.mark.early
def test_oxigraph_engine_equals_plain_pyshacl_on_the_mutation_suite(tmp_path):
    """Every shape-level mistake of the mutation suite, all in as few copies of data/ as the
    overlapping texts allow, validated by both engines over the whole mutated graph."""
    rounds = _mutation_rounds()
    assert sum(len(r) for r in rounds) >= 30 and len(rounds) <= 3
    for number, mutations in enumerate(rounds):
        folder = tmp_path / f"data-{number}"
        shutil.copytree(data_dir(), folder)
        for m in mutations:
            path = folder / m.file
            path.write_text(path.read_text(encoding="utf-8").replace(m.old, m.new), encoding="utf-8")
        loaded = read_files(input_files([folder]))  # the ontology too
        assert not [i for i in loaded.issues if i.kind == "syntax"]
        graph = graph_from(loaded)  # ill-typed literals stay in: the engines must agree on them too
        reference = {_key(r) for r in validate(data=graph, engine="pyshacl-full").results}
        assert len([k for k in reference if k[0] == "Violation"]) >= len(mutations) // 2
        found = {_key(r) for r in validate(data=graph, engine="oxigraph").results}
        assert found == reference | {k for k in found if _pyshacl_blind(k[4])}


def _pyshacl_blind(value) -> bool:
    """An ill-formed literal of a datatype rdflib has no parser for (xsd:gYear,
    xsd:gYearMonth): pySHACL takes it as well-formed, the spec does not (see below)."""
    from rdflib import Literal

    from ots_kg.io.loader import ill_typed

    if value is None or not value.is_literal or not value.datatype:
        return False
    return Literal(value.value, datatype=value.datatype).ill_typed is None and ill_typed(value.value, value.datatype)


def test_pyshacl_accepts_an_ill_formed_gyearmonth_the_spec_rejects(ttl):
    """SHACL 4.1.2: a value fails sh:datatype when it "is an ill-formed literal"; "2019" is no
    xsd:gYearMonth (XSD: YYYY-MM). rdflib has no parser for gYearMonth, so pySHACL never
    sees it as ill-formed; the Oxigraph engine does (its cast to the type fails)."""
    from rdflib import Graph

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <http://e/S> a sh:NodeShape ; sh:targetClass <http://e/E> ;
            sh:property [ sh:path <http://e/month> ; sh:datatype xsd:gYearMonth ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data="""@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <http://e/ok> a <http://e/E> ; <http://e/month> "2019-04"^^xsd:gYearMonth .
        <http://e/bad> a <http://e/E> ; <http://e/month> "2019"^^xsd:gYearMonth .""",
        format="turtle",
    )
    plain = validate(data=data, shapes=Shapes(shapes), engine="pyshacl-full")
    fast = validate(data=data, shapes=Shapes(shapes), engine="oxigraph")
    assert plain.conforms  # pySHACL's blind spot
    assert [(r.focus.value, r.value.value) for r in fast.results] == [("http://e/bad", "2019")]
    assert _pyshacl_blind(fast.results[0].value)


def test_counts_above_one_match_plain_pyshacl_also_inside_sh_or():
    """sh:minCount / sh:maxCount above 1, at top level and inside an sh:or alternative, count
    distinct value nodes as terms: "1"^^xsd:integer and "1.0"^^xsd:decimal are two values.
    (The compiled alternative once tested "at least one" for any minCount and "no two
    different by `!=`" for any maxCount: a one-value node passed minCount 2.)"""
    from rdflib import Graph

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://e/Top> a sh:NodeShape ; sh:targetClass <http://e/E> ;
            sh:property [ sh:path <http://e/p> ; sh:minCount 2 ; sh:maxCount 3 ] .
        <http://e/Alt> a sh:NodeShape ; sh:targetClass <http://e/E> ;
            sh:or ( [ sh:path <http://e/p> ; sh:minCount 2 ; sh:maxCount 2 ]
                    [ sh:path <http://e/q> ; sh:minCount 1 ] ) .""",
        format="turtle",
    )
    data = Graph().parse(
        data="""@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <http://e/one> a <http://e/E> ; <http://e/p> 1 .
        <http://e/two> a <http://e/E> ; <http://e/p> "1"^^xsd:integer, "1.0"^^xsd:decimal .
        <http://e/three> a <http://e/E> ; <http://e/p> 1, 2, 3 .
        <http://e/four> a <http://e/E> ; <http://e/p> 1, 2, 3, 4 .
        <http://e/oneq> a <http://e/E> ; <http://e/p> 1 ; <http://e/q> 5 .""",
        format="turtle",
    )
    found = {}
    for engine in ("pyshacl-full", "oxigraph"):
        report = validate(data=data, shapes=Shapes(shapes), engine=engine)
        assert report.engine == engine
        found[engine] = sorted(
            (r.shape.split("/")[-1].split(" ")[0], r.focus.value.rsplit("/", 1)[-1]) for r in report.results
        )
    assert found["oxigraph"] == found["pyshacl-full"]
    alt = {focus for shape, focus in found["oxigraph"] if shape.endswith("Alt")}
    assert alt == {"one", "three", "four"}  # two values (two and only two) or a q


def test_unique_lang_matches_plain_pyshacl():
    """sh:uniqueLang: two values in one language fail (also when only the case of the tag
    differs), one per language or untagged ones pass."""
    from rdflib import Graph

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://e/S> a sh:NodeShape ; sh:targetClass <http://e/E> ;
            sh:property [ sh:path <http://e/label> ; sh:uniqueLang true ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data="""<http://e/twice> a <http://e/E> ; <http://e/label> "a"@en, "b"@en, "c"@tr .
        <http://e/case> a <http://e/E> ; <http://e/label> "a"@en, "b"@EN .
        <http://e/once> a <http://e/E> ; <http://e/label> "a"@en, "b"@tr, "c", "d" .""",
        format="turtle",
    )
    found = {}
    for engine in ("pyshacl-full", "oxigraph"):
        found[engine] = sorted(r.focus.value for r in validate(data=data, shapes=Shapes(shapes), engine=engine).results)
    assert found["oxigraph"] == found["pyshacl-full"] == ["http://e/case", "http://e/twice"]


def test_a_node_shapes_sparql_constraint_reports_its_focus_node_as_value():
    """SHACL 5.3.2: sh:value is the binding of ?value, else the value node; a node shape's
    one value node is its focus node (3.7). Both engines, with and without ?value."""
    from rdflib import Graph

    shapes = Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <http://e/S> a sh:NodeShape ; sh:targetClass <http://e/E> ; sh:sparql [
            sh:message "no value bound" ; sh:select "SELECT $this WHERE { $this <http://e/p> 1 }" ] , [
            sh:message "value bound" ; sh:select "SELECT $this ?value WHERE { $this <http://e/q> ?value }" ] .""",
        format="turtle",
    )
    data = Graph().parse(
        data="<http://e/a> a <http://e/E> ; <http://e/p> 1 ; <http://e/q> <http://e/b> .", format="turtle"
    )
    for engine in ("pyshacl-full", "oxigraph"):
        report = validate(data=data, shapes=Shapes(shapes), engine=engine)
        assert sorted((r.message, r.value.value) for r in report.results) == [
            ("no value bound", "http://e/a"),
            ("value bound", "http://e/b"),
        ], engine


def test_check_sources_counts_each_kind_and_locates(tmp_path):
    from conftest import SOURCES

    if not SOURCES.is_dir():
        pytest.skip("the source documents are not here")
    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    path = folder / "areas" / "transport.ttl"
    path.write_text(path.read_text().replace('"2019-04-17"^^xsd:date', '"2019-04-18"^^xsd:date', 1))
    proc = run_cli("check-sources", "data", "--sources", str(SOURCES), cwd=tmp_path)
    assert proc.returncode == 1
    assert "1 date, 1 iri-date" in proc.stdout.splitlines()[-1]
    assert proc.stdout.startswith("data/areas/transport.ttl:")


def test_a_store_build_names_every_broken_file_and_validate_reports_them_in_its_format(tmp_path):
    """A bulk load cannot resume: the store route stopped at the first broken file, so a CI
    run on a large dataset showed one syntax error per run. Now the other files are parsed
    for their first error each, and `validate --store` reports them all as load errors."""
    (tmp_path / "a.ttl").write_text(PREFIXES + "event:a a ots:Meeting ;\n    ots:area <http://x/b\n")
    (tmp_path / "b.ttl").write_text(PREFIXES + 'event:b a ots:Meeting .\n\nevent:c rdfs:label "x .\n')
    (tmp_path / "c.ttl").write_text(PREFIXES + 'event:d a ots:Meeting ;\n    rdfs:label "d"@en .\n')  # parses
    first, second = PREFIXES.count("\n") + 2, PREFIXES.count("\n") + 3
    proc = run_cli("validate", "a.ttl", "b.ttl", "c.ttl", "--store", "store", "--format", "github", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    errors = [line for line in proc.stdout.splitlines() if line.startswith("::error")]
    assert [e.split(",title")[0] for e in errors] == [
        f"::error file=a.ttl,line={first}",
        f"::error file=b.ttl,line={second}",
    ]
    proc = run_cli("query", "members", "--data", "a.ttl", "--data", "b.ttl", "--store", "store", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.splitlines()[-1].endswith("(and 1 more problem)"), proc.stderr
    assert not (tmp_path / "store" / "oxigraph").exists()  # the half-built store is removed


def test_a_mistake_on_a_relative_iri_is_reported_at_its_line_on_both_routes(tmp_path):
    """Both routes said line 1 for a node written as a relative IRI (under @base or against
    the file): the positions looked it up as written, the loader resolved it."""
    (tmp_path / "relative.ttl").write_text(
        PREFIXES + "@base <https://w3id.org/ots-kg/id/event/> .\n\n<x1> a ots:Sumit .\n", encoding="utf-8"
    )
    line = PREFIXES.count("\n") + 3
    for route in ([], ["--store", "store"]):
        proc = run_cli("validate", "relative.ttl", *route, "--format", "github", cwd=tmp_path)
        assert proc.returncode == 1, proc.stderr
        assert f"::error file=relative.ttl,line={line}," in proc.stdout, (route, proc.stdout)


def test_an_ill_typed_literal_is_reported_at_its_triple_on_both_routes(tmp_path):
    """The store route put an ill-typed literal at the first line writing its text, here a
    plain string two blocks before the triple at fault."""
    (tmp_path / "dates.ttl").write_text(
        PREFIXES
        + '\nevent:a a ots:Summit ;\n    rdfs:comment "2022-13-01" .\n'
        + '\nevent:b a ots:Summit ;\n    schema:startDate "2022-13-01"^^xsd:date .\n',
        encoding="utf-8",
    )
    line = PREFIXES.count("\n") + 6
    for route in ([], ["--store", "store"]):
        proc = run_cli("validate", "dates.ttl", *route, "--format", "github", cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr  # a load error
        assert f"::error file=dates.ttl,line={line},title=ots-kg literal::" in proc.stdout, (route, proc.stdout)
