"""Negative entailments (ontology/negative_entailments.yaml): conclusions HermiT must NOT derive.

The bundled ontology derives none of them; a planted wrong axiom of each kind of issue 8 (an
association read as a universal, a treatment inherited by a subtype, an "or" read as "and") makes
the check fail, and ``check`` reports the counts on the reasoning line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from calcinosis_kg.checks.negative_entailments import (
    NEGATIVE_FILE,
    NegativeEntailment,
    check,
    load_negative,
)
from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.core.resources import default_ontology_files, ontology_dir, source_dir

if TYPE_CHECKING:
    from rdflib import Graph

PREFIXES = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix RO: <http://purl.obolibrary.org/obo/RO_> .
@prefix MONDO: <http://purl.obolibrary.org/obo/MONDO_> .
@prefix CHEBI: <http://purl.obolibrary.org/obo/CHEBI_> .
@prefix UBERON: <http://purl.obolibrary.org/obo/UBERON_> .
"""
PLANTED = {
    "association read as a universal": "MONDO:0005100 rdfs:subClassOf [ a owl:Restriction ; "
    "owl:onProperty RO:0004029 ; owl:someValuesFrom CCKG:0000020 ] .",
    "treatment inherited by a subtype": "CCKG:0000001 rdfs:subClassOf [ a owl:Restriction ; "
    "owl:onProperty RO:0002302 ; owl:someValuesFrom CHEBI:101278 ] .",
    "or read as and": "CCKG:0000009 rdfs:subClassOf [ a owl:Restriction ; "
    "owl:onProperty RO:0004026 ; owl:someValuesFrom UBERON:0001456 ] .",
    "cause read as a cause in every case": "CCKG:0000100 rdfs:subClassOf [ a owl:Restriction ; "
    "owl:onProperty RO:0003302 ; owl:someValuesFrom CCKG:0000001 ] .",
    # issue 16: the old CCKG:0000705 put whole disease classes under a calcinosis-related class
    "disease classes as members of a calcinosis-related union": "CCKG:0000705 owl:equivalentClass "
    "[ a owl:Class ; owl:unionOf ( MONDO:0003900 MONDO:0005550 ) ] .",
}


def _load(extra: Path | None = None):
    from calcinosis_kg.graph.knowledge import load

    files = [*default_ontology_files(), *([extra] if extra else [])]
    return load(files)


def _java_or_skip():
    from calcinosis_kg.checks.java import find_java

    if find_java() is None:
        pytest.skip("Java not available for HermiT")


def test_file_lists_the_three_examples_of_the_issue():
    items = load_negative(ontology_dir() / NEGATIVE_FILE)
    keys = {(i.subclass, i.prop, i.filler, i.superclass) for i in items}
    assert (expand("MONDO:0005100"), expand("RO:0004029"), expand("CCKG:0000001"), None) in keys
    assert (expand("CCKG:0000006"), expand("RO:0002302"), expand("CHEBI:101278"), None) in keys
    assert (expand("CCKG:0000006"), None, None, expand("CCKG:0000605")) in keys
    for site in ("UBERON:0000403", "UBERON:0001456"):
        assert (expand("CCKG:0000009"), expand("RO:0004026"), expand(site), None) in keys


def test_every_association_record_is_pinned_as_not_universal():
    items = load_negative(ontology_dir() / NEGATIVE_FILE)
    keys = {(i.subclass, i.prop, i.filler) for i in items if not i.inverse}
    data = yaml.safe_load((source_dir() / "associations.yaml").read_text(encoding="utf-8"))
    missing = [
        r["id"]
        for r in data["associations"]
        if (expand(r["subject"]), expand(r["predicate"]), expand(r["object"])) not in keys
    ]
    assert not missing, f"association records without a negative entailment: {missing}"


def test_file_sweeps_every_disease_against_every_calcinosis_related_class():
    """issue 16: no disease class (MONDO, DOID, our conditions) under any calcinosis-related
    class (types, defined classes, case-model classes, calcinosis and its subclasses)."""
    items = load_negative(ontology_dir() / NEGATIVE_FILE)
    pairs = {(i.subclass, i.superclass) for i in items if i.superclass}
    for disease in ("MONDO:0003900", "MONDO:0005550", "CCKG:0000102", "MONDO:0019563"):
        for related in (
            "CCKG:0000705",
            "CCKG:0000706",
            "CCKG:0000002",
            "CCKG:0000601",
            "MONDO:0002123",
        ):
            assert (expand(disease), expand(related)) in pairs


def test_a_sweep_entry_needs_both_lists(tmp_path):
    from calcinosis_kg.core.errors import InputError

    bad = tmp_path / NEGATIVE_FILE
    bad.write_text(
        "- {sweep: x, subclasses: [MONDO:0005100], superclasses: [], why: y}\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="sweep needs"):
        load_negative(bad)


def test_every_entry_says_why():
    data = yaml.safe_load((ontology_dir() / NEGATIVE_FILE).read_text(encoding="utf-8"))
    assert data and all(str(item.get("why", "")).strip() for item in data)


def test_bundled_ontology_derives_none_of_them():
    _java_or_skip()
    checked, violated = check(_load())
    assert checked >= 100 and violated == []


@pytest.mark.parametrize("kind", sorted(PLANTED))
def test_a_planted_wrong_axiom_is_caught(tmp_path, kind):
    _java_or_skip()
    planted = tmp_path / "planted.ttl"
    planted.write_text(PREFIXES + PLANTED[kind] + "\n", encoding="utf-8")
    _, violated = check(_load(planted), ontology_dir() / NEGATIVE_FILE)
    assert violated, f"planted {kind} was not caught"


def test_check_reports_negative_counts_and_fails_on_a_planted_axiom(tmp_path):
    _java_or_skip()
    from calcinosis_kg.checks.gate import run_check

    # a copy of the bundled files beside the negative-entailment file, plus one wrong axiom
    folder = tmp_path / "ontology"
    (folder / "imports").mkdir(parents=True)
    files = []
    for path in default_ontology_files():
        target = folder / path.relative_to(ontology_dir())
        target.write_bytes(path.read_bytes())
        files.append(target)
    (folder / NEGATIVE_FILE).write_bytes((ontology_dir() / NEGATIVE_FILE).read_bytes())
    planted = folder / "planted.ttl"
    planted.write_text(
        PREFIXES + PLANTED["treatment inherited by a subtype"] + "\n", encoding="utf-8"
    )
    report = run_check([*files, planted], use_cache=False, stages=("reasoning",))
    stage = report.stages[0]
    assert stage.counts["negative"] >= 100 and stage.counts["violated"] >= 1
    assert not report.ok
    assert any("must not follow" in f.reason for f in stage.failures)


def _iris(curies: str) -> list[str]:
    return [expand(curie) for curie in curies.split()]


def _built_classes() -> tuple[Graph, list[str], list[str]]:
    """The built ontology with its imports, its named classes and the calcinosis types of ours
    among them (what both sweeps range over)."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF

    from calcinosis_kg.source.build import build

    result = build()
    g = result.ontology + result.imports
    named = sorted(str(c) for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef))
    return g, named, [c for c in named if c.startswith(expand("CCKG:00000"))]


def test_sweep_no_disease_cause_or_exposure_is_universally_linked_to_any_calcinosis_type():
    """A systematic sweep beyond the file: no external class (MONDO, GO, MAxO, ChEBI) and none of
    our conditions or exposures is entailed to relate, in every case, to any calcinosis type by
    any relation an association uses, nor any type to be related to them in every case."""
    _java_or_skip()
    _, named, types = _built_classes()
    others = [
        c
        for c in named
        if c.startswith(tuple(expand(p + ":") for p in ("MONDO", "GO", "MAXO", "CHEBI")))
        or c.startswith((expand("CCKG:00001"), expand("CCKG:00005")))
    ]
    predicates = _iris(
        "RO:0004029 RO:0003302 RO:0003303 RO:0003308 RO:0002302 RO:0002606 RO:0002200"
    )
    items = [
        NegativeEntailment(s, "sweep", prop=p, filler=t)
        for s in others
        for p in predicates
        for t in types
    ]
    items += [
        NegativeEntailment(t, "sweep", prop=p, filler=s, inverse=True)
        for s in others
        for p in predicates
        for t in types
    ]
    checked, violated = check(_load(), items=items)
    assert checked == len(items) > 1000 and violated == []


def test_sweep_every_entailed_statement_of_a_type_comes_from_a_reviewed_universal():
    """Entailment-level audit: for every calcinosis type T, relation R and named class F, if
    HermiT derives ``T ⊑ R some F`` then a reviewed universal statement of T (own or inherited,
    ontology/reviewed_inheritance.tsv) says ``R' some F'`` with R' ⊑ R and a named F' ⊑ F. So no
    association, no inherited treatment and no member of an "or" becomes a claim about every T."""
    _java_or_skip()
    import csv
    from collections import defaultdict

    from rdflib import URIRef
    from rdflib.namespace import OWL, RDFS

    from calcinosis_kg.checks.negative_entailments import probe_iris, start

    g, named, types = _built_classes()
    relations = _iris(
        "RO:0004026 RO:0004029 RO:0002200 RO:0004022 RO:0002162 RO:0002302 CCKG:0001001 "
        "RO:0003302 RO:0003308"
    )
    items = [
        NegativeEntailment(t, "sweep", prop=r, filler=f)
        for t in types
        for r in relations
        for f in named
    ]
    run = start(_load(), items=items)
    reasoned = run.wait()
    probes = probe_iris(items)
    entailed = {
        (i.subclass, i.prop, i.filler)
        for i in items
        if reasoned.entails(i.subclass, probes[i.probe_key])
    }

    def ancestors(node: str, pred) -> set[str]:
        return {str(a) for a in g.transitive_objects(URIRef(node), pred) if isinstance(a, URIRef)}

    reviewed: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with (ontology_dir() / "reviewed_inheritance.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if not row["filler"].startswith("(") and " " not in row["filler"]:
                # a union, nested expression or "only owl:Nothing" names no F
                reviewed[expand(row["class"])].add((expand(row["property"]), expand(row["filler"])))
    unexplained = sorted(
        (t, r, f)
        for t, r, f in entailed
        if f != str(OWL.Thing)
        and not any(
            r in ancestors(r2, RDFS.subPropertyOf) and f in ancestors(f2, RDFS.subClassOf)
            for r2, f2 in reviewed[t]
        )
    )
    assert entailed and not unexplained, unexplained[:10]


# --- each kind of entry, planted on fresh test classes (one class per entry, so the failure's
# entity says which entry was reported) ----------------------------------------------------------
T = "https://w3id.org/calcinosis-kg/CCKG_99000"
SCALP, FACE, DILTIAZEM = (expand(c) for c in ("UBERON:0000403", "UBERON:0001456", "CHEBI:101278"))
LOCATED, TREATED_BY = expand("RO:0004026"), expand("RO:0002302")
PLANTED_KINDS = (
    PREFIXES
    + "".join(f"<{T}{n:02d}> a owl:Class .\n" for n in range(1, 10))
    + f"""
<{T}01> rdfs:subClassOf CCKG:0000001 .
<{T}02> rdfs:subClassOf [ a owl:Restriction ; owl:onProperty [ owl:inverseOf RO:0002302 ] ;
                          owl:someValuesFrom CHEBI:101278 ] .
<{T}03> rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0002302 ;
                          owl:someValuesFrom CHEBI:101278 ] .
<{T}04> rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;
                          owl:someValuesFrom UBERON:0001456 ] .
<{T}05> rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;
                          owl:someValuesFrom UBERON:0000403 ] .
<{T}06> rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;
                          owl:someValuesFrom CHEBI:101278 ] .
"""
)


def _entries() -> dict[str, NegativeEntailment]:
    """Entry per planted class: which ones HermiT must report is what the tests below assert."""
    union = (SCALP, FACE)  # sorted: the face is the second member
    return {
        "01": NegativeEntailment(T + "01", "superclass", superclass=expand("CCKG:0000001")),
        "07": NegativeEntailment(T + "07", "superclass", superclass=expand("CCKG:0000001")),
        "02": NegativeEntailment(
            T + "02", "inverse", prop=TREATED_BY, filler=DILTIAZEM, inverse=True
        ),
        "03": NegativeEntailment(
            T + "03", "inverse", prop=TREATED_BY, filler=DILTIAZEM, inverse=True
        ),
        "02f": NegativeEntailment(T + "02", "forward", prop=TREATED_BY, filler=DILTIAZEM),
        "04": NegativeEntailment(T + "04", "union", prop=LOCATED, filler=union),
        "05": NegativeEntailment(T + "05", "union", prop=LOCATED, filler=union),
        "06": NegativeEntailment(T + "06", "union", prop=LOCATED, filler=union),
        "08": NegativeEntailment(T + "08", "unknown", superclass=expand("CCKG:9999999")),
        "09": NegativeEntailment(
            T + "09", "unknown", prop=LOCATED, filler=(SCALP, expand("UBERON:9999998"))
        ),
    }


@pytest.fixture(scope="module")
def planted_kinds(tmp_path_factory) -> dict[str, list[str]]:
    """One HermiT run over the bundled ontology + PLANTED_KINDS: reasons by planted class."""
    _java_or_skip()
    from calcinosis_kg.checks.negative_entailments import merge_into, start
    from calcinosis_kg.checks.results import StageResult

    planted = tmp_path_factory.mktemp("kinds") / "planted.ttl"
    planted.write_text(PLANTED_KINDS, encoding="utf-8")
    kg = _load(planted)
    stage = merge_into(
        StageResult("reasoning", ok=True), kg, start(kg, items=list(_entries().values()))
    )
    reasons: dict[str, list[str]] = {}
    for failure in stage.failures:
        reasons.setdefault(failure.entity.removeprefix("CCKG:99000"), []).append(failure.reason)
    reasons["counts"] = [f"{k}={v}" for k, v in sorted(stage.counts.items())]
    return reasons


def test_a_derived_superclass_entry_is_reported(planted_kinds) -> None:
    assert any("must not follow" in r for r in planted_kinds["01"])
    assert "07" not in planted_kinds  # a class that is not under it is not reported


def test_an_inverse_entry_is_reported_only_for_the_inverse_restriction(planted_kinds) -> None:
    assert [r for r in planted_kinds["02"] if "must not follow" in r and "inverse(" in r]
    # the forward entry of the same class and the inverse entry of a forward restriction hold
    assert not [r for r in planted_kinds["02"] if "inverse(" not in r]
    assert "03" not in planted_kinds


def test_a_union_filler_is_entailed_by_any_member_not_read_as_its_first(planted_kinds) -> None:
    assert any("must not follow" in r for r in planted_kinds["04"])  # face: the second member
    assert any("must not follow" in r for r in planted_kinds["05"])  # scalp: the first member
    assert "06" not in planted_kinds  # neither member


def test_names_not_in_the_ontology_are_reported(planted_kinds) -> None:
    assert planted_kinds["08"] == [
        "negative entailment names CCKG:9999999, which is not in the ontology"
    ]
    assert planted_kinds["09"] == [
        "negative entailment names UBERON:9999998, which is not in the ontology"
    ]
    assert "violated=6" in planted_kinds["counts"] and "negative=10" in planted_kinds["counts"]


def test_inverse_and_union_fillers_are_read_from_the_file(tmp_path) -> None:
    path = tmp_path / NEGATIVE_FILE
    path.write_text(
        "- {subclass: CCKG:0000001, property: RO:0002302, filler: CHEBI:101278,"
        " inverse: true, why: a}\n"
        "- {subclass: CCKG:0000001, property: RO:0004026,"
        " filler: {or: [UBERON:0001456, UBERON:0000403]}, why: b}\n"
        "- {subclass: CCKG:0000001, superclass: CCKG:0000002, why: c}\n",
        encoding="utf-8",
    )
    inverse, union, sup = load_negative(path)
    assert (inverse.prop, inverse.filler, inverse.inverse) == (TREATED_BY, DILTIAZEM, True)
    assert union.filler == (SCALP, FACE) and union.inverse is False
    assert sup.superclass == expand("CCKG:0000002") and sup.probe_key is None


def test_an_entry_with_neither_superclass_nor_filler_is_a_one_line_input_error(tmp_path) -> None:
    from calcinosis_kg.core.errors import InputError

    path = tmp_path / NEGATIVE_FILE
    path.write_text("- {subclass: CCKG:0000001, property: RO:0002302, why: a}\n", encoding="utf-8")
    with pytest.raises(InputError, match="entry 1"):
        load_negative(path)
