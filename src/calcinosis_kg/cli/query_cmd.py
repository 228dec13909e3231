"""``calcinosis-kg query`` and ``calcinosis-kg queries``: run and list SPARQL queries."""

from __future__ import annotations

from pathlib import Path

import click

from calcinosis_kg.cli.options import format_option, ontology_option, print_warnings
from calcinosis_kg.graph.bounded import DEFAULT_MEMORY_MB, DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT


@click.command()
@click.argument("query_name", metavar="NAME|FILE.rq")
@click.option(
    "--bind",
    "binds",
    multiple=True,
    metavar="VAR=VALUE",
    help="Bind a query variable to a term: a CURIE, <iri>, label or synonym (must name "
    'exactly one term), "text" or 12. Repeatable.',
)
@format_option(["table", "csv", "tsv", "json"], "table")
@click.option(
    "--inferred", is_flag=True, help="Query the graph plus the reasoner's inferred class hierarchy."
)
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "rdflib"]),
    default="oxigraph",
    show_default=True,
    help="Local SPARQL engine.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="Send the query to this SPARQL endpoint instead of the local graph.",
)
@click.option("--no-labels", is_flag=True, help="Do not add a label column after IRI columns.")
@ontology_option()
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Stop the query after this many seconds (exit 2).",
)
@click.option(
    "--limit",
    "row_limit",
    type=click.IntRange(min=0),
    default=DEFAULT_ROW_LIMIT,
    show_default=True,
    metavar="ROWS",
    help="Keep at most this many rows and say so when more exist (0: no limit).",
)
@click.option(
    "--memory",
    "memory_mb",
    type=click.IntRange(min=64),
    default=DEFAULT_MEMORY_MB,
    show_default=True,
    metavar="MB",
    help="Stop a local query that needs more memory.",
)
def query(
    query_name: str,
    binds: tuple[str, ...],
    fmt: str,
    inferred: bool,
    engine: str,
    endpoint: str | None,
    no_labels: bool,
    ontology: tuple[Path, ...],
    timeout: float,
    row_limit: int,
    memory_mb: int,
) -> None:
    """Run a bundled query by NAME (or a unique prefix such as cq12) or any SPARQL FILE.rq.

    Values given with --bind are passed to the engine as RDF terms, never pasted into the text.
    A label or synonym (case-insensitive) must name exactly one term (several or none: exit 2
    with the candidates); a CURIE, IRI or quoted text the graph does not hold is warned about.
    Every IRI column is followed by a column with its rdfs:label. Ad hoc queries get the
    curated prefixes pre-declared (CCKG: = https://w3id.org/calcinosis-kg/CCKG_, rdf:, rdfs:,
    owl:, xsd:, skos:, oboInOwl:, biolink:, RO:, MONDO:, HP: …: the prefix map of
    ontology/src/header.yaml). With --endpoint, names given to --bind are resolved in the local
    graph (bundled, or --ontology) and sent as IRIs.

    \b
    Examples:
      calcinosis-kg query cq10-lesion-sites-per-type
      calcinosis-kg query cq12 --bind class=CCKG:0000001 --format tsv
      calcinosis-kg query cq02 --bind disease="systemic sclerosis"
      calcinosis-kg query my-query.rq --ontology my-edit.ttl --format json
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.answers.queries import render, run_query, truncation_note
    from calcinosis_kg.answers.resolve import is_name, resolve_bind_value
    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.graph.queryfiles import get_query
    from calcinosis_kg.graph.sparql import parse_bind_options

    bundled = get_query(query_name)
    bindings = parse_bind_options(binds)
    kg = None
    if not endpoint or any(is_name(value) for value in bindings.values()):
        kg = load(list(ontology) or None)
        print_warnings(kg.warnings)
    for name, value in list(bindings.items()):
        if kg is None or (endpoint and not is_name(value)):
            continue  # an endpoint's graph is not ours to check
        bindings[name], message = resolve_bind_value(kg, value)
        if message:
            kind = "note" if message.startswith("taken as") else "warning"
            click.echo(f"calcinosis-kg: {kind}: --bind {name}={value}: {message}", err=True)
    if endpoint:
        # lazy: only this branch needs it
        from calcinosis_kg.graph.remote import RemoteEngine  # timeouts, row-cap check

        result = run_query(
            None,
            bundled,
            bindings,
            engine=RemoteEngine(endpoint, timeout),
            timeout=timeout,
            row_limit=row_limit or None,
        )
    else:
        assert kg is not None
        result = run_query(
            kg,
            bundled,
            bindings,
            engine=engine,
            inferred=inferred,
            timeout=timeout,
            row_limit=row_limit or None,
            memory_mb=memory_mb,
        )
    # color=True: click would strip escape sequences from piped output; CSV/TSV/JSON stay exact
    # and the table has escaped its control characters already
    click.echo(render(result, fmt, with_labels=not no_labels), nl=False, color=True)
    note = truncation_note(result)
    if note:
        click.echo(f"calcinosis-kg: warning: {note}", err=True)


@click.command()
@format_option(["text", "tsv", "json"], "text")
def queries(fmt: str) -> None:
    """List the bundled queries: name, parameters and the question each one answers.

    \b
    Example:
      calcinosis-kg queries
      calcinosis-kg query cq10-lesion-sites-per-type
    """
    # lazy: `--help` imports this module and must not load json or the work's modules
    import json

    from calcinosis_kg.graph.queryfiles import list_queries

    found = list_queries()
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "name": q.name,
                        "title": q.title,
                        "question": q.question,
                        "parameters": list(q.parameters),
                    }
                    for q in found
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if fmt == "tsv":
        click.echo("name\tparameters\ttitle\tquestion")
        for q in found:
            click.echo(
                f"{q.name}\t{' '.join('?' + p for p in q.parameters)}\t{q.title}\t{q.question}"
            )
        return
    if not found:
        click.echo("no bundled queries")
        return
    width = max(len(q.name) for q in found)
    for q in found:
        params = (
            "  (" + ", ".join(f"--bind {p}=…" for p in q.parameters) + ")" if q.parameters else ""
        )
        click.echo(f"{q.name.ljust(width)}  {q.question or q.title}{params}")
