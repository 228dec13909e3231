"""The local import module: the external terms we reference, with labels, synonyms and mappings.

Why a module of its own: ``ontology/src/imports.yaml`` lists the external classes and properties
(MONDO, HP, UBERON …) the ontology uses, with their labels (and the parents we rely on), so that
the graph is readable and reasonable offline; it compiles into its own ontology
(``imports/external_import.ttl``), which the main ontology imports.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import expand, header
from calcinosis_kg.core.serialize import bind_prefixes
from calcinosis_kg.core.vocab import (
    IAO_IMPORTED_FROM,
    OBO,
    OIO_HAS_DBXREF,
    OWL_ANNOTATED_PROPERTY,
    OWL_ANNOTATED_SOURCE,
    OWL_ANNOTATED_TARGET,
    SYNONYM_SCOPES,
)
from calcinosis_kg.source.compiler import DC_TITLE, IAO_DEFINITION
from calcinosis_kg.source.mappings import add_mapping
from calcinosis_kg.source.yamlfiles import line_of, load_yaml


def compile_imports(path: Path) -> Graph:
    """The local import module: external terms with their labels (and parents we rely on)."""
    data = load_yaml(path)
    g = Graph()
    bind_prefixes(g)
    meta = header()["ontology"]
    imp = meta["imports"][0]
    onto = URIRef(imp["iri"])
    g.add((onto, RDF.type, OWL.Ontology))
    g.add(
        (
            onto,
            OWL.versionIRI,
            URIRef(imp["iri"].replace("/imports/", f"/releases/{meta['version']}/imports/")),
        )
    )
    g.add((onto, DC_TITLE, Literal("calcinosis-kg import module (external terms)")))
    kinds = {
        "class": OWL.Class,
        "object_property": OWL.ObjectProperty,
        "data_property": OWL.DatatypeProperty,
        "annotation_property": OWL.AnnotationProperty,
    }
    for index, entry in enumerate(data.get("terms") or [], start=1):
        try:
            node = URIRef(expand(entry["id"]))
            g.add((node, RDF.type, kinds[entry.get("type", "class")]))
            g.add((node, RDFS.label, Literal(entry["label"])))
            for parent in entry.get("parents", []):
                pred = (
                    RDFS.subPropertyOf if entry.get("type", "class") != "class" else RDFS.subClassOf
                )
                g.add((node, pred, URIRef(expand(parent))))
            if "definition" in entry:
                g.add((node, IAO_DEFINITION, Literal(entry["definition"])))
            if "source" in entry:
                g.add((node, URIRef(IAO_IMPORTED_FROM), Literal(entry["source"])))
            for xref in entry.get("xrefs", []):
                add_mapping(g, node, xref)
            for synonym in entry.get("synonyms", []):
                _add_synonym(g, node, synonym)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"imports[{index}]: {exc!s}", path, line_of(path, entry.get("id"))
            ) from exc
    return g


_SCOPE_PROPERTIES = {scope: prop for prop, scope in SYNONYM_SCOPES.items()}


def _add_synonym(g: Graph, node: URIRef, synonym: dict) -> None:
    """An oboInOwl synonym of an external term, annotated with the verified source it comes from."""
    if (
        str(node).startswith(f"{OBO}UBERON_")
        and synonym["scope"] == "exact"
        and not synonym.get("evidence")
    ):
        raise ValueError(
            f"synonym {synonym['text']!r}: an UBERON exact synonym (an everyday "
            "name on the card) needs its evidence (the UBERON file it was read from)"
        )
    prop = URIRef(_SCOPE_PROPERTIES[synonym["scope"]])
    text = Literal(synonym["text"])
    g.add((node, prop, text))
    axiom = BNode()
    g.add((axiom, RDF.type, OWL.Axiom))
    g.add((axiom, URIRef(OWL_ANNOTATED_SOURCE), node))
    g.add((axiom, URIRef(OWL_ANNOTATED_PROPERTY), prop))
    g.add((axiom, URIRef(OWL_ANNOTATED_TARGET), text))
    g.add((axiom, URIRef(OIO_HAS_DBXREF), Literal(synonym["source"])))
