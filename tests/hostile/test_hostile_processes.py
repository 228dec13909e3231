"""Hostile environments for the reasoner and the check cache: a hanging ``java`` wrapper, signals,
an unwritable working directory, a broken Java whose failure must not be cached, stale or
tampered cache entries, dot-files in the data folders."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HANGING_JAVA = """#!/bin/sh
sleep 300 &
echo $! > "{pidfile}"
wait
"""

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="Java not installed")


def _cli(
    args: list[str], cwd: Path | str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.Popen[bytes]:
    full = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), **(env or {}))
    return subprocess.Popen(
        [sys.executable, "-m", "calcinosis_kg", *args],
        cwd=cwd,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie awaiting its parent counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def _gone_within(pid: int, seconds: float) -> bool:
    """A killed process dies when the kernel next schedules it: on a loaded machine that can be
    after the CLI has exited, so wait for it (bounded) instead of checking once."""
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.fixture
def hanging_java(tmp_path: Path) -> tuple[Path, Path]:
    pidfile = tmp_path / "child.pid"
    java = tmp_path / "java"
    java.write_text(HANGING_JAVA.format(pidfile=pidfile))
    java.chmod(0o755)
    return java, pidfile


def test_reasoner_timeout_kills_the_whole_java_process_group(
    tiny_ontology: Path, tmp_path: Path, hanging_java
) -> None:
    java, pidfile = hanging_java
    started = time.monotonic()
    process = _cli(
        ["reason", "--reasoner-timeout", "1", "--ontology", str(tiny_ontology)],
        cwd=tmp_path,
        env={"CALCINOSIS_KG_JAVA": str(java), "TMPDIR": str(tmp_path)},
    )
    out, err = process.communicate(timeout=60)
    assert time.monotonic() - started < 60
    assert process.returncode == 1, err  # like Java missing: the environment failed, exit 1
    assert err.decode().strip().splitlines() == ["calcinosis-kg: error: HermiT timed out after 1 s"]
    assert _gone_within(int(pidfile.read_text()), seconds=10)  # the child died with the group
    assert not list(tmp_path.glob("calcinosis-kg-hermit-*"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_reasoning_leaves_no_process_and_no_temp_files(
    tiny_ontology: Path, tmp_path: Path, hanging_java, sig: signal.Signals
) -> None:
    java, pidfile = hanging_java
    process = _cli(
        ["reason", "--ontology", str(tiny_ontology)],
        cwd=tmp_path,
        env={"CALCINOSIS_KG_JAVA": str(java), "TMPDIR": str(tmp_path)},
    )
    deadline = time.monotonic() + 60
    while not pidfile.exists() or not pidfile.read_text().strip():
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(sig)
    process.communicate(timeout=30)
    assert process.returncode in (128 + sig, 130)
    assert _gone_within(int(pidfile.read_text()), seconds=10)
    assert not list(tmp_path.glob("calcinosis-kg-hermit-*"))


@needs_java
@pytest.mark.parametrize("where", ["root", "read-only"])
def test_reason_runs_from_root_and_from_a_read_only_directory(
    tiny_ontology: Path, tmp_path: Path, where: str
) -> None:
    cwd = Path("/")
    if where == "read-only":
        cwd = tmp_path / "ro"
        cwd.mkdir()
        cwd.chmod(0o555)
    process = _cli(["reason", "--ontology", str(tiny_ontology)], cwd=cwd)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    assert b"consistent" in out.lower()


def test_a_failed_java_run_is_never_cached(
    tiny_ontology: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from calcinosis_kg.checks import cache
    from calcinosis_kg.checks.reasoning import stage_from_result
    from calcinosis_kg.checks.verdict import ReasoningResult
    from calcinosis_kg.graph.knowledge import load

    kg = load([tiny_ontology])
    for failure in (
        ReasoningResult(consistent=None, error="HermiT timed out after 1 s"),
        ReasoningResult(consistent=None, error="HermiT failed: broken java"),
        ReasoningResult(consistent=None, error="Java not found", java_missing=True),
    ):
        stage = stage_from_result(kg, failure)
        assert stage.environment and not cache.cacheable(stage)


def test_cache_key_and_loaders_agree_on_dot_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from calcinosis_kg.checks import cache
    from calcinosis_kg.core.resources import data_files

    folder = tmp_path / "shapes"
    folder.mkdir()
    (folder / "a.ttl").write_text("# a")
    key = cache.digest_files([folder])
    listed = data_files(folder, ".ttl")
    (folder / ".editor-backup.ttl").write_text("# ignored by both")
    assert data_files(folder, ".ttl") == listed and cache.digest_files([folder]) == key
    (folder / "b.ttl").write_text("# read by both")
    assert len(data_files(folder, ".ttl")) == 2 and cache.digest_files([folder]) != key


def test_a_tampered_or_truncated_cache_entry_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from calcinosis_kg.checks import cache
    from calcinosis_kg.checks.results import StageResult

    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path))
    assert cache.save("qc", "k" * 64, StageResult("qc", ok=False))
    assert cache.load("qc", "k" * 64) is not None
    entry = next(tmp_path.glob("qc-*.json"))
    entry.write_text(entry.read_text().replace('"ok": false', '"ok": true'))
    assert cache.load("qc", "k" * 64) is None  # a flipped verdict fails its checksum
    entry.write_text(entry.read_text()[:20])
    assert cache.load("qc", "k" * 64) is None


def test_a_hanging_dot_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from calcinosis_kg.core.errors import InputError
    from calcinosis_kg.publish import diagrams

    dot = tmp_path / "dot"
    dot.write_text("#!/bin/sh\nexec sleep 30\n")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.monotonic()
    with pytest.raises(InputError, match="did not finish within 1 s"):
        diagrams.render_svg("digraph { a -> b }", timeout=1)
    assert time.monotonic() - started < 20


def test_owlapi_error_iris_are_never_inferred_superclasses(tiny_ontology: Path) -> None:
    from calcinosis_kg.checks.hermit import _interpret
    from calcinosis_kg.graph.knowledge import load

    kg = load([tiny_ontology])
    child = "https://w3id.org/calcinosis-kg/CCKG_9000003"
    stdout = (
        f"SubClassOf( <{child}> <http://org.semanticweb.owlapi/error#Error1> )\n"
        f"SubClassOf( <{child}> <https://w3id.org/calcinosis-kg/CCKG_9000001> )\n"
    )
    result = _interpret(kg, 0, stdout, "")
    assert result.inferred_subclass_pairs == [
        (child, "https://w3id.org/calcinosis-kg/CCKG_9000001")
    ]


DUPLICATES = """@prefix ex: <http://example.org/> .
ex:s ex:p [ ex:q [ ex:r "1" ] ; ex:t "a" ] , [ ex:q [ ex:r "1" ] ; ex:t "a" ] .
[ ex:q [ ex:r "2" ] ] .
[ ex:q [ ex:r "2" ] ] .
"""


def test_duplicate_blank_node_structures_export_byte_identically_across_runs(
    tmp_path: Path,
) -> None:
    source = tmp_path / "dup.ttl"
    source.write_text(DUPLICATES, encoding="utf-8")
    script = (
        "import hashlib, sys\n"
        "from calcinosis_kg.graph.knowledge import load\n"
        "from calcinosis_kg.publish.export import export_bytes\n"
        "kg = load([sys.argv[1]])\n"
        "print(' '.join(hashlib.sha256(export_bytes(kg, f)).hexdigest()\n"
        "               for f in ('ttl', 'nt', 'owl', 'jsonld')))\n"
    )
    digests = set()
    for seed in ("1", "2", "3", "4", "5"):  # rdflib's blank-node ids and set order vary with these
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), PYTHONHASHSEED=seed)
        done = subprocess.run(
            [sys.executable, "-c", script, str(source)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        digests.add(done.stdout.strip())
    assert len(digests) == 1


def test_a_failing_dot_leaves_no_partial_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from calcinosis_kg.core.errors import InputError
    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.publish import diagrams, docs

    calls = []

    def flaky(dot_text: str, timeout: float = 60.0) -> bytes:
        calls.append(dot_text)
        if len(calls) > 2:  # the first diagrams render, a later one hangs and is stopped
            raise InputError("Graphviz dot did not finish within 60 s")
        return b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'

    monkeypatch.setattr(diagrams, "render_svg", flaky)
    monkeypatch.setattr(diagrams, "dot_executable", lambda *a: "dot")
    site = tmp_path / "site"
    with pytest.raises(InputError, match="did not finish"):
        docs.build_site(load(), site)
    assert len(calls) > 2
    assert not site.exists() or not any(site.rglob("*"))
