"""``calcinosis-kg release``: base, full and simple artifacts in six formats, SSSOM and KGX."""

from __future__ import annotations

from pathlib import Path

import click

from calcinosis_kg.cli.options import ontology_option


@click.command()
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write the artifacts into (created if missing).",
)
@ontology_option()
def release(output: Path, ontology: tuple[Path, ...]) -> None:
    """Write the release artifacts, byte-identical on every run.

    calcinosis-kg-{base,full,simple}.{ttl,owl,nt,jsonld,json,obo} (json is OBO Graphs),
    calcinosis-kg.sssom.tsv, and calcinosis-kg_{nodes,edges}.tsv (KGX). The full variant
    asserts HermiT's inferred hierarchy, so Java is needed.

    \b
    Example:
      calcinosis-kg release --output release/
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.publish.release import release as run_release

    kg = load(list(ontology) or None)
    for warning in kg.warnings:
        click.echo(f"warning: {warning}", err=True)
    result = run_release(kg, output)
    for path in result.files:
        click.echo(f"wrote {path} ({path.stat().st_size} bytes)")
    triples = ", ".join(f"{name} {count}" for name, count in result.triples.items())
    click.echo(
        f"release {result.info.version}: triples {triples} (full has {result.inferred} "
        f"inferred axioms asserted); {result.mappings} SSSOM "
        f"mappings; KGX {result.kgx_nodes} nodes, {result.kgx_edges} edges"
    )
