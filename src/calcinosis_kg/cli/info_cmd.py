"""``calcinosis-kg info`` and ``search``: what the graph holds, and finding classes."""

from __future__ import annotations

from pathlib import Path

import click

from calcinosis_kg.cli.options import format_option, ontology_option, print_warnings
from calcinosis_kg.core.text import terminal_safe, tsv_field


@click.command()
@format_option(["text", "json"], "text")
@ontology_option()
def info(fmt: str, ontology: tuple[Path, ...]) -> None:
    """Version, counts of classes and properties, axioms by kind and mappings by target.

    \b
    Example:
      calcinosis-kg info
      calcinosis-kg info --ontology my-edit.ttl --format json
    """
    # lazy: `--help` imports this module and must not load json or the work's modules
    import json

    from calcinosis_kg.answers.search import info as graph_info
    from calcinosis_kg.answers.search import render_info
    from calcinosis_kg.graph.knowledge import load

    kg = load(list(ontology) or None)
    print_warnings(kg.warnings)
    data = graph_info(kg)

    if fmt == "json":  # color=True: click would strip escape sequences from piped output
        click.echo(json.dumps(data.to_dict(), ensure_ascii=False, indent=2), color=True)
    else:
        click.echo(terminal_safe(render_info(data), keep_newlines=True), nl=False)


@click.command()
@click.argument("text")
@click.option(
    "--limit",
    type=int,
    default=20,
    show_default=True,
    help="Show at most N classes (0: all); the rest is counted, never dropped silently.",
)
@format_option(["table", "tsv", "json"], "table")
@ontology_option()
def search(text: str, limit: int, fmt: str, ontology: tuple[Path, ...]) -> None:
    """Find classes by label or synonym (case-insensitive; words may be prefixes).

    Ranked: exact label, exact synonym, then labels and synonyms that begin with, contain or
    word-match the text. Imported terms carry synonyms from verified sources too.

    \b
    Examples:
      calcinosis-kg search dystrophic
      calcinosis-kg search "calc cut"
    """
    # lazy: `--help` imports this module and must not load json or the work's modules
    import json
    from dataclasses import asdict

    from calcinosis_kg.answers.search import search as run_search
    from calcinosis_kg.graph.knowledge import load

    kg = load(list(ontology) or None)
    print_warnings(kg.warnings)
    found = run_search(kg, text)
    hits = found[:limit] if limit > 0 else found
    more = len(found) - len(hits)

    note = ""
    if more:  # never a silent cut: say how many more there are (on stderr for tsv/json)
        note = f"({more} more match{'es' if more != 1 else ''}; --limit {len(found)} shows all)"
        if fmt != "table":
            click.echo(f"calcinosis-kg: note: {note}", err=True)
    # JSON and TSV keep the data exact (color=True: click would strip escape sequences from
    # piped output); the table escapes control characters so a label cannot drive the terminal
    if fmt == "json":
        click.echo(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=2), color=True)
        return
    if fmt == "tsv":
        click.echo("curie\tlabel\tmatched\tfield\tnote")
        for h in hits:
            click.echo(
                "\t".join(tsv_field(v) for v in (h.curie, h.label, h.matched, h.field, h.note)),
                color=True,
            )
        return
    if not hits:
        click.echo(f"no class matches '{terminal_safe(text)}'")
        return
    width = max(len(terminal_safe(h.curie)) for h in hits)
    for h in hits:
        via = f"  (synonym, {h.field}: {h.matched})" if h.matched else ""
        click.echo(terminal_safe(f"{terminal_safe(h.curie).ljust(width)}  {h.label}{via}"))
        if h.note:
            click.echo(terminal_safe(f"{' ' * width}  {h.note}"))
    if more:
        click.echo(note)
