"""Run OAK's command line (``runoak``) on release files, in one process (consumers venv).

Why a script: oaklib conflicts with our dependencies, so it lives in ``.venv-consumers``; running
every command through click's test runner in one process pays OAK's start-up (~4 s) once.

usage: python oak_probe.py JOBS.json  -> JSON list of {"args", "exit", "output"} on stdout
JOBS.json holds a list of argument lists, exactly as a user would pass them to ``runoak``.
"""

import json
import sys
import warnings
from pathlib import Path

from click.testing import CliRunner
from oaklib.cli import main as runoak


def run(jobs: list[list[str]]) -> list[dict[str, object]]:
    runner = CliRunner()
    out = []
    for args in jobs:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = runner.invoke(runoak, args, catch_exceptions=True)
        output = result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            output += f"\nEXCEPTION {type(result.exception).__name__}: {result.exception}"
        out.append({"args": args, "exit": result.exit_code, "output": output})
    return out


if __name__ == "__main__":
    json.dump(run(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))), sys.stdout,
              indent=1)
