"""``calcinosis-kg validate``: SHACL-validate the ontology or the user's RDF against the shapes."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from calcinosis_kg.cli.options import (
    ONTOLOGY_AND_IMPORT_HELP,
    format_option,
    ontology_option,
    output_file_option,
)

EXISTING_FILE = click.Path(path_type=Path, exists=True, dir_okay=False)


@click.command()
@click.argument("data", nargs=-1, type=EXISTING_FILE)
@click.option(
    "--shapes",
    "shapes",
    multiple=True,
    type=EXISTING_FILE,
    help="Shape file (repeatable; default: every bundled file in shapes/).",
)
@format_option(["text", "json", "ttl"], "text", "Report format (ttl = a W3C sh:ValidationReport).")
@ontology_option(ONTOLOGY_AND_IMPORT_HELP, EXISTING_FILE)
@output_file_option("Write the report to this file (atomically) instead of standard output.")
@click.option(
    "--profile",
    default="ontology",
    show_default=True,
    help="Shape profile of a release artifact (ontology, base, full, simple): the "
    "shapes its definition leaves out are deactivated (shapes/profiles.yaml).",
)
def validate(
    data: tuple[Path, ...],
    shapes: tuple[Path, ...],
    fmt: str,
    ontology: tuple[Path, ...],
    output: Path | None,
    profile: str,
) -> None:
    """SHACL-validate the ontology, or your own RDF files (DATA) against the shipped shapes
    with the ontology as background. The report groups violations by shape with focus node,
    path, value and message. Exit 0 when it conforms, 1 on violations, 2 on bad input.

    \b
    Examples:
      calcinosis-kg validate                          # the bundled ontology
      calcinosis-kg validate cases.ttl                # patient case records
      calcinosis-kg validate --ontology my-edit.ttl --format json
      calcinosis-kg validate --format ttl --output report.ttl
      calcinosis-kg validate --ontology release/calcinosis-kg-simple.ttl --profile simple
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.checks.validation import validate as run_validate
    from calcinosis_kg.core.serialize import write_atomic
    from calcinosis_kg.graph.knowledge import load

    kg = load(list(ontology) or None)
    user = load(list(data)) if data else None
    for warning in kg.warnings + (user.warnings if user else []):
        # loader warnings (e.g. an owl:imports that is never fetched) on stderr, not in the report
        click.echo(f"calcinosis-kg: warning: {warning}", err=True)
    report = run_validate(kg, shapes=list(shapes) or None, data=user, profile=profile)
    if fmt == "json":
        payload = report.to_json().encode("utf-8")
    elif fmt == "ttl":
        payload = report.to_turtle()
    else:
        payload = report.to_text().encode("utf-8")
    if output is not None:
        write_atomic(output, payload)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(payload.decode("utf-8"), nl=False)
    if not report.conforms:
        # SystemExit, not ctx.exit: the entry point runs click with standalone_mode=False,
        # where click turns ctx.exit codes into an ignored return value
        sys.exit(1)
