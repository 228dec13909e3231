"""``calcinosis-kg docs``: write the static documentation site (pyLODE + type pages + diagrams)."""

from __future__ import annotations

from pathlib import Path

import click

from calcinosis_kg.cli.options import ontology_option
from calcinosis_kg.core.errors import InputError


@click.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write the site into (created if missing).",
)
@ontology_option("Ontology file(s) to document (repeatable; default: the bundled ontology).")
@click.option(
    "--no-diagrams",
    is_flag=True,
    help="Skip the Graphviz diagrams (for machines without the 'graphviz' package).",
)
@click.option(
    "--readme-img",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write hierarchy.svg and type-map-example.svg (no links) to this folder.",
)
@click.option(
    "--example-type",
    default=None,
    metavar="CURIE",
    help="Type of the README example map (default: the one with most relations).",
)
def docs(
    output: Path,
    ontology: tuple[Path, ...],
    no_diagrams: bool,
    readme_img: Path | None,
    example_type: str | None,
) -> None:
    """Write a static HTML site: index, pyLODE ontology reference, one page per calcinosis
    type (definition, sites, causes, diseases, treatments, mappings, supporting sentences)
    and SVG diagrams drawn by Graphviz `dot`.

    \b
    Example:
      calcinosis-kg docs --output site
      xdg-open site/index.html
      calcinosis-kg docs --output site --readme-img docs/img
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.publish.docs import build_site, write_readme_images

    for path in ontology:
        if not path.is_file():
            raise InputError("ontology file not found", path)
    kg = load(list(ontology) or None)
    report = build_site(kg, output, with_diagrams=not no_diagrams)
    click.echo(
        f"wrote {len(report.pages)} files to {output}: index.html, ontology.html, "
        f"{len(report.types)} type pages, {len(report.diagrams)} diagrams"
    )
    if report.removed:
        click.echo(f"removed {len(report.removed)} stale file(s) of an earlier run")
    if readme_img is not None:
        for path in write_readme_images(kg, readme_img, example_type):
            click.echo(f"wrote {path}")
