"""``calcinosis-kg export``: the whole graph as Turtle, RDF/XML, N-Triples or JSON-LD."""

from __future__ import annotations

from pathlib import Path

import click

from calcinosis_kg.cli.options import ontology_option, print_warnings


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ttl", "owl", "nt", "jsonld"]),
    required=True,
    help="ttl (Turtle), owl (RDF/XML), nt (N-Triples), jsonld.",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="File to write (atomically: an interrupted export leaves the old file); "
    "'-' writes to standard output.",
)
@click.option(
    "--inferred",
    is_flag=True,
    help="Add the reasoner's inferred class hierarchy (needs Java for HermiT).",
)
@ontology_option()
def export(fmt: str, output: Path, inferred: bool, ontology: tuple[Path, ...]) -> None:
    """Export the ontology merged with its local import module, byte-identical on every run.

    \b
    Examples:
      calcinosis-kg export --format owl --output calcinosis-kg.owl      # for Protégé / ROBOT
      calcinosis-kg export --format jsonld --inferred --output kg.jsonld
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.publish.export import export as run_export

    kg = load(list(ontology) or None)
    print_warnings(kg.warnings)
    if str(output) == "-":
        # lazy: only this branch needs it
        from calcinosis_kg.core.serialize import write_atomic
        from calcinosis_kg.publish.export import export_bytes

        write_atomic("-", export_bytes(kg, fmt, inferred=inferred))
        return
    path = run_export(kg, fmt, output, inferred=inferred)
    click.echo(f"wrote {path} ({path.stat().st_size} bytes, {fmt})")
