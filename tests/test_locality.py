"""⊥-locality modules (checks/locality.py) and the negative-entailment probe run on them.

The probe run classifies only the module of the loaded graph for the entries' names. These tests
hold that this changes no answer: a wrong axiom planted deep in a large user ontology merged with
ours is still caught, the bundled ontology gives the same answers as a probe copy of the whole
graph, and a large merged ontology that cannot touch the entries adds nothing to the module.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_kg.checks import locality
from calcinosis_kg.checks.explain import Axioms
from calcinosis_kg.checks.negative_entailments import (
    NEGATIVE_FILE,
    NegativeEntailment,
    load_negative,
    probe_graph,
    probe_iris,
    start,
    violations,
)
from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.core.resources import default_ontology_files, ontology_dir

PREFIXES = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/user#> .
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix RO: <http://purl.obolibrary.org/obo/RO_> .
@prefix CHEBI: <http://purl.obolibrary.org/obo/CHEBI_> .
"""
EX = "http://example.org/user#"


def _java_or_skip():
    from calcinosis_kg.checks.java import find_java

    if find_java() is None:
        pytest.skip("Java not available for HermiT")


def _load(*extra: Path):
    from calcinosis_kg.graph.knowledge import load

    return load([*default_ontology_files(), *extra])


def _items():
    return load_negative(ontology_dir() / NEGATIVE_FILE)


def _large_user_ontology(path: Path, classes: int = 3000, planted: str = "") -> Path:
    """A user ontology: a deep chain of labelled classes, using our relations and classes as
    fillers and as superclasses (all below our names, so none can change an entry's answer)."""
    lines = [PREFIXES, "ex:r a owl:ObjectProperty ."]
    for i in range(classes):
        lines.append(
            f'ex:C{i} a owl:Class ; rdfs:label "user class {i}" ; '
            f"rdfs:subClassOf ex:C{max(i - 1, 0)} ."
        )
        if i % 3 == 0:
            lines.append(
                f"ex:C{i} rdfs:subClassOf [ a owl:Restriction ; owl:onProperty "
                "RO:0002302 ; owl:someValuesFrom CHEBI:101278 ] ."
            )
        if i % 7 == 0:
            lines.append(f"ex:C{i} rdfs:subClassOf CCKG:0000001 .")
        if i % 11 == 0:
            lines.append(f"ex:C{i} owl:disjointWith CCKG:0000006 .")
    lines.append(planted)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


#: a wrong axiom four steps away from our names: calcinosis cutis ⊑ ex:A ⊑ ex:B ⊑ ex:s some
#: diltiazem, ex:s ⊑ "is treated by": so every subtype "is treated by diltiazem" follows
PLANTED = """
ex:s a owl:ObjectProperty ; rdfs:subPropertyOf RO:0002302 .
ex:B rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:s ; owl:someValuesFrom CHEBI:101278 ] .
ex:A rdfs:subClassOf ex:B .
CCKG:0000001 rdfs:subClassOf ex:A .
"""


def test_a_wrong_axiom_planted_deep_in_a_large_merged_ontology_is_caught(tmp_path):
    _java_or_skip()
    user = _large_user_ontology(tmp_path / "user.ttl", planted=PLANTED)
    kg = _load(user)
    run = start(kg, ontology_dir() / NEGATIVE_FILE)
    assert run is not None
    found = violations(run.items, run.probes, run.wait())
    assert any(
        i.subclass == expand("CCKG:0000006") and i.prop == expand("RO:0002302") for i in found
    )
    # the planted chain is in the module, the 3,000 unrelated classes are not
    assert {EX + "A", EX + "B", EX + "s"} <= run.module.signature
    assert not any(name.startswith(EX + "C") for name in run.module.signature)


def test_a_large_merged_ontology_that_cannot_touch_the_entries_adds_nothing_to_the_probe_run(
    tmp_path,
):
    items = _items()
    probes = probe_iris(items)
    bundled = _load()
    alone, alone_module = probe_graph(bundled, items, probes)
    user = _large_user_ontology(tmp_path / "user.ttl")
    merged_kg = _load(user)
    merged, merged_module = probe_graph(merged_kg, items, probes)
    assert len(merged_kg.store) > len(bundled.store) + 12_000
    # HermiT's probe input is the same size with 3,000 classes (≈13,700 triples) merged
    assert len(merged.store) == len(alone.store)
    assert merged_module.signature == alone_module.signature
    assert merged_module.total_axioms > alone_module.total_axioms + 4000


def test_bundled_answers_are_those_of_a_probe_copy_of_the_whole_graph():
    """Every class of ours against every probe of the file: the module and the whole graph give
    the same answer for each (some hold, most do not)."""
    _java_or_skip()
    import pyoxigraph as ox

    from calcinosis_kg.checks import hermit
    from calcinosis_kg.checks.negative_entailments import probe_triples
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

    kg = _load()
    keys = list(dict.fromkeys(i.probe_key for i in _items() if i.probe_key))
    ours = sorted(s for s in Axioms.of(kg).triples if s.startswith(expand("CCKG:")))
    items = [
        NegativeEntailment(c, "", prop=p, filler=f, inverse=inv)
        for c in ours
        for (p, f, inv) in keys
    ]
    probes = probe_iris(items)
    run = start(kg, items=items)
    assert run is not None
    from_module = {(i.subclass, i.probe_key) for i in violations(items, probes, run.wait())}
    store = ox.Store()
    store.extend(kg.store)
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in probe_triples(probes))
    whole = hermit.reason(KnowledgeGraph(files=list(kg.files), _store=store, _digest="whole"))
    from_whole = {(i.subclass, i.probe_key) for i in violations(items, probes, whole)}
    assert from_module == from_whole
    assert 0 < len(from_whole) < len(items)


def test_module_keeps_what_is_above_the_seed_and_leaves_what_is_below(tmp_path):
    path = tmp_path / "o.ttl"
    path.write_text(
        PREFIXES
        + """
ex:Below rdfs:subClassOf ex:A .
ex:A rdfs:subClassOf ex:Up .
ex:Up rdfs:subClassOf [ a owl:Restriction ; owl:onProperty ex:r ; owl:someValuesFrom ex:F ] .
ex:r a owl:ObjectProperty ; rdfs:subPropertyOf ex:q ; rdfs:domain ex:D .
ex:Other owl:disjointWith ex:A .
ex:Def owl:equivalentClass [ a owl:Restriction ; owl:onProperty ex:q ; owl:someValuesFrom ex:F ] .
ex:Def rdfs:subClassOf ex:Target .
ex:Lone rdfs:subClassOf ex:Nowhere .
ex:i a ex:Lone ; ex:r ex:j .
""",
        encoding="utf-8",
    )
    from calcinosis_kg.graph.knowledge import load

    m = locality.module(Axioms.of(load([path])).triples, [EX + "A"])
    names = {n.removeprefix(EX) for n in m.signature}
    # upward: superclasses, the restriction's property and filler, the property's ancestors and
    # domain, and a defined class over those names (∃q.F ⊑ Target can follow from it)
    assert {"A", "Up", "r", "F", "q", "D", "Def", "Target"} <= names
    # a property assertion is never local: kept with its individuals and their types' ancestors
    assert {"i", "j", "Lone", "Nowhere"} <= names
    # below the seed, or disjoint with it from outside: cannot change an entailment over the seed
    assert not {"Below", "Other"} & names
