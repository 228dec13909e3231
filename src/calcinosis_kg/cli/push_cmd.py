"""``calcinosis-kg push``: upload the release (and case data) to a triple store (Graph Store
Protocol), one verified PUT per named graph."""

from __future__ import annotations

import os
from pathlib import Path

import click

from calcinosis_kg.cli.options import ontology_option
from calcinosis_kg.core.errors import InputError


@click.command()
@click.option(
    "--endpoint",
    required=True,
    metavar="URL",
    help="The store's SPARQL query endpoint (used to verify the triple counts).",
)
@click.option(
    "--store",
    "store_url",
    metavar="URL",
    default=None,
    help="The store's Graph Store Protocol URL (default: --endpoint). Oxigraph: "
    "http://HOST/store; Virtuoso: http://HOST/sparql-graph-crud-auth.",
)
@click.option("--graph", required=True, metavar="IRI", help="Named graph for the release.")
@ontology_option("Release file(s) to push (default: the bundled ontology + imports).")
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Case data file, pushed as IRI/data/<file stem> (repeatable).",
)
@click.option(
    "--inferred", is_flag=True, help="Also push HermiT's inferred hierarchy as IRI/inferred."
)
@click.option("--user", default=None, help="User name for the store (Basic or Digest auth).")
@click.option(
    "--password-env",
    metavar="VAR",
    default=None,
    help="Environment variable holding the password (never given on the command line).",
)
@click.option(
    "--basic-auth-over-http",
    "basic_over_http",
    is_flag=True,
    help="Answer a Basic challenge over plain http:// (the password travels in clear; "
    "without this flag only https:// or Digest gets it).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 3600),
    default=120.0,
    show_default=True,
    help="Seconds each HTTP exchange may take, from connecting to the answer's last byte.",
)
def push(
    endpoint: str,
    store_url: str | None,
    graph: str,
    ontology: tuple[Path, ...],
    data: tuple[Path, ...],
    inferred: bool,
    user: str | None,
    password_env: str | None,
    basic_over_http: bool,
    timeout: float,
) -> None:
    """Upload the release to a SPARQL 1.1 store with the Graph Store HTTP Protocol (one streamed
    PUT per named graph, replacing it: pushing twice leaves the same graph), then check the store
    holds exactly the triples sent.

    \b
    Example:
      CCKG_PW=secret calcinosis-kg push --endpoint http://127.0.0.1:8890/sparql \\
        --store http://127.0.0.1:8890/sparql-graph-crud-auth \\
        --graph https://w3id.org/calcinosis-kg/release --user dba --password-env CCKG_PW
    """
    from calcinosis_kg.graph.http_client import check_url
    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.serve.push import Pushed, graph_names, release_graphs
    from calcinosis_kg.serve.push import push as push_graphs
    from calcinosis_kg.serve.remote import Client, Credentials, origin

    # every name checked before anything is loaded or sent
    check_url(endpoint, "--endpoint")
    check_url(store_url or endpoint, "--store")
    graph_names(graph, data, inferred)
    credentials = None
    if password_env and not user:
        raise InputError("--password-env needs --user")
    if user:
        if not password_env:
            raise InputError("--user needs --password-env VAR (the password is never an option)")
        if ":" in user or not user.isprintable():
            raise InputError("--user: a name without ':' or control characters")
        password = os.environ.get(password_env)
        if password is None:
            raise InputError(f"--password-env {password_env}: the variable is not set")
        # sent only to the store's origin (scheme, host, port), and only when it asks
        credentials = Credentials(user, password, origin(store_url or endpoint))
    kg = load(list(ontology) or None)
    graphs = release_graphs(kg, graph, data, inferred)

    def report(pushed: Pushed) -> None:
        click.echo(
            f"{pushed.graph}: {pushed.stored} triples stored and verified ({pushed.seconds:.2f} s)"
        )

    client = Client(timeout, credentials, basic_over_http)
    push_graphs(client, store_url or endpoint, endpoint, graphs, report)
