"""The ``reasoning`` stage and the ``reason`` command: HermiT's verdict as a check result.

OWL 2 DL reasoning with HermiT checks consistency, unsatisfiable classes and the entailments
listed in ``expected_inferences.yaml``. This module is the stage's face; the work lives beside it:
``hermit`` (running HermiT, reading its output), ``explain`` (why a class is unsatisfiable or the
ontology inconsistent), ``expectations`` (the expected-inference list), ``inferred`` (the inferred
hierarchy as RDF) and ``verdict`` (the result types). Their public names are re-exported here.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.checks import negative_entailments
from calcinosis_kg.checks.expectations import (
    EXPECTED_FILE,
    ExpectedInference,
    expected_inferences_file,
    load_expected,
)
from calcinosis_kg.checks.explain import Axioms, loaded_store
from calcinosis_kg.checks.hermit import (
    DEFAULT_TIMEOUT,
    HermitRun,
    reason,
    start,
    write_hermit_input,
)
from calcinosis_kg.checks.inconsistency import explain_inconsistency
from calcinosis_kg.checks.inferred import hierarchy_graph, inferred_graph
from calcinosis_kg.checks.results import Failure, StageResult
from calcinosis_kg.checks.verdict import ReasoningError, ReasoningResult
from calcinosis_kg.core.prefixes import compress
from calcinosis_kg.core.serialize import to_turtle
from calcinosis_kg.core.vocab import OWL_CLASS, RDF_TYPE
from calcinosis_kg.graph.knowledge import load

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

__all__ = [
    "DEFAULT_TIMEOUT",
    "EXPECTED_FILE",
    "STAGE",
    "Axioms",
    "ExpectedInference",
    "HermitRun",
    "ReasoningError",
    "ReasoningResult",
    "expected_inferences_file",
    "explain_inconsistency",
    "hierarchy_graph",
    "inferred_graph",
    "load_expected",
    "loaded_store",
    "reason",
    "reasoning_stage",
    "run_reason",
    "stage_from_result",
    "start",
    "summarize",
    "write_hermit_input",
]

STAGE = "reasoning"


def stage_from_result(
    kg: KnowledgeGraph, result: ReasoningResult, expected_path: Path | None = None
) -> StageResult:
    """Turn a ReasoningResult (plus the expected inferences) into the ``reasoning`` StageResult."""

    failures: list[Failure] = []
    counts: dict[str, int] = {}
    if result.consistent is None:
        note = ("skipped: " + result.error) if result.java_missing else result.error
        failures.append(Failure(STAGE, "", "", note))
        return StageResult(
            STAGE,
            ok=False,
            failures=failures,
            seconds=result.seconds,
            skipped=result.java_missing,
            note=note,
            environment=True,
        )
    axioms = Axioms.of(kg)

    def fail(entity: str, reason: str, level: str = "ERROR") -> None:
        failures.append(
            Failure(STAGE, compress(entity) if entity else "", axioms.label(entity), reason, level)
        )

    for warning in getattr(kg, "warnings", []):
        if "owl:imports" in warning:  # HermiT reasoned without that import: say so
            fail("", f"{warning}; the reasoner ran without it", level="WARN")
    if result.consistent is False:
        counts["inconsistent"] = 1
        fail("", "the ontology is inconsistent (HermiT)")
        for entity, why in result.culprits:
            fail(entity, why)
        return StageResult(
            STAGE,
            ok=False,
            counts=counts,
            failures=failures,
            seconds=result.seconds,
            note="inconsistent",
        )
    for cls in result.unsatisfiable:
        fail(cls, result.explanations.get(cls, "unsatisfiable"))
    expected = load_expected(expected_path) if expected_path else []
    known = set(axioms.triples)
    asserted = axioms.asserted_named_pairs()
    missed = 0
    for item in expected:
        if item.subclass not in known or item.superclass not in known:
            unknown = item.subclass if item.subclass not in known else item.superclass
            fail(
                item.subclass,
                f"expected inference names {compress(unknown)}, which is not in the ontology",
            )
            missed += 1
        elif not result.entails(item.subclass, item.superclass):
            sup = axioms.show(item.superclass)
            why = f" (expected because: {item.why})" if item.why else ""
            fail(
                item.subclass,
                f"expected to be inferred a subclass of {sup}, but HermiT does not entail it{why}",
            )
            missed += 1
        elif (item.subclass, item.superclass) in asserted:
            fail(
                item.subclass,
                f"expected inference to {axioms.show(item.superclass)} is "
                "asserted, so it tests nothing",
                level="WARN",
            )
    counts.update(
        {
            "classes": sum(
                1
                for s in axioms.triples
                if OWL_CLASS in axioms.objects(s, RDF_TYPE) and axioms.named(s)
            ),
            "unsatisfiable": len(result.unsatisfiable),
            "inferred": len(result.inferred_subclass_pairs) + len(result.inferred_equivalent_pairs),
            "expected": len(expected),
            "expected_missed": missed,
        }
    )
    ok = not any(f.level == "ERROR" for f in failures)
    return StageResult(STAGE, ok=ok, counts=counts, failures=failures, seconds=result.seconds)


def reasoning_stage(kg: KnowledgeGraph, expected: Path | None = None) -> StageResult:
    """Consistency, unsatisfiable classes and expected entailments, as a check stage."""
    started = time.perf_counter()
    result = reason(kg)
    stage = stage_from_result(kg, result, expected or expected_inferences_file(kg))
    stage.seconds = time.perf_counter() - started
    return stage


def summarize(kg: KnowledgeGraph, result: ReasoningResult) -> str:
    """The human summary printed by ``calcinosis-kg reason``."""
    axioms = Axioms.of(kg)
    lines = []
    if result.consistent is False:
        lines.append(f"consistent: NO (HermiT, {result.seconds:.2f} s)")
        for entity, why in result.culprits:
            lines.append(f"  {axioms.show(entity) if entity else '-'}: {why}")
        if not result.culprits:
            lines.append("  (no individual or disjointness found that explains it)")
        return "\n".join(lines) + "\n"
    classes = sum(
        1 for s in axioms.triples if axioms.named(s) and OWL_CLASS in axioms.objects(s, RDF_TYPE)
    )
    lines.append(f"consistent: yes (HermiT, {result.seconds:.2f} s)")
    lines.append(
        f"classes: {classes}, unsatisfiable: {len(result.unsatisfiable)}, "
        f"inferred subclass edges: {len(result.inferred_subclass_pairs)}, "
        f"inferred equivalences: {len(result.inferred_equivalent_pairs)}"
    )
    if result.unsatisfiable:
        lines.append("unsatisfiable classes:")
        for cls in result.unsatisfiable:
            why = result.explanations.get(cls, "").removeprefix("unsatisfiable: ")
            lines.append(f"  {axioms.show(cls)}: {why}")
    if result.inferred_subclass_pairs or result.inferred_equivalent_pairs:
        lines.append("inferred (not asserted):")
        for a, b in result.inferred_subclass_pairs:
            lines.append(f"  {axioms.show(a)} SubClassOf {axioms.show(b)}")
        for a, b in result.inferred_equivalent_pairs:
            lines.append(f"  {axioms.show(a)} EquivalentTo {axioms.show(b)}")
    return "\n".join(lines) + "\n"


def run_reason(
    paths: Iterable[Path | str] | None = None, with_turtle: bool = False, new_only: bool = False
) -> tuple[str, bytes | None, bool]:
    """Load, reason and describe: (summary text, Turtle of the hierarchy or None, all ok).

    ``ok`` is False when the ontology is inconsistent, a class is unsatisfiable or an entailment
    of ``expected_inferences.yaml`` (beside the first ontology file) is missing.

    Raises ReasoningError (exit 1) when HermiT cannot run, InputError (exit 2) on bad input.
    """

    kg = load(list(paths) if paths else None)
    result = reason(kg)
    if result.consistent is None:
        raise ReasoningError(result.error)
    turtle = None
    if with_turtle and result.consistent:
        graph = inferred_graph(kg, result) if new_only else hierarchy_graph(kg, result)
        turtle = to_turtle(graph)
    summary = summarize(kg, result)
    ok = bool(result.consistent) and not result.unsatisfiable
    expected_path = expected_inferences_file(kg)
    if result.consistent and expected_path is not None:
        stage = stage_from_result(kg, result, expected_path)
        missing = [f for f in stage.failures if f.level == "ERROR" and "expected" in f.reason]
        summary += (
            f"expected inferences ({expected_path.name}): "
            f"{stage.counts.get('expected', 0)} checked, {len(missing)} missing\n"
        )
        for f in missing:
            summary += f"  {f.entity} ({f.label}): {f.reason}\n"
        ok = ok and not missing
    if result.consistent:  # conclusions that must not follow (negative_entailments.yaml)
        negative_path = negative_entailments.negative_file(kg)
        if negative_path is not None:
            checked, violated = negative_entailments.check(kg, negative_path)
            summary += (
                f"negative entailments ({negative_path.name}): {checked} checked, "
                f"{len(violated)} derived\n"
            )
            summary += "".join(f"  {v}\n" for v in violated)
            ok = ok and not violated
    return summary, turtle, ok
