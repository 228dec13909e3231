"""The ontology's own mappings as an SSSOM mapping set (TSV with its YAML metadata header).

Each ``oboInOwl:hasDbXref`` of one of our terms becomes one row; its SSSOM predicate is the
``sssom:predicate_id`` annotation the build puts on the xref (``oboInOwl:hasDbXref`` itself when a
curator left it unannotated). Every CURIE in an SSSOM file must expand through the ``curie_map``:
DERMO expands with the Bioregistry's URI prefix (``core.vocab.DERMO_BIOREGISTRY``); a vocabulary
with no IRI at all (OMIA) cannot be a row, and is counted in the header's ``comment``.

``object_label`` is only ever a label: from the import module, else from
``ontology/src/mapping_labels.tsv`` (as the target's source publishes it), else empty. A mapping
that MONDO's or DERMO's curators state for the term we map to (``via`` in that file) is
``semapv:MappingChaining`` with a ``comment`` naming the term it went through; the others are
``semapv:ManualMappingCuration``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from calcinosis_kg.answers.show_groups import namesake_sentence
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import expand, prefix_map
from calcinosis_kg.core.resources import source_dir
from calcinosis_kg.core.vocab import (
    DC_LICENSE,
    DC_TITLE,
    DERMO_BIOREGISTRY,
    OBO,
    OIO_HAS_DBXREF,
    SEMAPV,
    SSSOM_PREDICATE_ID,
)
from calcinosis_kg.publish.axioms import axiom_index, curie, label_of, ontology_header

if TYPE_CHECKING:
    from rdflib import Graph

    from calcinosis_kg.publish.release_info import ReleaseInfo

JUSTIFICATION = "semapv:ManualMappingCuration"
CHAINED = "semapv:MappingChaining"
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "comment",
)
#: prefixes the SSSOM file may expand beyond the curated map (see the module docstring)
SSSOM_PREFIXES = {"DERMO": DERMO_BIOREGISTRY}
OWN_PREFIX = "CCKG"
SOURCE_PREFIX = "cckg"


@dataclass
class MappingSet:
    """Metadata plus rows; ``skipped`` lists xrefs whose prefix has no IRI (not writable)."""

    metadata: dict
    rows: list[dict[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Target:
    """What ``mapping_labels.tsv`` says of a mapping target: its published label (may be empty)
    and the MONDO/DERMO term whose curators state the mapping (empty: curated here)."""

    label: str
    via: str


def target_labels() -> dict[str, Target]:
    """id -> label and ``via`` of mapping targets the import module lacks
    (``ontology/src/mapping_labels.tsv``, verified labels as their sources publish them)."""
    import csv

    path = source_dir() / "mapping_labels.tsv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return {
        row["id"]: Target(row["label"], row.get("via") or "")
        for row in csv.DictReader(lines, delimiter="\t")
    }


def mapping_rows(graph: Graph) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """(rows, skipped (subject, xref)) for every xref of one of our own terms."""
    from rdflib import URIRef

    index = axiom_index(graph)
    prefixes = {**prefix_map(), **SSSOM_PREFIXES}
    own = prefixes[OWN_PREFIX]
    targets = target_labels()
    rows, skipped = [], []
    for subject, xref in graph.subject_objects(URIRef(OIO_HAS_DBXREF)):
        if not str(subject).startswith(own):
            continue
        object_id = str(xref).strip()
        if object_id.split(":", 1)[0] not in prefixes:
            skipped.append((curie(subject), object_id))
            continue
        predicates = {
            curie(p)
            for axiom in index.get((subject, URIRef(OIO_HAS_DBXREF), xref), [])
            for p in graph.objects(axiom, URIRef(SSSOM_PREDICATE_ID))
        } or {"oboInOwl:hasDbXref"}
        target = targets.get(object_id, Target("", ""))
        in_module = object_id.split(":", 1)[0] not in SSSOM_PREFIXES and label_of(
            graph, URIRef(expand(object_id))
        )
        comment = ""
        if target.via:
            via_label = (
                targets.get(target.via, Target("", "")).label
                or (
                    target.via.split(":", 1)[0] not in SSSOM_PREFIXES
                    and label_of(graph, URIRef(expand(target.via)))
                )
                or ""
            )
            comment = (
                f"chained through {target.via}"
                + (f" '{via_label}'" if via_label else "")
                + f": {target.via.split(':', 1)[0]} states {target.via} ~ {object_id}"
            )
        prefix, local = object_id.split(":", 1)
        if not comment and _has_phenotype(graph, subject, URIRef(prefixes[prefix] + local)):
            comment = namesake_sentence(  # the words of the class cards (``show``)
                f"{label_of(graph, subject)} ({curie(subject)})",
                f"{in_module or target.label} ({object_id})",
                ", ".join(sorted(predicates)),
            )
        for predicate in predicates:
            rows.append(
                {
                    "subject_id": curie(subject),
                    "subject_label": label_of(graph, subject) or "",
                    "predicate_id": predicate,
                    "object_id": object_id,
                    "object_label": in_module or target.label,
                    "mapping_justification": CHAINED if target.via else JUSTIFICATION,
                    "comment": comment,
                }
            )
    rows.sort(key=lambda r: (r["subject_id"], r["object_id"], r["predicate_id"]))
    return rows, sorted(set(skipped))


def _has_phenotype(graph: Graph, subject, phenotype) -> bool:
    """``subject ⊑ RO:0002200 has phenotype some phenotype`` (a disease and its finding)."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDFS

    has_phenotype = URIRef(OBO + "RO_0002200")
    return any(
        (r, OWL.onProperty, has_phenotype) in graph
        for r in graph.objects(subject, RDFS.subClassOf)
        if (r, OWL.someValuesFrom, phenotype) in graph
    )


def mapping_set(graph: Graph, info: ReleaseInfo) -> MappingSet:
    """The mapping set of ``graph`` with metadata taken from the ontology header."""
    from rdflib import URIRef

    rows, skipped = mapping_rows(graph)
    prefixes = {**prefix_map(), **SSSOM_PREFIXES}
    used = {
        value.split(":", 1)[0]
        for row in rows
        for value in (row["subject_id"], row["predicate_id"], row["object_id"])
    }
    curie_map = {p: prefixes[p] for p in prefixes if p in used}
    curie_map["semapv"] = SEMAPV
    # subject_source is an EntityReference (a CURIE): the ontology IRI under a prefix of its own
    source_ns, _, source_local = info.ontology_iri.rpartition("/")
    curie_map[SOURCE_PREFIX] = source_ns + "/"
    head = ontology_header(graph)
    license_ = graph.value(head, URIRef(DC_LICENSE)) if head is not None else None
    title = graph.value(head, URIRef(DC_TITLE)) if head is not None else None
    metadata: dict[str, object] = {
        "curie_map": curie_map,
        "mapping_set_id": info.version_iri.rsplit("/", 1)[0] + "/calcinosis-kg.sssom.tsv",
        "mapping_set_version": info.version,
        "mapping_set_title": f"{title or 'calcinosis-kg'} mappings",
        "license": str(license_) if license_ is not None else "",
        "mapping_date": info.date,
        "subject_source": f"{SOURCE_PREFIX}:{source_local}",
    }
    if not metadata["license"]:
        raise InputError("the ontology header has no dcterms:license; SSSOM requires one")
    if skipped:
        prefixes_skipped = sorted({x.split(":", 1)[0] for _, x in skipped})
        metadata["comment"] = (
            f"{len(skipped)} cross-reference(s) to {', '.join(prefixes_skipped)} are not rows "
            "here: those prefixes have no IRI; they remain oboInOwl:hasDbXref in the ontology."
        )
    return MappingSet(metadata=metadata, rows=rows, skipped=skipped)


def to_sssom_tsv(mappings: MappingSet) -> bytes:
    """SSSOM/TSV text: ``#``-prefixed YAML metadata, then the table."""
    import yaml

    header = yaml.safe_dump(mappings.metadata, sort_keys=False, allow_unicode=True, width=1000)
    lines = ["#" + line for line in header.splitlines()]
    lines.append("\t".join(COLUMNS))
    for row in mappings.rows:
        lines.append("\t".join(_cell(row[c]) for c in COLUMNS))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _cell(value: str) -> str:
    return " ".join(value.replace("\t", " ").split())
