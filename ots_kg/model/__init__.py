"""The project's concepts without an RDF library: prefixes, terms, passages, node kinds.

Only `model.vocab` imports rdflib (it builds rdflib Namespaces from `model.prefixes`);
everything else here is plain Python, so the fast query path can use it.
"""
