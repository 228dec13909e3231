"""``calcinosis-kg search`` and ``info``."""

from __future__ import annotations

import json
from pathlib import Path

from calcinosis_kg.answers.search import info, search
from calcinosis_kg.graph.knowledge import load


def test_search_finds_a_class_by_synonym_case_insensitively(tiny_ontology: Path) -> None:
    hits = search(load([tiny_ontology]), "SMALL Calcium")
    assert [(h.curie, h.label, h.matched, h.field) for h in hits] == [
        ("CCKG:9000001", "tiny calcinosis", "small calcium deposit", "exact")
    ]


def test_search_ranks_exact_label_before_substring(tiny_ontology: Path) -> None:
    hits = search(load([tiny_ontology]), "tiny calcinosis")
    assert [h.curie for h in hits][:2] == ["CCKG:9000001", "CCKG:9000002"]


def test_search_matches_word_prefixes_in_any_order(tiny_ontology: Path) -> None:
    assert [h.curie for h in search(load([tiny_ontology]), "dystr tin")] == ["CCKG:9000002"]


def test_search_by_curie_finds_that_class(tiny_ontology: Path) -> None:
    hits = search(load([tiny_ontology]), "CCKG:9000003")
    assert (hits[0].curie, hits[0].field) == ("CCKG:9000003", "id")


def test_search_command_shows_curie_label_and_synonym(run_cli, tiny_ontology: Path) -> None:
    code, out, _ = run_cli("search", "calcium deposit", "--ontology", str(tiny_ontology))
    assert code == 0
    assert out.strip() == ("CCKG:9000001  tiny calcinosis  (synonym, exact: small calcium deposit)")


def test_info_counts_entities_and_axioms(tiny_ontology: Path) -> None:
    data = info(load([tiny_ontology]))
    assert data.entities["classes"] == 4 and data.local_entities["classes"] == 4
    assert data.entities["object_properties"] == 1
    assert data.axioms["subclass_named"] == 1 and data.axioms["subclass_restriction"] == 1
    assert data.ontologies == [
        {
            "iri": "https://example.org/tiny.owl",
            "version_info": "t1",
            "version_iri": "",
            "title": "",
        }
    ]


def test_info_groups_mappings_by_target_prefix(tmp_path: Path, tiny_ontology: Path) -> None:
    extra = tmp_path / "xrefs.ttl"
    extra.write_text(
        "@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://w3id.org/calcinosis-kg/CCKG_9000001> oboInOwl:hasDbXref "MESH:D1", '
        '"MESH:D2", "HP:0000001" ; skos:exactMatch <http://purl.obolibrary.org/obo/HP_1> .\n'
    )
    data = info(load([tiny_ontology, extra]))
    assert data.mappings == {"MESH": 2, "HP": 1}
    assert data.mapping_predicates == {"skos:exactMatch": 1}


def test_info_command_json(run_cli, tiny_ontology: Path) -> None:
    code, out, _ = run_cli("info", "--format", "json", "--ontology", str(tiny_ontology))
    assert code == 0
    data = json.loads(out)
    assert data["entities"]["classes"] == 4 and data["triples"] == len(load([tiny_ontology]))


def test_info_reports_the_bundled_version_info() -> None:
    from calcinosis_kg.core.prefixes import header

    versions = [o["version_info"] for o in info(load()).ontologies]
    assert header()["ontology"]["version"] in versions


def test_search_finds_imported_terms_by_their_verified_synonyms(run_cli) -> None:
    code, out, _ = run_cli("search", "scleroderma")
    assert code == 0 and "MONDO:0005100" in out and "systemic scleroderma" in out


def test_search_ranks_exact_label_before_synonym_before_word_match(run_cli) -> None:
    code, out, _ = run_cli("search", "idiopathic calcification", "--format", "tsv")
    rows = [line.split("\t") for line in out.splitlines()[1:]]
    assert code == 0 and rows[0][0] == "CCKG:0000005" and rows[0][3] == "broad"
    code, out, _ = run_cli("search", "calcinosis cutis", "--format", "tsv", "--limit", "0")
    rows = [line.split("\t") for line in out.splitlines()[1:]]
    assert rows[0][:2] == ["CCKG:0000001", "calcinosis cutis"]


def test_search_says_how_many_more_matches_exist(run_cli) -> None:
    code, out, _ = run_cli("search", "calcium", "--limit", "3")
    everything = run_cli("search", "calcium", "--limit", "0")[1]
    total = len(everything.splitlines())
    assert code == 0 and f"({total - 3} more matches; --limit {total} shows all)" in out
