"""Cache of stage results, keyed by a sha256 over the content of every input.

Why content hashes and not timestamps: a checkout, a ``git stash`` or a copied file changes
mtimes without changing content (and vice versa), and a stale pass from a cache is worse than no
cache. The key covers the ontology files, the data folders (imports, shapes, queries with their
expected answers, the QC profile), the package's own source and its version, so editing any of
them recomputes; the files keyed are those the loaders read (``resources.is_data_file`` is the
one rule for both). Entries are JSON written atomically with a sha256 of their body: an unreadable
or altered entry counts as a miss. Results that depend on the machine rather than the inputs
(Java missing, broken or timed out: ``StageResult.environment``) are never stored.
Computing a key reads bytes only: no RDF library is imported, so a fully cached ``check`` is fast.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from calcinosis_kg.checks.results import Failure, StageResult
from calcinosis_kg.core.resources import is_data_file, package_dir
from calcinosis_kg.core.serialize import write_atomic
from calcinosis_kg.core.version import __version__

CACHE_ENV = "CALCINOSIS_KG_CACHE_DIR"
FORMAT = 2  # 2: entries carry a checksum of their body
_PACKAGE_DIR = package_dir()
_SKIP_DIRS = {"__pycache__", ".git", ".pytest_cache", ".ruff_cache"}


def cache_dir() -> Path:
    """``$CALCINOSIS_KG_CACHE_DIR``, else ``$XDG_CACHE_HOME/calcinosis-kg``, else ``~/.cache/…``."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "calcinosis-kg"


def _walk(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    out = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        out += [Path(root) / f for f in sorted(files) if is_data_file(f)]
    return out


def digest_files(paths: Iterable[Path | str], salt: str = "") -> str:
    """sha256 over the names and bytes of ``paths`` (folders walked in a stable order)."""
    h = hashlib.sha256(f"calcinosis-kg {__version__} cache format {FORMAT}\n{salt}\n".encode())
    for top in paths:
        top = Path(top)
        files = _walk(top)
        h.update(f"@{top.name}:{len(files)}\n".encode())
        for path in files:
            rel = path.relative_to(top).as_posix() if path != top else path.name
            data = path.read_bytes()
            h.update(f"{rel}\0{len(data)}\0".encode())
            h.update(data)
    return h.hexdigest()


def _module_file(name: str) -> Path | None:
    """The source file of package module ``name`` (dotted, without ``calcinosis_kg.``)."""
    base = _PACKAGE_DIR.joinpath(*name.split(".")) if name else _PACKAGE_DIR
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if name and path.is_file():
            return path
    return None


def _imported_modules(path: Path) -> list[str]:
    """Package modules imported by ``path`` (parsed, so strings and comments never count)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{a.name}" for a in node.names]
    return [m.removeprefix("calcinosis_kg.") for m in found if m.startswith("calcinosis_kg.")]


def code_files(modules: Iterable[str]) -> list[Path]:
    """Source files of ``modules`` and of every package module they import (transitively).

    A code change must invalidate results computed by the old code, but an edit to an unrelated
    command must not throw away every cached stage.
    """
    todo = [m.removeprefix("calcinosis_kg.") for m in modules]
    seen: set[str] = set()
    files: list[Path] = []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = _module_file(name)
        if path is None:
            continue
        files.append(path)
        todo += _imported_modules(path)
    return sorted(set(files))


def stage_key(stage: str, inputs_digest: str) -> str:
    """The cache key of one stage's result: the stage name and the digest of everything it read."""
    return hashlib.sha256(f"{stage}\0{inputs_digest}".encode()).hexdigest()


def _entry_path(stage: str, key: str) -> Path:
    return cache_dir() / f"{stage}-{key[:40]}.json"


def _checksum(body: object) -> str:
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _read_entry(path: Path, key: str) -> dict | None:
    """A well-formed entry for ``key`` whose checksum matches its body, else None (a miss)."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
        return None
    body = {k: v for k, v in entry.items() if k != "checksum"}
    return entry if entry.get("checksum") == _checksum(body) else None


def _sealed(entry: dict) -> bytes:
    return json.dumps({**entry, "checksum": _checksum(entry)}, ensure_ascii=False).encode()


def load(stage: str, key: str) -> StageResult | None:
    """The cached result of ``stage`` for ``key``, or None (missing, corrupt, tampered or foreign
    entry)."""
    entry = _read_entry(_entry_path(stage, key), key)
    if entry is None:
        return None
    try:
        data = entry["result"]
        failures = [Failure(**f) for f in data.pop("failures")]
        result = StageResult(**data, failures=failures)
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    if result.name != stage:
        return None
    result.cached = True
    return result


def save(stage: str, key: str, result: StageResult) -> bool:
    """Store ``result`` (atomically). Returns False when the cache folder is not writable."""

    data = result.to_dict()
    data["cached"] = False
    return _write(stage, key, {"format": FORMAT, "key": key, "stage": stage, "result": data})


def cacheable(result: StageResult) -> bool:
    """Only results that depend on the inputs alone: not skips, not missing modules or crashes."""
    return (
        not result.skipped
        and not result.environment
        and not result.note.startswith(("not available", "crashed"))
    )


def load_json(name: str, key: str) -> object | None:
    """A cached JSON value (None when missing or unreadable)."""
    entry = _read_entry(_entry_path(name, key), key)
    return entry.get("value") if entry is not None else None


def save_json(name: str, key: str, value: object) -> bool:
    """Store a JSON value atomically; False when the cache folder is not writable."""

    return _write(name, key, {"format": FORMAT, "key": key, "name": name, "value": value})


def _write(name: str, key: str, entry: dict) -> bool:
    """Write one sealed entry atomically; False when the cache folder is not writable."""
    try:
        write_atomic(_entry_path(name, key), _sealed(entry))
    except OSError:
        return False
    return True
