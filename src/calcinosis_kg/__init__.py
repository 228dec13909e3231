"""calcinosis-kg: an OWL ontology and RDF knowledge graph of calcinosis cutis.

The front door: ``import calcinosis_kg as ckg`` gives what a script needs::

    kg = ckg.load()                                  # or ckg.load(["my-edit.ttl"])
    for q in ckg.list_queries():                     # each query's name and parameters
        print(q.name, q.parameters)
    result = ckg.query(kg, "cq02", {"disease": "MONDO:0005100"})
    print(ckg.render(result, "table"))
    term = ckg.resolve(kg, "idiopathic calcinosis cutis")  # a name -> .curie, .label
    print(kg.ancestors(term.curie), ckg.card(kg, term.curie).parents)
    print(ckg.show(kg, term.label, "md"))
    report = ckg.check(kg)                           # the same as `calcinosis-kg check`
    ckg.export(kg, "owl", "calcinosis-kg.owl")       # ttl, owl, nt or jsonld
    cases = ["cases.csv"]                            # CSV, JSON (Lines), Phenopackets, RDF
    print(ckg.validate_cases(cases).summary())       # .total, .invalid, .table() of problems
    data, summary = ckg.classify_cases(cases, "csv")  # table, csv, jsonl or ttl bytes

``help(ckg.NAME)`` says what each call takes and returns.

Public API policy (as pronto states its own): the names in ``__all__`` are the public API and
keep their meaning across minor versions; every other module, function and attribute of the
package (``calcinosis_kg.graph.sparql``, ``calcinosis_kg.cases.pipeline`` …) is private and may
change without notice. The calls take the graph first. Every error the package raises derives
from ``CalcinosisKGError`` (``InputError`` for bad input: a missing or malformed file, an unknown
term or query, a bad binding), whose ``str`` is one line naming the file and line.

``import calcinosis_kg`` stays cheap: each name is imported from its layer when first used
(PEP 562 ``__getattr__``), so the command line's ``--help`` does not pay for rdflib or polars.
"""

from __future__ import annotations

import importlib
from typing import Any

#: public name -> "module:attribute" it is read from (modules under ``calcinosis_kg``). Imported
#: on first use only; the root package imports no layer itself, so the layer contracts see no
#: edge from it (``tests/test_front_door.py`` holds this table to ``__all__``).
_EXPORTS: dict[str, str] = {
    # the version, written once in core/version.py (pyproject reads it there)
    "__version__": "core.version:__version__",
    # loading: the graph every call takes first
    "load": "graph.knowledge:load",
    "KnowledgeGraph": "graph.knowledge:KnowledgeGraph",
    # checking
    "check": "checks.gate:check",
    "CheckReport": "checks.gate:CheckReport",
    "validate": "checks.validation:validate",
    # asking
    "query": "answers.queries:run_query",
    "QueryResult": "graph.sparql:QueryResult",
    "render": "answers.queries:render",
    "list_queries": "graph.queryfiles:list_queries",
    "search": "answers.search:search",
    "resolve": "answers.resolve:resolve",
    "card": "answers.show:card",
    "Card": "answers.show:Card",
    "show": "answers.show_render:show",
    # identifiers
    "compress": "core.prefixes:compress",
    "expand": "core.prefixes:expand",
    # publishing
    "export": "publish.export:export",
    "release": "publish.release:release",
    # cohorts of cases (classified with the bundled ontology's criteria)
    "validate_cases": "cases.api:validate_paths",
    "classify_cases": "cases.api:classify_paths",
    # errors
    "CalcinosisKGError": "core.errors:CalcinosisKGError",
    "InputError": "core.errors:InputError",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'calcinosis_kg' has no attribute {name!r}")
    module_name, attribute = target.split(":")
    value = getattr(importlib.import_module(f"calcinosis_kg.{module_name}"), attribute)
    globals()[name] = value  # once: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
