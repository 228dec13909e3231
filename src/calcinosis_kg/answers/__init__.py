"""answers: what users ask of the graph.

Takes: a ``KnowledgeGraph`` (and, for inferred answers, ``checks.inferred``). Gives: queries run
through ``graph.sparql`` and rendered with labels as a table, CSV, TSV or JSON (``queries``),
search by label or synonym and the graph's figures (``search``), a name (CURIE, IRI, label or
synonym) resolved to exactly one term (``resolve``), and the class card of a term with its own,
inherited and subtype statements (``show``, read by ``show_reader``, laid out by
``show_render``). Never imports: publish, cases, serve, cli.
"""
