"""``calcinosis-kg show TERM``: the class card, found by CURIE, IRI, label or synonym."""

from __future__ import annotations

from pathlib import Path

import click

from calcinosis_kg.answers.show_groups import GROUPS
from calcinosis_kg.cli.options import format_option, ontology_option, print_warnings


@click.command()
@click.argument("term", metavar="TERM")
@format_option(["text", "json", "md"], "text")
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="GROUP",
    type=click.Choice(list(GROUPS), case_sensitive=False),
    help="Show only this group of statements (repeatable), e.g. --only sites.",
)
@click.option(
    "--all",
    "list_all",
    is_flag=True,
    help="List an ancestor's association records one by one (folded into one line "
    "with their count by default).",
)
@ontology_option()
def show(
    term: str, fmt: str, only: tuple[str, ...], list_all: bool, ontology: tuple[Path, ...]
) -> None:
    """Everything the graph says about TERM, with the sentence behind each statement.

    TERM is a CURIE, an IRI, a label or a synonym (case-insensitive). A name that fits several
    terms lists them (exit 2). The card: definition, parents, subtypes, then every statement
    grouped by kind (causes, correlations, associated diseases, sites, composition, laboratory
    profile, populations, exposures, diagnosis, treatments): the term's own, the universal ones
    it inherits from its ancestors and those of its subtypes, each marked universal (true of
    every member) or association (with its frequency), once, with its supporting sentences as
    numbered notes. An ancestor's association records are one line with their count (--all
    lists them).

    \b
    Examples:
      calcinosis-kg show "idiopathic calcinosis cutis"
      calcinosis-kg show metastatic --only "laboratory profile" --format md
      calcinosis-kg show CCKG:0000003 --format json
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.answers.resolve import resolve
    from calcinosis_kg.answers.show import card
    from calcinosis_kg.answers.show_render import render
    from calcinosis_kg.core.prefixes import expand
    from calcinosis_kg.graph.knowledge import load

    kg = load(list(ontology) or None)
    print_warnings(kg.warnings)
    found = resolve(kg, term)
    result = card(kg, expand(found.curie))
    if only:
        wanted = {g.lower() for g in only}
        result.statements = [s for s in result.statements if s.group in wanted]
        if "laboratory profile" not in wanted:
            result.reference_ranges = []
    click.echo(render(result, fmt, list_all), nl=False)
