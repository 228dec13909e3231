"""``check``: the CI gate. Load once, then reasoning, SHACL validation, QC and competency queries.

Why it is shaped like this: HermiT is a Java process that mostly waits on JVM start-up, so it is
started first on an N-Triples snapshot of the loaded store and runs on one core while the Python
stages run on the other; its answer is collected last. Every stage result is cached under a
sha256 of all inputs (``cache``), and a fully cached run never imports an RDF library.
A stage whose module is missing or that crashes is reported as failed, never as passed.
"""

from __future__ import annotations

import importlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.checks import cache, negative_entailments, reasoning
from calcinosis_kg.checks.expectations import EXPECTED_FILE
from calcinosis_kg.checks.qc_rules import FAIL_ON_CHOICES, LEVELS
from calcinosis_kg.checks.results import Failure, StageResult
from calcinosis_kg.core import resources  # resources.X() at call time: tests repoint them
from calcinosis_kg.core.errors import CalcinosisKGError, InputError
from calcinosis_kg.graph import knowledge as graph
from calcinosis_kg.graph.input_limits import read_regular_file

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

STAGES = ("reasoning", "validation", "qc", "competency")
#: stage -> (module, function) of the Python stages (reasoning is driven here directly)
PYTHON_STAGES: dict[str, tuple[str, str]] = {
    "validation": ("calcinosis_kg.checks.validation", "validation_stage"),
    "qc": ("calcinosis_kg.checks.qc", "qc_stage"),
    "competency": ("calcinosis_kg.checks.competency", "competency_stage"),
}
#: libraries whose version can change a stage's answer (part of every cache key)
LIBRARIES = ("rdflib", "pyoxigraph", "pyshacl", "owlready2")


@dataclass
class CheckReport:
    """The outcome of ``check``: one StageResult per stage, plus the inputs and wall time."""

    stages: list[StageResult]
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    fail_on: str = "ERROR"
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every stage passed: what ``make check`` and CI gate on."""
        return all(stage.ok for stage in self.stages)

    @property
    def exit_code(self) -> int:
        """The CLI's exit code: 0 when ``ok``, 1 when a stage failed (2 is for bad input)."""
        return 0 if self.ok else 1

    def _blocking(self, stage: StageResult, failure: Failure) -> bool:
        """Findings of a failed stage at ERROR or at/above --fail-on (the rest are warnings)."""
        if stage.ok:
            return False
        rank = LEVELS.index(failure.level) if failure.level in LEVELS else 0
        return rank == 0 or (self.fail_on in LEVELS and rank <= LEVELS.index(self.fail_on))

    def to_text(self, verbose: bool = False) -> str:
        """A line per stage (status, counts, seconds, cached), then every failure."""
        lines = []
        width = max(len(s.name) for s in self.stages) if self.stages else 10
        for stage in self.stages:
            status = "PASS" if stage.ok else ("SKIP-FAIL" if stage.skipped else "FAIL")
            counts = " ".join(f"{k}={v}" for k, v in stage.counts.items())
            if stage.note and not stage.ok:
                counts = (counts + "  " if counts else "") + stage.note
            tail = "  cached" if stage.cached else ""
            lines.append(
                f"{stage.name:<{width}}  {status:<4}  {stage.seconds:6.2f} s  "
                f"{counts}{tail}".rstrip()
            )
        failed = [s for s in self.stages if not s.ok]
        verdict = "PASS" if self.ok else f"FAIL ({len(failed)} of {len(self.stages)} stages)"
        lines.append(f"check: {verdict} in {self.seconds:.2f} s")
        shown, hidden = [], 0
        for stage in self.stages:
            for failure in stage.failures:
                if verbose or self._blocking(stage, failure):
                    shown.append(failure)
                else:
                    hidden += 1
        if shown:
            lines.append("")
            lines.append("Failures:" if not verbose else "Findings:")
            for f in shown:
                who = f.entity or "-"
                label = f' "{f.label}"' if f.label else ""
                level = "" if f.level == "ERROR" else f"{f.level} "
                lines.append(f"  [{f.stage}] {level}{who}{label}: {f.reason}")
        if hidden:
            lines.append(
                f"({hidden} warning/info findings below --fail-on not shown; "
                "use --verbose or --format json)"
            )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict:
        """The report as plain data (``--format json``): verdict, inputs and every stage."""
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "fail_on": self.fail_on,
            "files": self.files,
            "warnings": self.warnings,
            "stages": [stage.to_dict() for stage in self.stages],
        }

    def to_json(self) -> str:
        """``to_dict`` as indented JSON, non-ASCII labels kept readable."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _input_files(paths: Sequence[Path | str] | None) -> list[Path]:
    files = [Path(p) for p in paths] if paths else resources.default_ontology_files()
    for path in files:
        if not path.is_file():
            # the loader's own check: "file not found", "is a directory", "not a regular file"
            read_regular_file(path)
            raise InputError("file not found", path)
    return files


def _library_versions() -> str:
    from importlib import metadata

    parts = []
    for name in LIBRARIES:
        try:
            parts.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name}=absent")
    return " ".join(parts)


def stage_keys(files: Sequence[Path], fail_on: str = "ERROR") -> dict[str, str]:
    """The cache key of every stage: the ontology files, data folders, library versions, package
    version and the source of the code the stage runs (its module and what that imports)."""

    extra = [p for p in [Path(files[0]).parent / EXPECTED_FILE] if files and p.is_file()]
    folders = [resources.ontology_dir(), resources.shapes_dir(), resources.queries_dir()]
    data = cache.digest_files([*files, *extra, *folders], salt=_library_versions())
    keys = {}
    for stage in STAGES:
        module = PYTHON_STAGES.get(stage, ("calcinosis_kg.checks.reasoning", ""))[0]
        code = cache.digest_files(cache.code_files([module, "calcinosis_kg.checks.gate"]))
        salt = f" fail_on={fail_on}" if stage == "qc" else ""
        keys[stage] = cache.stage_key(f"{stage}{salt} {code}", data)
    return keys


def _not_available(name: str, module: str, exc: Exception) -> StageResult:
    note = f"not available: {module} could not be imported ({exc.__class__.__name__}: {exc})"
    return StageResult(name, ok=False, note=note, failures=[Failure(name, "", "", note)])


def _crashed(name: str, exc: Exception, seconds: float) -> StageResult:
    note = f"crashed: {exc.__class__.__name__}: {exc}"
    return StageResult(
        name, ok=False, note=note, seconds=seconds, failures=[Failure(name, "", "", note)]
    )


def _python_stage(name: str, kg: KnowledgeGraph, fail_on: str) -> StageResult:
    module_name, func_name = PYTHON_STAGES[name]
    try:
        module = importlib.import_module(module_name)
        func: Callable[..., StageResult] = getattr(module, func_name)
    except (ImportError, AttributeError) as exc:
        return _not_available(name, module_name, exc)
    started = time.perf_counter()
    try:
        result = func(kg, fail_on=fail_on) if name == "qc" else func(kg)
    except CalcinosisKGError:
        raise
    except Exception as exc:  # a bug in a stage must show up as a failure, not kill the gate
        return _crashed(name, exc, time.perf_counter() - started)
    if not result.seconds:
        result.seconds = time.perf_counter() - started
    return result


def run_check(
    paths: Sequence[Path | str] | None = None,
    use_cache: bool = True,
    fail_on: str = "ERROR",
    stages: Sequence[str] = STAGES,
) -> CheckReport:
    """Run every stage on the ontology (bundled by default) and collect one report.

    Raises InputError for bad input (missing or malformed file), which the CLI reports as exit 2.
    """
    started = time.perf_counter()
    if fail_on not in FAIL_ON_CHOICES:
        raise InputError(f"unknown fail-on level {fail_on!r} (choose ERROR, WARN, INFO, none)")
    files = _input_files(paths)
    keys = stage_keys(files, fail_on)
    results: dict[str, StageResult] = {}
    if use_cache:
        for name in stages:
            hit = cache.load(name, keys[name])
            if hit is not None:
                hit.seconds = 0.0
                results[name] = hit
    todo = [name for name in stages if name not in results]
    warnings: list[str] = []
    if todo:
        computed = _compute(files if paths else None, todo, fail_on, warnings)
        for name, result in computed.items():
            results[name] = result
            if use_cache and cache.cacheable(result):
                cache.save(name, keys[name], result)
    report = CheckReport(
        stages=[results[name] for name in stages],
        files=[str(f) for f in files],
        fail_on=fail_on,
        warnings=warnings,
    )
    report.seconds = time.perf_counter() - started
    return report


def check(
    kg: KnowledgeGraph | None = None,
    *,
    use_cache: bool = True,
    fail_on: str = "ERROR",
    stages: Sequence[str] = STAGES,
) -> CheckReport:
    """``calcinosis-kg check`` on the files ``kg`` was loaded from (the bundled ontology when
    ``kg`` is None): the front door's graph-first form of ``run_check``.

    The stages re-read the files (some run in child processes that cannot share the store).
    """

    paths = None if kg is None or list(kg.files) == resources.default_ontology_files() else kg.files
    return run_check(paths, use_cache=use_cache, fail_on=fail_on, stages=stages)


def _compute(
    paths: Sequence[Path] | None, todo: list[str], fail_on: str, warnings: list[str]
) -> dict[str, StageResult]:
    kg = graph.load(paths)
    warnings.extend(kg.warnings)
    out: dict[str, StageResult] = {}
    run = negative_run = None
    reasoning_started = time.perf_counter()
    if "reasoning" in todo:
        try:
            run = reasoning.start(kg)
            # conclusions that must NOT follow: a second HermiT run on a probe copy, in parallel
            negative_run = negative_entailments.start(kg)
        except CalcinosisKGError:
            raise
        except Exception as exc:
            out["reasoning"] = _crashed("reasoning", exc, time.perf_counter() - reasoning_started)
    try:
        for name in todo:
            if name != "reasoning":
                out[name] = _python_stage(name, kg, fail_on)
    except BaseException:
        if run is not None:
            run.cancel()
        if negative_run is not None:
            negative_run.cancel()
        raise
    if run is not None:
        try:
            result = run.wait()
            stage = reasoning.stage_from_result(kg, result, reasoning.expected_inferences_file(kg))
            if result.java_missing and negative_run is not None:
                negative_run.cancel()
            else:  # negative=N violated=M on the reasoning line
                stage = negative_entailments.merge_into(stage, kg, negative_run)
        except CalcinosisKGError:
            raise
        except Exception as exc:
            stage = _crashed("reasoning", exc, 0.0)
        out["reasoning"] = stage
    return out
