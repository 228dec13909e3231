"""Names a clinician writes -> identifiers: exact labels and synonyms of the ontology only.

Why: a spreadsheet is filled with "systemic sclerosis" and "scrotum", not MONDO:0005100. A
name is resolved only when it is, case-insensitively and whitespace-normalised (a plural "s"
dropped), the label or an exact/related synonym of exactly ONE class of the ontology (with its
import module), of the verified external terms the synthetic cohorts use, or an everyday name
from the verified reference table (``COMMON_NAMES``); anything else — unknown or ambiguous —
stays a field error. Built once per process from the bundled ontology (no global mutable state).
"""

from __future__ import annotations

from functools import cache

from calcinosis_kg.answers.resolve import NameIndex
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.terms import LABELS
from calcinosis_kg.core.vocab import OIO_EXACT_SYNONYM, OIO_RELATED_SYNONYM, RDFS_LABEL
from calcinosis_kg.graph.knowledge import load

#: everyday names of terms, as the entity column of the verified shared reference table names
#: them (shared/reference/external_ids.tsv): "finger (manual digit)", "forearm", "joint" ...
COMMON_NAMES = {
    "finger": "UBERON:0002389",
    "forearm": "UBERON:0002386",
    "skin": "UBERON:0002097",
    "subcutaneous tissue": "UBERON:0002072",
    "subcutis": "UBERON:0002072",
    "joint": "UBERON:0000982",
    "epidermis": "UBERON:0001003",
    "chronic renal failure": "MONDO:0024327",
    "dog": "NCBITaxon:9615",
    "human": "NCBITaxon:9606",
}
#: names clinicians write for sites that have no verified identifier of their own (no verified
#: row in shared/reference/external_ids.tsv, so no class in the ontology): read as the nearest
#: broader verified term, and the row's ``identifiers`` note says so. Each relation is Uberon's
#: (hindlimb, whose exact synonym is "lower limb", is a limb; the hip joint and the glenohumeral
#: "shoulder joint" are synovial joints, hence skeletal joints; the manus, "hand", is part of the
#: forelimb, a limb), see docs/readme/cases.md "Names".
BROADER_NAMES = {
    "lower limb": ("UBERON:0002101", "a lower limb is a limb"),
    "hand": ("UBERON:0002101", "the hand is part of a limb"),
    "hip joint": ("UBERON:0000982", "the hip joint is a skeletal joint"),
    "shoulder joint": ("UBERON:0000982", "the shoulder joint is a skeletal joint"),
}
LABEL_PROPERTIES = (RDFS_LABEL, OIO_EXACT_SYNONYM, OIO_RELATED_SYNONYM)
SUGGESTIONS = 3


def normalise(name: str) -> str:
    """A name as the index keys it: lower case, curly apostrophes straightened, commas and
    repeated blanks folded."""
    return " ".join(name.lower().replace("’", "'").replace(",", " ").split())


@cache
def name_index() -> NameIndex:
    """The one tier of names a record may use: the ontology's labels and exact/related synonyms
    (terms a case prefix covers), the verified table's labels and ``COMMON_NAMES``."""
    import pyoxigraph as ox

    entries: list[tuple[str, str]] = []
    store = load().store
    for prop in LABEL_PROPERTIES:
        for quad in store.quads_for_pattern(None, ox.NamedNode(prop), None):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                curie = m.compress(quad.subject.value)
                if curie != quad.subject.value:
                    entries.append((curie, quad.object.value))
    entries += [(curie, label) for curie, label in LABELS.items()]
    entries += [(curie, name) for name, curie in COMMON_NAMES.items()]
    return NameIndex.of([entries], normalise)


def resolve(name: str) -> tuple[str | None, str]:
    """(CURIE, "") for a known unambiguous name; (CURIE, note) for a name read as a broader
    verified term (``BROADER_NAMES``); else (None, reason with the nearest labels)."""
    key = normalise(name)
    found = name_index().exact(key, plural=True)  # "elbows", "fingers"
    if not found:
        broader = BROADER_NAMES.get(key) or BROADER_NAMES.get(
            key[:-1] if key.endswith("s") else key
        )
        if broader is not None:
            term, why = broader
            return (
                term,
                f"{name!r} read as {term} {label_of(term)} ({why}; no verified identifier for it)",
            )
        near = suggestions(key)
        hint = f"; nearest labels: {', '.join(near)}" if near else ""
        return None, f"is neither an identifier (PREFIX:local) nor a label of the ontology{hint}"
    if len(found) > 1:
        return None, "is the label of several classes; give the identifier"
    return next(iter(found)), ""


def label_of(curie: str) -> str:
    """The label of ``curie``: the ontology's rdfs:label, else the verified table's."""
    return _labels().get(curie, curie)


@cache
def _labels() -> dict[str, str]:
    import pyoxigraph as ox

    out = dict(LABELS)
    for quad in load().store.quads_for_pattern(None, ox.NamedNode(RDFS_LABEL), None):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
            out[m.compress(quad.subject.value)] = quad.object.value
    return out


def suggestions(key: str) -> list[str]:
    """The nearest names of the index, as 'name' (CURIE): names holding every word of ``key``
    first (shortest first), then close spellings (difflib), at most ``SUGGESTIONS``."""
    index = name_index()
    names = index.names(unambiguous=True)
    words = key.split()
    holding = sorted(
        (n for n in names if words and all(w in n.split() for w in words)),
        key=lambda n: (len(n), n),
    )
    close = index.close(key, SUGGESTIONS, cutoff=0.75, unambiguous=True)
    out: list[str] = []
    for name in [*holding, *close]:
        if name not in out:
            out.append(name)
    return [f"{n!r} ({index.first_term(n)})" for n in out[:SUGGESTIONS]]
