"""serve: the graph over HTTP, and pushed into other triple stores.

Takes: a ``KnowledgeGraph`` (plus HermiT's inferred hierarchy from ``checks.inferred`` and case
data files), the bundled queries (``graph.queryfiles``) and search (``answers.search``).
Gives: a read-only SPARQL 1.1 Protocol endpoint with the explorer page (``app`` on ``service``:
the ``guard`` that refuses updates, SERVICE and foreign graphs on the parsed query, each query
in a killable forked child (``graph.bounded``), ``dataset`` of named graphs, ``results`` in
negotiated formats,
``explorer`` for the page's API and assets); ``push`` (Graph Store Protocol PUT per graph,
verified counts) and ``remote`` (timeouts, credentials never shown, Virtuoso's row cap) for other
stores; ``endpoint_check`` runs the competency stage against any endpoint.
Never imports: cases, cli.

Why a wing of its own: serving is a long-running process with network-facing limits that no
batch stage needs, and pushing speaks to servers we do not control.
"""
