"""Run OAK's command line (``runoak``) on release files, in one process (consumers venv).

Why a script: oaklib conflicts with our dependencies, so it lives in ``.venv-consumers``; running
every command through click's test runner in one process pays OAK's start-up (~4 s) once.
Warnings are recorded per command and returned (never silenced): the test decides which mean lost
data.

usage: python oak_probe.py JOBS.json  -> JSON list of {"args", "exit", "output", "warnings"}
JOBS.json holds a list of argument lists, exactly as a user would pass them to ``runoak``.
"""

import json
import logging
import sys
import warnings
from pathlib import Path

from click.testing import CliRunner
from oaklib.cli import main as runoak


class _Keep(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def run(jobs: list[list[str]]) -> list[dict[str, object]]:
    runner = CliRunner()
    out = []
    for args in jobs:
        keep = _Keep()
        logging.getLogger().addHandler(keep)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = runner.invoke(runoak, args, catch_exceptions=True)
        finally:
            logging.getLogger().removeHandler(keep)
        output = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            output += f"\nEXCEPTION {type(result.exception).__name__}: {result.exception}"
        found = [f"{w.category.__name__}: {w.message}" for w in caught] + keep.messages
        out.append({"args": args, "exit": result.exit_code, "output": output, "warnings": found})
    return out


if __name__ == "__main__":
    json.dump(run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))), sys.stdout, indent=1)
