"""``calcinosis-kg reason``: HermiT consistency, unsatisfiable classes, inferred hierarchy."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from calcinosis_kg.cli.options import (
    ONTOLOGY_AND_IMPORT_HELP,
    ontology_option,
    output_file_option,
    reasoner_timeout_option,
)


@click.command()
@ontology_option(ONTOLOGY_AND_IMPORT_HELP)
@output_file_option("Write the inferred class hierarchy as Turtle to this file (atomically).")
@click.option(
    "--new-only",
    is_flag=True,
    help="With --output: write only the inferred edges that are not asserted.",
)
@reasoner_timeout_option
def reason(ontology: tuple[Path, ...], output: Path | None, new_only: bool) -> None:
    """Run HermiT: is the ontology consistent, which classes are unsatisfiable (and why), and
    which subclass relations are inferred; and are the entailments listed in
    expected_inferences.yaml (beside the first ontology file) all there. Exit 1 when
    inconsistent, a class is unsatisfiable, an expected entailment is missing or Java is
    missing; 2 on bad input.

    \b
    Examples:
      calcinosis-kg reason
      calcinosis-kg reason --output inferred-hierarchy.ttl
      calcinosis-kg reason --ontology my-edit.ttl --output new.ttl --new-only
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.checks.reasoning import run_reason

    summary, turtle, ok = run_reason(
        list(ontology) or None, with_turtle=output is not None, new_only=new_only
    )
    to_stdout = output is not None and str(output) == "-"  # the Turtle owns stdout then
    click.echo(summary, nl=False, err=to_stdout)
    if output is not None and turtle is not None:
        # lazy: only this branch needs it
        from calcinosis_kg.core.serialize import write_atomic

        write_atomic(output, turtle)
        click.echo(f"wrote {'standard output' if to_stdout else output}", err=to_stdout)
    elif output is not None:
        click.echo(f"{output} not written: an inconsistent ontology has no class hierarchy")
    if not ok:
        sys.exit(1)
