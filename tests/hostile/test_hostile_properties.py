"""Property tests (hypothesis): any generated graph survives every export format unchanged and
byte-stable, and any bytes given as an input file end in exit 0 or 2 — never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EX = "http://example.org/"
FORMATS = ["ttl", "nt", "owl", "jsonld"]
EXTENSION = {"ttl": "ttl", "nt": "nt", "owl": "rdf", "jsonld": "jsonld"}
# text XML 1.0 can carry (RDF/XML is one of the formats); control characters, quotes, angle
# brackets, backslashes, newlines and non-BMP characters all included
XML_TEXT = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=["Cs"],
        exclude_characters="".join(chr(c) for c in range(0x20) if c not in (9, 10))
        + "\r"
        + "\ufffe\uffff",
    ),
    max_size=20,
)

iris = st.sampled_from(
    [
        f"{EX}a",
        f"{EX}b",
        f"{EX}c",
        "https://w3id.org/calcinosis-kg/CCKG_0000001",
        "http://purl.obolibrary.org/obo/UBERON_0002097",
        f"{EX}x%20y",
    ]
)
predicates = st.sampled_from(
    [
        f"{EX}p",
        f"{EX}q",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "http://www.w3.org/2002/07/owl#someValuesFrom",
    ]
)
literals = st.one_of(
    st.builds(lambda t: ("plain", t), XML_TEXT),
    st.builds(lambda t, lang: ("lang", t, lang), XML_TEXT, st.sampled_from(["en", "fr", "en-GB"])),
    st.builds(lambda n: ("int", str(n)), st.integers(-(10**12), 10**12)),
    st.builds(lambda b: ("bool", "true" if b else "false"), st.booleans()),
)


def _graph(
    triples: list[tuple[int, str, object]],
    bnode_edges: list[tuple[int, str, int]],
    lists: list[list[str]],
):
    import pyoxigraph as ox

    xsd = "http://www.w3.org/2001/XMLSchema#"
    nodes = [ox.BlankNode(f"b{i}") for i in range(6)]
    out: list = []

    def subject(i: int):
        return nodes[i % 6] if i < 6 else ox.NamedNode([f"{EX}a", f"{EX}b", f"{EX}c"][i % 3])

    for s, p, o in triples:
        if isinstance(o, tuple):
            kind, text = o[0], o[1]
            term = (
                ox.Literal(text, language=o[2])
                if kind == "lang"
                else ox.Literal(text, datatype=ox.NamedNode(xsd + "integer"))
                if kind == "int"
                else ox.Literal(text, datatype=ox.NamedNode(xsd + "boolean"))
                if kind == "bool"
                else ox.Literal(text)
            )
        else:
            term = ox.NamedNode(str(o))
        out.append(ox.Triple(subject(s), ox.NamedNode(p), term))
    for s, p, o in bnode_edges:  # bnode -> bnode only downward: no cycles, bounded depth
        if s < o:
            out.append(ox.Triple(nodes[s], ox.NamedNode(p), nodes[o]))
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    for index, items in enumerate(lists):
        cells = [ox.BlankNode(f"l{index}c{i}") for i in range(len(items))]
        head = cells[0] if cells else ox.NamedNode(rdf + "nil")
        out.append(ox.Triple(ox.NamedNode(f"{EX}list{index}"), ox.NamedNode(f"{EX}items"), head))
        for i, item in enumerate(items):
            out.append(ox.Triple(cells[i], ox.NamedNode(rdf + "first"), ox.NamedNode(item)))
            rest = cells[i + 1] if i + 1 < len(cells) else ox.NamedNode(rdf + "nil")
            out.append(ox.Triple(cells[i], ox.NamedNode(rdf + "rest"), rest))
    return out


graphs = st.builds(
    _graph,
    st.lists(st.tuples(st.integers(0, 8), predicates, st.one_of(iris, literals)), max_size=12),
    st.lists(st.tuples(st.integers(0, 5), predicates, st.integers(0, 5)), max_size=6),
    st.lists(st.lists(iris, max_size=4), max_size=2),
)


def _isomorphic(left: bytes, right: bytes) -> bool:
    from rdflib import Graph
    from rdflib.compare import isomorphic

    return isomorphic(Graph().parse(data=left, format="nt"), Graph().parse(data=right, format="nt"))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(triples=graphs)
def test_any_graph_round_trips_through_every_export_format(triples) -> None:
    import pyoxigraph as ox

    from calcinosis_kg.graph.knowledge import load
    from calcinosis_kg.publish.export import export_bytes

    source = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "g.nt"
        path.write_bytes(source)
        kg = load([path])
        for fmt in FORMATS:
            data = export_bytes(kg, fmt)
            assert export_bytes(kg, fmt) == data  # byte-stable
            back = Path(folder) / ("back." + EXTENSION[fmt])
            back.write_bytes(data)
            again = ox.serialize(
                [ox.Triple(q.subject, q.predicate, q.object) for q in load([back]).store],
                format=ox.RdfFormat.N_TRIPLES,
            )
            assert _isomorphic(source, again or b""), fmt


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.sampled_from([b"<", b"{", b"[", b"@prefix", b"<?xml", b"<!DOCTYPE"]).flatmap(
            lambda head: st.binary(max_size=200).map(lambda tail: head + tail)
        ),
    ),
    suffix=st.sampled_from([".ttl", ".nt", ".rdf", ".owl", ".jsonld", ".txt"]),
    command=st.sampled_from(["info", "export"]),
)
def test_any_bytes_give_exit_0_or_2_never_a_traceback(
    run_cli, data: bytes, suffix: str, command: str
) -> None:
    """Exit 0 only with the work done (the graph counted, the export written and readable);
    exit 2 only as one error line that names the input file."""
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory() as folder:
        path, output = Path(folder) / f"input{suffix}", Path(folder) / "o.ttl"
        path.write_bytes(data)
        extra = ["--format", "ttl", "--output", str(output)] if command == "export" else []
        code, out, err = run_cli(command, *extra, "--ontology", str(path))
        assert "Traceback" not in err
        if code == 0 and command == "info":
            assert "triples: " in out, out
        elif code == 0:
            list(ox.parse(output.read_bytes(), format=ox.RdfFormat.TURTLE))  # raises if not
        else:
            assert code == 2, err
            assert len(err.strip().splitlines()) == 1, err
            assert err.startswith(f"calcinosis-kg: error: {path}"), err
            assert not output.exists()  # nothing written from a refused input
