"""Loading: clear errors for broken input, normal loading of valid oddities."""

from __future__ import annotations

import pytest

from ots_kg.errors import LoadError
from ots_kg.io.loader import load_data, load_graph
from ots_kg.model.vocab import OTS


def test_bundled_graph_has_ontology_and_passages(graph):
    assert (OTS.Summit, None, None) in graph
    passages = set(graph.subjects(None, OTS.Passage))
    assert len(passages) > 300


@pytest.mark.parametrize(
    "content,words",
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
        ('@prefix ex: <http://e/> .\nex:a ex:b "caf\xe9" .\n'.encode("latin-1"), ":2: not UTF-8"),
        (b"@prefix ex: <http://e/> .\nex:a ex:b <not an iri> .\n", ":2:"),
        (b"@prefix ex: <http://e/> .\nex:a ex:b ex:c ;;; ?? .\n", ":2:"),
    ],
)
def test_bad_files_raise_load_error_naming_the_file(tmp_path, content, words):
    path = tmp_path / "bad.ttl"
    path.write_bytes(content)
    with pytest.raises(LoadError) as err:
        load_data([path])
    assert str(err.value).startswith(str(path)) and words in str(err.value)


def test_folder_without_turtle(tmp_path):
    with pytest.raises(LoadError, match="holds no .ttl file"):
        load_data([tmp_path])


def test_bom_crlf_and_non_ascii_load(tmp_path):
    path = tmp_path / "odd.ttl"
    text = '@prefix ex: <http://example.org/> .\r\nex:Türkiye ex:label "Türkiye — Şəki"@tr .\r\n'
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    graph = load_data([path])
    assert len(graph) == 1
    assert any("Şəki" in str(o) for o in graph.objects())


def test_loading_does_not_change_files(tmp_path):
    path = tmp_path / "bad.ttl"
    path.write_text("not turtle at all")
    before = path.read_bytes()
    with pytest.raises(LoadError):
        load_graph([path])
    assert path.read_bytes() == before


def test_store_and_graph_loaders_give_the_same_triples(graph):
    """One loader, two sinks: the Oxigraph store holds the rdflib graph's triples (passages included)."""
    from ots_kg.io.loader import load_store
    from ots_kg.model.terms import from_ox, from_rdflib

    def key(terms):
        return tuple(("bnode",) if t.kind == "bnode" else t for t in terms)

    store = sorted(
        map(key, ((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in load_store())), key=repr
    )
    reference = sorted((key(tuple(map(from_rdflib, t))) for t in graph), key=repr)
    assert store == reference


def test_every_syntax_error_of_every_file_is_collected(tmp_path):
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    first.write_text("@prefix ex: <http://e/> .\nex:a ex:b .\n")
    second.write_text("@prefix ex: <http://e/> .\n\nfoo:a ex:b ex:c .\n")
    with pytest.raises(LoadError) as err:
        load_data([tmp_path])
    assert err.value.problems == [
        f"{first}:2: . is not a valid RDF object",
        f"{second}:3: The prefix foo: has not been declared",
    ]


@pytest.mark.parametrize("iris", [False, True], ids=["select", "graph"])
def test_whole_answer_conversion_keeps_terms_apart_that_differ_only_in_kind_type_or_language(iris):
    """The memo of a whole answer (engines read large answers through it: literals for a
    SELECT, every term for a graph) gives what from_ox gives, cell by cell: the same text as
    xsd:string, xsd:integer, @en, @tr, an IRI and a blank node are six Terms, and a repeated
    term the same Term."""
    import pyoxigraph as ox

    from ots_kg.model.terms import from_ox, from_ox_remembering

    xsd = "http://www.w3.org/2001/XMLSchema#"
    cells = [
        ox.Literal("1"),
        ox.Literal("1", datatype=ox.NamedNode(xsd + "integer")),
        ox.Literal("1", language="en"),
        ox.Literal("1", language="tr"),
        ox.NamedNode("http://e/1"),
        ox.BlankNode("1"),
        None,
    ]
    convert = from_ox_remembering(iris=iris)
    assert [convert(c) for c in cells + cells] == [from_ox(c) for c in cells + cells]
    assert len({convert(c) for c in cells[:6]}) == 6


def test_a_graph_converted_with_a_memo_keeps_every_term_apart():
    """The memos of a whole graph's conversion (rdflib <-> pyoxigraph) give each cell what the
    plain conversion gives, and keep apart terms that differ only in their lexical form or
    datatype (a memo keyed on the text fails this)."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    from ots_kg.model.terms import from_rdflib, ox_to_rdflib, ox_to_rdflib_remembering, rdflib_to_ox_remembering, to_ox

    cells = [
        Literal("1", datatype=XSD.integer),
        Literal("01", datatype=XSD.integer, normalize=False),
        Literal("a", lang="en-GB"),
        Literal("a", lang="en-gb"),
        Literal("a"),
        Literal("a", datatype=XSD.token),
        URIRef("http://e/a"),
        BNode("a"),
    ]
    to_store = rdflib_to_ox_remembering()
    got = [to_store(c) for c in cells + cells]
    assert got == [to_ox(from_rdflib(c)) for c in cells + cells]
    assert [t.value for t in got[:2]] == ["1", "01"]
    assert [t.language for t in got[2:4]] == ["en-gb", "en-gb"]  # pyoxigraph lower-cases tags
    assert len(set(got[:6])) == 5
    assert len(set(got)) == 7  # the two tags are one term in pyoxigraph
    back = ox_to_rdflib_remembering()
    assert [back(t) for t in got] == [ox_to_rdflib(t) for t in got]
    assert [back(t).language for t in got[2:4]] == ["en-gb", "en-gb"]
