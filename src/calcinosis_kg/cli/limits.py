"""Command-line options for the work limits shared by several commands (``--reasoner-timeout``).

Why a module of its own: ``check``, ``reason`` (and any later command that runs HermiT) take the
same option with the same meaning; the option sets ``CALCINOSIS_KG_REASONER_TIMEOUT`` for this
process, which every HermiT run reads (the main run, the negative-entailment probe, explanations).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import click

from calcinosis_kg.checks.hermit import DEFAULT_TIMEOUT, TIMEOUT_ENV

F = TypeVar("F", bound=Callable[..., object])


def _set_timeout(ctx: click.Context, param: click.Parameter, value: float | None) -> None:
    if value is not None:
        os.environ[TIMEOUT_ENV] = repr(value)


def reasoner_timeout_option(func: F) -> F:
    """``--reasoner-timeout SECONDS``: stop HermiT (its whole process group) after that long."""
    return click.option(
        "--reasoner-timeout",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        metavar="SECONDS",
        expose_value=False,
        callback=_set_timeout,
        is_eager=True,
        help=f"Stop HermiT after this many seconds (default {DEFAULT_TIMEOUT:g}, or "
        f"${TIMEOUT_ENV}).",
    )(func)
