"""``calcinosis-kg diff``: Markdown release notes between two versions of the ontology."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the notes to this file (atomically) instead of standard output.",
)
def diff(old: Path, new: Path, output: Path | None) -> None:
    """List added, removed and changed classes, labels, definitions, mappings and axioms.

    OLD and NEW are ontology files (Turtle, RDF/XML, N-Triples or JSON-LD). Compare the
    calcinosis-kg-full.owl of two releases to see the labels of external terms too.

    \b
    Example:
      git show v2026-11-01:ontology/calcinosis-kg.ttl > old.ttl
      calcinosis-kg diff old.ttl ontology/calcinosis-kg.ttl --output CHANGES.md
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.core.serialize import write_atomic
    from calcinosis_kg.publish.diff import diff_files, to_markdown

    text = to_markdown(diff_files(old, new))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8"))
        if str(output) != "-":
            click.echo(f"wrote {output}")
