"""The linear statement splitter used for syntax-error recovery must split exactly where the
token-based one does, or a recovered file reports its errors at the wrong line."""

from __future__ import annotations

import pytest
from conftest import ROOT

from ots_kg.io.turtle_positions import statement_spans, statements

TRICKY = '''@prefix ex: <http://e/> .
PREFIX sx: <http://s/>
ex:a ex:p "a . b" , """multi
line . with "quotes" and # no comment
""" ; ex:q [ ex:r ( 1 2.5 3 ) ] . # a comment . with a dot
ex:b ex:p 'it''s' ; ex:iri <http://x/y.z#frag> .
ex:c\\.d ex:p ex:e\\.f .
ex:g ex:p "x"^^<http://www.w3.org/2001/XMLSchema#string>.
ex:h ex:p 1.0E3 .
'''


def _by_tokens(text: str) -> list[tuple[int, int, int]]:
    return [(s.start, s.end, s.line) for s in statements(text)]


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(ROOT).as_posix() for p in [*ROOT.glob("data/**/*.ttl"), *ROOT.glob("ontology/*.ttl")]),
)
def test_spans_match_statements_on_every_project_file(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert statement_spans(text) == _by_tokens(text)


def test_spans_match_statements_on_tricky_turtle():
    spans = statement_spans(TRICKY)
    assert spans == _by_tokens(TRICKY)
    assert [line for _, _, line in spans] == [1, 2, 3, 6, 7, 8, 9]


def test_an_unfinished_last_statement_is_a_span_of_its_own():
    text = "@prefix ex: <http://e/> .\nex:a ex:p ex:b .\nex:c ex:p\n"
    spans, by_tokens = statement_spans(text), _by_tokens(text)
    assert [(start, line) for start, _, line in spans] == [(start, line) for start, _, line in by_tokens]
    assert [text[a:b].rstrip() for a, b, _ in spans] == [text[a:b].rstrip() for a, b, _ in by_tokens]
    assert spans[-1][2] == 3


RELATIVE = """@prefix ots: <https://w3id.org/ots-kg/ontology#> .
<x0> a ots:Summit .
@base <https://w3id.org/ots-kg/id/event/> .
@prefix rel: <sub/> .

<x1> a ots:Summit ;
    ots:ordinal 3 .
rel:x2 a ots:Summit .
"""


def test_relative_iris_are_found_as_the_loader_resolves_them(tmp_path):
    """A relative IRI (against the file's URI, then against @base) was looked up as written,
    `<x1>`, while the loader resolves it: a result about it stood at line 1, not its line."""
    from ots_kg.io.locations import written_lines
    from ots_kg.io.turtle_positions import FilePositions

    path = tmp_path / "relative.ttl"
    path.write_text(RELATIVE, encoding="utf-8")
    event = "https://w3id.org/ots-kg/id/event/"
    nodes = {f"<{path.as_uri().rsplit('/', 1)[0]}/x0>": 2, f"<{event}x1>": 6, f"<{event}sub/x2>": 8}
    written = FilePositions(RELATIVE, base=path.as_uri())
    assert {node: written.line_of(node) for node in nodes} == nodes
    assert written.line_of(f"<{event}x1>", "<https://w3id.org/ots-kg/ontology#ordinal>", '"3') == 7
    asked = {(node, None, None) for node in nodes}
    assert {node: line for (node, _, _), (_, line) in written_lines([path], asked).items()} == nodes
    assert {node: line for (node, _, _), (_, line) in written_lines([path], asked, tokenized=0).items()} == nodes
    ordinal = (f"<{event}x1>", "<https://w3id.org/ots-kg/ontology#ordinal>", '"3')  # a file over 50 MB: by blocks
    assert written_lines([path], {ordinal}, tokenized=0) == {ordinal: (path, 7)}


def test_a_file_too_large_to_tokenize_whole_gives_the_same_lines_block_by_block():
    """Above 50 MB a file is not tokenized whole (1.1 GB for the 10 M-triple file): its wanted
    subject blocks are, one at a time. Every triple of the project's data, asked both ways,
    stands at the same line (multi-line strings, lists, nested blank nodes, several blocks of
    a node across files)."""
    import pyoxigraph as ox

    from ots_kg.io.locations import node_key, term_key, written_lines

    files = sorted(ROOT.glob("data/**/*.ttl"))
    asked = set()
    for path in files:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(quad.subject, ox.NamedNode):
                asked.add((node_key(quad.subject), term_key(quad.predicate), term_key(quad.object)))
                asked.add((node_key(quad.subject), None, None))
    whole = written_lines(files, asked)
    assert len(asked) > 10_000 and len(whole) == len(asked)
    assert written_lines(files, asked, tokenized=0) == whole


def _every_question(path, nodes: bool = True) -> set:
    """(node, predicate, object) of every triple of the file, as written_lines takes them;
    with `nodes`, (node, None, None) of each subject too."""
    import pyoxigraph as ox

    from ots_kg.io.locations import node_key, term_key

    asked = set()
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        asked.add((node_key(quad.subject), term_key(quad.predicate), term_key(quad.object)))
        if nodes:
            asked.add((node_key(quad.subject), None, None))
    return asked


def test_a_statement_not_at_the_start_of_its_line_is_found_block_by_block(tmp_path):
    """The block-by-block reading finds a subject block by the line it starts; a statement
    after a directive, after another statement or after the end of a multi-line one on the
    same line is found too (a pass over the file's statements, for the nodes still missing)."""
    from ots_kg.io.locations import written_lines

    path = tmp_path / "big.ttl"
    path.write_text(
        "@prefix ex: <http://example.org/> . ex:a a ex:C ; ex:p 1 .\n"
        "ex:b ex:p 2 . ex:c ex:p 3 ;\n"
        '  ex:q "a. b" .\n'
        "ex:d ex:p 4 ;\n"
        "  ex:q 5 . ex:e ex:p 6 . # ex:f ex:p 7 .\n"
        "PREFIX ey: <http://example.org/y/> ey:g ex:p 8 .\n"
    )
    asked = _every_question(path)
    whole = written_lines([path], asked)
    assert len(whole) == len(asked)  # every node placed when tokenized whole
    assert whole[("<http://example.org/e>", None, None)] == (path, 5)
    assert whole[("<http://example.org/y/g>", None, None)] == (path, 6)
    assert written_lines([path], asked, tokenized=0) == whole


def test_a_statement_after_a_directive_is_not_read_again_behind_later_blocks(tmp_path):
    """The directives read so far stand before each block tokenized alone; a statement on a
    directive's line is not one of them: found there again, it was placed at the line of
    another node (2 here). And it is found where it is written (line 1), though the node
    also has a block at a line start (line 3): the line pass reads what follows a directive."""
    from ots_kg.io.locations import written_lines

    path = tmp_path / "big.ttl"
    path.write_text("@prefix ex: <http://example.org/> . ex:a ex:p 1 .\nex:b ex:p 2 .\nex:a ex:q 3 .\n")
    asked = _every_question(path, nodes=False)
    blocks = written_lines([path], asked, tokenized=0)
    assert blocks[("<http://example.org/a>", "<http://example.org/p>", '"1')] == (path, 1)
    assert blocks[("<http://example.org/b>", "<http://example.org/p>", '"2')] == (path, 2)
    assert blocks == written_lines([path], asked)


def test_what_follows_a_wanted_statement_on_its_line_is_read_block_by_block(tmp_path):
    """Each node here also has a block at a line start, so the pass over every statement
    (for nodes no line starts) does not run: the line pass itself reads a statement after a
    wanted one on its line (same node, another node) and a directive there, whose prefix a
    later line start uses. Every triple at the line the whole file's tokens give."""
    from ots_kg.io.locations import written_lines

    path = tmp_path / "big.ttl"
    path.write_text(
        "@prefix ex: <http://example.org/> .\n"
        "ex:a ex:p 1 . ex:a ex:r 2 . ex:b ex:s 3 ;\n"
        '  ex:t "x. y" . @prefix ey: <http://example.org/y/> . ey:c ex:p 4 .\n'
        "ex:b ex:p 5 .\n"
        "ey:c ex:q 6 .\n"
        "ex:a ex:q 7 .\n"
    )
    asked = _every_question(path)
    whole = written_lines([path], asked)
    assert whole[("<http://example.org/a>", "<http://example.org/r>", '"2')] == (path, 2)
    assert whole[("<http://example.org/b>", "<http://example.org/t>", '"x. y')] == (path, 3)
    assert whole[("<http://example.org/y/c>", "<http://example.org/q>", '"6')] == (path, 5)
    assert written_lines([path], asked, tokenized=0) == whole


def test_a_boolean_value_is_found_at_its_triple_not_at_the_predicate():
    """`true` and `false` are name tokens: they were keyed as no term, so a result on a
    boolean value stood at the predicate's last mention (line 3 here), not at its triple."""
    from ots_kg.io.turtle_positions import FilePositions

    written = FilePositions("@prefix ex: <http://example.org/> .\nex:a ex:flag true ;\n  ex:flag false .\n")
    flag = ("<http://example.org/a>", "<http://example.org/flag>")
    assert written.find(*flag, '"true') == (3, 2)
    assert written.find(*flag, '"false') == (3, 3)


def test_every_triple_of_the_project_is_found_at_its_triple():
    """Each triple of data/ and the ontology whose subject and object are an IRI or a literal
    is found as that triple (quality 3), not only by its predicate or its subject's block:
    every literal spelling the project writes has its key (strings, numbers, booleans, ...)."""
    import pyoxigraph as ox

    from ots_kg.io.files import read_text
    from ots_kg.io.locations import node_key, term_key
    from ots_kg.io.turtle_positions import FilePositions

    inexact, asked = [], 0
    for path in sorted([*ROOT.glob("data/**/*.ttl"), *ROOT.glob("ontology/*.ttl")]):
        written = FilePositions(read_text(path), base=path.absolute().as_uri())
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            obj = term_key(quad.object)
            if not isinstance(quad.subject, ox.NamedNode) or obj is None:
                continue
            asked += 1
            if written.find(node_key(quad.subject), term_key(quad.predicate), obj)[0] != 3:
                inexact.append(f"{path.name}: {quad}")
    assert asked > 14_000 and not inexact, inexact[:5]
