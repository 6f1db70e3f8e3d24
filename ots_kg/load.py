"""Files -> one rdflib graph, with errors that name the file and line.

Parsing uses Oxigraph's Turtle parser (oxrdflib), about ten times faster than rdflib's and
with precise error positions; literals are still rdflib terms, so ill-typed ones are caught.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from .errors import LoadError
from .files import PathLike, turtle_files  # noqa: F401  (turtle_files re-exported)
from .namespaces import OTS, PROV, SOURCE, bind_all
from .namespaces_plain import passage_parts
from .resources import data_dir, ontology_file

# rdflib logs a traceback for every ill-typed literal; we report them ourselves.
logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


def read_text(path: Path) -> str:
    """File text as UTF-8 (BOM allowed), or a LoadError saying why it is not Turtle text."""
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise LoadError(f"{path}: permission denied") from None
    except OSError as exc:
        raise LoadError(f"{path}: cannot read ({exc.strerror})") from None
    if b"\x00" in raw:
        raise LoadError(f"{path}: binary file, not Turtle text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise LoadError(f"{path}:{line}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise LoadError(f"{path}: empty file, no triples")
    return text


def parse_turtle(graph: Graph, path: Path) -> str:
    """Parse one Turtle file into graph and return its text; syntax errors become LoadError.

    Parsed straight into the target graph (copying through a scratch graph cost a third of
    the load); ill-typed literals are checked once for all files by reject_ill_typed.
    """
    text = read_text(path)
    try:
        graph.parse(data=text, format="ox-turtle")
    except SyntaxError as exc:
        raise LoadError(_syntax_message(path, exc)) from None
    except Exception as exc:  # the parser's other complaints: still the file's fault
        raise LoadError(f"{path}: cannot parse as Turtle: {exc}") from None
    return text


def _syntax_message(path: Path, exc: SyntaxError) -> str:
    msg = str(exc.msg if hasattr(exc, "msg") and exc.msg else exc)
    line = exc.lineno
    match = re.search(r"line (\d+)", msg)
    if line is None and match:
        line = int(match.group(1))
    msg = re.sub(r"^Parser error (at|between) .*?: ", "", msg)
    return f"{path}:{line or 1}: {msg}"


def reject_ill_typed(graph: Graph, texts: dict[Path, str]) -> None:
    """A literal whose lexical form is not a value of its datatype is an input error,
    reported at the first file and line that writes it."""
    for obj in graph.objects():
        if isinstance(obj, Literal) and getattr(obj, "ill_typed", False):
            needle = f'"{obj}"'
            path, line = next(iter(texts), Path("?")), 1
            for candidate, text in texts.items():
                pos = text.find(needle)
                if pos >= 0:
                    path, line = candidate, text.count("\n", 0, pos) + 1
                    break
            raise LoadError(
                f"{path}:{line}: ill-typed literal \"{obj}\"^^<{obj.datatype}>"
                " (not a valid value of its datatype)"
            )


def add_passages(graph: Graph) -> None:
    """Type every cited passage IRI and give it its document and line number.

    Passages are derived from the citations rather than curated by hand, so they can
    never disagree with them.
    """
    for cited in set(graph.objects(None, PROV.wasDerivedFrom)):
        parts = passage_parts(cited)
        if not parts or not parts[0].startswith(str(SOURCE)):
            continue
        graph.add((cited, RDF.type, OTS.Passage))
        graph.add((cited, OTS.lineNumber, Literal(parts[1], datatype=_XSD_POS)))
        graph.add((cited, DCTERMS.isPartOf, URIRef(parts[0])))


_XSD_POS = URIRef("http://www.w3.org/2001/XMLSchema#integer")


def load_graph(
    paths: Sequence[PathLike] | None = None, *, include_ontology: bool = True
) -> Graph:
    """The OTS graph: the given Turtle files/folders (default: bundled data/) plus the ontology."""
    files = turtle_files(paths if paths else [data_dir()])
    graph = Graph()
    texts: dict[Path, str] = {}
    if include_ontology:
        texts[ontology_file()] = parse_turtle(graph, ontology_file())
    for path in files:
        texts[path] = parse_turtle(graph, path)
    reject_ill_typed(graph, texts)
    bind_all(graph)
    add_passages(graph)
    return graph


def load_data(paths: Sequence[PathLike] | None = None) -> Graph:
    """Only the data graph (no ontology): what SHACL validates."""
    return load_graph(paths, include_ontology=False)
