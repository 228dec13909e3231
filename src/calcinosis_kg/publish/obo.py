"""OBO format 1.4, written from the rdflib graph (what pronto, fastobo and OWL API's OBO parser
read; OBO Graphs JSON is ``publish.obographs``).

Why our own writer: ROBOT needs Java plus a download. The mapping follows ROBOT's OWL-to-OBO
translation for what OBO can say: named ``is_a``, ``relationship`` for ``subClassOf (p some C)``
with named p and C, ``intersection_of`` for genus-differentia equivalences, ``equivalent_to`` and
``disjoint_from`` between named classes (``owl:AllDisjointClasses`` pairwise). Nested expressions
and data restrictions have no OBO form and stay in the OWL files only.

Association records and union members are never a ``relationship`` (OWL API would make it a
universal ``SubClassOf``): they are ``property_value: RELATION TARGET {edge_kind=…}`` lines on the
subject's stanza, and every relation used so has a ``[Typedef]``, so that OWL API reads them as
assertions about the class, not as annotation properties. In the **base** file, those whose
subject is an external term are left out (ODK base: no axioms about external terms); a
``remark`` in the header says how many and where they are. The release date is the header's
``date:`` tag, never a string copy of ``dcterms:issued`` (see ``OBO_HEADER_PROPERTIES``). Output is
sorted, so it is byte-stable.

The OWL patterns it reads (restriction edges, axiom annotations, CURIEs) come from ``axioms``,
shared with the SSSOM, KGX and diff writers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from calcinosis_kg.core.prefixes import compress, prefix_map
from calcinosis_kg.core.vocab import (
    CCKG_EDGE_KIND,
    DC_CREATOR,
    DC_DESCRIPTION,
    DC_ISSUED,
    DC_LICENSE,
    DC_SOURCE,
    DC_TITLE,
    DC_TYPE,
    IAO_BASE_MODULE,
    IAO_DEFINITION,
    IAO_REPLACED_BY,
    OBO,
    OIO_DATE,
    OIO_HAS_DBXREF,
    OIO_IN_SUBSET,
    OWL_VERSION_INFO,
    SYNONYM_SCOPES,
    XSD_STRING,
)
from calcinosis_kg.publish.axioms import (
    axiom_index,
    curie,
    entities,
    genus_differentia,
    graph_view_edges,
    label_of,
    ontology_header,
    some_restriction,
)
from calcinosis_kg.publish.variants import is_ours

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Node

    from calcinosis_kg.publish.axioms import AxiomKey

EDGE_KIND = CCKG_EDGE_KIND
#: header annotations copied into the OBO header. A typed value (``dcterms:issued``, an
#: ``xsd:date``) is not: OWL API's OBO parser (5.1) stops on any header datatype outside OWL 2's
#: datatype map ("xsd:date is not a built in datatype"), and as ``xsd:string`` it would stop being
#: a date; the OBO header's own ``date:`` tag (and ``data-version``) carry the release date
OBO_HEADER_PROPERTIES = (
    DC_TITLE,
    DC_DESCRIPTION,
    DC_LICENSE,
    DC_CREATOR,
    DC_ISSUED,
    OWL_VERSION_INFO,
)


# --- OBO helpers ---------------------------------------------------------------------------------
def sources_of(
    graph: Graph, index: dict[AxiomKey, list[Node]], s: Node, p: Node, o: Node
) -> list[str]:
    """The sources (CURIEs, sorted) cited by the axiom annotations of ``s p o``: an OBO tag's
    xref list."""
    from rdflib import URIRef

    out: set[str] = set()
    for axiom in index.get((s, p, o), []):
        out.update(curie(v) for v in graph.objects(axiom, URIRef(DC_SOURCE)))
    return sorted(out)


def _referenced(graph: Graph, classes: set[URIRef]) -> tuple[set[URIRef], set[URIRef]]:
    """Named classes and properties that OBO-expressible axioms of ``classes`` mention."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDFS

    found_classes: set[URIRef] = set()
    found_properties: set[URIRef] = set()
    for cls in classes:
        for o in graph.objects(cls, RDFS.subClassOf):
            if isinstance(o, URIRef):
                found_classes.add(o)
            elif pair := some_restriction(graph, o):
                found_properties.add(pair[0])
                found_classes.add(pair[1])
        for o in [*graph.objects(cls, OWL.equivalentClass), *graph.objects(cls, OWL.disjointWith)]:
            if isinstance(o, URIRef):
                found_classes.add(o)
            elif gd := genus_differentia(graph, o):
                found_classes.update(gd[0])
                for p, c in gd[1]:
                    found_properties.add(p)
                    found_classes.add(c)
    for prop in list(found_properties):
        found_properties.update(
            o for o in graph.objects(prop, RDFS.subPropertyOf) if isinstance(o, URIRef)
        )
    return found_classes, found_properties


# --- OBO format ----------------------------------------------------------------------------------
def _data_version(graph: Graph, head: Node) -> str:
    """``releases/YYYY-MM-DD``: OWLAPI builds the version IRI ``…/obo/<ontology>/<data-version>/
    <ontology>.owl`` from it (a full IRI here would end up inside that IRI)."""
    import re

    from rdflib.namespace import OWL

    for value in (graph.value(head, OWL.versionInfo), graph.value(head, OWL.versionIRI)):
        if value is not None and (match := re.search(r"\d{4}-\d{2}-\d{2}", str(value))):
            return f"releases/{match.group(0)}"
    return ""


def _qualifier(kind: str) -> str:
    return f'{curie_or_iri(EDGE_KIND)}="{kind}"'


def curie_or_iri(iri: str) -> str:
    """A CURIE, or the IRI's last path segment when no curated prefix covers it (OBO qualifier
    keys cannot hold a full IRI)."""
    name = compress(iri)
    return name if not name.startswith("http") else iri.rsplit("/", 1)[-1]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _unquoted(text: str) -> str:
    """An unquoted OBO value: ``!`` would start a comment and ``{`` trailing qualifiers."""
    for char in '\\!{}"':
        text = text.replace(char, "\\" + char)
    return " ".join(text.split())


def _obo_id(iri: Node) -> str:
    return curie(iri)


def _ref(graph: Graph, iri: Node) -> str:
    label = label_of(graph, iri)
    return f"{_obo_id(iri)} ! {' '.join(label.split())}" if label else _obo_id(iri)


def _disjoint_pairs(graph: Graph) -> dict[Node, set[Node]]:
    """class -> the later members of each ``owl:AllDisjointClasses`` it is in (ROBOT writes
    them pairwise as ``disjoint_from``)."""
    from rdflib import URIRef
    from rdflib.collection import Collection
    from rdflib.namespace import OWL, RDF

    out: dict[Node, set[Node]] = {}
    for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        head = graph.value(axiom, OWL.members)
        members = (
            sorted((m for m in Collection(graph, head) if isinstance(m, URIRef)), key=_obo_id)
            if head is not None
            else []
        )
        for i, member in enumerate(members):
            out.setdefault(member, set()).update(members[i + 1 :])
    return out


def _xref_list(values: list[str]) -> str:
    return "[" + ", ".join(v.replace(",", "\\,") for v in values) + "]"


def to_obo(graph: Graph) -> bytes:
    """OBO 1.4 text of ``graph`` (classes as [Term], object properties as [Typedef])."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    index = axiom_index(graph)
    head = ontology_header(graph)
    lines = ["format-version: 1.4"]
    if head is not None:
        version = _data_version(graph, head)
        if version:
            lines.append(f"data-version: {version}")
        date = graph.value(head, URIRef(OIO_DATE))
        if date is not None:
            lines.append(f"date: {date}")
    used_prefixes = set()
    base = head is not None and (head, URIRef(DC_TYPE), URIRef(IAO_BASE_MODULE)) in graph
    view_edges = graph_view_edges(graph)
    left_out = [e for e in view_edges if base and not is_ours(e[0])]
    view_edges = [e for e in view_edges if e not in left_out]
    declared = set(entities(graph, OWL.Class)) | {
        s for s in graph.subjects(RDFS.subClassOf) if isinstance(s, URIRef)
    }
    declared |= {s for s, _, _, _ in view_edges} | {o for _, _, o, _ in view_edges}
    declared -= set(graph.subjects(RDF.type, OWL.NamedIndividual))
    classes_used, properties_used = _referenced(graph, declared)
    # OBO readers (pronto) need a stanza for every class or relation an axiom refers to, and
    # OWL API a [Typedef] for every relation of a property_value (else an annotation property)
    properties_used |= {p for _, p, _, _ in view_edges}
    classes = sorted(declared | classes_used, key=_obo_id)
    properties = sorted(set(entities(graph, OWL.ObjectProperty)) | properties_used, key=_obo_id)
    annotations_of: dict[URIRef, list[str]] = {}
    for s, p, o, kind in view_edges:
        # never a `relationship:` (OWLAPI would make it a universal axiom): a property value
        annotations_of.setdefault(s, []).append(
            f"property_value: {_obo_id(p)} {_obo_id(o)} {{{_qualifier(kind)}}}"
        )
    disjoint_pairs = _disjoint_pairs(graph)
    for iri in [*classes, *properties]:
        text = _obo_id(iri)
        if ":" in text and not text.startswith("http"):
            used_prefixes.add(text.split(":", 1)[0])
    for prefix, namespace in prefix_map().items():
        if prefix in used_prefixes and namespace != f"{OBO}{prefix}_":
            lines.append(f"idspace: {prefix} {namespace}")
    header_properties: set[str] = set()
    if head is not None:
        stem = str(head).rstrip("/").rsplit("/", 1)[-1].removesuffix(".owl")
        lines.append(f"ontology: {stem}")
        for prop in OBO_HEADER_PROPERTIES:
            for value in sorted(graph.objects(head, URIRef(prop)), key=str):
                if isinstance(value, Literal) and value.datatype not in (None, XSD_STRING):
                    continue  # see OBO_HEADER_PROPERTIES: the date is the `date:` tag
                if isinstance(value, Literal):
                    lines.append(f"property_value: {prop} {_quoted(str(value))} xsd:string")
                elif isinstance(value, URIRef):
                    lines.append(f"property_value: {prop} {value}")
                header_properties.add(prop)
        if left_out:
            lines.append(
                f"remark: {len(left_out)} association record(s) or union member(s) "
                "whose subject is an external term are not written here (ODK base: "
                "no axioms about external terms); they are biolink:Association "
                "individuals in the base .owl/.ttl files, property_value lines of the "
                "full .obo and edges of calcinosis-kg_edges.tsv."
            )
    lines.append("")

    def common(iri: URIRef) -> list[str]:
        out = [f"id: {_obo_id(iri)}"]
        label = label_of(graph, iri)
        if label:
            out.append(f"name: {_unquoted(label)}")
        for definition in sorted(graph.objects(iri, URIRef(IAO_DEFINITION)), key=str):
            refs = sources_of(graph, index, iri, URIRef(IAO_DEFINITION), definition)
            out.append(f"def: {_quoted(str(definition))} {_xref_list(refs)}")
            break  # OBO allows one definition; QC reports duplicates
        for comment in sorted(graph.objects(iri, RDFS.comment), key=str):
            out.append(f"comment: {_unquoted(str(comment))}")
            break
        for subset in sorted(graph.objects(iri, URIRef(OIO_IN_SUBSET)), key=str):
            out.append(f"subset: {_obo_id(subset).replace(':', '_')}")
        synonyms = []
        for prop, scope in SYNONYM_SCOPES.items():
            for value in graph.objects(iri, URIRef(prop)):
                refs = sources_of(graph, index, iri, URIRef(prop), value)
                synonyms.append(
                    f"synonym: {_quoted(str(value))} {scope.upper()} {_xref_list(refs)}"
                )
        out += sorted(synonyms)
        out += sorted(
            f"xref: {x}" for x in {str(v) for v in graph.objects(iri, URIRef(OIO_HAS_DBXREF))}
        )
        return out

    for cls in classes:
        if not str(_obo_id(cls)):
            continue
        stanza = ["[Term]", *common(cls)]
        is_a: list[str] = []
        relationships: list[str] = []
        for parent in graph.objects(cls, RDFS.subClassOf):
            if isinstance(parent, URIRef):
                is_a.append(f"is_a: {_ref(graph, parent)}")
            elif isinstance(parent, BNode) and (pair := some_restriction(graph, parent)):
                relationships.append(f"relationship: {_obo_id(pair[0])} {_ref(graph, pair[1])}")
        stanza += sorted(set(is_a))
        intersections: list[str] = []
        equivalents: list[str] = []
        for other in [
            *graph.objects(cls, OWL.equivalentClass),
            *graph.subjects(OWL.equivalentClass, cls),
        ]:
            if isinstance(other, URIRef) and other != cls:
                equivalents.append(f"equivalent_to: {_ref(graph, other)}")
            elif (
                isinstance(other, BNode)
                and not intersections
                and (gd := genus_differentia(graph, other))
            ):
                intersections += [f"intersection_of: {_ref(graph, g)}" for g in gd[0]]
                intersections += [
                    f"intersection_of: {_obo_id(p)} {_ref(graph, c)}" for p, c in gd[1]
                ]
        stanza += sorted(intersections) + sorted(set(equivalents))
        disjoint: set[Node] = {
            o for o in graph.objects(cls, OWL.disjointWith) if isinstance(o, URIRef)
        }
        disjoint |= disjoint_pairs.get(cls, set())
        stanza += sorted(f"disjoint_from: {_ref(graph, o)}" for o in disjoint)
        stanza += sorted(set(relationships))
        stanza += sorted(set(annotations_of.get(cls, [])))
        if (cls, OWL.deprecated, Literal(True)) in graph:
            stanza.append("is_obsolete: true")
            # IAO:0100001 term replaced by, as ROBOT writes it (OAK, pronto read the tag)
            stanza += sorted(
                f"replaced_by: {_obo_id(o)}"
                for o in graph.objects(cls, URIRef(IAO_REPLACED_BY))
                if isinstance(o, URIRef)
            )
        lines += [*stanza, ""]
    for prop in properties:
        stanza = ["[Typedef]", *common(prop)]
        stanza += sorted(
            f"is_a: {_ref(graph, o)}"
            for o in graph.objects(prop, RDFS.subPropertyOf)
            if isinstance(o, URIRef)
        )
        if (prop, OWL.deprecated, Literal(True)) in graph:
            stanza.append("is_obsolete: true")
        lines += [*stanza, ""]
    # the header's annotation properties, declared as OBO declares them (OWL 2 DL: no undeclared
    # annotation property, else OWL API's profile check reports each one)
    for prop in sorted(header_properties):
        lines += ["[Typedef]", f"id: {prop}", "is_metadata_tag: true", ""]
    return ("\n".join(lines).rstrip("\n") + "\n").encode("utf-8")
