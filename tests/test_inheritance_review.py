"""The inheritance audit (ontology/reviewed_inheritance.tsv) is current and reviewed.

Every universal statement of every class, own or inherited from a named ancestor, is recomputed
from a fresh build and compared with the reviewed golden file: a new universal statement, or a
class newly inheriting one, fails here until its row is reviewed (``review`` says why it holds
of every member of the class).
"""

from __future__ import annotations

import csv

from calcinosis_kg.checks.inheritance import COLUMNS, KEY_COLUMNS, current_rows, rows
from calcinosis_kg.core.resources import ontology_dir

GOLDEN = ontology_dir() / "reviewed_inheritance.tsv"


def golden() -> list[dict[str, str]]:
    with GOLDEN.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_golden_file_has_the_columns():
    with GOLDEN.open(encoding="utf-8") as handle:
        assert tuple(handle.readline().rstrip("\n").split("\t")) == COLUMNS


def test_inherited_universal_statements_match_the_reviewed_list():
    reviewed = {tuple(row[c] for c in KEY_COLUMNS) for row in golden()}
    fresh = {r.key() for r in current_rows()}
    new = sorted(fresh - reviewed)
    gone = sorted(reviewed - fresh)
    assert not new and not gone, (
        f"universal statements not yet reviewed: {new}; reviewed rows that no longer hold: {gone}"
        " (review them in ontology/reviewed_inheritance.tsv)"
    )


def test_every_row_is_reviewed():
    assert all(row["review"].strip() for row in golden())


def test_no_class_inherits_a_treatment_a_cause_or_a_disease_feature():
    bad = [
        row
        for row in golden()
        if row["how"] == "inherited"
        and row["property"] in {"RO:0002302", "RO:0002606", "RO:0003302", "RO:0003308"}
    ]
    assert not bad


def test_no_external_disease_has_a_universal_statement():
    """Diseases of MONDO (SSc, CREST, lupus ...) only have association records with us."""
    assert not [row for row in golden() if row["class"].startswith("MONDO:")]


def test_a_new_subclass_shows_up_as_new_inherited_rows():
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    from calcinosis_kg.core.prefixes import expand
    from calcinosis_kg.source.build import build

    result = build()
    g = result.ontology + result.imports
    g.add((URIRef(expand("CCKG:0000099")), RDFS.subClassOf, URIRef(expand("CCKG:0000006"))))
    g.add((URIRef(expand("CCKG:0000099")), RDF.type, OWL.Class))
    fresh = {r.key() for r in rows(g)}
    reviewed = {tuple(row[c] for c in KEY_COLUMNS) for row in golden()}
    assert any(key[0] == "CCKG:0000099" for key in fresh - reviewed)
