"""The fast local route: an Oxigraph store built from a cache of the parsed graph.

The cache key is the SHA-256 of every input file's path and bytes (plus the package
version), so any edit to the ontology or the data makes a new key: never stale. A cache
miss goes through the full rdflib loader (with its file:line errors and checks) once and
writes N-Triples; a hit loads those into an in-memory Oxigraph store without importing
rdflib at all.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .catalogue import StoredQuery, bind_values
from .errors import LoadError, QueryError
from .files import turtle_files
from .namespaces_plain import PREFIXES
from .resources import data_dir, ontology_file
from .results import Results
from .sparql_text import bind_with_values

CACHE_VERSION = "1"


def cache_dir() -> Path:
    """$OTS_KG_CACHE, else $XDG_CACHE_HOME/ots-kg, else ~/.cache/ots-kg."""
    explicit = os.environ.get("OTS_KG_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ots-kg"


def input_files(paths: Sequence[str | os.PathLike] | None) -> list[Path]:
    """The files load_graph reads, in its order: the ontology, then the data."""
    return [ontology_file(), *turtle_files(paths or [data_dir()])]


def cache_key(files: Sequence[Path]) -> str:
    digest = hashlib.sha256(f"ots-kg cache {CACHE_VERSION}\n".encode())
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise LoadError(f"{path}: cannot read ({exc.strerror})") from None
        digest.update(f"{path}\n{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def cached_ntriples(paths: Sequence[str | os.PathLike] | None = None) -> bytes:
    """N-Triples of load_graph(paths), from the cache when the inputs are unchanged."""
    files = input_files(paths)
    target = cache_dir() / f"{cache_key(files)}.nt"
    try:
        return target.read_bytes()
    except OSError:
        pass
    from .export import serialize
    from .load import load_graph

    data = serialize(load_graph(list(paths) if paths else None), "nt").encode("utf-8")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except OSError:
        pass  # a read-only home still gets answers, just not cached ones
    return data


def open_store(paths: Sequence[str | os.PathLike] | None = None):
    """An in-memory pyoxigraph Store holding ontology + data."""
    import pyoxigraph as ox

    store = ox.Store()
    store.bulk_load(cached_ntriples(paths), format=ox.RdfFormat.N_TRIPLES)
    return store


def _ntriples_term(kind: str, lexical: str, datatype: str | None) -> str:
    """A checked parameter value as an N-Triples term (pyoxigraph escapes it)."""
    import pyoxigraph as ox

    if kind == "iri":
        return str(ox.NamedNode(lexical))
    return str(ox.Literal(lexical, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(lexical))


def run_store(store, query: StoredQuery, values: Mapping[str, str] | None = None) -> Results:
    """Evaluate a SELECT or ASK query on the store, parameters bound by a VALUES block of
    typed terms (Oxigraph's own substitutions only reach projected variables)."""
    import pyoxigraph as ox

    terms = {name: _ntriples_term(*parts) for name, parts in bind_values(query, values or {}).items()}
    try:
        result = store.query(bind_with_values(query.text, terms), prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QueryError(f"{query.name}: {str(exc).splitlines()[0]}") from None
    except Exception as exc:
        raise QueryError(f"{query.name}: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return Results("ASK", [], [], boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [tuple(solution[name] for name in names) for solution in result]
        return Results("SELECT", names, rows)
    raise QueryError(f"{query.name}: graph results go through the rdflib route")


_ILL_TYPED = """
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?o WHERE {
  ?s ?p ?o . FILTER (isLiteral(?o))
  VALUES (?dt ?form) {
    (xsd:date "^-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?$")
    (xsd:gYearMonth "^-?[0-9]{4,}-(0[1-9]|1[0-2])(Z|[+-][0-9]{2}:[0-9]{2})?$")
    (xsd:gYear "^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$")
    (xsd:integer "^[+-]?[0-9]+$")
    (xsd:boolean "^(true|false|1|0)$")
  }
  FILTER (datatype(?o) = ?dt)
  BIND (IF(?dt = xsd:date && STRLEN(STR(?o)) = 10, xsd:dateTime(CONCAT(STR(?o), "T00:00:00")), true) AS ?ok)
  FILTER (!REGEX(STR(?o), ?form) || !BOUND(?ok))
} LIMIT 1
"""
_PASSAGES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX ots: <https://w3id.org/ots-kg/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT { ?p a ots:Passage ; ots:lineNumber ?n ; dct:isPartOf ?doc }
WHERE {
  { SELECT DISTINCT ?p WHERE { ?s prov:wasDerivedFrom ?p } }
  FILTER (isIRI(?p) && REGEX(STR(?p), "^https://w3id.org/ots-kg/id/source/[^#]+#L[0-9]+$"))
  BIND (IRI(STRBEFORE(STR(?p), "#")) AS ?doc)
  BIND (xsd:integer(STRAFTER(STR(?p), "#L")) AS ?n)
}
"""


def load_store_direct(paths: Sequence[str | os.PathLike] | None = None):
    """Ontology + data parsed by Oxigraph itself, for graphs too large for rdflib.

    Gives the same graph as load_graph (passages typed by a SPARQL update instead of
    Python) and the same kinds of errors: file:line for syntax, ill-typed date, gYear,
    gYearMonth, integer and boolean literals.
    """
    import pyoxigraph as ox

    from .load import read_text

    files = input_files(paths)
    store = ox.Store()
    for path in files:
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
        except SyntaxError as exc:
            message = re.sub(r"^Parser error (at|between) .*?: ", "", str(exc.msg or exc))
            message = re.sub(r" \(\S+, line \d+\)$", "", message)
            raise LoadError(f"{path}:{exc.lineno or 1}: {message}") from None
        except OSError as exc:
            raise LoadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    bad = list(store.query(_ILL_TYPED))
    if bad:
        literal = bad[0]["o"]
        needle = f'"{literal.value}"'
        for path in files:
            text = read_text(path)
            if needle in text:
                line = text.count("\n", 0, text.index(needle)) + 1
                raise LoadError(f'{path}:{line}: ill-typed literal "{literal.value}"^^<{literal.datatype.value}> '
                                "(not a valid value of its datatype)")
        raise LoadError(f'ill-typed literal "{literal.value}"^^<{literal.datatype.value}>')
    store.update(_PASSAGES)
    return store
