"""graph: the one loaded graph every later stage shares, and guarded SPARQL over it.

Takes: RDF files (the bundled ontology by default), parsed once and safely (``loading``: local
owl:imports only, no XML entities, no network). Gives: a ``KnowledgeGraph`` (``knowledge``:
pyoxigraph store plus a derived rdflib view, labels, digest) and guarded SPARQL execution over it
(``sparql.run_sparql``: query text and bindings read by ``sparql_text``, run by the ``engines``;
the bundled ``.rq`` files and their headers by ``queryfiles``).
Never imports: source, checks, answers, publish, cases, serve, cli.
"""
