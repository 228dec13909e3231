"""``calcinosis-kg check``: the CI gate (reasoning, SHACL, QC, competency queries)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from calcinosis_kg.checks.qc_rules import FAIL_ON_CHOICES
from calcinosis_kg.cli.options import (
    ONTOLOGY_AND_IMPORT_HELP,
    fail_on_option,
    format_option,
    ontology_option,
    reasoner_timeout_option,
)


@click.command()
@ontology_option(ONTOLOGY_AND_IMPORT_HELP)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Recompute every stage (neither read nor write the result cache).",
)
@format_option(["text", "json"], "text", "Report format.")
@fail_on_option(FAIL_ON_CHOICES, "Lowest QC level that fails the gate.")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also list warning/info findings that do not fail the gate.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="Run the competency queries against this SPARQL endpoint (after `push`).",
)
@reasoner_timeout_option
def check(
    ontology: tuple[Path, ...],
    no_cache: bool,
    fmt: str,
    fail_on: str,
    verbose: bool,
    endpoint: str | None,
) -> None:
    """Reason (HermiT: consistency, unsatisfiable classes, expected entailments),
    SHACL-validate, run the QC rules and every competency query against its expected answer.
    One line per stage (status, time, counts, "cached"), then every failure with its entity,
    label and reason. Exit 0 when all holds, 1 when anything fails, 2 on bad input.

    Results are cached under $XDG_CACHE_HOME/calcinosis-kg, keyed by a sha256 of every input.

    \b
    Examples:
      calcinosis-kg check
      calcinosis-kg check --no-cache --format json
      calcinosis-kg check --ontology my-edit.ttl --ontology ontology/imports/external_import.ttl
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.checks.gate import CheckReport, run_check

    if endpoint:
        # lazy: only this branch needs it
        from calcinosis_kg.serve.endpoint_check import endpoint_competency

        report = CheckReport(stages=[endpoint_competency(endpoint)], files=[endpoint])
        click.echo(report.to_json() if fmt == "json" else report.to_text(verbose=verbose), nl=False)
        sys.exit(report.exit_code)
    report = run_check(list(ontology) or None, use_cache=not no_cache, fail_on=fail_on)
    click.echo(report.to_json() if fmt == "json" else report.to_text(verbose=verbose), nl=False)
    if not report.ok:
        sys.exit(1)
