"""Files in and out: which files an input names, the one loader (to an rdflib Graph or an
Oxigraph Store), the content-keyed cache, deterministic export, property-graph exports and
the Graph Store push."""
