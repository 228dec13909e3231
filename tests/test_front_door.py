"""The front door (``import calcinosis_kg as ckg``): its public surface, held here, and that it
stays cheap to import and answers as the command line does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


DOCS = [
    Path(__file__).resolve().parent.parent / "README.md",
    *sorted((Path(__file__).resolve().parent.parent / "docs" / "readme").glob("*.md")),
]


def _python_blocks() -> list[tuple[str, str]]:
    """Every ```python block of the README and docs/readme, with its file's name."""
    blocks = []
    for doc in DOCS:
        parts = doc.read_text(encoding="utf-8").split("```python\n")[1:]
        blocks += [(doc.name, part.split("```", 1)[0]) for part in parts]
    return blocks


def _python_commands() -> list[tuple[str, str]]:
    """Every ``python -c "…"`` command of the README and docs/readme (in a console block or in
    the prose, wrapped lines joined)."""
    import re

    commands = []
    for doc in DOCS:
        for found in re.finditer(r'python3? -c "([^"]*)"', doc.read_text(encoding="utf-8")):
            commands.append((doc.name, " ".join(found.group(1).split("\n"))))
    return commands


def _front_door_only(name: str, code: str) -> None:
    import ast

    tree = ast.parse(code.replace("\n    ...\n", "\n    pass\n"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("calcinosis_kg"), (name, node.module)
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("calcinosis_kg"):
                    assert (alias.name, alias.asname) == ("calcinosis_kg", "ckg"), name
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) == "ckg":
            assert node.attr in ckg.__all__, (name, node.attr)


def test_docs_python_examples_use_only_the_front_door():
    """Every Python example of the README and docs imports ``calcinosis_kg as ckg`` only, and
    every ``ckg.NAME`` it uses is public (read from the parsed code, not the text)."""
    blocks = _python_blocks()
    assert any(name == "README.md" for name, _ in blocks)
    assert any(name == "cases.md" for name, _ in blocks)  # the spark-submit script
    for name, code in blocks:
        _front_door_only(name, code)


def test_docs_python_commands_use_only_the_front_door():
    """The same for every ``python -c`` command the docs give (a maintainer chore is a script
    under scripts/, said to be one, not a call into a private module)."""
    commands = _python_commands()
    assert any(name == "validation.md" for name, _ in commands)
    for name, code in commands:
        _front_door_only(name, code)


CASES = Path(__file__).parent / "cases_data"


def test_the_case_calls_keep_pyspark_optional():
    """``ckg.classify_cases`` / ``validate_cases`` reach Spark only when ``engine="spark"`` is
    asked for: reading the names and refusing a Spark call without an output folder import no
    pyspark (the spark extra may be missing)."""
    code = (
        "import sys, calcinosis_kg as ckg\n"
        "ckg.classify_cases, ckg.validate_cases\n"
        "try:\n"
        "    ckg.classify_cases(['x.csv'], 'csv', engine='spark')\n"
        "except ckg.InputError as exc:\n"
        "    print(exc)\n"
        "print('pyspark' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        "the spark engine needs an output folder and fmt csv, jsonl or parquet",
        "False",
    ]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ckg.validate_cases([CASES / "vignettes.csv"], engine="dask"), "unknown engine"),
        (
            lambda: ckg.validate_cases([CASES / "vignettes.csv"], master="local[2]"),
            "master: the spark engine only",
        ),
        (
            lambda: ckg.classify_cases([CASES / "vignettes.csv"], "csv", output="out"),
            "output: the spark engine only",
        ),
        (
            lambda: ckg.classify_cases(
                [CASES / "vignettes.csv"], "csv", ("diseases",), engine="spark", output="out"
            ),
            "complete lists need the polars engine",
        ),
    ],
)
def test_an_engine_option_that_does_not_fit_is_one_project_error(call, message):
    with pytest.raises(ckg.InputError, match=message):
        call()


SPARK_RUN = """
import json, sys
import calcinosis_kg as ckg

paths, folder = sys.argv[1:-1], sys.argv[-1]
report = ckg.validate_cases(paths, engine="spark", master="local[2]")
data, summary = ckg.classify_cases(paths, "csv", engine="spark", master="local[2]", output=folder)
problems = sorted(report.table().select("case_id", "field", "message").iter_rows())
print(json.dumps([report.total, report.invalid, problems, len(data), summary]))
"""


@pytest.mark.java
def test_cases_on_spark_through_the_front_door_agree_with_polars(tmp_path):
    # a JVM of its own: another module's Spark session (and its heap) is not this test's
    paths = [CASES / "vignettes.csv", CASES / "bad_rows.csv"]
    folder = tmp_path / "classified"
    env = {**os.environ, "CALCINOSIS_KG_SPARK_DRIVER_MEMORY": "2g"}  # JVMs share the CI machine
    run = subprocess.run(
        [sys.executable, "-c", SPARK_RUN, *map(str, paths), str(folder)],
        capture_output=True,
        text=True,
        env=env,
        timeout=1800,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    total, invalid, problems, data_size, summary = json.loads(run.stdout.splitlines()[-1])
    on_polars = ckg.validate_cases(paths)
    assert (total, invalid) == (on_polars.total, on_polars.invalid)
    assert on_polars.invalid > 0  # the bad rows are there to be found
    expected = sorted(on_polars.table().select("case_id", "field", "message").iter_rows())
    assert problems == [list(row) for row in expected]
    assert data_size == 0 and any(folder.iterdir())
    assert summary == ckg.classify_cases(paths, "csv")[1]
