"""Patient case records: read, validate (SHACL fast path), classify with the ontology, report.

Layer above ``publish`` (beside ``serve``): may import core, graph, checks, answers, publish;
never the CLI or click. Guide: docs/readme/cases.md.
"""
