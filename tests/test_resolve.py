"""answers.resolve.NameIndex: the one name lookup, its options as show and case records use them."""

from __future__ import annotations

from calcinosis_kg.answers.resolve import NameIndex, normalise
from calcinosis_kg.cases import vocab

LABELS = [("A", "Systemic sclerosis"), ("B", "Elbow")]
SYNONYMS = [("C", "systemic sclerosis"), ("D", "scleroderma")]


def test_the_first_tier_that_holds_a_name_wins() -> None:
    index = NameIndex.of([LABELS, SYNONYMS], normalise)
    assert index.exact("systemic  Sclerosis") == {"A": "Systemic sclerosis"}
    assert index.exact("Scleroderma") == {"D": "scleroderma"}


def test_one_tier_makes_a_label_and_a_synonym_of_two_terms_ambiguous() -> None:
    index = NameIndex.of([LABELS + SYNONYMS], normalise)
    assert set(index.exact("systemic sclerosis")) == {"A", "C"}
    assert index.names(unambiguous=True) == ["elbow", "scleroderma"]


def test_the_normaliser_decides_which_spellings_are_one_name() -> None:
    show = NameIndex.of([[("A", "calcinosis cutis")]], normalise)
    cases = NameIndex.of([[("A", "calcinosis cutis")]], vocab.normalise)
    assert show.exact("Calcinosis-cutis") == {"A": "calcinosis cutis"}  # punctuation collapsed
    assert cases.exact("Calcinosis-cutis") == {}  # a case record's name keeps its hyphen


def test_a_plural_is_read_as_its_singular_only_when_asked() -> None:
    index = NameIndex.of([LABELS], normalise)
    assert index.exact("elbows") == {}
    assert index.exact("elbows", plural=True) == {"B": "Elbow"}


def test_close_spellings_come_from_the_index_and_name_their_first_term() -> None:
    index = NameIndex.of([LABELS, SYNONYMS], normalise)
    assert index.close("sclerodrma", 3, cutoff=0.6) == ["scleroderma"]
    assert index.first_term("systemic sclerosis") == "A"


def test_an_own_term_beats_its_namesakes_among_labels_only() -> None:
    index = NameIndex.of(
        [[("ext:1", "Joint"), ("own:1", "joint")], SYNONYMS + [("ext:2", "x"), ("own:2", "x")]],
        normalise,
    )
    mine = lambda term: term.startswith("own:")  # noqa: E731
    assert index.exact("joint", own=mine) == {"own:1": "joint"}
    assert set(index.exact("joint")) == {"ext:1", "own:1"}
    assert set(index.exact("x", own=mine)) == {"ext:2", "own:2"}  # a synonym: no preference
