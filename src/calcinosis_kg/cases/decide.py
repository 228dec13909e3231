"""From the types the criteria give to the case's answer: precedence, status and flags.

Why its own module: the same decision must be applied to the fast path's types and to HermiT's
realised types (``cases.reasoner``), so the proof compares like with like; and each rule here is
a documented clinical rule with its source (docs/modelling.md, "Case decisions"):

- **Osteoma cutis over any calcinosis type.** Bone on histopathology is osteoma cutis (F0093),
  which is disjoint from calcinosis cutis (bone, not calcium salt): when the osteoma criterion
  fires, the calcinosis types other criteria gave are dropped and named in ``flags``.
- **Species is another axis.** Calcinosis cutis in dogs is defined by the species (F0105); a
  dog's record that also meets a kind's criterion has both types and is ``classified``, not
  ``ambiguous`` (the two are not alternatives).
- **A metastatic kind beside a disease of the dystrophic list** is flagged: the record lists a
  condition the sources link to dystrophic calcification (CCKG:0000706) while its raised serum
  value gives a metastatic kind; the flag names dystrophic calcinosis cutis as the competing
  type and why, so the answer is never a silent single type.

The rules themselves are declared once in ``cases.decisions`` (both engines compile them); this
module applies that declaration to one case's types, for the HermiT proof (``cases.reasoner``),
which judges a handful of realised type sets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from calcinosis_kg.cases import decisions
from calcinosis_kg.cases.decisions import DOG_FORM, DYSTROPHIC, METASTATIC, ORTHOGONAL, OSTEOMA
from calcinosis_kg.cases.nodes import polars_steps

__all__ = [
    "DOG_FORM",
    "DYSTROPHIC",
    "METASTATIC",
    "ORTHOGONAL",
    "OSTEOMA",
    "final_types",
    "status_of",
]
_TEXTS = pl.List(pl.String)


def _decided(types: Iterable[str]) -> dict[str, Any]:
    """The declared precedence (``decisions.precedence``) on one valid case's types."""
    row = pl.DataFrame(
        {
            "types": [sorted(set(types))],
            "fired": [[]],
            "crit_texts": [[]],
            "ranges": [""],
            "_invalid": [False],
            "not_a_case": [None],
        },
        schema={
            "types": _TEXTS,
            "fired": _TEXTS,
            "crit_texts": _TEXTS,
            "ranges": pl.String,
            "_invalid": pl.Boolean,
            "not_a_case": pl.String,
        },
    )
    return polars_steps(row, decisions.precedence()).row(0, named=True)


def final_types(types: Iterable[str]) -> list[str]:
    """The case's types after the precedence rules (osteoma cutis wins), sorted."""
    return list(_decided(types)["types"])


def status_of(types: list[str]) -> str:
    """classified / ambiguous / unclassified for a valid case's final types."""
    return str(_decided(types)["status"])
