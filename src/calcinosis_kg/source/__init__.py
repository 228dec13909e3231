"""source: the curated source of truth compiled into OWL.

Takes: ``ontology/src`` (header, terms YAML, imports, the fact ledger). Gives: the ontology and its
local import module as byte-deterministic Turtle (``build``: orchestration and writing; ``facts``:
the fact ledger; ``compiler``: terms YAML to OWL with provenance; ``imports``: the import module;
``yamlfiles``: YAML read with file:line errors). Never imports: graph, checks, answers, publish,
cases, serve, cli (it compiles files; it does not read the loaded graph).
"""
