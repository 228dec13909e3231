"""graph: the one loaded graph every later stage shares.

Takes: RDF files (the bundled ontology by default), parsed once and safely (``loading``: local
owl:imports only, no XML entities, no network). Gives: a ``KnowledgeGraph`` (``knowledge``:
pyoxigraph store plus a derived rdflib view, labels, digest) and guarded SPARQL execution over it.
Never imports: source, checks, answers, publish, cases, serve, cli.
"""
