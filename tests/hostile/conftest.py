"""The hostile corpus' harness: every attack runs the real CLI entry point and must end with the
expected exit code, at most one line on stderr (no traceback), within a time bound, and without
a single connection to the loopback listener that stands in for the network.

The time bound is a hang guard (SIGALRM interrupts the run), not a speed target: speed is
measured in ``benchmarks/``.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

BOUND_SECONDS = 60


class Hung(Exception):
    """The attack ran past its time bound."""


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    #: folders the attack's files live in (pytest's temporary root): a path under one is blanked
    #: before the words are looked for, so a word in the test's own folder name never matches
    roots: tuple[str, ...] = ()

    def message(self, line: str) -> str:
        """``line`` with every path under ``roots`` replaced by ``<path>``."""
        for root in self.roots:
            line = re.sub(re.escape(root) + r"[^\s:'\"]*", "<path>", line)
        return line

    def refused(self, *words: str) -> None:
        """Exit 2 with exactly one error line mentioning ``words`` (case-insensitive) outside
        the paths it names."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert self.code == 2, (self.code, self.err[-2000:])
        assert "Traceback" not in self.err
        assert len(lines) == 1, lines
        assert lines[0].startswith("calcinosis-kg: error: "), lines
        message = self.message(lines[0])
        for word in words:
            # a path is looked for as the path it is; any other word outside the paths
            where = lines[0] if word.startswith(self.roots or ("\0",)) else message
            assert word.lower() in where.lower(), (word, where)


@pytest.fixture
def attack(
    capsys: pytest.CaptureFixture[str],
    connection_recorder,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Outcome]]:
    """Run ``calcinosis-kg ARGS`` in-process under a time bound; no connection may be made."""
    from calcinosis_kg.cli import main

    monkeypatch.setenv("CALCINOSIS_KG_CACHE_DIR", str(tmp_path / "cache"))

    def on_alarm(signum: int, frame: object) -> None:
        raise Hung(f"ran longer than {BOUND_SECONDS} s")

    def run(*args: str, bound: int = BOUND_SECONDS) -> Outcome:
        capsys.readouterr()
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.alarm(bound)
        started = time.monotonic()
        code = 0
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        seconds = time.monotonic() - started
        out, err = capsys.readouterr()
        assert seconds < bound
        assert connection_recorder.connections == 0, "the attack reached the network"
        return Outcome(code, out, err, seconds, (str(tmp_path_factory.getbasetemp()),))

    yield run
    assert connection_recorder.connections == 0
