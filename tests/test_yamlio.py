"""Every YAML the project reads reports a syntax error as file:line:column, one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_kg.checks.expectations import load_expected
from calcinosis_kg.checks.negative_entailments import load_negative
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.yamlio import read_yaml
from calcinosis_kg.source.yamlfiles import load_yaml

BROKEN = "- {subclass: CCKG:0000001, superclass: [unclosed\n- x: y\n"


@pytest.mark.parametrize("reader", [read_yaml, load_yaml, load_expected, load_negative])
def test_a_yaml_syntax_error_names_the_file_line_and_column(reader, tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        reader(path)
    assert caught.value.one_line().startswith(f"{path}:")
    assert "YAML syntax error" in caught.value.one_line()
    assert caught.value.line is not None and caught.value.column is not None


def test_an_empty_yaml_file_is_the_empty_value_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing\n", encoding="utf-8")
    assert read_yaml(path, []) == [] and read_yaml(path, {}) == {}
