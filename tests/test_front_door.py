"""The front door (``import calcinosis_kg as ckg``): its public surface, held here, and that it
stays cheap to import and answers as the command line does."""

from __future__ import annotations

import subprocess
import sys

import pytest

import calcinosis_kg as ckg
from calcinosis_kg.core.errors import CalcinosisKGError

PUBLIC = [
    "CalcinosisKGError",
    "Card",
    "CheckReport",
    "InputError",
    "KnowledgeGraph",
    "QueryResult",
    "__version__",
    "card",
    "check",
    "classify_cases",
    "compress",
    "expand",
    "export",
    "list_queries",
    "load",
    "query",
    "release",
    "render",
    "resolve",
    "search",
    "show",
    "validate",
    "validate_cases",
]


def test_public_surface_is_exactly_the_stated_names():
    assert sorted(ckg.__all__) == sorted(PUBLIC)


@pytest.mark.parametrize("name", PUBLIC)
def test_each_public_name_resolves(name):
    assert getattr(ckg, name) is not None
    assert name in dir(ckg)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="run_check"):
        ckg.run_check  # noqa: B018 - private: not promised by the front door


def test_import_loads_no_layer():
    code = (
        "import sys, calcinosis_kg; "
        "print(sorted(m for m in sys.modules if m.startswith('calcinosis_kg.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    heavy = (
        "import sys, calcinosis_kg; "
        "print([m for m in ('rdflib', 'pyoxigraph', 'polars') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", heavy], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_public_error_derives_from_the_one_base():
    assert issubclass(ckg.InputError, ckg.CalcinosisKGError)
    assert ckg.CalcinosisKGError is CalcinosisKGError


def test_query_and_show_through_the_front_door():
    kg = ckg.load()
    result = ckg.query(kg, "cq12-class-card", {"class": "CCKG:0000003"})
    assert isinstance(result, ckg.QueryResult) and result.rows
    assert "CCKG:0000003" in ckg.render(result, "csv")
    text = ckg.show(kg, "CCKG:0000003", "md")
    assert text.startswith("## ") and "`CCKG:0000003`" in text
    assert ckg.expand(ckg.compress(ckg.expand("CCKG:0000003"))) == ckg.expand("CCKG:0000003")


def test_show_of_an_unknown_name_is_one_project_error():
    kg = ckg.load()
    with pytest.raises(ckg.InputError) as caught:
        ckg.show(kg, "no such calcinosis term at all")
    assert "\n" not in str(caught.value)


def _python_blocks() -> list[tuple[str, str]]:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    blocks = []
    for doc in [root / "README.md", *sorted((root / "docs" / "readme").glob("*.md"))]:
        parts = doc.read_text(encoding="utf-8").split("```python\n")[1:]
        blocks += [(doc.name, part.split("```", 1)[0]) for part in parts]
    return blocks


def test_docs_python_examples_use_only_the_front_door():
    """Every Python example of the README and docs imports ``calcinosis_kg as ckg`` only, and
    every ``ckg.NAME`` it uses is public (read from the parsed code, not the text)."""
    import ast

    blocks = _python_blocks()
    assert any(name == "README.md" for name, _ in blocks)
    for name, code in blocks:
        tree = ast.parse(code.replace("\n    ...\n", "\n    pass\n"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("calcinosis_kg"), (name, node.module)
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("calcinosis_kg"):
                        assert (alias.name, alias.asname) == ("calcinosis_kg", "ckg"), name
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "ckg"
            ):
                assert node.attr in ckg.__all__, (name, node.attr)
