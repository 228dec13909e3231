"""Shared by the consumer tests: what a release file says (read with rdflib, the reference every
consumer is compared with), the classes sampled across the ontology, and the Java harnesses
(OWL API, jsonld-java) compiled against Debian's jars."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import rdflib
from java_jars import jar_paths  # one jar list for the tests and benchmarks
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

ROOT = Path(__file__).resolve().parent.parent
CONSUMERS = ROOT / "tests" / "consumers"
CONSUMER_VENV = ROOT / ".venv-consumers"
NS = "https://w3id.org/calcinosis-kg/CCKG_"
OBO = "http://purl.obolibrary.org/obo/"
BIOLINK = "https://w3id.org/biolink/vocab/"
IAO_DEFINITION = rdflib.URIRef(OBO + "IAO_0000115")
IAO_REPLACED_BY = rdflib.URIRef(OBO + "IAO_0100001")
SYNONYMS = {
    rdflib.URIRef("http://www.geneontology.org/formats/oboInOwl#has" + s + "Synonym"): s
    for s in ("Exact", "Related", "Broad", "Narrow")
}


def curie(iri: str) -> str:
    """An IRI as a CURIE: OBO PURLs by their ID space, others by the curated prefix map
    (anything else unchanged)."""
    from calcinosis_kg.core.prefixes import compress

    if iri.startswith(OBO) and "_" in iri:
        prefix, local = iri[len(OBO) :].split("_", 1)
        return f"{prefix}:{local}"
    return compress(iri) if iri.startswith("http") else iri


def expand(text: str) -> str:
    from calcinosis_kg.core.prefixes import expand as expand_curie

    return expand_curie(text)


@dataclass
class ClassFacts:
    """What the reference file says of one named class (CURIEs throughout)."""

    label: str = ""
    parents: set[str] = field(default_factory=set)
    relations: set[tuple[str, str]] = field(default_factory=set)
    definition: str = ""
    synonyms: set[tuple[str, str]] = field(default_factory=set)
    disjoint: set[str] = field(default_factory=set)
    union_restrictions: int = 0  # C ⊑ p some (A or B …)
    expression_equivalences: int = 0  # C ≡ (class expression)
    obsolete: bool = False
    replaced_by: set[str] = field(default_factory=set)  # IAO:0100001


@dataclass
class Reference:
    classes: dict[str, ClassFacts]
    individuals: set[str]
    associations: set[tuple[str, str, str]]  # (subject, predicate, object) of the records
    union_members: set[str] = field(default_factory=set)  # A, B of some C ⊑ p some (A or B)


def reference(path: Path) -> Reference:
    """Every named class of a Turtle release file, as rdflib reads it."""
    g = rdflib.Graph().parse(path)
    classes: dict[str, ClassFacts] = {}
    union_members: set[str] = set()
    for cls in {s for s in g.subjects(RDF.type, OWL.Class) if isinstance(s, rdflib.URIRef)}:
        facts = ClassFacts(
            label=str(g.value(cls, RDFS.label) or ""),
            definition=str(g.value(cls, IAO_DEFINITION) or ""),
        )
        for o in g.objects(cls, RDFS.subClassOf):
            if isinstance(o, rdflib.URIRef):
                facts.parents.add(curie(str(o)))
                continue
            p, c = g.value(o, OWL.onProperty), g.value(o, OWL.someValuesFrom)
            if isinstance(p, rdflib.URIRef) and isinstance(c, rdflib.URIRef):
                facts.relations.add((curie(str(p)), curie(str(c))))
            elif c is not None and (members := g.value(c, OWL.unionOf)) is not None:
                facts.union_restrictions += 1
                union_members.update(curie(str(m)) for m in Collection(g, members))
        facts.disjoint = {curie(str(o)) for o in g.objects(cls, OWL.disjointWith)}
        facts.obsolete = (cls, OWL.deprecated, rdflib.Literal(True)) in g
        facts.replaced_by = {curie(str(o)) for o in g.objects(cls, IAO_REPLACED_BY)}
        facts.synonyms = {
            (str(v), scope) for prop, scope in SYNONYMS.items() for v in g.objects(cls, prop)
        }
        facts.expression_equivalences = sum(
            isinstance(o, rdflib.BNode) for o in g.objects(cls, OWL.equivalentClass)
        )
        classes[curie(str(cls))] = facts
    for axiom in g.subjects(RDF.type, OWL.AllDisjointClasses):
        members = [curie(str(m)) for m in Collection(g, g.value(axiom, OWL.members))]
        for member in members:
            if member in classes:
                classes[member].disjoint |= set(members) - {member}
    for cls, facts in classes.items():  # disjointness is symmetric
        for other in facts.disjoint:
            if other in classes:
                classes[other].disjoint.add(cls)
    individuals = {curie(str(s)) for s in g.subjects(RDF.type, OWL.NamedIndividual)}
    records = set()
    for record in g.subjects(RDF.type, rdflib.URIRef(BIOLINK + "Association")):
        ends = [
            g.value(record, rdflib.URIRef(BIOLINK + x)) for x in ("subject", "predicate", "object")
        ]
        records.add(tuple(curie(str(e)) for e in ends))
    return Reference(classes, individuals, records, union_members)  # type: ignore[arg-type]


def sample(ref: Reference) -> list[str]:
    """Classes across the ontology: for every hundred-block of our IDs (types, causes, anatomy,
    materials, findings, exposures, defined classes, case classes) the first class with a named
    parent and, where the block has one, the first with a relationship; plus external classes
    that have a relationship or parent in the file."""
    chosen: list[str] = []
    ours = sorted(c for c in ref.classes if c.startswith("CCKG:"))
    for block in sorted({c[:-2] for c in ours}):
        members = [c for c in ours if c.startswith(block)]
        for wanted in (lambda f: bool(f.relations), lambda f: bool(f.parents)):
            found = next((c for c in members if wanted(ref.classes[c]) and c not in chosen), None)
            if found:
                chosen.append(found)
    external = sorted(
        c
        for c in ref.classes
        if not c.startswith(("CCKG:", "http"))
        and (ref.classes[c].relations or ref.classes[c].parents)
    )
    chosen += external[:3]
    # what a reader could get wrong: a class whose statements are only association records (ours
    # and external), a union member, an obsolete class with its replacement
    subjects = {s for s, _, _ in ref.associations}
    for wanted in (
        lambda k: k.startswith("CCKG:") and k in subjects and not ref.classes[k].relations,
        lambda k: not k.startswith("CCKG:") and k in subjects,
        lambda k: k in ref.union_members,
        lambda k: bool(ref.classes[k].replaced_by),
    ):
        found = next((c for c in sorted(ref.classes) if wanted(c) and c not in chosen), None)
        if found:
            chosen.append(found)
    return chosen


# --- Java harnesses ------------------------------------------------------------------------


def compile_java(
    out: Path,
    source: str,
    jar_names: tuple[str, ...],
    rdf4j: bool = False,
) -> list[str]:
    """``java -cp … MAIN`` for ``tests/consumers/SOURCE.java``, compiled against Debian's jars
    (skips, loudly, when they are not installed)."""
    jars = jar_paths(jar_names, rdf4j)
    missing = [str(j) for j in jars if not j.exists()]
    if missing or not shutil.which("javac"):
        pytest.skip(
            f"LOUD: Java consumer not installed ({source}): {missing[:3]} — run "
            "scripts/install-system-deps.sh"
        )
    classpath = ":".join(str(j) for j in jars)
    subprocess.run(
        ["javac", "-cp", classpath, "-d", str(out), str(CONSUMERS / f"{source}.java")],
        check=True,
        timeout=180,
    )
    return ["java", "-cp", f"{out}:{classpath}", source]


def tab_facts(stdout: str) -> dict[str, list[list[str]]]:
    """``key<TAB>value…`` lines of a harness, grouped by key."""
    facts: dict[str, list[list[str]]] = {}
    for line in stdout.splitlines():
        key, *values = line.split("\t")
        facts.setdefault(key, []).append(values)
    return facts


def consumer_python() -> str:
    python = CONSUMER_VENV / "bin" / "python"
    if not python.exists():
        pytest.skip(
            "LOUD: .venv-consumers missing (OAK, KGX, PyLD): run "
            "`bash scripts/install-consumers.sh` (make test does)"
        )
    return str(python)
