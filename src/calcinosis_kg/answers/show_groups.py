"""The groups and scopes of a class card, and its namesake sentence, without the card's machinery.

A module of its own so the command line can offer ``show --only GROUP`` choices without importing
rdflib (``--help`` lists every command and must stay fast), and so ``search`` (pyoxigraph only)
says how two classes of the same name differ in the very words of their cards.
"""

from __future__ import annotations

#: "causes" holds what a source says causes or contributes to the condition; "correlations" what it
#: says is only linked to it (RO:0003308 correlated with), never presented as a cause
GROUPS = (
    "causes",
    "correlations",
    "associated diseases",
    "sites",
    "composition",
    "laboratory profile",
    "populations",
    "exposures",
    "diagnosis",
    "treatments",
    "features",
    "other",
)
#: own; inherited (a universal statement of an ancestor: true of every member); subtype; ancestor
#: (an association record of an ancestor: context only, never claimed of the term)
SCOPES = ("own", "inherited", "subtype", "ancestor")


def namesake_sentence(disease: str, phenotype: str, mapping: str = "") -> str:
    """How a disease and the phenotype of the same name differ (both cards and ``search`` say it):
    ``disease`` and ``phenotype`` as the card writes a term, ``label (CURIE)``."""
    mapped = f"; mapped as {mapping}" if mapping else ""
    return (
        f"{disease} is the disease, {phenotype} the phenotype (a finding); every case of the "
        f"disease has it (RO:0002200 has phenotype{mapped})"
    )
