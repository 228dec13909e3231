"""Compile the curated YAML/TSV source (``ontology/src``) into OWL 2 (Turtle): the orchestration.

The source is what curators edit and review in diffs: ``header.yaml`` (ontology header, prefixes),
``terms/*.yaml`` (our classes, properties, individuals and their axioms; ``compiler``),
``imports.yaml`` (the external terms we reference, with their labels; ``imports``) and
``facts.tsv`` (the fact ledger: every atomic fact with its source and verbatim supporting quote;
``facts``) and ``associations.yaml`` (association records; ``associations``). ``build`` runs
them in order and ``write_build`` writes the two generated Turtle files atomically and
byte-deterministically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.core import vocab
from calcinosis_kg.core.prefixes import header
from calcinosis_kg.core.resources import import_module_file, ontology_file, source_dir
from calcinosis_kg.core.serialize import to_turtle, write_atomic
from calcinosis_kg.source.associations import FILE as ASSOCIATIONS_FILE
from calcinosis_kg.source.associations import add_associations
from calcinosis_kg.source.compiler import DC_TITLE, Compiler
from calcinosis_kg.source.facts import Fact, load_facts
from calcinosis_kg.source.imports import compile_imports
from calcinosis_kg.source.yamlfiles import load_yaml

__all__ = ["BuildResult", "Fact", "build", "load_facts", "write_build"]


@dataclass
class BuildResult:
    """The compiled ontology and import module, the fact ledger, and which entry used each fact."""

    ontology: Graph
    imports: Graph
    facts: dict[str, Fact]
    fact_uses: dict[str, list[str]] = field(default_factory=dict)


def build(src: Path | None = None) -> BuildResult:
    """Compile the source folder into the ontology graph and the import-module graph."""
    src = Path(src) if src else source_dir()
    facts = load_facts(src / "facts.tsv")
    compiler = Compiler(facts)
    add_header(compiler.graph)
    for path in sorted((src / "terms").glob("*.yaml")):
        compiler.add_terms_file(path, load_yaml(path))
    imports = compile_imports(src / "imports.yaml")
    add_associations(compiler, src / ASSOCIATIONS_FILE, imports)
    return BuildResult(compiler.graph, imports, facts, compiler.fact_uses)


def write_build(
    result: BuildResult, ontology_path: Path | None = None, imports_path: Path | None = None
) -> list[Path]:
    """Write the generated Turtle files (atomically, deterministically)."""
    ontology_path = ontology_path or ontology_file()
    imports_path = imports_path or import_module_file()
    write_atomic(ontology_path, to_turtle(result.ontology))
    write_atomic(imports_path, to_turtle(result.imports))
    return [ontology_path, imports_path]


def add_header(g: Graph) -> None:
    """The ontology's own triples (IRI, version, title, licence, imports) and a title and label
    for each cited source, all from ``header.yaml``: curators edit them there, never in code."""
    meta = header()["ontology"]
    onto = URIRef(meta["iri"])
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, OWL.versionIRI, URIRef(meta["version_iri"])))
    g.add((onto, OWL.versionInfo, Literal(meta["version"])))
    g.add((onto, DC_TITLE, Literal(meta["title"])))
    g.add((onto, URIRef(vocab.DC_DESCRIPTION), Literal(meta["description"])))
    g.add((onto, URIRef(vocab.DC_LICENSE), URIRef(meta["license"])))
    g.add((onto, URIRef(vocab.DC_CREATOR), Literal(meta["creator"])))
    for imp in meta.get("imports", []):
        g.add((onto, OWL.imports, URIRef(imp["iri"])))
    for key, source in header().get("sources", {}).items():
        node = URIRef(source["iri"])
        g.add((node, DC_TITLE, Literal(source["title"])))
        g.add((node, RDFS.label, Literal(f"source: {key.lower()}")))
