"""core.prefixes: the one place CURIEs are expanded and compressed (curated map or a caller's)."""

from __future__ import annotations

import pytest

from calcinosis_kg.core import prefixes
from calcinosis_kg.core.errors import InputError

OBO = "http://purl.obolibrary.org/obo/"
OWN = {"a": "http://example.org/", "ab": "http://example.org/b/"}


def test_curated_map_expands_and_compresses_round_trip() -> None:
    assert prefixes.expand("HP:0001") == OBO + "HP_0001"
    assert prefixes.compress(OBO + "HP_0001") == "HP:0001"


def test_an_uncovered_iri_compresses_to_itself() -> None:
    assert prefixes.compress("http://nowhere.invalid/x") == "http://nowhere.invalid/x"


def test_an_unknown_prefix_is_a_one_line_input_error_and_still_a_value_error() -> None:
    with pytest.raises(InputError, match="unknown CURIE prefix in 'NOPE:1'") as caught:
        prefixes.expand("NOPE:1")
    assert isinstance(caught.value, ValueError)


def test_full_iris_pass_through_expand() -> None:
    for iri in ("http://x/y", "https://x/y", "urn:x:y"):
        assert prefixes.expand(iri) == iri


def test_a_callers_own_map_replaces_the_curated_one() -> None:
    assert prefixes.expand("ab:c", OWN) == "http://example.org/b/c"
    with pytest.raises(ValueError):
        prefixes.expand("HP:0001", OWN)
    assert prefixes.compress(OBO + "HP_0001", OWN) == OBO + "HP_0001"


def test_the_longest_covering_namespace_wins() -> None:
    assert prefixes.compress("http://example.org/b/c", OWN) == "ab:c"
    assert prefixes.split("http://example.org/b/c", OWN) == ("ab", "c")


def test_split_gives_an_empty_local_name_for_a_bare_namespace_and_none_when_uncovered() -> None:
    assert prefixes.split("http://example.org/", OWN) == ("a", "")
    assert prefixes.split("http://other.org/x", OWN) is None


def test_the_converter_of_one_map_is_built_once() -> None:
    assert prefixes.converter(dict(OWN)) is prefixes.converter(dict(OWN))
    assert prefixes.converter() is prefixes.converter()
