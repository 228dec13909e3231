"""The command-line options several commands share, declared once.

Why a module of its own: ``--ontology``, ``--format``, ``--output``, ``--fail-on`` and
``--reasoner-timeout`` mean the same thing wherever they appear; their shape (name, type, default,
``show_default``) is written here once and each command passes only what it says differently
(its help text, its choices). Only click and the standard library load at import: every command's
``--help`` imports this module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from calcinosis_kg.core.text import terminal_safe

F = TypeVar("F", bound=Callable[..., Any])

ONTOLOGY_HELP = "Ontology file to load (repeatable; default: the bundled ontology + imports)."
ONTOLOGY_AND_IMPORT_HELP = (
    "Ontology file (repeatable; default: the bundled ontology and its import module)."
)
OUTPUT_FORMAT_HELP = "Output format."


def ontology_option(
    help: str = ONTOLOGY_HELP, type: click.ParamType | None = None
) -> Callable[[F], F]:
    """``--ontology FILE`` (repeatable): the files to load instead of the bundled ontology."""
    return click.option(
        "--ontology",
        "ontology",
        multiple=True,
        type=type or click.Path(path_type=Path),
        help=help,
    )


def format_option(
    choices: Sequence[str], default: str, help: str = OUTPUT_FORMAT_HELP
) -> Callable[[F], F]:
    """``--format`` (the parameter ``fmt``) among ``choices``, its default shown in ``--help``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=True,
        help=help,
    )


def output_file_option(help: str) -> Callable[[F], F]:
    """``--output FILE``: a file (never a folder) written atomically; standard output without it."""
    return click.option(
        "--output",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help=help,
    )


def fail_on_option(
    choices: Sequence[str], help: str, case_sensitive: bool = True
) -> Callable[[F], F]:
    """``--fail-on LEVEL``: the lowest QC level that fails the run (``ERROR`` by default)."""
    return click.option(
        "--fail-on",
        type=click.Choice(list(choices), case_sensitive=case_sensitive),
        default="ERROR",
        show_default=True,
        help=help,
    )


def reasoner_timeout_option(func: F) -> F:
    """``--reasoner-timeout SECONDS``: stop HermiT (its whole process group) after that long.

    The option sets ``CALCINOSIS_KG_REASONER_TIMEOUT`` for this process, which every HermiT run
    reads (the main run, the negative-entailment probe, explanations).
    """
    # lazy: checks.hermit loads the reasoning modules, which `query --help` and the rest do not
    # need; only the commands that run HermiT (check, reason) are decorated with this option
    from calcinosis_kg.checks.hermit import DEFAULT_TIMEOUT, TIMEOUT_ENV

    def set_timeout(ctx: click.Context, param: click.Parameter, value: float | None) -> None:
        if value is not None:
            os.environ[TIMEOUT_ENV] = repr(value)

    return click.option(
        "--reasoner-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        metavar="SECONDS",
        expose_value=False,
        callback=set_timeout,
        is_eager=True,
        help=f"Stop HermiT after this many seconds (default {DEFAULT_TIMEOUT:g}, or "
        f"${TIMEOUT_ENV}).",
    )(func)


def print_warnings(warnings: list[str]) -> None:
    """Loader warnings (e.g. unresolved owl:imports) on stderr, never mixed with results."""
    for warning in warnings:
        click.echo(f"calcinosis-kg: warning: {terminal_safe(warning)}", err=True)
