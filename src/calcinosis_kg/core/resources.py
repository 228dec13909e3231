"""Where the bundled data (ontology, shapes, queries) lives, in a checkout and in the wheel.

The one module that locates files by the package's own path: every other module asks here
(``tests/test_layout.py`` holds it to that).

The data folders are top-level in the repository and are copied into ``calcinosis_kg/data`` in the
wheel; code never duplicates their content, it reads them from here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


@cache
def data_root() -> Path:
    """Folder holding ``ontology/``, ``shapes/`` and ``queries/``."""
    installed = _PACKAGE_DIR / "data"
    if (installed / "ontology").is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "ontology").is_dir():
        return checkout
    raise FileNotFoundError("calcinosis-kg data folders (ontology/, shapes/, queries/) not found")


def package_dir() -> Path:
    """The installed ``calcinosis_kg`` package (its code files key the check cache)."""
    return _PACKAGE_DIR


def templates_dir() -> Path:
    """Static files of the documentation site (CSS), shipped inside the package."""
    return _PACKAGE_DIR / "publish" / "templates"


def ontology_dir() -> Path:
    """The bundled ``ontology/`` folder (source, generated ontology, imports, article)."""
    return data_root() / "ontology"


def source_dir() -> Path:
    """The human-edited source of truth that ``build`` compiles."""
    return ontology_dir() / "src"


def ontology_file() -> Path:
    """The generated, committed ontology (our axioms, without the import module)."""
    return ontology_dir() / "calcinosis-kg.ttl"


def import_module_file() -> Path:
    """The local import module: external terms with their labels, never fetched at run time."""
    return ontology_dir() / "imports" / "external_import.ttl"


def default_ontology_files() -> list[Path]:
    """What ``load`` reads when no file is named: our ontology plus its local import module."""
    return [ontology_file(), import_module_file()]


def is_data_file(name: str) -> bool:
    """Whether a file of a data folder is read: never dot-files (editor and temp files).

    The one rule shared by the loaders (``data_files``) and the check cache's key, so the key
    covers exactly the files the loaders read.

    >>> [is_data_file(n) for n in ("cq01.rq", ".cq01.rq.swp", "cq01.rq~", "terms.yaml.tmp")]
    [True, False, False, False]
    """
    return not name.startswith(".") and not name.endswith((".pyc", ".tmp", "~"))


def data_files(folder: Path, suffix: str) -> list[Path]:
    """The ``*suffix`` files of ``folder`` that loaders read, sorted (``is_data_file``)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.name.endswith(suffix) and is_data_file(p.name) and p.is_file()
    )


def shapes_dir() -> Path:
    """The bundled SHACL shapes (``shapes/``), read by ``validate`` and the cases wing."""
    return data_root() / "shapes"


def queries_dir() -> Path:
    """The bundled SPARQL queries (``queries/``): competency questions and named answers."""
    return data_root() / "queries"


def serve_static_dir() -> Path:
    """The explorer page of ``calcinosis-kg serve`` (HTML, JS, CSS), shipped inside the package."""
    return _PACKAGE_DIR / "serve" / "static"
