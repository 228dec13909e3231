"""Release artifacts in the ODK mould: base, full and simple, each in six formats.

* ``base``: our axioms only (no import module, no axioms about external classes), reasoned over
  our own classes, marked ``dc:type IAO:8000001``: what other ontologies import.
* ``full``: the import module merged in and the reasoner's inferred class hierarchy asserted,
  transitively reduced.
* ``simple``: named-class hierarchy plus ``subClassOf some`` edges between named classes, without
  equivalence, disjointness, class expressions, individuals, data assertions or axiom
  annotations, for naive consumers.

What each variant holds is defined in ``publish.variants``. Every file is a pure function of the
input files: the release date comes from the ontology header's version (never the clock) and
every writer orders its output, so two runs (under any ``PYTHONHASHSEED``) are byte-identical.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.core.serialize import to_ntriples, to_turtle, write_atomic
from calcinosis_kg.core.vocab import DC_ISSUED, OIO_DATE, OIO_IS_INFERRED, SH
from calcinosis_kg.graph.knowledge import parse_rdflib
from calcinosis_kg.publish import kgx, obo, obographs, variants
from calcinosis_kg.publish import sssom as sssom_export
from calcinosis_kg.publish.export import JSONLD_EXTRA_PREFIXES, jsonld_context, to_jsonld, to_rdfxml
from calcinosis_kg.publish.release_info import STEM, ReleaseInfo, release_info

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from calcinosis_kg.graph.knowledge import KnowledgeGraph

VARIANTS = ("base", "full", "simple")
#: ODK's main release file (``calcinosis-kg.owl`` …): the full variant under the ontology's own
#: IRI and version IRI, in the formats ODK ships it
MAIN = "main"
MAIN_FORMATS = ("owl", "obo", "json")
OWN_PREFIX = "CCKG"
FORMATS = ("ttl", "owl", "nt", "jsonld", "json", "obo")


@dataclass
class ReleaseResult:
    """What ``release`` wrote: every file, and triple counts per variant."""

    output: Path
    info: ReleaseInfo
    files: list[Path] = field(default_factory=list)
    triples: dict[str, int] = field(default_factory=dict)
    inferred: int = 0
    mappings: int = 0
    kgx_nodes: int = 0
    kgx_edges: int = 0


# --- splitting the loaded files into our ontology and its import modules ------------------------
def split_modules(kg: KnowledgeGraph) -> tuple[Graph, Graph]:
    """(our axioms, import modules): a file whose ontology IRI another file imports is a module."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF

    parsed = [(path, parse_rdflib(path)) for path in kg.files]
    imported: set[URIRef] = set()
    for _, graph in parsed:
        imported.update(o for o in graph.objects(None, OWL.imports) if isinstance(o, URIRef))
    ours, modules = Graph(), Graph()
    for _, graph in parsed:
        heads = set(graph.subjects(RDF.type, OWL.Ontology))
        target = modules if heads and heads <= imported else ours
        for triple in graph:
            target.add(triple)
    return ours, modules


def _retitle(graph: Graph, info: ReleaseInfo, variant: str) -> Graph:
    """Give ``graph`` one ontology header: the variant's IRI, version IRI and release date
    (``variant`` MAIN: the ontology's own IRI and version IRI, as ODK's main release file)."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import OWL, RDF, XSD

    old_heads = set(graph.subjects(RDF.type, OWL.Ontology))
    main = URIRef(info.ontology_iri)
    new = main if variant == MAIN else URIRef(info.variant_iri(variant))
    version = info.version_iri if variant == MAIN else info.variant_version_iri(variant)
    out = Graph()
    for s, p, o in graph:
        if s in old_heads:
            if (s != main and len(old_heads) > 1) or p in (OWL.imports, OWL.versionIRI):
                continue  # merged modules lose their header; imports are merged or dropped
            s = new
        out.add((s, p, o))
    out.add((new, RDF.type, OWL.Ontology))
    out.add((new, OWL.versionIRI, URIRef(version)))
    year, month, day = info.date.split("-")
    out.add((new, URIRef(OIO_DATE), Literal(f"{day}:{month}:{year} 00:00")))
    out.add((new, URIRef(DC_ISSUED), Literal(info.date, datatype=XSD.date)))
    _declare_own_prefix(out, new)
    return out


def _declare_own_prefix(graph: Graph, head: Node) -> None:
    """``sh:declare [sh:prefix "CCKG"; sh:namespace …]`` on the header: the W3C place for a
    prefix an RDF file's consumers need (the shipped context and the OBO idspace say the same)."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    declaration = BNode()
    graph.add((head, URIRef(SH + "declare"), declaration))
    graph.add((declaration, URIRef(SH + "prefix"), Literal(OWN_PREFIX)))
    graph.add(
        (
            declaration,
            URIRef(SH + "namespace"),
            Literal(prefix_map()[OWN_PREFIX], datatype=XSD.anyURI),
        )
    )


def prefix_files() -> dict[str, bytes]:
    """The curated prefix map as shipped with the release, in three files:

    * ``…prefixes.json``: a flat prefix map (KGX, curies, sssom-py);
    * ``…context.jsonld``: a JSON-LD 1.1 context with every curated prefix. A namespace that does
      not end in ``:/?#[]@`` (``CCKG``, ``MONDO`` … end in ``_``) is a prefix in JSON-LD 1.1 only
      with ``"@prefix": true``, so those are expanded term definitions; ``"@version": 1.1`` makes
      a JSON-LD 1.0 processor refuse it instead of leaving ``CCKG:0000001`` unexpanded;
    * ``…context-1.0.jsonld``: the JSON-LD 1.0 context the ``.jsonld`` files embed: only the
      prefixes that end in a gen-delim, which every processor expands (CURIEs are written
      ``cckg:CCKG_0000001``, ``obo:MONDO_0005100``).
    """
    import json

    prefixes = prefix_map()
    dump = lambda data: (json.dumps(data, indent=1) + "\n").encode("utf-8")  # noqa: E731
    context_11: dict[str, object] = {"@version": 1.1}
    for prefix, ns in {**JSONLD_EXTRA_PREFIXES, **prefixes}.items():
        context_11[prefix] = ns if ns[-1] in GEN_DELIMS else {"@id": ns, "@prefix": True}
    return {
        f"{STEM}.prefixes.json": dump(prefixes),
        f"{STEM}.context.jsonld": dump({"@context": context_11}),
        f"{STEM}.context-1.0.jsonld": dump({"@context": jsonld_context()}),
    }


GEN_DELIMS = ":/?#[]@"


# --- the three variants --------------------------------------------------------------------------
def inferred_hierarchy(kg: KnowledgeGraph) -> Graph:
    """The reasoner's inferred subClassOf edges (``checks.inferred``; imported here, not at the
    top, so ``--help`` does not load the reasoner's modules)."""
    from calcinosis_kg.checks.inferred import inferred_graph

    return inferred_graph(kg)


def _base(ours: Graph, inferred: Graph, info: ReleaseInfo) -> Graph:
    own = variants.without_external_axioms(ours)
    own = _union(own, variants.marked_inferred(inferred, ours, subjects="ours"))
    base = _retitle(own, info, "base")
    return variants.declare_entities(variants.mark_base(base))


def full_graph(
    kg: KnowledgeGraph, info: ReleaseInfo | None = None, inferred: Graph | None = None
) -> Graph:
    """Import modules merged and the inferred class hierarchy asserted."""
    ours, modules = split_modules(kg)
    info = info or release_info(ours, str(kg.files[0]))
    inferred = inferred if inferred is not None else inferred_hierarchy(kg)
    return _full(ours, modules, inferred, info)["full"]


def _full(
    ours: Graph,
    modules: Graph,
    inferred: Graph,
    info: ReleaseInfo,
    variants_wanted: tuple[str, ...] = ("full",),
) -> dict[str, Graph]:
    """The full graph under each header of ``variants_wanted`` ("full", MAIN)."""

    merged = _union(ours, modules)
    merged = _union(merged, variants.marked_inferred(inferred, merged))
    reduced, _ = variants.transitively_reduced(merged)
    return {
        name: variants.declare_entities(_retitle(reduced, info, name)) for name in variants_wanted
    }


def _union(*graphs: Graph) -> Graph:
    from rdflib import Graph

    merged = Graph()
    for graph in graphs:
        for triple in graph:
            merged.add(triple)
    return merged


def simple_graph(full: Graph) -> Graph:
    """Named-class hierarchy plus ``subClassOf (p some C)`` (named p, C); nothing else logical.

    Declarations, the header and annotation assertions of classes and properties stay;
    equivalence, disjointness, unions, intersections, data restrictions, individuals (association
    records included), data assertions and axiom annotations (owl:Axiom nodes) go.
    """
    from rdflib import BNode, Graph, Literal, URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    drop_named = {
        OWL.equivalentClass,
        OWL.disjointWith,
        OWL.complementOf,
        OWL.unionOf,
        OWL.intersectionOf,
        OWL.propertyChainAxiom,
        OWL.members,
        OWL.disjointUnionOf,
        OWL.inverseOf,
    }
    people = variants.individuals(full)
    data_properties = set(full.subjects(RDF.type, OWL.DatatypeProperty))
    out = Graph()
    kept_restrictions: set[BNode] = set()
    for s, p, o in full:
        if isinstance(s, BNode) or p in drop_named or s in people or o in people:
            continue
        if isinstance(o, Literal) and p in data_properties:
            continue
        if isinstance(o, BNode):
            if p != RDFS.subClassOf or not _simple_restriction(full, o):
                continue
            kept_restrictions.add(o)
        elif p in (RDFS.domain, RDFS.range) and not isinstance(o, URIRef):
            continue
        out.add((s, p, o))
    for node in kept_restrictions:
        for triple in full.triples((node, None, None)):
            out.add(triple)
    return variants.declare_entities(out)


def _simple_restriction(graph: Graph, node: Node) -> bool:
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF

    return (
        (node, RDF.type, OWL.Restriction) in graph
        and isinstance(graph.value(node, OWL.onProperty), URIRef)
        and isinstance(graph.value(node, OWL.someValuesFrom), URIRef)
        and len(set(graph.predicate_objects(node))) == 3
    )


# --- writers -------------------------------------------------------------------------------------
def writers() -> dict[str, Callable[[Graph], bytes]]:
    """Format suffix -> writer for the RDF formats (OBO lives in ``publish.obo``, OBO
    Graphs in ``publish.obographs``).

    RDF/XML and JSON-LD come from the toolchain's deterministic writers in ``export``.
    """

    return {"ttl": to_turtle, "owl": to_rdfxml, "nt": to_ntriples, "jsonld": to_jsonld}


def _publish(path: Path, data: bytes) -> None:
    """Write atomically, then give the file the usual umask mode (the temp file is 0600)."""

    write_atomic(path, data)
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)


# --- the release -------------------------------------------------------------------------------
def _build(
    kg: KnowledgeGraph, inferred: Graph | None
) -> tuple[ReleaseInfo, dict[str, Graph], Graph]:
    ours, modules = split_modules(kg)  # parsed once for all three variants
    info = release_info(ours, str(kg.files[0]))  # checked before the (slower) reasoner runs
    inferred = inferred if inferred is not None else inferred_hierarchy(kg)
    fulls = _full(ours, modules, inferred, info, ("full", MAIN))
    graphs = {
        "base": _base(ours, inferred, info),
        "full": fulls["full"],
        "simple": _retitle(simple_graph(fulls["full"]), info, "simple"),
        MAIN: fulls[MAIN],
    }
    return info, graphs, inferred


def release_graphs(kg: KnowledgeGraph, inferred: Graph | None = None) -> dict[str, Graph]:
    """The three variant graphs, keyed by variant name, and the main file's graph (MAIN)."""
    return _build(kg, inferred)[1]


def release(kg: KnowledgeGraph, output: Path | str, inferred: Graph | None = None) -> ReleaseResult:
    """Write every release artifact of ``kg`` into ``output`` (atomically, deterministically),
    as ``calcinosis-kg release`` does; the ``ReleaseResult`` lists the ``files`` written and the
    ``triples`` of each variant. ``inferred`` (an rdflib graph of inferred subClassOf edges) is
    computed by HermiT (Java needed) when not given."""

    output = Path(output)
    info, graphs, inferred = _build(kg, inferred)
    from rdflib import URIRef

    result = ReleaseResult(
        output=output,
        info=info,
        inferred=len(set(graphs["full"].subjects(URIRef(OIO_IS_INFERRED), None))),
    )
    rdf_writers = writers()
    for variant in (*VARIANTS, MAIN):
        graph = graphs[variant]
        if variant != MAIN:
            result.triples[variant] = len(graph)
        for suffix in MAIN_FORMATS if variant == MAIN else FORMATS:
            path = output / (
                f"{STEM}.{suffix}" if variant == MAIN else f"{STEM}-{variant}.{suffix}"
            )
            if suffix in rdf_writers:
                data = rdf_writers[suffix](graph)
            elif suffix == "json":
                data = obographs.to_obographs_json(graph)
            else:
                data = obo.to_obo(graph)
            _publish(path, data)
            result.files.append(path)
    mapping_set = sssom_export.mapping_set(graphs["full"], info)
    path = output / f"{STEM}.sssom.tsv"
    _publish(path, sssom_export.to_sssom_tsv(mapping_set))
    result.files.append(path)
    result.mappings = len(mapping_set.rows)
    nodes, edges = kgx.kgx_tables(graphs["full"], inferred)
    for name, rows, columns in (
        ("nodes", nodes, kgx.NODE_COLUMNS),
        ("edges", edges, kgx.EDGE_COLUMNS),
    ):
        path = output / f"{STEM}_{name}.tsv"
        _publish(path, kgx.to_tsv(rows, columns))
        result.files.append(path)
    result.kgx_nodes, result.kgx_edges = len(nodes), len(edges)
    for name, data in prefix_files().items():
        path = output / name
        _publish(path, data)
        result.files.append(path)
    return result
