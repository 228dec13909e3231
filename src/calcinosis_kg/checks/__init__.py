"""checks: verdicts on a loaded graph, for CI and curators.

Takes: a ``KnowledgeGraph``. Gives: ``StageResult``s (``results``) from HermiT reasoning
(``reasoning``, ``java``), SHACL validation (``validation``), the QC report in ROBOT's contract
(``qc``) and the competency queries (``competency``); ``gate`` runs them all as ``check`` with a
content-keyed ``cache``. Never imports: answers, publish, cases, serve, cli.
"""
