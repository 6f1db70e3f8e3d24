"""SHACL shapes compiled to SPARQL, evaluated once per constraint over the whole graph.

pySHACL evaluates SPARQL-based constraints once per focus node, and rdflib joins the
pre-bound `$this` only after matching the pattern, so each run costs a scan: 26 s of the
27 s validation of the bundled graph. Rewriting `$this` to `?this` plus the shape's target
pattern gives the same solutions in one query. The same compilation of the core
constraints the shapes use (counts, datatype, class, node kind, pattern, unique language,
minInclusive, or, xone) lets Oxigraph validate graphs far larger than pySHACL can hold.
Constructs outside that subset raise an error instead of being skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from ..errors import OtsKgError
from ..model.graph import compact
from ..model.terms import Term, from_rdflib
from .checks import INSTANCE_OF, Check, Row, Select
from .shapes import shape_name

_DEFAULTS = {
    "minCount": "too few values",
    "maxCount": "too many values",
    "datatype": "wrong datatype",
    "class": "value of wrong class",
    "nodeKind": "wrong node kind",
    "pattern": "does not match pattern",
    "uniqueLang": "language used more than once",
    "minInclusive": "value too small",
    "or": "no alternative of sh:or holds",
    "xone": "not exactly one alternative of sh:xone holds",
}


_XSD = "http://www.w3.org/2001/XMLSchema#"
_WELL_FORMED_BY_CAST = {
    _XSD + t
    for t in ("boolean", "integer", "decimal", "float", "double", "date", "dateTime", "time", "gYear", "gYearMonth")
}


def _iri(term) -> str:
    return f"<{term}>"


def _lit(term: Literal) -> str:
    return term.n3()


def sparql_path(shapes: Graph, path) -> str:
    if isinstance(path, URIRef):
        return _iri(path)
    inverse = shapes.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{sparql_path(shapes, inverse)}"
    if shapes.value(path, RDF.first) is not None:
        return "/".join(sparql_path(shapes, p) for p in Collection(shapes, path))
    raise OtsKgError(f"shapes: unsupported path {path}")


def path_term(path) -> Term | None:
    """The path as a Term when it is one property (complex paths have no single term)."""
    return from_rdflib(path) if isinstance(path, URIRef) else None


# the value constraints _value_ok compiles, in the order a check is named after the first present
_VALUE_COMPONENTS = ("datatype", "class", "nodeKind", "pattern", "minInclusive", "or")


def _value_ok(shapes: Graph, shape, var: str = "?v") -> str | None:
    """A SPARQL expression true when `var` satisfies the value constraints of `shape`. Its
    users read an error as false (COALESCE): SHACL fails a value for which the condition
    "does not return true", e.g. `"4th"^^xsd:integer >= 1` (4.3.2)."""
    parts = []
    datatype = shapes.value(shape, SH.datatype)
    if datatype is not None:
        if str(datatype) == str(RDF.langString):
            parts.append(f'(isLiteral({var}) && lang({var}) != "")')
        else:
            test = f'isLiteral({var}) && datatype({var}) = {_iri(datatype)} && lang({var}) = ""'
            if str(datatype) in _WELL_FORMED_BY_CAST:
                # an ill-formed literal ("2022-13-04"^^xsd:date) does not match sh:datatype
                # (SHACL 4.1.2); Oxigraph's cast to the same type fails exactly on those
                test += f" && isLiteral({_iri(datatype)}({var}))"
            parts.append(f"({test})")
    cls = shapes.value(shape, SH["class"])
    if cls is not None:
        parts.append(f"EXISTS {{ {_instance_of(var, cls)} }}")
    kind = shapes.value(shape, SH.nodeKind)
    if kind is not None:
        test = {SH.IRI: "isIRI", SH.Literal: "isLiteral", SH.BlankNode: "isBlank"}.get(kind)
        if test is None:
            raise OtsKgError(f"shapes: unsupported sh:nodeKind {kind}")
        parts.append(f"{test}({var})")
    pattern = shapes.value(shape, SH.pattern)
    if pattern is not None:
        parts.append(f"(!isBlank({var}) && regex(str({var}), {Literal(str(pattern)).n3()}))")
    low = shapes.value(shape, SH.minInclusive)
    if low is not None:
        parts.append(f"({var} >= {_lit(low)})")
    alternatives = shapes.value(shape, SH["or"])
    if alternatives is not None:
        ors = [_value_ok(shapes, alt, var) or "true" for alt in Collection(shapes, alternatives)]
        parts.append("(" + " || ".join(ors) + ")")
    return " && ".join(parts) if parts else None


def _instance_of(var: str, cls) -> str:
    """A pattern: `var` is a SHACL instance of the class (rdf:type, then rdfs:subClassOf*)."""
    return f"{var} {INSTANCE_OF} {_iri(cls)}"


def _values(focus: str, p: str, n: int) -> str:
    """A pattern matching when the focus node has at least n distinct value nodes on path p
    (distinct terms, as SHACL counts them: sameTerm, not `!=`, which compares literal values)."""
    names = [f"?__v{i}" for i in range(n)]
    distinct = [f"!sameTerm({a}, {b})" for i, a in enumerate(names) for b in names[i + 1 :]]
    return f"{focus} {p} {', '.join(names)} ." + (f" FILTER ({' && '.join(distinct)})" if distinct else "")


def _conforms(shapes: Graph, shape, focus: str = "?focus") -> str:
    """A SPARQL expression: the focus node conforms to one alternative of sh:or / sh:xone."""
    path = shapes.value(shape, SH.path)
    if path is None:
        ok = _value_ok(shapes, shape, focus)
        return ok or "true"
    p = sparql_path(shapes, path)
    tests = []
    low = shapes.value(shape, SH.minCount)
    high = shapes.value(shape, SH.maxCount)
    if low is not None and int(low) > 0:
        tests.append(f"EXISTS {{ {_values(focus, p, int(low))} }}")
    if high is not None:
        tests.append(f"NOT EXISTS {{ {_values(focus, p, int(high) + 1)} }}")
    ok = _value_ok(shapes, shape, "?__x")
    if ok:
        tests.append(f"NOT EXISTS {{ {focus} {p} ?__x . FILTER (!COALESCE({ok}, false)) }}")
    return "(" + " && ".join(tests or ["true"]) + ")"


def _severity(shapes: Graph, shape) -> str:
    severity = shapes.value(shape, SH.severity)
    return str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"


def _message(shapes: Graph, shape, fallback: str) -> str:
    messages = sorted(str(m) for m in shapes.objects(shape, SH.message))
    return messages[0] if messages else fallback


def _target(shapes: Graph, shape, var: str = "?focus") -> str | None:
    """The shape's focus nodes as a graph pattern binding `var`: class targets (with
    subclasses), sh:targetNode, sh:targetSubjectsOf and sh:targetObjectsOf, as a UNION."""
    parts = []
    classes = sorted(shapes.objects(shape, SH.targetClass), key=str)
    if classes:
        values = " ".join(_iri(c) for c in classes)
        parts.append(f"VALUES ?__t {{ {values} }} {var} {INSTANCE_OF} ?__t .")
    nodes = sorted(shapes.objects(shape, SH.targetNode), key=str)
    if nodes:
        values = " ".join(_iri(n) if isinstance(n, URIRef) else _lit(n) for n in nodes)
        parts.append(f"VALUES {var} {{ {values} }}")
    for prop in sorted(shapes.objects(shape, SH.targetSubjectsOf), key=str):
        parts.append(f"SELECT DISTINCT {var} WHERE {{ {var} {_iri(prop)} [] }}")
    for prop in sorted(shapes.objects(shape, SH.targetObjectsOf), key=str):
        parts.append(f"SELECT DISTINCT {var} WHERE {{ [] {_iri(prop)} {var} }}")
    if not parts:
        return None
    if len(parts) == 1 and classes:
        return parts[0]
    return "{ SELECT DISTINCT " + var + " WHERE { " + " UNION ".join("{ " + p + " }" for p in parts) + " } }"


_HANDLED = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.nodeKind,
    SH.pattern,
    SH.uniqueLang,
    SH.minInclusive,
    SH["or"],
    SH.message,
    SH.severity,
    RDF.type,
    SH.name,
    SH.description,
    SH.xone,
    SH.property,
    SH.sparql,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.declare,
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
}


_HANDLED_ANYWHERE = _HANDLED | {SH.select, SH.prefixes, SH.prefix, SH.namespace, SH.inversePath, SH.deactivated}


def unsupported_features(shapes: Graph) -> list[str]:
    """Every use of a SHACL term the compilation does not cover, anywhere in the shapes
    graph (targets, nested shapes, paths, components): the engine must not run then, since a
    skipped constraint would pass silently."""
    found = set()
    for s, p, o in shapes:
        if str(p).startswith(str(SH)) and p not in _HANDLED_ANYWHERE:
            found.add(f"{compact(s) if isinstance(s, URIRef) else 'a shape'} uses {compact(p)}")
        if p == SH.deactivated and o == Literal(True):
            found.add(f"{compact(s)} is deactivated")
    for s in set(shapes.subjects(RDF.type, SH.PropertyShape)) | set(shapes.subjects(RDF.type, SH.NodeShape)):
        if (s, RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#Class")) in shapes or (
            s,
            RDF.type,
            URIRef("http://www.w3.org/2002/07/owl#Class"),
        ) in shapes:
            found.add(f"{compact(s)} is an implicit class target")
        if (s, RDF.type, SH.PropertyShape) in shapes and shapes.value(s, SH.targetClass) is not None:
            found.add(f"{compact(s)} is a property shape with its own target")
    for s in set(shapes.subjects(SH.sparql, None)):
        if shapes.value(s, SH.path) is not None:  # $PATH and its value nodes are not compiled
            found.add(f"{compact(s) if isinstance(s, URIRef) else 'a property shape'} has a SPARQL constraint")
    return sorted(found)


def _assert_supported(shapes: Graph, shape) -> None:
    for predicate in set(shapes.predicates(shape, None)):
        if predicate not in _HANDLED:
            raise OtsKgError(
                f"shapes: {compact(shape)} uses {compact(predicate)}, which ots-kg's "
                "SPARQL compilation does not support"
            )


def compiled_or_unsupported(shapes: Graph, *, include_core: bool = True) -> tuple[list[Check], list[str]]:
    """(every check, []) when the compilation covers the shapes, else ([], what it does not
    cover): the caller falls back to plain pySHACL rather than skip a constraint."""
    unsupported = unsupported_features(shapes)
    return ([] if unsupported else _compile(shapes, include_core)), unsupported


def compile_shapes(shapes: Graph, *, include_core: bool = True) -> list[Check]:
    """One Check per constraint component of every node shape (core ones optional); an error
    when the shapes use what the compilation does not cover."""
    checks, unsupported = compiled_or_unsupported(shapes, include_core=include_core)
    if unsupported:
        raise OtsKgError(f"shapes: not compiled to SPARQL: {'; '.join(unsupported)}")
    return checks


def _compile(shapes: Graph, include_core: bool) -> list[Check]:
    checks: list[Check] = []
    for node in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        target = _target(shapes, node)
        if target is None:
            continue
        _assert_supported(shapes, node)
        name, severity = shape_name(shapes, node), _severity(shapes, node)
        for constraint in sorted(shapes.objects(node, SH.sparql), key=str):
            checks.append(_sparql_check(shapes, node, constraint, name, severity))
        if not include_core:
            continue
        for key in ("or", "xone"):
            alternatives = shapes.value(node, SH[key])
            if alternatives is None:
                continue
            tests = [_conforms(shapes, alt) for alt in Collection(shapes, alternatives)]
            if key == "or":
                failing = "!(" + " || ".join(tests) + ")"
            else:
                failing = "(" + " + ".join(f"IF({t}, 1, 0)" for t in tests) + ") != 1"
            # a node-level constraint's value is the focus node itself (as pySHACL reports it)
            query = f"SELECT DISTINCT ?focus (?focus AS ?value) WHERE {{ {target} FILTER ({failing}) }}"
            checks.append(Check(name, severity, None, _message(shapes, node, _DEFAULTS[key]), query))
        for prop in sorted(shapes.objects(node, SH.property), key=str):
            checks.extend(_property_checks(shapes, prop, target))
    return checks


def _property_checks(shapes: Graph, prop, target: str) -> Iterable[Check]:
    _assert_supported(shapes, prop)
    path = shapes.value(prop, SH.path)
    p = sparql_path(shapes, path)
    name, severity, label = shape_name(shapes, prop), _severity(shapes, prop), path_term(path)

    def check(component: str, query: str) -> Check:
        return Check(name, severity, label, _message(shapes, prop, _DEFAULTS[component]), query)

    low = shapes.value(prop, SH.minCount)
    if low is not None and int(low) == 1:  # the common case: no count needed (twice as fast on Oxigraph)
        yield check("minCount", f"SELECT DISTINCT ?focus WHERE {{ {target} FILTER NOT EXISTS {{ ?focus {p} ?v }} }}")
    elif low is not None and int(low) > 1:
        yield check(
            "minCount",
            f"SELECT DISTINCT ?focus WHERE {{ {target} "
            f"FILTER NOT EXISTS {{ {{ SELECT ?focus (COUNT(DISTINCT ?v) AS ?n) WHERE "
            f"{{ ?focus {p} ?v }} GROUP BY ?focus }} FILTER (?n >= {int(low)}) }} }}",
        )
    high = shapes.value(prop, SH.maxCount)
    if high is not None:
        yield check(
            "maxCount",
            f"SELECT ?focus WHERE {{ {{ SELECT ?focus (COUNT(DISTINCT ?v) AS ?n) WHERE "
            f"{{ {target} ?focus {p} ?v }} GROUP BY ?focus }} FILTER (?n > {int(high)}) }}",
        )
    ok = _value_ok(shapes, prop)
    if ok:
        present = [c for c in _VALUE_COMPONENTS if shapes.value(prop, SH[c]) is not None]
        component = present[0]
        failing = f"FILTER (!COALESCE({ok}, false))"
        if present == ["class"]:
            # sh:class alone: the same solutions as FILTER NOT EXISTS (the one shared variable
            # ?v is always bound), but Oxigraph finds the class's instances once and
            # hash-joins them instead of walking the type path per value (1 M triples: the
            # class checks 17.2 -> 6.1 s; the bundled graph's checks unchanged)
            failing = f"MINUS {{ {_instance_of('?v', shapes.value(prop, SH['class']))} }}"
        yield check(
            component,
            f"SELECT DISTINCT ?focus ?value WHERE {{ {target} ?focus {p} ?v . {failing} BIND (?v AS ?value) }}",
        )
    if shapes.value(prop, SH.uniqueLang) == Literal(True):
        yield check(
            "uniqueLang",
            f"SELECT DISTINCT ?focus WHERE {{ {target} ?focus {p} ?a, ?b . "
            'FILTER (!sameTerm(?a, ?b) && lang(?a) != "" && lang(?a) = lang(?b)) }',
        )


def _sparql_check(shapes: Graph, node, constraint, name: str, severity: str) -> Check:
    select = str(shapes.value(constraint, SH.select))
    prefixes = ""
    for owner in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(owner, SH.declare):
            prefixes += f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>\n"
    text = select.replace("$this", "?this")
    brace = text.index("{", re.search(r"\bWHERE\b", text, re.I).end())
    target = _target(shapes, node, "?this")
    query = prefixes + text[: brace + 1] + " " + target + " " + text[brace + 1 :]
    message = _message(shapes, constraint, _message(shapes, node, "SPARQL constraint violated"))
    return Check(name, severity, None, message, query, template=True)


def rdflib_select(graph: Graph) -> Select:
    """Run compiled checks with rdflib (the default engine's SPARQL constraints)."""

    def select(query: str) -> list[Row]:
        result = graph.query(query)
        names = [str(v) for v in result.vars]
        return [{n: from_rdflib(row[i]) for i, n in enumerate(names) if row[i] is not None} for row in result]

    return select
