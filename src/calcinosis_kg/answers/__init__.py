"""answers: what users ask of the graph.

Takes: a ``KnowledgeGraph`` (and, for inferred answers, the reasoner of ``checks``). Gives: the
bundled queries run and rendered with labels (``queries``), search by label or synonym and the
graph's figures (``search``). Never imports: publish, cases, serve, cli.
"""
