"""Merging our ontology with a user's: our rules judge our ontology only, slow engines are refused.

A stand-in for a large ontology (HP, in benchmarks/bench_merge_hp.py) is generated here: an
ontology header without title, license or version, and 1,200 labelled classes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_kg.answers.queries import RDFLIB_CLASS_LIMIT, run_query
from calcinosis_kg.checks.validation import validate
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.resources import default_ontology_files
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.graph.queryfiles import get_query

CLASSES = RDFLIB_CLASS_LIMIT + 200


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("merge") / "user-ontology.ttl"
    lines = [
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "<http://example.org/user.owl> a owl:Ontology .",
        '<http://example.org/U_0> a owl:Class ; rdfs:label "user root" .',
    ]
    lines += [
        f'<http://example.org/U_{i}> a owl:Class ; rdfs:label "user class {i}" ; '
        f"rdfs:subClassOf <http://example.org/U_{i // 2}> ."
        for i in range(1, CLASSES)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load([*default_ontology_files(), path])


def test_header_shapes_judge_our_ontology_only_not_a_merged_users_ontology(merged):
    report = validate(merged)
    foreign = [v for v in report.violations if "example.org/user.owl" in str(v)]
    assert not foreign
    assert report.conforms


def test_rdflib_is_refused_for_cq12_on_a_large_merged_graph_with_a_clear_message(merged):
    query = get_query("cq12")
    with pytest.raises(InputError, match="refused on --engine rdflib .* use the default engine"):
        run_query(merged, query, {"class": "CCKG:0000001"}, engine="rdflib")
    answer = run_query(merged, query, {"class": "CCKG:0000001"}, engine="oxigraph")
    assert answer.rows


def test_rdflib_still_answers_cq12_on_the_bundled_ontology():
    answer = run_query(load(), get_query("cq12"), {"class": "CCKG:0000001"}, engine="rdflib")
    assert answer.rows


def test_release_artifacts_validate_under_their_profiles(tmp_path: Path):
    from calcinosis_kg.publish.release import release

    release(load(), tmp_path)
    for variant in ("base", "full", "simple"):
        kg = load([tmp_path / f"calcinosis-kg-{variant}.ttl"])
        report = validate(kg, profile=variant)
        assert report.conforms, (variant, [str(v) for v in report.violations[:3]])
    # the simple profile is needed: with every shape simple fails (it has no axiom annotations)
    assert not validate(load([tmp_path / "calcinosis-kg-simple.ttl"])).conforms
