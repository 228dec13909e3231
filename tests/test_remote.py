"""SPARQL JSON results from a remote endpoint (``graph.remote``): checked as parsed structures,
one line naming the place of the first fault; labels keep the local preference."""

from __future__ import annotations

import json

import pytest
from fake_store import fake_store, results

from calcinosis_kg.graph.http_client import RemoteError
from calcinosis_kg.graph.remote import MalformedResults, RemoteEngine, check_row_cap, parse_results

URL = "http://127.0.0.1:9/sparql"


def doc(bindings: object, names: object = ("s", "n")) -> bytes:
    return json.dumps(
        {
            "head": {"vars": list(names) if isinstance(names, tuple) else names},
            "results": {"bindings": bindings},
        }
    ).encode()


def test_a_select_result_becomes_rows_of_values_and_languages() -> None:
    data = parse_results(
        doc(
            [
                {
                    "s": {"type": "uri", "value": "urn:a"},
                    "n": {"type": "literal", "value": "x", "xml:lang": "fr"},
                },
                {"s": {"type": "bnode", "value": "b0"}},
            ]
        ),
        URL,
    )
    assert data["vars"] == ["s", "n"]
    assert data["rows"] == [(("iri", "urn:a"), ("literal", "x")), (("bnode", "b0"), None)]
    assert data["langs"] == [("", "fr"), ("", "")]
    assert parse_results(b'{"boolean": false}', URL) == {"boolean": False}


@pytest.mark.parametrize(
    ("body", "place"),
    [
        (
            doc([{"s": {"type": "uri", "value": "urn:a b"}}]),
            "bindings[0].s.value: not an absolute IRI",
        ),
        (doc([{"s": {"type": "uri", "value": "0"}}]), "bindings[0].s.value: not an absolute IRI"),
        (
            doc([{"s": {"type": "uri", "value": "urn:a"}}, "x"]),
            "results.bindings[1]: not an object",
        ),
        (
            doc([{"n": {"type": "literal", "value": 3}}]),
            "results.bindings[0].n.value: not a string",
        ),
        (doc([{"n": {"type": "thing", "value": "3"}}]), "results.bindings[0].n.type"),
        (doc([{"n": {"type": "literal", "value": "\ud800"}}]), "lone surrogate"),
        (doc({"s": 1}), "results.bindings: not a list"),
        (doc([], names=["?bad name"]), "head.vars: not a variable name"),
        (doc([], names=["n", "n"]), "head.vars: a name given twice"),
        (b'{"boolean": 1}', "boolean: not true or false"),
    ],
)
def test_malformed_results_name_the_place(body: bytes, place: str) -> None:
    with pytest.raises(MalformedResults, match="127.0.0.1:9") as caught:
        parse_results(body, URL)
    assert place in str(caught.value)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b"\xff{}",
        b"[]",
        b"null",
        b'{"head": {"vars": []}, "results": ' + b"9" * 5000 + b"}",
    ],
)
def test_what_is_not_a_results_object_is_refused(body: bytes) -> None:
    with pytest.raises(MalformedResults, match="did not answer with SPARQL JSON results"):
        parse_results(body, URL)


def test_a_cap_the_answer_reached_fails_and_one_it_did_not_passes() -> None:
    with pytest.raises(RemoteError, match="X-SPARQL-MaxRows"):
        check_row_cap(10, {"X-SPARQL-MaxRows": "10"}, URL)
    check_row_cap(9, {"x-sparql-maxrows": "10"}, URL)
    check_row_cap(10, {"X-SPARQL-MaxRows": "many"}, URL)
    check_row_cap(10, {"X-SPARQL-MaxRows": "9" * 5000}, URL)  # int() refuses 4300+ digits
    check_row_cap(10, {"X-SPARQL-MaxRows": "\u00b2"}, URL)  # a digit int() cannot read


def test_remote_labels_prefer_untagged_then_english() -> None:
    rows = [
        {
            "s": {"type": "uri", "value": "urn:a"},
            "l": {"type": "literal", "value": v, **({"xml:lang": lang} if lang else {})},
        }
        for v, lang in [("zz fr", "fr"), ("b en", "en"), ("c plain", None)]
    ]
    rows.append(
        {
            "s": {"type": "uri", "value": "urn:b"},
            "l": {"type": "literal", "value": "y fr", "xml:lang": "fr"},
        }
    )
    with fake_store(lambda request: results(["s", "l"], rows)) as store:
        labels = RemoteEngine(store.url + "/sparql", 5).labels(["urn:a", "urn:b"])
    assert labels == {"urn:a": "c plain", "urn:b": "y fr"}
