"""The hostile corpus' harness: every attack runs the real CLI entry point and must end with the
expected exit code, at most one line on stderr (no traceback), within a time bound, and without
a single connection to the loopback listener that stands in for the network.

The time bound is a hang guard (SIGALRM interrupts the run), not a speed target: speed is
measured in ``benchmarks/``.
"""

from __future__ import annotations

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

    def refused(self, *words: str) -> None:
        """Exit 2 with exactly one error line mentioning ``words`` (case-insensitive)."""
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert self.code == 2, (self.code, self.err[-2000:])
        assert "Traceback" not in self.err
        assert len(lines) == 1, lines
        assert lines[0].startswith("calcinosis-kg: error: "), lines
        for word in words:
            assert word.lower() in lines[0].lower(), (word, lines[0])


@pytest.fixture
def attack(capsys: pytest.CaptureFixture[str], connection_recorder,
           monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[..., Outcome]]:
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
        return Outcome(code, out, err, seconds)

    yield run
    assert connection_recorder.connections == 0
