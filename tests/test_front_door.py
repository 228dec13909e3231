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


#: exceptions that never leave their module's caller: the fast lane's internal signals, caught in
#: ``serve`` itself (a query without a bound goes to a worker; so does a too large answer)
INTERNAL_SIGNALS = {
    "calcinosis_kg.serve.cost.Unbounded",
    "calcinosis_kg.serve.dataset.AnswerTooLarge",
    "calcinosis_kg.serve.fast.TooLarge",
}


def test_every_error_class_of_the_package_derives_from_the_one_base():
    """One base (``core/errors.py``): every exception class any module defines is a
    ``CalcinosisKGError``, so ``main()`` reports it as one line, except the named signals."""
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(ckg.__path__, "calcinosis_kg."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)

    def below(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *below(sub))]

    ours = {c for c in below(BaseException) if c.__module__.startswith("calcinosis_kg.")}
    outside = {
        f"{c.__module__}.{c.__qualname__}" for c in ours if not issubclass(c, ckg.CalcinosisKGError)
    }
    assert len(ours) > 20 and outside == INTERNAL_SIGNALS


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


@pytest.mark.parametrize("fmt", ["nonsense", "parquet"])
def test_classify_cases_refuses_a_format_the_polars_engine_does_not_write(fmt):
    # it used to return the plain-text table for any unknown fmt (parquet: Spark's only)
    with pytest.raises(ckg.InputError) as caught:
        ckg.classify_cases([CASES / "vignettes.csv"], fmt)
    assert str(caught.value) == (
        f"unknown format {fmt!r}: table, csv, jsonl, ttl (parquet: engine='spark' only)"
    )


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


#: issue 21's "done when": the README's Python example as a newcomer writes it from
#: ``help(calcinosis_kg)``, ``ckg.__all__`` and the docstrings they show alone (no README, no
#: private module), run in a fresh interpreter. Each step is one the docstrings now spell out:
#: the queries' names and parameters, what ``resolve`` / ``search`` / ``validate`` return, a
#: CURIE for ``card``, the export formats, one error base.
NEWCOMER = """
import json, sys
import calcinosis_kg as ckg

out = {}
kg = ckg.load()
queries = ckg.list_queries()
asks = next(q for q in queries if "disease" in q.parameters)
result = ckg.query(kg, asks.name[:4], {"disease": "MONDO:0005100"})
out["query"] = [asks.name, result.columns[:1], len(result.rows) > 0]
out["table"] = ckg.render(result, "table").splitlines()[0].split()[:1]
example = next(q for q in queries if q.example_bindings)
out["example"] = len(ckg.query(kg, example.name, dict(example.example_bindings)).rows) > 0
term = ckg.resolve(kg, "idiopathic calcinosis cutis")
card = ckg.card(kg, term.curie)
out["card"] = [term.curie, card.term.label, [p.curie for p in card.parents]]
out["under"] = [kg.ancestors(term.curie)[0], kg.most_specific([*kg.ancestors(term.curie), term.curie])]
out["show"] = ckg.show(kg, term.label, "md").splitlines()[0]
hit = ckg.search(kg, "calcification", limit=3)[0]
out["search"] = [hit.curie, hit.label]
out["validate"] = ckg.validate(kg).conforms
out["export"] = ckg.export(kg, "owl", sys.argv[1]).stat().st_size > 0
errors = []
for bad in (lambda: ckg.expand("NOPE:1"), lambda: ckg.card(kg, "CCKG:9999999"),
            lambda: ckg.query(kg, "no-such-query"), lambda: ckg.resolve(kg, "no such term")):
    try:
        bad()
    except ckg.CalcinosisKGError as exc:
        errors.append([isinstance(exc, ckg.InputError), "\\n" in str(exc)])
out["errors"] = errors
print(json.dumps(out))
"""


def test_a_newcomer_writes_the_readme_example_from_the_front_door_alone(tmp_path):
    _front_door_only("NEWCOMER", NEWCOMER)
    target = tmp_path / "calcinosis-kg.owl"
    run = subprocess.run(
        [sys.executable, "-c", NEWCOMER, str(target)], capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.splitlines()[-1])
    assert seen["query"] == ["cq02-sites-by-associated-disease", ["disease"], True]
    assert seen["table"] == ["disease"] and seen["example"] is True
    assert seen["card"] == ["CCKG:0000005", "idiopathic calcinosis cutis", ["CCKG:0000001"]]
    assert seen["under"] == ["CCKG:0000001", ["CCKG:0000005"]]
    assert seen["show"] == "## idiopathic calcinosis cutis (`CCKG:0000005`)"
    assert "calcification" in seen["search"][1]  # best first: a label that holds the word
    assert seen["validate"] is True and seen["export"] is True
    assert seen["errors"] == [[True, False]] * 4  # each a one-line InputError


def _front_door_docstring_example() -> str:
    """The example of ``help(calcinosis_kg)`` (the ``::`` block of the package docstring)."""
    block = (ckg.__doc__ or "").split("::\n", 1)[1].split("\n\n``help", 1)[0]
    return "import calcinosis_kg as ckg\n" + "\n".join(line[4:] for line in block.splitlines())


@pytest.mark.java  # ckg.check runs HermiT
@pytest.mark.parametrize("where", ["README.md", "help(calcinosis_kg)"])
def test_the_python_example_runs_as_written(where, tmp_path, monkeypatch, capsys):
    """The README's example and the front door's own, executed (in a scratch folder: each
    writes calcinosis-kg.owl)."""
    if where == "README.md":
        (example,) = [code for name, code in _python_blocks() if name == "README.md"]
    else:
        example = _front_door_docstring_example()
    _front_door_only(where, example)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.csv").write_bytes((CASES / "vignettes.csv").read_bytes())
    namespace: dict[str, object] = {}
    exec(compile(example, where, "exec"), namespace)  # noqa: S102 - our own example
    assert namespace["report"].ok  # type: ignore[attr-defined]
    assert (tmp_path / "calcinosis-kg.owl").stat().st_size > 0
    printed = capsys.readouterr().out
    assert "## idiopathic calcinosis cutis (`CCKG:0000005`)" in printed
    if where != "README.md":  # the docstring's example reads and classifies cases too
        assert "50 cases: 50 valid, 0 invalid" in printed
        assert namespace["summary"].startswith("50 cases: 40 classified")  # type: ignore[attr-defined]
