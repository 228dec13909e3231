"""answers: what users ask of the graph.

Takes: a ``KnowledgeGraph`` (and, for inferred answers, ``checks.inferred``). Gives: queries run
through ``graph.sparql`` and rendered with labels as a table, CSV, TSV or JSON (``queries``),
search by label or synonym and the graph's figures (``search``). Never imports: publish, cases,
serve, cli.
"""
