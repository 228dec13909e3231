"""The bundled query files (``queries/*.rq``) and the header comments that describe them.

Why a module of its own: the competency stage (checks), the ``query``/``queries`` commands
(answers) and the documentation all read the same files by the same rules. A header is the
leading block of comments: ``# title:``, ``# question:``, ``# parameters: ?var (what it is) …`` and
optionally ``# example-binding: var=VALUE``. Names resolve as a bundled name, a unique name
prefix (``cq12``) or a path to any ``.rq`` file; a near miss lists the closest names.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from calcinosis_kg.core import resources
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.resources import data_files
from calcinosis_kg.graph.sparql_text import header_variables

_HEADER = re.compile(r"^#\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class BundledQuery:
    """A query file with its header: what it answers and which parameters it takes."""

    name: str
    title: str
    question: str
    path: Path
    text: str
    parameters: tuple[str, ...] = ()
    example_bindings: tuple[tuple[str, str], ...] = ()


def _header_of(text: str) -> dict[str, str]:
    header: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        found = _HEADER.match(line)
        if found:
            header.setdefault(found.group(1).lower(), found.group(2))
    return header


def read_query_file(path: Path, name: str | None = None) -> BundledQuery:
    """A query file with its parsed header (missing file → InputError)."""
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")  # editors' BOM
    except FileNotFoundError:
        raise InputError("query file not found", path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read query: {exc}", path) from None
    header = _header_of(text)
    examples = []
    for part in header.get("example-binding", "").split():
        key, sep, value = part.partition("=")
        if sep:
            examples.append((key.lstrip("?$"), value))
    name = name or path.stem
    return BundledQuery(
        name=name,
        title=header.get("title", name),
        question=header.get("question", ""),
        path=path,
        text=text,
        parameters=header_variables(header.get("parameters", "")),
        example_bindings=tuple(examples),
    )


def list_queries(directory: Path | None = None) -> list[BundledQuery]:
    """Every bundled query (``queries/*.rq``), sorted by name: each ``BundledQuery`` has its
    ``name``, ``title``, ``question``, the ``parameters`` it takes (variable names to bind) and
    ``example_bindings`` (``dict(q.example_bindings)`` is a ready ``bindings`` argument)."""

    return [read_query_file(p) for p in data_files(directory or resources.queries_dir(), ".rq")]


def get_query(name_or_path: str | Path) -> BundledQuery:
    """A bundled query by name (``cq03…``, with or without ``.rq``) or any ``.rq`` file path."""
    raw = str(name_or_path)
    path = Path(name_or_path)
    if path.is_dir():
        raise InputError(
            "is a directory, not a query: give a .rq file or a bundled query name "
            "('calcinosis-kg queries' lists them)",
            path,
        )
    if isinstance(name_or_path, Path) or raw.endswith(".rq") or "/" in raw or "\\" in raw:
        if path.is_file():
            return read_query_file(path)
        if len(path.parts) > 1 or not raw.endswith(".rq"):
            raise InputError("query file not found", path)
    name = raw.removesuffix(".rq")
    bundled = {q.name: q for q in list_queries()}
    if name in bundled:
        return bundled[name]
    prefixed = [n for n in bundled if n.startswith(name + "-") or n.split("-", 1)[0] == name]
    if len(prefixed) == 1:
        return bundled[prefixed[0]]
    started = [n for n in bundled if n.startswith(name)] if name else []
    if len(started) > 1:  # a prefix of several names: list them (one is a near miss, below)
        raise InputError(
            f"ambiguous query '{name}': it begins {len(started)} names: {', '.join(started)}"
        )
    near = (
        prefixed
        or difflib.get_close_matches(name, list(bundled), n=3, cutoff=0.4)
        or [n for n in bundled if name.lower() in n.lower()][:3]
    )
    hint = (
        f"; did you mean: {', '.join(near)}?"
        if near
        else "; run 'calcinosis-kg queries' for the list"
    )
    raise InputError(f"unknown query '{name}'{hint}")
