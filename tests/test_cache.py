"""Stage-result cache: hits skip the work, any input edit recomputes, bad entries are misses."""

from __future__ import annotations

import json
import os
import sys
import types
from pathlib import Path

import pytest

from calcinosis_kg.checks import cache
from calcinosis_kg.checks import gate as check
from calcinosis_kg.checks.results import Failure, StageResult

ONTOLOGY = """\
@prefix : <http://example.org/t#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
<http://example.org/t> a owl:Ontology .
:A a owl:Class .
"""


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CALCINOSIS_KG_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def counting_stage(monkeypatch):
    """One fake Python stage that counts its runs."""
    module = types.ModuleType("fake_cache_stage")
    module.runs = 0

    def validation(kg):
        module.runs += 1
        return StageResult(
            "validation",
            ok=False,
            counts={"triples": len(kg.store)},
            failures=[Failure("validation", "ex:a", "a", "bad")],
        )

    module.validation = validation
    monkeypatch.setitem(sys.modules, "fake_cache_stage", module)
    monkeypatch.setattr(check, "PYTHON_STAGES", {"validation": ("fake_cache_stage", "validation")})
    return module


def write(tmp_path: Path, text: str = ONTOLOGY) -> Path:
    path = tmp_path / "onto.ttl"
    path.write_text(text, encoding="utf-8")
    return path


def run(path: Path, **kwargs) -> StageResult:
    return check.run_check([path], stages=("validation",), **kwargs).stages[0]


def test_second_run_is_served_from_cache(tmp_path, counting_stage):
    path = write(tmp_path)
    first = run(path)
    second = run(path)
    assert counting_stage.runs == 1
    assert not first.cached and second.cached
    assert second.failures == first.failures and second.counts == first.counts
    assert "cached" in check.CheckReport([second]).to_text()


def test_editing_the_ontology_recomputes(tmp_path, counting_stage):
    path = write(tmp_path)
    run(path)
    write(tmp_path, ONTOLOGY + ":B a owl:Class .\n")
    result = run(path)
    assert counting_stage.runs == 2 and not result.cached
    assert result.counts["triples"] == 3


def test_editing_a_data_file_recomputes(tmp_path, counting_stage, monkeypatch):
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "q.rq").write_text("SELECT * WHERE { ?s ?p ?o }")
    monkeypatch.setattr("calcinosis_kg.core.resources.queries_dir", lambda: queries)
    path = write(tmp_path)
    run(path)
    run(path)
    (queries / "q.rq").write_text("SELECT ?s WHERE { ?s ?p ?o }")
    run(path)
    assert counting_stage.runs == 2


def test_touching_a_file_without_changing_it_keeps_the_cache(tmp_path, counting_stage):
    path = write(tmp_path)
    run(path)
    os.utime(path, (1, 1))
    assert run(path).cached and counting_stage.runs == 1


def test_no_cache_recomputes_and_does_not_write(tmp_path, counting_stage, private_cache):
    path = write(tmp_path)
    run(path, use_cache=False)
    run(path, use_cache=False)
    assert counting_stage.runs == 2
    assert not private_cache.exists() or not any(private_cache.iterdir())


def test_corrupt_cache_entry_is_ignored(tmp_path, counting_stage, private_cache):
    path = write(tmp_path)
    run(path)
    [entry] = private_cache.glob("validation-*.json")
    entry.write_text("{not json", encoding="utf-8")
    result = run(path)
    assert not result.cached and counting_stage.runs == 2
    assert json.loads(entry.read_text())["result"]["name"] == "validation"  # rewritten


def test_entry_of_another_key_is_a_miss(private_cache):
    result = StageResult("qc", ok=True)
    cache.save("qc", "a" * 64, result)
    [entry] = private_cache.glob("qc-*.json")
    entry.rename(private_cache / f"qc-{'b' * 40}.json")
    assert cache.load("qc", "b" * 64) is None


def test_skipped_stage_is_not_cached():
    assert not cache.cacheable(StageResult("reasoning", ok=False, skipped=True))
    assert not cache.cacheable(StageResult("qc", ok=False, note="not available: x"))
    assert cache.cacheable(StageResult("qc", ok=False, note=""))


def test_cache_dir_follows_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "calcinosis-kg"


def test_digest_depends_on_content_and_name(tmp_path):
    a = tmp_path / "a.ttl"
    a.write_text("x")
    first = cache.digest_files([a])
    a.write_text("y")
    assert cache.digest_files([a]) != first
    b = tmp_path / "b.ttl"
    b.write_text("y")
    assert cache.digest_files([b]) != cache.digest_files([a])


def test_code_key_follows_the_stage_module_and_what_it_imports(tmp_path, monkeypatch):
    (tmp_path / "stage.py").write_text(
        "from calcinosis_kg.helper import x\nfrom calcinosis_kg import (\n    other as o,\n)\n"
    )
    (tmp_path / "helper.py").write_text("x = 1\n")
    (tmp_path / "other.py").write_text("y = 1\n")
    (tmp_path / "unrelated.py").write_text("z = 1\n")
    monkeypatch.setattr(cache, "_PACKAGE_DIR", tmp_path)
    assert [p.name for p in cache.code_files(["calcinosis_kg.stage"])] == [
        "helper.py",
        "other.py",
        "stage.py",
    ]

    def key() -> str:
        return cache.digest_files(cache.code_files(["calcinosis_kg.stage"]))

    before = key()
    (tmp_path / "unrelated.py").write_text("z = 2\n")
    assert key() == before
    (tmp_path / "helper.py").write_text("x = 2\n")
    assert key() != before


def test_unwritable_cache_location_does_not_fail_the_check(tmp_path, counting_stage, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))
    path = write(tmp_path)
    assert not run(path).cached
    assert not run(path).cached and counting_stage.runs == 2
