"""``calcinosis-kg report``: the QC report in ROBOT's contract (thin skin over ``qc``)."""

from __future__ import annotations

from pathlib import Path

import click

from calcinosis_kg.checks.qc import FORMATS, run_report
from calcinosis_kg.checks.qc_rules import FAIL_ON_CHOICES
from calcinosis_kg.cli.options import (
    fail_on_option,
    format_option,
    ontology_option,
    output_file_option,
)


@click.command()
@ontology_option("Ontology file to check (repeatable; default: the bundled ontology).")
@fail_on_option(
    FAIL_ON_CHOICES, "Exit 1 when a violation is at or above this level.", case_sensitive=False
)
@format_option(FORMATS, "tsv", "Report format (tsv has ROBOT's columns).")
@output_file_option("Write the report to FILE (atomically) instead of standard output.")
@click.option(
    "--profile",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Profile of level<TAB>rule rows (default: queries/qc/profile.tsv).",
)
def report(
    ontology: tuple[Path, ...], fail_on: str, fmt: str, output: Path | None, profile: Path | None
) -> None:
    """Run the QC rules (SPARQL, ROBOT report contract) and print the violations.

    Each rule in queries/qc/ returns ?entity ?property ?value; its level (ERROR, WARN, INFO)
    comes from the profile. Exits 1 when a violation is at or above --fail-on.

    \b
    Example:
      calcinosis-kg report
      calcinosis-kg report --format md --output qc-report.md --fail-on WARN
      calcinosis-kg report --ontology my-draft.ttl --fail-on none
    """
    from calcinosis_kg.core.serialize import write_atomic
    from calcinosis_kg.graph.knowledge import load

    kg = load(list(ontology) or None)
    result = run_report(kg, profile)
    text = result.render(fmt)
    if output is not None:
        write_atomic(output, text.encode("utf-8"))
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
    failing = result.failing(fail_on)
    click.echo(f"QC: {result.summary()}; {len(failing)} at or above --fail-on {fail_on}", err=True)
    if failing:
        # SystemExit, not ctx.exit: the entry point runs click with standalone_mode=False,
        # where click turns ctx.exit codes into an ignored return value
        raise SystemExit(1)
