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
