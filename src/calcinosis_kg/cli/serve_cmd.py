"""``calcinosis-kg serve``: a read-only SPARQL endpoint and explorer page on loopback."""

from __future__ import annotations

from pathlib import Path

import click

from calcinosis_kg.cli.options import ontology_option


@click.command()
@click.argument("data", nargs=-1)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind (anything but loopback exposes the endpoint to the network).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port (0: any free port).",
)
@ontology_option(
    "Ontology file (repeatable; default: the bundled ontology + imports).", click.Path()
)
@click.option("--no-inferred", is_flag=True, help="Do not run HermiT for the inferred graph.")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 3600),
    default=10.0,
    show_default=True,
    help="Seconds a query may run (its parse and the sending of its answer included).",
)
@click.option(
    "--row-limit",
    type=click.IntRange(1),
    default=10_000,
    show_default=True,
    help="Most rows (or triples) one answer holds; more are cut and reported.",
)
@click.option(
    "--max-body",
    type=click.IntRange(1),
    default=1 << 20,
    show_default=True,
    help="Largest request body in bytes.",
)
@click.option(
    "--max-concurrent",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Queries running at once (one worker process each).",
)
@click.option(
    "--allow-origin",
    multiple=True,
    metavar="ORIGIN",
    help="Web origin allowed to read served case data (repeatable; '*': any). "
    "Without DATA any origin may read the ontology.",
)
@click.option(
    "--allow-host",
    multiple=True,
    metavar="NAME",
    help="Host name the server answers under besides IP addresses and localhost "
    "(repeatable; '*': no Host check).",
)
@click.option(
    "--no-fast-lane",
    is_flag=True,
    help="Send every query to a worker, even one whose work is proven small (answered in the "
    "server process by default).",
)
@click.option("--quiet", is_flag=True, help="Do not log requests.")
def serve(
    data: tuple[str, ...],
    host: str,
    port: int,
    ontology: tuple[str, ...],
    no_inferred: bool,
    timeout: float,
    row_limit: int,
    max_body: int,
    max_concurrent: int,
    allow_origin: tuple[str, ...],
    allow_host: tuple[str, ...],
    no_fast_lane: bool,
    quiet: bool,
) -> None:
    """Serve the ontology (asserted and inferred, as named graphs) and case DATA files over the
    SPARQL 1.1 Protocol at /sparql, the bundled queries at /queries/NAME and an explorer page at /.

    Each DATA file becomes the named graph .../graph/data/<file stem>, or the graph IRI given
    with it as IRI=PATH.

    \b
    Examples:
      calcinosis-kg serve
      calcinosis-kg serve cases.ttl --port 3030 --timeout 30
      calcinosis-kg serve http://example.org/g1=data1.nt
      curl 'http://127.0.0.1:8000/queries/cq12-class-card?class=CCKG:0000001'
    """
    # lazy: `--help` imports this module and must not load the work's modules
    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.serve.dataset import build_dataset, check_graph_names, data_argument
    from calcinosis_kg.serve.front import make_server
    from calcinosis_kg.serve.service import Limits

    files = [data_argument(argument) for argument in data]
    check_graph_names(files)
    kg = load([Path(p) for p in ontology] or None)
    for warning in kg.warnings:
        click.echo(f"calcinosis-kg: warning: {warning}", err=True)
    dataset = build_dataset(kg, files, inferred=not no_inferred)
    limits = Limits(
        timeout=timeout,
        row_limit=row_limit,
        max_body=max_body,
        max_concurrent=max_concurrent,
        allow_origins=allow_origin,
        allow_hosts=allow_host,
        fast_lane=not no_fast_lane,
    )
    server = make_server(kg, dataset, host, port, limits, quiet=quiet)
    if host not in ("127.0.0.1", "::1", "localhost"):
        click.echo(
            f"calcinosis-kg: warning: listening on {host}: reachable from other machines", err=True
        )
    counts = ", ".join(f"{iri.rsplit('/', 1)[-1]} {n}" for iri, n in dataset.graphs.items())
    click.echo(
        f"calcinosis-kg serve: http://{host}:{server.server_port}/ (SPARQL: /sparql; "
        f"graphs: {counts})",
        err=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
