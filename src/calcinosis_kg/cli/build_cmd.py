"""``calcinosis-kg build``: compile ontology/src into the generated Turtle files."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option(
    "--source",
    type=click.Path(path_type=Path),
    default=None,
    help="Source folder (default: the bundled ontology/src).",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Where to write the ontology Turtle (default: ontology/calcinosis-kg.ttl).",
)
def build(source: Path | None, output: Path | None) -> None:
    """Compile the curated YAML/TSV source into deterministic OWL Turtle.

    \b
    Example:
      calcinosis-kg build
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.source.build import build as run_build
    from calcinosis_kg.source.build import write_build

    result = run_build(source)
    imports_path = output.with_name(output.stem + "-import.ttl") if output else None
    for path in write_build(result, output, imports_path):
        click.echo(f"wrote {path}")
