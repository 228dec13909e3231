"""The package layout: layer contracts, one place that locates data, modules of one job."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "calcinosis_kg"
RESOURCES = PACKAGE / "core" / "resources.py"
DATA_FOLDERS = {"ontology", "shapes", "queries"}
LAYERS = ("core", "source", "graph", "checks", "answers", "publish", "cli")


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports_importlib_resources(node: ast.AST) -> bool:
    if isinstance(node, ast.ImportFrom):
        return (node.module or "").startswith("importlib.resources")
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "resources"
        and isinstance(node.value, ast.Name)
        and node.value.id == "importlib"
    )


def locating_nodes(tree: ast.AST) -> list[tuple[int, str]]:
    """Places where a module finds files by its own path or names a data folder in a path."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "__file__":
            found.append((node.lineno, "__file__"))
        elif _imports_importlib_resources(node):
            found.append((getattr(node, "lineno", 0), "importlib.resources"))
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and isinstance(node.right, ast.Constant)
            and node.right.value in DATA_FOLDERS
        ):
            found.append((node.lineno, f"/ {node.right.value!r}"))
    return found


def test_only_the_resources_module_locates_files_by_the_package_path():
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}: {what}"
        for path in modules()
        if path != RESOURCES
        for line, what in locating_nodes(ast.parse(path.read_text(), str(path)))
    ]
    assert offenders == []


def test_the_locating_check_catches_a_module_that_finds_data_by_itself():
    tree = ast.parse(
        "from pathlib import Path\nHERE = Path(__file__).parent\nSHAPES = HERE / 'shapes'\n"
    )
    assert sorted(what for _, what in locating_nodes(tree)) == ["/ 'shapes'", "__file__"]


def test_every_layer_is_a_package_whose_docstring_states_its_contract():
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text()))
        assert doc, layer
        if layer != "cli":
            assert "Takes" in doc and "Gives" in doc and "Never imports" in doc, layer


def test_no_module_is_much_over_four_hundred_lines():
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in modules()
        if (n := len(p.read_text().splitlines())) > 440
    }
    assert long == {}


@pytest.mark.skipif(
    shutil.which("lint-imports", path=str(Path(sys.executable).parent)) is None,
    reason="import-linter is not installed (pip install -e '.[dev]')",
)
def test_import_contracts_hold():
    exe = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run(
        [str(exe), "--no-cache"],
        cwd=PACKAGE.parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]


HEAVY = ("rdflib", "pyoxigraph", "pyshacl", "owlready2", "yaml", "pylode", "polars")


def test_help_of_every_command_loads_no_heavy_library():
    """``--help`` lists every command: their modules must import lazily (speed: benchmarks)."""
    code = (
        "import sys\n"
        "from calcinosis_kg.cli import COMMANDS, main\n"
        "for argv in [['--help'], *[[c, '--help'] for c in COMMANDS]]:\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


VOCABULARY = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/ns/shacl#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://purl.obolibrary.org/obo/",
    "http://www.geneontology.org/formats/oboInOwl#",
    "https://w3id.org/biolink/vocab/",
    "https://w3id.org/calcinosis-kg/",
)


def vocabulary_constants(tree: ast.Module) -> list[tuple[int, str]]:
    """Module-level names bound to a vocabulary IRI (core/vocab.py is their one place)."""
    found = []
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and node.value.value.startswith(VOCABULARY)
        ):
            found.append((node.lineno, node.value.value))
    return found


def test_vocabulary_iris_are_declared_in_core_vocab_only():
    vocab = PACKAGE / "core" / "vocab.py"
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line}: {iri}"
        for path in modules()
        if path != vocab
        for line, iri in vocabulary_constants(ast.parse(path.read_text(), str(path)))
    ]
    assert offenders == []


def test_the_vocabulary_check_catches_a_redeclared_namespace():
    tree = ast.parse('OWL = "http://www.w3.org/2002/07/owl#"\nNAME = "calcinosis"\n')
    assert vocabulary_constants(tree) == [(1, "http://www.w3.org/2002/07/owl#")]
