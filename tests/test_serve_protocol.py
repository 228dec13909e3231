"""The SPARQL 1.1 Protocol as written: the dataset of a request (Protocol §2.1.4, Query §13),
relative IRIs against the endpoint's URL, Accept against ``format=``, and the service
description of a GET without a query."""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pytest
import rdflib
from protocol_suite import data_files
from serve_support import get, http, running

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.dataset import build_dataset, data_argument
from calcinosis_kg.serve.graph_names import ASSERTED
from calcinosis_kg.serve.results import negotiate

DATA = "http://kasei.us/2009/09/sparql/data/data{}.rdf"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    kg = load()
    files = data_files(tmp_path_factory.mktemp("protocol"))
    with running(kg, build_dataset(kg, files, inferred=False)) as base:
        yield base


def ask(base: str, query: str, **params: list[str]) -> bool:
    args = urllib.parse.urlencode({"query": query, **params}, doseq=True)
    status, _, body = http(
        f"{base}/sparql?{args}", headers={"Accept": "application/sparql-results+json"}
    )
    assert status == 200, body
    return json.loads(body)["boolean"]


def test_data_arguments_name_their_graphs() -> None:
    assert data_argument("http://example.org/g=a.nt") == ("http://example.org/g", Path("a.nt"))
    assert data_argument("cases.ttl") == Path("cases.ttl")
    assert data_argument("odd=name.ttl") == Path("odd=name.ttl")


def test_only_named_graph_uri_leaves_the_default_graph_empty(served) -> None:
    assert ask(served, "ASK { ?s ?p ?o }") is True
    assert ask(served, "ASK { ?s ?p ?o }", **{"named-graph-uri": [DATA.format(1)]}) is False
    assert (
        ask(served, "ASK { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": [DATA.format(1)]})
        is True
    )


def test_only_default_graph_uri_leaves_no_named_graphs(served) -> None:
    assert (
        ask(served, "ASK { GRAPH ?g { ?s ?p ?o } }", **{"default-graph-uri": [DATA.format(1)]})
        is False
    )
    assert (
        ask(served, f"ASK {{ <{DATA.format(1)}> a ?t }}", **{"default-graph-uri": [DATA.format(1)]})
        is True
    )
    assert (
        ask(served, f"ASK {{ <{DATA.format(2)}> a ?t }}", **{"default-graph-uri": [DATA.format(1)]})
        is False
    )


def test_protocol_graphs_replace_the_querys_from(served) -> None:
    query = f"ASK FROM <{DATA.format(3)}> {{ <{DATA.format(3)}> a ?t }}"
    assert ask(served, query) is True
    assert ask(served, query, **{"named-graph-uri": [DATA.format(1)]}) is False
    assert (
        ask(
            served,
            f"ASK FROM <{DATA.format(3)}> {{ GRAPH ?g {{ <{DATA.format(1)}> a ?t }} }}",
            **{"named-graph-uri": [DATA.format(1)]},
        )
        is True
    )


def test_from_alone_gives_no_named_graphs_and_from_named_alone_no_default(served) -> None:
    assert ask(served, f"ASK FROM <{DATA.format(1)}> {{ GRAPH ?g {{ ?s ?p ?o }} }}") is False
    assert ask(served, f"ASK FROM NAMED <{DATA.format(1)}> {{ ?s ?p ?o }}") is False
    assert ask(served, f"ASK FROM NAMED <{DATA.format(1)}> {{ GRAPH ?g {{ ?s ?p ?o }} }}") is True


def test_relative_iris_resolve_against_the_endpoint_url(served) -> None:
    status, _, body = get(served, "SELECT (STR(<s>) AS ?v) WHERE {}")
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["v"]["value"] == f"{served}/s"
    status, headers, body = http(
        f"{served}/sparql",
        b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        {"Content-Type": "application/sparql-query", "Accept": "application/n-triples"},
    )
    assert status == 200 and body.startswith(f"<{served}/s> <{served}/p> ".encode())


@pytest.mark.parametrize(
    ("accept", "requested", "expected"),
    [
        ("application/rdf+xml", "xml", "rdfxml"),  # SPARQLWrapper's CONSTRUCT as RDF/XML
        ("application/ld+json,application/x-json+ld", "json-ld", "jsonld"),
        (None, "xml", "rdfxml"),
        (None, "json", "jsonld"),
        ("text/turtle", "nt", "ntriples"),
    ],
)
def test_an_rdf_accept_wins_over_a_results_format_argument(accept, requested, expected) -> None:
    assert negotiate("CONSTRUCT", accept, requested) == expected
    assert negotiate("SELECT", "application/rdf+xml", "xml") == "xml"


@pytest.mark.parametrize(("fmt", "parse_as"), [("xml", "xml"), ("json-ld", "json-ld")])
def test_sparqlwrapper_construct_in_rdf_xml_and_json_ld(served, fmt, parse_as) -> None:
    import SPARQLWrapper as sw

    client = sw.SPARQLWrapper(f"{served}/sparql")
    client.setQuery(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{DATA.format(2)}> {{ ?s ?p ?o }} }}")
    client.setReturnFormat(fmt)
    client.setTimeout(30)
    result = client.query()
    assert result.response.status == 200
    converted = result.convert()
    graph = (
        converted
        if isinstance(converted, rdflib.Graph)
        else rdflib.Graph().parse(data=converted, format=parse_as)
    )
    assert set(graph) == {
        (
            rdflib.URIRef(DATA.format(2)),
            rdflib.RDF.type,
            rdflib.URIRef("http://xmlns.com/foaf/0.1/Document"),
        )
    }


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [(None, "turtle"), ("application/rdf+xml", "xml"), ("application/n-triples", "nt")],
)
def test_a_get_without_a_query_is_the_service_description(served, accept, fmt) -> None:
    status, headers, body = http(f"{served}/sparql", headers={"Accept": accept} if accept else {})
    assert status == 200
    graph = rdflib.Graph().parse(data=body, format=fmt)
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert graph.value(service, SD.endpoint) == rdflib.URIRef(f"{served}/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert names == {ASSERTED, *(DATA.format(n) for n in range(4))}
