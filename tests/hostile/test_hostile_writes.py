"""Hostile output paths and interrupted writes: devices and directories are never replaced,
symlinks are followed on purpose, modes come from the umask, ``-`` is standard output, errors name
the user's path, and temp files never outlive a write."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from calcinosis_kg.core.errors import WriteError
from calcinosis_kg.core.serialize import write_atomic


def test_a_device_as_output_is_refused_and_left_a_device(attack, tiny_ontology: Path) -> None:
    before = os.stat("/dev/null")
    attack(
        "export", "--format", "nt", "--output", "/dev/null", "--ontology", tiny_ontology
    ).refused("/dev/null", "not a regular file")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_directory_as_output_names_the_users_path(
    attack, tiny_ontology: Path, tmp_path: Path
) -> None:
    target = tmp_path / "site"
    target.mkdir()
    result = attack("export", "--format", "ttl", "--output", target, "--ontology", tiny_ontology)
    result.refused(str(target), "directory")
    assert ".tmp" not in result.err
    assert list(target.iterdir()) == []


def test_dash_writes_the_export_to_standard_output(
    attack, tiny_ontology: Path, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = attack("export", "--format", "nt", "--output", "-", "--ontology", tiny_ontology)
    assert result.code == 0
    assert "<https://w3id.org/calcinosis-kg/CCKG_9000001>" in result.out
    assert not (tmp_path / "-").exists()


def test_new_files_get_the_umask_mode_and_existing_files_keep_theirs(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.ttl", b"x")
        assert stat.S_IMODE((tmp_path / "new.ttl").stat().st_mode) == 0o640
    finally:
        os.umask(old)
    kept = tmp_path / "kept.ttl"
    kept.write_bytes(b"old")
    kept.chmod(0o604)
    write_atomic(kept, b"new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o604 and kept.read_bytes() == b"new"


def test_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.ttl"
    real.write_bytes(b"old")
    link = tmp_path / "link.ttl"
    link.symlink_to(real)
    write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    dangling = tmp_path / "dangling.ttl"
    dangling.symlink_to(tmp_path / "missing" / "x.ttl")
    with pytest.raises(WriteError, match="dangling"):
        write_atomic(dangling, b"x")


def test_a_failed_write_names_the_path_and_leaves_no_temp_file(tmp_path: Path, monkeypatch) -> None:
    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    target = tmp_path / "out.ttl"
    with pytest.raises(WriteError) as info:
        write_atomic(target, b"data")
    assert str(info.value) == f"{target}: cannot write: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_removes_its_temp_file(tmp_path: Path, monkeypatch) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(tmp_path / "out.ttl", b"data")
    assert list(tmp_path.iterdir()) == []


def test_temp_files_of_a_killed_writer_are_removed_by_the_next_write(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    stale = tmp_path / f".out.ttl.{dead}.abc.calcinosis-kg.tmp"
    stale.write_bytes(b"half")
    recent = tmp_path / f".out.ttl.{dead}.new.calcinosis-kg.tmp"
    recent.write_bytes(b"maybe a writer in another pid namespace")
    alive = tmp_path / f".out.ttl.{os.getppid()}.abc.calcinosis-kg.tmp"
    alive.write_bytes(b"another writer, still running")
    for path in (stale, alive):
        os.utime(path, (time.time() - 3600, time.time() - 3600))
    write_atomic(tmp_path / "out.ttl", b"data")
    assert not stale.exists() and alive.exists() and recent.exists()


def test_sigterm_during_a_write_leaves_no_temp_file(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import os, sys, time\n"
        "from calcinosis_kg.cli import _exit_cleanly_on_sigterm\n"
        "from calcinosis_kg.core import serialize\n"
        "_exit_cleanly_on_sigterm()\n"
        "def slow(fd):\n"
        "    print('writing', flush=True); time.sleep(30)\n"
        "serialize.os.fsync = slow\n"
        f"serialize.write_atomic({str(tmp_path / 'out.ttl')!r}, b'x')\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, env=env)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"writing"
    process.send_signal(signal.SIGTERM)
    started = time.monotonic()
    assert process.wait(timeout=20) == 128 + signal.SIGTERM
    assert time.monotonic() - started < 20
    assert list(tmp_path.iterdir()) == []


def test_pylode_cache_write_failure_is_skipped_not_fatal(tmp_path: Path) -> None:
    from calcinosis_kg.publish.pylode_page import _open_cache_optional

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    # a write that fails for any reason becomes the FileNotFoundError pyLODE skips its cache on
    with pytest.raises(FileNotFoundError):
        _open_cache_optional(not_a_folder / "refs.pickle", "wb")
    with pytest.raises(NotADirectoryError):  # reads are unchanged
        _open_cache_optional(not_a_folder / "refs.pickle", "rb")


def test_concurrent_exports_to_one_path_leave_one_complete_file(
    tiny_ontology: Path, tmp_path: Path
) -> None:
    import subprocess
    import sys

    target = tmp_path / "out.nt"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    command = [
        sys.executable,
        "-m",
        "calcinosis_kg",
        "export",
        "--format",
        "nt",
        "--output",
        str(target),
        "--ontology",
        str(tiny_ontology),
    ]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    assert [run.wait(timeout=120) for run in runs] == [0, 0, 0]
    alone = subprocess.run(
        [*command[:-3], "-", "--ontology", str(tiny_ontology)],
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout
    assert target.read_bytes() == alone
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out.nt", tiny_ontology.name])


@pytest.mark.skipif(__import__("shutil").which("java") is None, reason="Java not installed")
def test_reason_output_dash_keeps_stdout_pure_turtle(
    attack, tiny_ontology: Path, tmp_path: Path, monkeypatch
) -> None:
    from rdflib import Graph

    monkeypatch.chdir(tmp_path)
    result = attack("reason", "--output", "-", "--ontology", tiny_ontology)
    assert result.code == 0, result.err
    Graph().parse(data=result.out, format="turtle")  # nothing but Turtle on stdout
    assert "consistent" in result.err.lower() and not (tmp_path / "-").exists()
