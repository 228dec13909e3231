"""Graphviz diagrams: deterministic DOT, safe quoting, SVG rendering, and a clear error when the
``dot`` tool is missing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.publish import diagrams
from calcinosis_kg.publish.diagrams import Neighbour, Node

NODES = [Node(f"CCKG:000000{i}", f"type {i}", f"types/CCKG_000000{i}.html") for i in range(1, 7)]
EDGES = [
    ("CCKG:0000002", "CCKG:0000001"),
    ("CCKG:0000003", "CCKG:0000001"),
    ("CCKG:0000004", "CCKG:0000002"),
    ("CCKG:0000005", "CCKG:0000002"),
]
NEIGHBOURS = [
    Neighbour("cause", Node("CCKG:0000100", "skin trauma")),
    Neighbour("cause", Node("CHEBI:3311", "calcium gluconate")),
    Neighbour("disease", Node("MONDO:0019562", "systemic sclerosis")),
    Neighbour("site", Node("UBERON:0002097", "skin of body")),
    Neighbour("site", Node("UBERON:0002072", "hypodermis")),
]


def test_hierarchy_dot_does_not_depend_on_input_order() -> None:
    expected = diagrams.hierarchy_dot(NODES, EDGES)
    rng = random.Random(7)
    for _ in range(5):
        nodes, edges = NODES[:], EDGES[:]
        rng.shuffle(nodes)
        rng.shuffle(edges)
        assert diagrams.hierarchy_dot(nodes, edges) == expected


def test_type_map_dot_does_not_depend_on_input_order() -> None:
    center = Node("CCKG:0000002", "dystrophic calcinosis cutis")
    expected = diagrams.type_map_dot(center, NEIGHBOURS)
    shuffled = NEIGHBOURS[:]
    random.Random(3).shuffle(shuffled)
    assert diagrams.type_map_dot(center, shuffled) == expected


def test_type_map_draws_causes_into_the_type_and_sites_out_of_it() -> None:
    dot = diagrams.type_map_dot(Node("CCKG:0000002", "x"), NEIGHBOURS)
    assert '"cause:CCKG:0000100" -> "CCKG:0000002"' in dot
    assert '"disease:MONDO:0019562" -> "CCKG:0000002"' in dot
    assert '"CCKG:0000002" -> "site:UBERON:0002072"' in dot


def test_hierarchy_dot_draws_defined_edges_dashed() -> None:
    dot = diagrams.hierarchy_dot(NODES, [], [("CCKG:0000006", "CCKG:0000001")])
    assert '"CCKG:0000001" -> "CCKG:0000006" [dir=back, arrowtail=empty, style=dashed];' in dot


def test_hierarchy_dot_draws_related_nodes_dashed() -> None:
    dot = diagrams.hierarchy_dot(NODES, EDGES, related=["CCKG:0000006"])
    line = next(x for x in dot.splitlines() if x.startswith('  "CCKG:0000006" ['))
    assert 'style="rounded,dashed"' in line
    assert all("dashed" not in x for x in dot.splitlines() if x.startswith('  "CCKG:0000001" ['))


def test_quote_escapes_quotes_and_backslashes() -> None:
    assert diagrams.quote('a"b\\n') == '"a\\"b\\\\n"'


def test_label_with_quotes_and_backslashes_renders_verbatim() -> None:
    label = 'evil" ] ; x [label="\\N'
    svg = diagrams.render_svg(diagrams.hierarchy_dot([Node("CCKG:1", label)], [])).decode()
    assert "evil&quot; ] ; x [label=&quot;\\N" in svg


def test_render_svg_returns_an_svg_document() -> None:
    svg = diagrams.render_svg(diagrams.hierarchy_dot(NODES, EDGES))
    assert b"<svg" in svg and b"type 4" in svg


def test_render_svg_is_byte_identical_for_the_same_dot() -> None:
    dot = diagrams.type_map_dot(Node("CCKG:0000002", "x"), NEIGHBOURS)
    assert diagrams.render_svg(dot) == diagrams.render_svg(dot)


def test_inline_svg_drops_the_xml_prolog_and_doctype() -> None:
    inline = diagrams.inline_svg(diagrams.render_svg(diagrams.hierarchy_dot(NODES, EDGES)))
    assert inline.startswith("<svg") and "<!DOCTYPE" not in inline and "<?xml" not in inline


def test_missing_dot_raises_an_input_error_naming_the_package() -> None:
    with pytest.raises(InputError, match="install the system package 'graphviz'"):
        diagrams.dot_executable(which=lambda _name: None)


def test_render_svg_without_dot_on_path_raises_input_error(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(InputError, match="graphviz"):
        diagrams.render_svg("digraph { a }")


def test_docs_command_without_dot_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": ""}
    proc = subprocess.run(
        [sys.executable, "-m", "calcinosis_kg", "docs", "--output", str(tmp_path / "site")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().count("\n") == 0
    assert "graphviz" in proc.stderr
    assert not (tmp_path / "site").exists()  # nothing half-written


def test_docs_command_with_no_diagrams_works_without_dot(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": ""}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "calcinosis_kg",
            "docs",
            "--no-diagrams",
            "--output",
            str(tmp_path / "site"),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert not (tmp_path / "site" / "img").exists()
