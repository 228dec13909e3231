"""The SPARQL JSON results writer (``serve.results``): the JSON text of each term is remembered
within a bound, and what is written is what ``json.dumps`` of the term's object gives."""

from __future__ import annotations

import json

import pyoxigraph as ox

from calcinosis_kg.serve import results
from calcinosis_kg.serve.dataset import Answer

XSD = "http://www.w3.org/2001/XMLSchema#"


def written(answer: Answer) -> dict:
    return json.loads(results.write(answer, "json", 100, 10))


def test_remembered_term_texts_are_bounded_and_exact(monkeypatch) -> None:
    monkeypatch.setattr(results, "_FRAGMENTS", {})
    monkeypatch.setattr(results, "_FRAGMENTS_MAX", 5)
    rows = [
        (
            ox.NamedNode(f"urn:x:{n}"),
            ox.Literal(f'é "{n}"\n', language="fr"),
            ox.Literal(str(n), datatype=ox.NamedNode(XSD + "integer")),
            ox.BlankNode(f"b{n}"),
            None,
            ox.Literal(f"plain {n}"),
        )
        for n in range(20)
    ]
    answer = Answer("SELECT", ["s", "l", "n", "b", "unbound", "p"], rows)
    first, again = written(answer), written(answer)
    assert len(results._FRAGMENTS) <= 5
    assert first == again
    assert first["results"]["bindings"][3] == {
        "s": {"type": "uri", "value": "urn:x:3"},
        "l": {"type": "literal", "value": 'é "3"\n', "xml:lang": "fr"},
        "n": {"type": "literal", "value": "3", "datatype": XSD + "integer"},
        "b": {"type": "bnode", "value": "b3"},
        "p": {"type": "literal", "value": "plain 3"},
    }
