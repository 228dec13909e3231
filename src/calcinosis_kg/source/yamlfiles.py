"""Reading the curated YAML source: safe parsing with file:line:column errors.

Why a module of its own: the terms files and the imports file are read by the same rules, and an
error in either must name the file and the line of the entry at fault.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.yamlio import read_yaml


def load_yaml(path: Path) -> dict[str, Any]:
    """The YAML mapping in ``path`` (a syntax error or a non-mapping is an InputError)."""
    data = read_yaml(path, {})
    if not isinstance(data, dict):
        raise InputError("expected a mapping at the top level", path)
    return data


def line_of(path: Path, needle: Any) -> int | None:
    """Line where an entry's id first appears, so errors can name it."""
    if not needle:
        return None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if str(needle) in line:
            return number
    return None
