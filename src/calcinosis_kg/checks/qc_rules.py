"""QC rules and their profile, in ROBOT's ``report`` contract: which rules run, at which level.

Every rule is a SPARQL SELECT in ``queries/qc/<rule>.rq`` returning ``?entity ?property ?value``,
and the level of each rule comes from ``queries/qc/profile.tsv`` (``level<TAB>rule[<TAB>kind]``),
exactly like ``robot report`` with a custom profile, so OBO engineers can read, reuse and run the
rules unchanged (``export_robot_profile`` writes the bundle ROBOT runs). Two extensions:

* a rule query may contain an empty ``VALUES ?verified_xref { }`` block; ``rule_text`` fills it
  with the identifiers of ``queries/qc/verified-xrefs.tsv`` (a data file generated from the shared
  reference by ``refresh_verified_xrefs``), each written as an escaped SPARQL literal;
* a profile row of kind ``file`` names a check on the text of the input files rather than a
  query (``FILE_RULES``; ``generated_prefix``: rdflib-style ``ns1:`` prefixes in Turtle).

Running the rules and reporting the violations is ``qc``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.resources import queries_dir

LEVELS = ("ERROR", "WARN", "INFO")
FAIL_ON_CHOICES = (*LEVELS, "none")
KINDS = ("sparql", "file")

_RULE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CURIE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*:\S+$")
_VERIFIED_VALUES = re.compile(r"VALUES\s+\?verified_xref\s*\{\s*\}")
_GENERATED_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+((?:ns|default)\d+)\s*:", re.IGNORECASE)


def qc_dir() -> Path:
    """Folder of the bundled rule queries, profile and verified-xref list."""
    return queries_dir() / "qc"


def default_profile_file() -> Path:
    """The bundled QC profile (ROBOT's format: level and rule per row)."""
    return qc_dir() / "profile.tsv"


def verified_xrefs_file() -> Path:
    """The verified identifiers (from the shared reference); ``unverified_xref`` reports others."""
    return qc_dir() / "verified-xrefs.tsv"


@dataclass(frozen=True)
class Rule:
    """One profile row: the rule name, its level, its kind and (for SPARQL rules) its query."""

    name: str
    level: str
    kind: str = "sparql"
    path: Path | None = None

    @property
    def title(self) -> str:
        """The rule's title (first ``# # Title`` line of its query), else its name."""
        if self.path is not None and self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.startswith("# # "):
                    return line[4:].strip()
        return self.name.replace("_", " ").capitalize()


def load_profile(path: Path | str | None = None) -> list[Rule]:
    """Parse a profile (``level<TAB>rule[<TAB>kind]``, ``#`` comments); rules resolve next to it.

    A SPARQL rule ``name`` is ``<profile folder>/name.rq`` (or a path, ROBOT's ``file:`` form
    accepted); a ``file`` rule must be one the runner knows.
    """
    path = Path(path) if path is not None else default_profile_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("QC profile not found", path) from None
    rules: list[Rule] = []
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = line.rstrip("\r").split("\t")
        if len(cells) not in (2, 3):
            raise InputError("expected level<TAB>rule[<TAB>kind]", path, lineno)
        level, name = cells[0].strip().upper(), cells[1].strip()
        kind = cells[2].strip().lower() if len(cells) == 3 and cells[2].strip() else "sparql"
        if level not in LEVELS:
            raise InputError(
                f"unknown level {cells[0]!r} (choose from {', '.join(LEVELS)})", path, lineno, 1
            )
        column = len(cells[0]) + 2
        if kind not in KINDS:
            raise InputError(
                f"unknown rule kind {kind!r} (choose from {', '.join(KINDS)})",
                path,
                lineno,
                column + len(cells[1]) + 1,
            )
        if kind == "file":
            if name not in FILE_RULES:
                raise InputError(
                    f"unknown file rule {name!r} (known: {', '.join(FILE_RULES)})",
                    path,
                    lineno,
                    column,
                )
            rule = Rule(name, level, kind)
        else:
            query = _rule_path(path.parent, name)
            if not query.is_file():
                raise InputError(
                    f"rule {name!r}: query file {query} not found", path, lineno, column
                )
            rule = Rule(query.stem, level, kind, query)
        if rule.name in seen:
            raise InputError(f"rule {rule.name!r} listed twice", path, lineno, column)
        seen.add(rule.name)
        rules.append(rule)
    return rules


def _rule_path(folder: Path, name: str) -> Path:
    if name.startswith("file://"):  # ROBOT's absolute form, file:///abs/path.rq
        from urllib.parse import urlparse
        from urllib.request import url2pathname

        return Path(url2pathname(urlparse(name).path))
    name = name.removeprefix("file:")
    if _RULE_NAME.match(name):
        return folder / f"{name}.rq"
    candidate = Path(name)
    return candidate if candidate.is_absolute() else folder / candidate


def load_verified_xrefs(path: Path | str | None = None) -> list[str]:
    """The verified identifiers (first column of ``verified-xrefs.tsv``), sorted, unique."""
    path = Path(path) if path is not None else verified_xrefs_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("verified xref list not found", path) from None
    ids: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), start=1):
        if lineno == 1 or not line.strip() or line.startswith("#"):
            continue  # header
        curie = line.split("\t", 1)[0].strip()
        if not _CURIE.match(curie):
            raise InputError(f"not a CURIE: {curie!r}", path, lineno, 1)
        ids.add(curie)
    return sorted(ids)


def refresh_verified_xrefs(reference_tsv: Path | str, output: Path | str | None = None) -> Path:
    """Write ``verified-xrefs.tsv`` (id, vocabulary, label) from the shared reference table.

    Keeps the rows whose ``status`` is ``verified`` and whose ``id`` is a CURIE, one line per ID
    (sorted), so the committed list changes only when the reference does.
    """
    # lazy: loads rdflib; `check --help` imports this module
    from calcinosis_kg.core.serialize import write_atomic

    reference_tsv = Path(reference_tsv)
    output = Path(output) if output is not None else verified_xrefs_file()
    try:
        lines = reference_tsv.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError("reference table not found", reference_tsv) from None
    if not lines:
        raise InputError("empty reference table", reference_tsv, 1)
    header = lines[0].split("\t")
    for column in ("id", "vocabulary", "label_in_source", "status"):
        if column not in header:
            raise InputError(f"missing column {column!r} in header", reference_tsv, 1)
    index = {name: header.index(name) for name in header}
    rows: dict[str, tuple[str, str]] = {}
    for lineno, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise InputError(
                f"expected {len(header)} columns, found {len(cells)}", reference_tsv, lineno
            )
        if cells[index["status"]].strip() != "verified":
            continue
        curie = cells[index["id"]].strip()
        if not _CURIE.match(curie):
            raise InputError(
                f"verified row with an ID that is not a CURIE: {curie!r}", reference_tsv, lineno
            )
        label = " ".join(cells[index["label_in_source"]].split())
        rows.setdefault(curie, (cells[index["vocabulary"]].strip(), label))
    body = ["id\tvocabulary\tlabel_in_source"]
    body += [f"{curie}\t{vocab}\t{label}" for curie, (vocab, label) in sorted(rows.items())]
    write_atomic(output, ("\n".join(body) + "\n").encode("utf-8"))
    return output


def export_robot_profile(
    output_dir: Path | str,
    profile: Path | str | None = None,
    verified_xrefs: Path | str | None = None,
) -> Path:
    """Write the SPARQL rules as a bundle ``robot report --profile`` runs unchanged.

    Each rule query is copied with its ``VALUES ?verified_xref`` block filled in, and
    ``profile.txt`` lists ``LEVEL<TAB>file:///abs/path/<rule>.rq``: ROBOT's syntax for custom
    queries, absolute because ROBOT resolves relative ``file:`` paths against its working folder.
    The profile has no comment lines (ROBOT's parser rejects them).
    File rules (checks of the Turtle text) have no SPARQL form and are left out. Returns the
    profile path: ``robot report --input calcinosis-kg.ttl --profile <dir>/profile.txt``.
    """
    # lazy: loads rdflib; `check --help` imports this module
    from calcinosis_kg.core.serialize import write_atomic

    output_dir = Path(output_dir)
    verified = cache(lambda: load_verified_xrefs(verified_xrefs))
    lines = []
    for rule in load_profile(profile):
        if rule.kind != "sparql" or rule.path is None:
            continue
        text = rule_text(rule.path, verified)
        write_atomic(output_dir / f"{rule.name}.rq", text.encode("utf-8"))
        lines.append(f"{rule.level}\t{(output_dir / f'{rule.name}.rq').resolve().as_uri()}")
    target = output_dir / "profile.txt"
    write_atomic(target, ("\n".join(lines) + "\n").encode("utf-8"))
    return target


def rule_text(path: Path, verified: Callable[[], list[str]]) -> str:
    """A rule query ready to run: its ``VALUES ?verified_xref`` block (if any) filled in."""
    text = path.read_text(encoding="utf-8")
    return _fill_verified(text, verified()) if _VERIFIED_VALUES.search(text) else text


def _fill_verified(text: str, ids: Sequence[str]) -> str:
    """Fill the empty ``VALUES ?verified_xref { }`` block with escaped string literals."""
    import pyoxigraph

    literals = " ".join(str(pyoxigraph.Literal(curie)) for curie in ids)
    return _VERIFIED_VALUES.sub(lambda _: f"VALUES ?verified_xref {{ {literals} }}", text, count=1)


def _generated_prefixes(files: Sequence[Path]) -> list[tuple[str, str, str]]:
    """``ns1:``-style prefixes (rdflib invents them for unbound namespaces) in Turtle inputs."""
    # lazy: loads rdflib; `check --help` imports this module
    from calcinosis_kg.graph.loading import sniff_format

    hits = []
    for path in files:
        data = Path(path).read_bytes()
        if sniff_format(Path(path), data) != "turtle":
            continue
        for lineno, line in enumerate(data.decode("utf-8", "replace").splitlines(), start=1):
            found = _GENERATED_PREFIX.match(line)
            if found:
                hits.append((str(path), f"line {lineno}", line.strip()))
    return hits


FILE_RULES: dict[str, Callable[[Sequence[Path]], list[tuple[str, str, str]]]] = {
    "generated_prefix": _generated_prefixes,
}
