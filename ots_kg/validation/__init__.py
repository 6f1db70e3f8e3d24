"""SHACL validation: the shapes parsed once (shapes), compiled to SPARQL (compile), run by
one of three engines into a Report of Terms (validate)."""

ENGINES = ("oxigraph", "pyshacl", "pyshacl-full")
