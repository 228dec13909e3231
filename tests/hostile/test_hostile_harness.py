"""The harness itself: ``Outcome.refused`` looks for the expected words in the message, never in
the temporary path the message names (a path named after the test once let a wrong message pass
because the folder name held the word)."""

from __future__ import annotations

from pathlib import Path

import pytest


def test_a_word_only_in_the_temporary_path_does_not_count(attack, tmp_path: Path) -> None:
    result = attack("info", "--ontology", tmp_path / "syntax_error" / "x.ttl")
    result.refused("file not found")
    with pytest.raises(AssertionError):
        result.refused("syntax_error")


def test_a_path_outside_the_temporary_root_is_part_of_the_message(attack) -> None:
    result = attack("info", "--ontology", "/nonexistent-calcinosis-kg/x.ttl")
    result.refused("/nonexistent-calcinosis-kg/x.ttl", "file not found")
