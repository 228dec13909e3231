"""The QC report: run the rules of a profile on a loaded graph, report violations ROBOT's way.

The rules, their levels and the profile are ``qc_rules``' business. Here every SPARQL rule runs
on the shared pyoxigraph store (milliseconds each) and every file rule on the input files; the
violations come out sorted (level, rule, subject, property, value) so the same input gives the
same report byte for byte, in ROBOT's TSV, JSON or Markdown. Every rule is scoped to our
namespace: external terms are not ours to fix. ``qc_stage`` is the ``check`` stage.
"""

from __future__ import annotations

import builtins
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.checks.qc_rules import (
    FAIL_ON_CHOICES,
    FILE_RULES,
    LEVELS,
    Rule,
    load_profile,
    load_verified_xrefs,
    rule_text,
)
from calcinosis_kg.checks.results import Failure, StageResult
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.expressions import StoreSource, render
from calcinosis_kg.core.prefixes import compress

if TYPE_CHECKING:
    import pyoxigraph

    from calcinosis_kg.graph.knowledge import KnowledgeGraph

FORMATS = ("tsv", "json", "md")
TSV_HEADER = ("Level", "Rule Name", "Subject", "Property", "Value")


@dataclass(frozen=True)
class Violation:
    """One report row (ROBOT's columns), with the subject's label for readers."""

    level: str
    rule: str
    entity: str
    property: str
    value: str
    label: str = field(default="", compare=False)

    @builtins.property  # the field ``property`` shadows the builtin in this class body
    def severity(self) -> int:
        """0 for ERROR, 1 for WARN, 2 for INFO."""
        return LEVELS.index(self.level)

    def as_row(self) -> tuple[str, str, str, str, str]:
        """The five columns of ROBOT's report TSV, in its order."""
        return (self.level, self.rule, self.entity, self.property, self.value)

    def sort_key(self) -> tuple[int, str, str, str, str]:
        """Severity first (ERROR at the top), then rule, subject, property, value."""
        return (self.severity, self.rule, self.entity, self.property, self.value)


@dataclass
class QcReport:
    """The outcome of running a profile: rules run and violations in a deterministic order."""

    rules: list[Rule]
    violations: list[Violation]
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        """Violations per level (every level present, zero included)."""
        counts = dict.fromkeys(LEVELS, 0)
        for row in self.violations:
            counts[row.level] += 1
        return counts

    def failing(self, fail_on: str = "ERROR") -> list[Violation]:
        """Violations at or above ``fail_on`` (none for ``"none"``)."""
        threshold = _threshold(fail_on)
        return [row for row in self.violations if row.severity <= threshold]

    def summary(self) -> str:
        """One line: the number of violations per level and of rules run."""
        counts = self.counts()
        parts = ", ".join(f"{counts[level]} {level}" for level in LEVELS)
        return f"{len(self.violations)} violations ({parts}) from {len(self.rules)} rules"

    def to_tsv(self) -> str:
        """ROBOT's TSV: Level, Rule Name, Subject, Property, Value (tabs/newlines escaped)."""
        lines = ["\t".join(TSV_HEADER)]
        lines += ["\t".join(_escape_tsv(cell) for cell in row.as_row()) for row in self.violations]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """JSON with the counts and one object per violation (keys as ROBOT's columns)."""
        data = {
            "counts": self.counts(),
            "rules": [
                {"rule": r.name, "title": r.title, "level": r.level, "kind": r.kind}
                for r in self.rules
            ],
            "violations": [
                {
                    "level": v.level,
                    "rule": v.rule,
                    "subject": v.entity,
                    "label": v.label,
                    "property": v.property,
                    "value": v.value,
                }
                for v in self.violations
            ],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """A readable table (subjects shown with their labels), for pull requests and docs."""
        lines = ["# QC report", "", self.summary() + ".", ""]
        if not self.violations:
            lines.append("No violations.")
            return "\n".join(lines) + "\n"
        lines += ["| " + " | ".join(TSV_HEADER) + " |", "|---|---|---|---|---|"]
        for v in self.violations:
            subject = f"{v.entity} ({v.label})" if v.label else v.entity
            cells = (v.level, v.rule, subject, v.property, v.value)
            lines.append("| " + " | ".join(_escape_md(c) for c in cells) + " |")
        return "\n".join(lines) + "\n"

    def render(self, fmt: str = "tsv") -> str:
        """The report in ``tsv``, ``json`` or ``md``."""
        renderers: dict[str, Callable[[], str]] = {
            "tsv": self.to_tsv,
            "json": self.to_json,
            "md": self.to_markdown,
        }
        if fmt not in renderers:
            raise InputError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
        return renderers[fmt]()


def _escape_tsv(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _escape_md(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split()) if text else ""


def _threshold(fail_on: str) -> int:
    """Severity index at or above which violations fail (-1: nothing fails)."""
    key = fail_on.strip()
    if key.lower() == "none":
        return -1
    if key.upper() not in LEVELS:
        raise InputError(
            f"unknown --fail-on level {fail_on!r} (choose from {', '.join(FAIL_ON_CHOICES)})"
        )
    return LEVELS.index(key.upper())


# --------------------------------------------------------------------------------------------
# running


def run_report(
    kg: KnowledgeGraph,
    profile: Path | str | Sequence[Rule] | None = None,
    verified_xrefs: Path | str | None = None,
) -> QcReport:
    """Run every rule of ``profile`` (default: the bundled one) on ``kg``.

    Violations are sorted by level severity, rule, subject, property, value: the same input
    gives the same report, byte for byte.
    """
    started = time.perf_counter()
    rules = (
        list(profile)
        if isinstance(profile, Sequence) and not isinstance(profile, str)
        else load_profile(profile)
    )
    store = kg.store
    renderer = _TermRenderer(store)
    labels = kg.labels
    verified = cache(lambda: load_verified_xrefs(verified_xrefs))
    rows: set[Violation] = set()
    for rule in rules:
        if rule.kind == "file":
            hits = FILE_RULES[rule.name](kg.files)
        else:
            assert rule.path is not None
            hits = _run_select(store, rule_text(rule.path, verified), rule.path, renderer)
        for entity, prop, value in hits:
            subject = renderer.compact(entity) if rule.kind == "sparql" else entity
            rows.add(Violation(rule.level, rule.name, subject, prop, value, labels.get(entity, "")))
    return QcReport(
        rules=rules,
        violations=sorted(rows, key=Violation.sort_key),
        seconds=time.perf_counter() - started,
    )


def _run_select(
    store: pyoxigraph.Store, query: str, path: Path, renderer: _TermRenderer
) -> list[tuple[str, str, str]]:
    """(entity IRI, property, value) rows of one rule query; blank subjects are skipped."""
    import pyoxigraph

    try:
        solutions = store.query(query)
    except SyntaxError as exc:
        # lazy: graph.loading loads logging and more; `check --help` imports this module
        from calcinosis_kg.graph.loading import syntax_error

        raise syntax_error(exc, path, "SPARQL rule query") from None
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise InputError("a QC rule must be a SELECT query", path)
    names = [v.value for v in solutions.variables]
    if names != ["entity", "property", "value"]:  # exactly these three, as ROBOT requires
        raise InputError(
            f"a QC rule must SELECT ?entity ?property ?value (found {' '.join(names)})", path
        )
    hits = []
    for solution in solutions:
        entity = solution["entity"]
        if entity is None or isinstance(entity, pyoxigraph.BlankNode):
            continue
        hits.append(
            (
                entity.value
                if isinstance(entity, pyoxigraph.NamedNode)
                else renderer.render(entity),
                renderer.render(solution["property"]),
                renderer.render(solution["value"]),
            )
        )
    return hits


class _TermRenderer:
    """Terms as report cells: IRIs as CURIEs, literals as their text, blank nodes as class
    expressions (``RO:0004026 some UBERON:0002072``): never a random blank-node label."""

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.source = StoreSource(store)

    @staticmethod
    def compact(iri: str) -> str:
        return compress(iri)

    def render(self, term: object) -> str:
        import pyoxigraph

        if term is None:
            return ""
        if isinstance(term, pyoxigraph.NamedNode):
            return self.compact(term.value)
        if isinstance(term, pyoxigraph.Literal):
            return term.value
        if isinstance(term, pyoxigraph.BlankNode):
            return render(self.source, term)
        return str(term)


def _reason(v: Violation) -> str:
    """One line for ``check``: the rule, then the property and offending value (or its absence)."""
    value = " ".join(v.value.split())
    return f"{v.rule}: {v.property} {value}" if value else f"{v.rule}: no {v.property}"


def qc_stage(kg: KnowledgeGraph, fail_on: str = "ERROR") -> StageResult:
    """The QC stage for ``check``: fails when a violation is at or above ``fail_on``.

    Every violation is returned as a ``Failure`` carrying its level, so callers can show WARN
    and INFO rows without failing on them.
    """
    report = run_report(kg)
    failing = report.failing(fail_on)
    counts = {"rules": len(report.rules), **report.counts()}
    failures = [
        Failure(stage="qc", entity=v.entity, label=v.label, reason=_reason(v), level=v.level)
        for v in report.violations
    ]
    return StageResult(
        name="qc",
        ok=not failing,
        counts=counts,
        failures=failures,
        seconds=report.seconds,
        note=f"{len(failing)} at or above {fail_on}" if failing else "",
    )
