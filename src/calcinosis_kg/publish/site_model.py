"""What a type page of the documentation site holds: its sections, in order, and the profile.

Why a module of its own: the model (``TypeProfile``, ``Statement``, ``Evidence``) and the
section rules are shared by ``site_data``, which reads them from the graph, and by ``pages`` and
``docs``, which write them; keeping them apart lets each of those do one job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from calcinosis_kg.core.expressions import Expr
from calcinosis_kg.core.vocab import OBO

#: Types documented although they are not subclasses of calcinosis cutis (matched by label).
EXTRA_TYPE_LABELS = ("osteoma cutis",)

#: Section headings of a type page, by the property of the restriction (see docs/modelling.md).
OUTGOING_SECTIONS: dict[str, str] = {
    OBO + "RO_0004026": "Sites",
    OBO + "RO_0004029": "Clinical features and deposits",
    OBO + "RO_0002200": "Phenotypes and laboratory findings",
    OBO + "RO_0004022": "Physical basis",
    OBO + "RO_0002302": "Treatments",
    OBO + "RO_0002162": "Populations",
}
INCOMING_SECTIONS: dict[str, str] = {
    OBO + "RO_0003302": "Causes and contributing factors",
    OBO + "RO_0004029": "Associated diseases",
}
SECTION_ORDER = (
    "Logical definition",
    "Is also a kind of",
    "Sites",
    "Causes and contributing factors",
    "Associated diseases",
    "Clinical features and deposits",
    "Phenotypes and laboratory findings",
    "Physical basis",
    "Populations",
    "Treatments",
    "Distinct from",
)
#: Sections drawn in a type's map (the rest are tables only).
MAP_ROLES = {
    "Sites": "site",
    "Causes and contributing factors": "cause",
    "Associated diseases": "disease",
}

#: (documented type IRIs, asserted (child, parent) edges, defined (child, parent) edges)
Hierarchy = tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]


# --- model ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    """The supporting sentences and sources attached to one axiom."""

    quotes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statement:
    """One relationship of a type: a restriction on it, or one pointing at it."""

    section: str
    prop: str
    other: Expr  # the filler (outgoing) or the subject class (incoming)
    evidence: Evidence


@dataclass
class TypeProfile:
    """Everything a type page shows about one calcinosis type."""

    iri: str
    curie: str
    label: str
    definition: str = ""
    definition_evidence: Evidence = field(default_factory=Evidence)
    comment: str = ""
    synonyms: list[tuple[str, str, Evidence]] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    parent_evidence: dict[str, Evidence] = field(default_factory=dict)
    mappings: list[tuple[str, str]] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)

    def section(self, title: str) -> list[Statement]:
        """The statements of one section, in profile order."""
        return [s for s in self.statements if s.section == title]

    def has_map(self) -> bool:
        """Whether there is anything (cause, disease, site) to draw around the type."""
        return any(base_section(s.section) in MAP_ROLES for s in self.statements)


#: suffix of the sections that list association records (docs/modelling.md)
ASSOCIATION_SECTION_SUFFIX = " (associations: stated of some cases, not of every one)"


def base_section(section: str) -> str:
    """The section an association section belongs beside (its title without the suffix)."""
    return section.removesuffix(ASSOCIATION_SECTION_SUFFIX)


def section_rank(section: str) -> int:
    """Where a section goes on a page (``SECTION_ORDER``); unknown sections last."""
    section = base_section(section)  # association sections follow their base section
    return SECTION_ORDER.index(section) if section in SECTION_ORDER else len(SECTION_ORDER)
