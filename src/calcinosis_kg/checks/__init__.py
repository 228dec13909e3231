"""checks: verdicts on a loaded graph, for CI and curators.

Takes: a ``KnowledgeGraph``. Gives: ``StageResult``s (``results``) from HermiT reasoning
(``reasoning``: the stage, over ``hermit`` which runs HermiT via ``java``, ``explain``,
``expectations``, ``verdict``; ``inferred`` gives the inferred hierarchy as RDF), SHACL validation
(``validation``, results read by ``shacl_report``), the QC report in ROBOT's contract (``qc``,
rules and profile in ``qc_rules``) and the competency queries (``competency``); ``gate`` runs them
all as ``check`` with a content-keyed ``cache``. Never imports: answers, publish, cases, serve, cli.
"""
