"""source: the curated source of truth compiled into OWL.

Takes: ``ontology/src`` (header, terms YAML, imports, the fact ledger). Gives: the ontology and its
local import module as byte-deterministic Turtle (``build``). Never imports: graph, checks,
answers, publish, cases, serve, cli (it compiles files; it does not read the loaded graph).
"""
