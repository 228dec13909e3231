"""Reading a YAML file with errors that name the file, line and column.

Why a module of its own: the curated source (terms, imports, associations), the expected and the
negative entailments and the shape profiles are all YAML, and a syntax error in any of them must
be the same one line (``file:line:column: YAML syntax error: …``), never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from calcinosis_kg.core.errors import InputError


def read_yaml(path: Path, empty: Any = None) -> Any:
    """The YAML document in ``path`` (``empty`` when the file holds none)."""
    import yaml

    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(f"YAML syntax error: {problem}", path, line, column) from exc
    return empty if data is None else data
