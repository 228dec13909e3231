"""Recorded disease identifiers -> the ontology's terms, through the ontology's verified mappings.

Why: registries and Phenopackets name diseases as OMIM, Orphanet, ICD-10, ICD-10-CM, DOID, MONDO
or HP identifiers, while the criteria are written with the ontology's own terms (mostly MONDO).
An identifier is read in this order (docs/readme/cases.md "Disease identifiers"):

1. its prefix is normalised (``omim``/``MIM`` -> ``OMIM``, ``ORPHA`` -> ``Orphanet``,
   ``ICD10`` -> ``ICD10WHO``, ``icd10cm`` -> ``ICD10CM``, ``HPO`` -> ``HP``);
2. a term of the ontology (its import module included) is used as it is;
3. otherwise the terms that the ontology maps to it with ``skos:exactMatch`` (the same disease),
   ``skos:narrowMatch`` (the identifier is a kind of the term) or ``skos:closeMatch`` (a plain
   MONDO cross-reference; the note says so) are added beside it: these are the rows of the
   release's SSSOM file and the MONDO cross-references of the import module, each verified in
   shared/reference/external_ids.tsv. An ICD-10 code without a mapping of its own is a kind of
   its category (``M34.0`` of ``M34``) and of the block holding it (``B20`` of ``A00-B99``), so
   the nearest mapped one is used (the note names it);
4. anything else (an OMIM disease the criteria do not name, a term only ``relatedMatch`` or
   ``broadMatch`` to one) is kept as recorded, counts for no criterion, and the note says so.

Never an error for a known vocabulary; an unknown prefix is a field error that names the prefix.
The notes go to the row's ``identifiers`` text, which every output format shows.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

from calcinosis_kg.cases import model as m
from calcinosis_kg.core.vocab import OWL_CLASS, RDF_TYPE, RDFS_LABEL, SKOS_MATCHES
from calcinosis_kg.graph.knowledge import load

#: how records spell a prefix (lower case) -> the prefix of the curated map
ALIASES = {
    "omim": "OMIM",
    "mim": "OMIM",
    "omimps": "OMIMPS",
    "orphanet": "Orphanet",
    "orpha": "Orphanet",
    "ordo": "Orphanet",
    "icd10": "ICD10WHO",
    "icd10who": "ICD10WHO",
    "icd10cm": "ICD10CM",
    "doid": "DOID",
    "mondo": "MONDO",
    "hp": "HP",
    "hpo": "HP",
    "cckg": "CCKG",
    "ncit": "NCIT",
    "mesh": "MESH",
    "umls": "UMLS",
    "sctid": "SCTID",
    "snomedct": "SCTID",
}
#: mapping predicates that make a recorded identifier count as the ontology's term
USABLE = ("exactMatch", "narrowMatch", "closeMatch")
#: predicates that only relate the two (named in the note, never counted)
RELATED = ("relatedMatch", "broadMatch")
WHY = {
    "exactMatch": "exactMatch: the same disease",
    "narrowMatch": "narrowMatch: a kind of it",
    "closeMatch": "closeMatch: a MONDO cross-reference, not stated as exact",
}


@dataclass(frozen=True)
class Index:
    """The ontology's terms and mappings, as CURIEs."""

    terms: frozenset[str]
    labels: dict[str, str]
    #: external CURIE -> ((term, predicate), ...), usable predicates first
    targets: dict[str, tuple[tuple[str, str], ...]]


@cache
def index() -> Index:
    """Read once per process from the bundled ontology (with its import module)."""
    import pyoxigraph as ox

    store = load().store
    terms = {
        m.compress(q.subject.value)
        for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(OWL_CLASS))
        if isinstance(q.subject, ox.NamedNode)
    }
    labels = {
        m.compress(q.subject.value): q.object.value
        for q in store.quads_for_pattern(None, ox.NamedNode(RDFS_LABEL), None)
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal)
    }
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for name in (*USABLE, *RELATED):
        for q in store.quads_for_pattern(None, ox.NamedNode(SKOS_MATCHES[name]), None):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                found[m.compress(q.object.value)].add((m.compress(q.subject.value), name))
    order = {name: i for i, name in enumerate((*USABLE, *RELATED))}
    targets = {
        x: tuple(sorted(pairs, key=lambda p: (order[p[1]], p[0]))) for x, pairs in found.items()
    }
    return Index(frozenset(t for t in terms if not t.startswith("http")), labels, targets)


def normalise(curie: str) -> str | None:
    """The identifier with its prefix as the curated map spells it, or None if the prefix is
    not one a disease may come from."""
    prefix, _, local = curie.strip().partition(":")
    canonical = ALIASES.get(prefix.lower())
    if canonical is None or not local.strip():
        return None
    local = local.strip()
    if canonical in ("ICD10WHO", "ICD10CM"):
        local = local.upper()
    return f"{canonical}:{local}"


ICD_CODE = re.compile(r"([A-Z])([0-9]{2})(?:\.([0-9A-Z]{1,4}))?")
ICD_BLOCK = re.compile(r"([A-Z])([0-9]{2})-([A-Z])([0-9]{2})")


def icd_ancestors(curie: str) -> list[str]:
    """The codes an ICD-10 / ICD-10-CM code is a subdivision of, nearest first: ``M34.81`` ->
    ``M34.8``, ``M34``, then every block (``A00-B99``) of the index that holds its category."""
    prefix, _, code = curie.partition(":")
    found = ICD_CODE.fullmatch(code) if prefix in ("ICD10WHO", "ICD10CM") else None
    if found is None:
        return []
    letter, number, sub = found.groups()
    out = [f"{prefix}:{letter}{number}.{sub[:n]}" for n in range(len(sub or "") - 1, 0, -1)]
    category = f"{letter}{number}"
    if sub:
        out.append(f"{prefix}:{category}")
    blocks = []
    for key in index().targets:
        block = ICD_BLOCK.fullmatch(key.partition(":")[2]) if key.startswith(prefix + ":") else None
        if block and block[1] + block[2] <= category <= block[3] + block[4]:
            blocks.append(
                (ord(block[3]) * 100 + int(block[4]) - ord(block[1]) * 100 - int(block[2]), key)
            )
    return out + [key for _size, key in sorted(blocks)]


def _named(index_: Index, curie: str) -> str:
    label = index_.labels.get(curie)
    return f"{curie} {label}" if label else curie


def map_conditions(items: list[str]) -> tuple[list[str], list[str], list[str]]:
    """(conditions to record, notes, errors) for a record's disease identifiers."""
    idx = index()
    out: list[str] = []
    seen: set[str] = set()  # membership in `out` in O(1): a record may list up to 1,000 ids
    notes: list[str] = []
    errors: list[str] = []
    for raw in items:
        curie = normalise(raw)
        if curie is None:
            prefix = raw.partition(":")[0]
            errors.append(
                f"{raw!r}: unknown identifier prefix {prefix!r} (diseases are MONDO, "
                "DOID, OMIM, Orphanet, ICD10WHO, ICD10CM, HP or CCKG identifiers)"
            )
            continue
        if curie not in seen:
            seen.add(curie)
            out.append(curie)
        if curie != raw:
            notes.append(f"{raw} read as {curie}")
        if curie in idx.terms:
            continue
        pairs = idx.targets.get(curie, ())
        usable = [(t, p, curie) for t, p in pairs if p in USABLE and t in idx.terms]
        if not usable:  # an ICD-10 code is a kind of its category and of the block holding it
            usable = [
                (t, p, code)
                for code in icd_ancestors(curie)
                for t, p in idx.targets.get(code, ())
                if p in USABLE and t in idx.terms
            ]
            usable = [u for u in usable if u[2] == usable[0][2]] if usable else []
        for term, predicate, via in usable:
            if term not in seen:
                seen.add(term)
                out.append(term)
            within = f"within {via}, " if via != curie else ""
            notes.append(f"{curie} -> {_named(idx, term)} ({within}{WHY[predicate]})")
        if usable:
            continue
        related = [f"{_named(idx, t)} ({p})" for t, p in pairs if p in RELATED]
        why = (
            "only related to " + ", ".join(related)
            if related
            else "no verified mapping to a term of the ontology"
        )
        notes.append(f"{curie} kept: {why}; it counts for no criterion")
    return out, notes, errors


def apply(values: dict[str, Any], error: Any) -> None:
    """Map the record's ``conditions`` in place; the notes (with those of names read as a
    broader term, ``vocab.BROADER_NAMES``) to ``identifiers``, errors to ``error``."""
    notes = list(values.pop("name_notes", []))
    items = values.get("conditions")
    if items:
        conditions, mapped, errors = map_conditions(list(items))
        values["conditions"] = conditions
        notes += mapped
        for message in errors:
            error("diseases", message)
    if notes:
        values["identifiers"] = "; ".join(notes)
