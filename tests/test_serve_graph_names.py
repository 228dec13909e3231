"""serve.graph_names: serve and push name data graphs alike (stable, unique, IRI-safe)."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph
import pytest

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.dataset import build_dataset
from calcinosis_kg.serve.graph_names import GRAPH_BASE, data_graph_iris, inferred_graph_iri
from calcinosis_kg.serve.push import graph_names

TRIPLE = "<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"
#: file names a user may have: spaces, percent signs, IRI delimiters, non-ASCII, a dot file
HOSTILE = ["a b.nt", "x%41.nt", "q?#[]@!$&'()*+,;=.nt", "é.nt", '<"{}|\\^`>.nt', ".hidden.nt"]


def _files(tmp_path: Path, names: list[str]) -> list[Path]:
    paths = []
    for i, name in enumerate(names):
        path = tmp_path / f"d{i}" / name
        path.parent.mkdir()
        path.write_text(TRIPLE, encoding="utf-8")
        paths.append(path)
    return paths


def _served_data_graphs(paths: list[Path]) -> list[str]:
    kg = load([paths[0]])
    dataset = build_dataset(kg, paths, inferred=False)
    return [g for g in dataset.graphs if g.startswith(GRAPH_BASE + "data/")]


def test_serve_and_push_give_the_same_names_for_the_same_files(tmp_path: Path) -> None:
    paths = _files(tmp_path, ["cases.nt", "cases.nt", "cases-2.nt", *HOSTILE])
    pushed = graph_names(GRAPH_BASE, paths, inferred=True)
    assert _served_data_graphs(paths) == pushed[2:]
    assert pushed[1] == GRAPH_BASE + "inferred" == inferred_graph_iri()


def test_two_files_with_the_same_stem_get_distinct_names_in_the_order_given(tmp_path) -> None:
    paths = _files(tmp_path, ["cases.nt", "cases.ttl", "cases-2.nt"])
    assert data_graph_iris(paths) == [
        GRAPH_BASE + "data/cases",
        GRAPH_BASE + "data/cases-2",
        GRAPH_BASE + "data/cases-2-2",
    ]


def test_a_name_given_with_iri_equals_path_is_never_generated_again(tmp_path: Path) -> None:
    taken = GRAPH_BASE + "data/cases"
    assert data_graph_iris([Path("cases.nt")], taken=[taken]) == [GRAPH_BASE + "data/cases-2"]


def test_hostile_file_names_give_distinct_absolute_iris_that_keep_the_name(tmp_path) -> None:
    names = data_graph_iris(Path(n) for n in HOSTILE)
    assert len(set(names)) == len(HOSTILE)
    for name in names:
        assert pyoxigraph.NamedNode(name).value == name
        assert all(c.isascii() and c.isprintable() and c not in '<>"{}|\\^` ?#[]' for c in name)
    assert names[0] == GRAPH_BASE + "data/a%20b"
    assert names[1] == GRAPH_BASE + "data/x%2541"  # not x%41: distinct from a file named "xA"
    assert names[3] == GRAPH_BASE + "data/%C3%A9"


def test_a_file_name_that_is_not_utf8_still_gives_an_iri() -> None:
    name = data_graph_iris([Path(os.fsdecode(b"\xff\xfe.nt"))])[0]
    assert name == GRAPH_BASE + "data/%FF%FE"


@pytest.mark.parametrize("base", ["http://example.org/release", "http://example.org/release/"])
def test_push_names_its_graphs_under_its_graph_iri_with_or_without_a_slash(base: str) -> None:
    assert graph_names(base, [Path("c.nt")], inferred=True) == [
        base,
        "http://example.org/release/inferred",
        "http://example.org/release/data/c",
    ]
