"""A differential instead of silence: types an unclassified case resembles, never a type.

Why: "unclassified" says that no definition is met, not that nothing is known. The ontology's
association records and universal statements say what is *typical* of each type (sites, who is
affected, features, diseases, laboratory profile); listing the types whose typical features the
record shows, with the sentences that say so, gives the clinician a differential to work from.
It is labelled "suggested by typical features", kept in its own column and never counted as a
classification (status stays ``unclassified``; docs/readme/cases.md).

Two bridges let a record meet the sources' wording, both documented: the patient's age gives the
populations the sources name (children: under 13 years; teenagers: 13 to 19 years, the "-teen"
ages; both are young people), and a lesion recorded at a skeletal joint (UBERON:0000982 or below)
matches a site "around a joint" (CCKG:0000200 periarticular region or below).

The constants, the populations and the texts are declared in ``cases.decisions`` (the Spark
engine compiles the same nodes); this module holds the polars joins that pick the evidence.
"""

from __future__ import annotations

import polars as pl

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.decisions import JOINT, PERIARTICULAR
from calcinosis_kg.cases.decisions import SUGGESTED as LABEL
from calcinosis_kg.cases.nodes import Node, to_polars

ROOT = m.CCKG + "0000001"
OSTEOMA = m.CCKG + "0000011"
__all__ = ["LABEL", "joint_sites", "suggest", "suggestion_types"]


def suggestion_types(onto: object) -> set[str]:
    """Every calcinosis cutis type below the root, and osteoma cutis (the differential)."""
    descendants = onto.descendants  # type: ignore[attr-defined]
    return (set(descendants(ROOT)) - {ROOT}) | {OSTEOMA}


def joint_sites(onto: object) -> tuple[list[str], list[str]]:
    """(joint classes, periarticular classes) as CURIEs, for the site bridge."""
    descendants = onto.descendants  # type: ignore[attr-defined]
    return (
        [m.compress(c) for c in descendants(m.expand(JOINT))],
        [m.compress(c) for c in descendants(m.expand(PERIARTICULAR))],
    )


def suggest(
    values: pl.DataFrame,
    typical: pl.DataFrame,
    joints: tuple[list[str], list[str]],
    line: Node,
    text: Node,
) -> pl.DataFrame:
    """(case_id, suggested list, suggested_text) for the cases of ``values``.

    ``values``: (case_id, value) long table of what each unclassified case records;
    ``typical``: (type, value, text) evidence rows for every type of ``suggestion_types``;
    ``line`` / ``text``: the declared texts (``decisions.suggestion_line`` / ``_text``)."""
    joint, around = joints
    bridged = (
        values.filter(pl.col("value").is_in(joint))
        .join(pl.DataFrame({"around": around}), how="cross")
        .select("case_id", pl.col("around").alias("value"))
    )
    long = pl.concat([values, bridged]).unique()
    hits = (
        long.join(typical, on="value")
        .select("case_id", "type", "text")
        .unique()
        .sort("case_id", "type", "text")
    )
    per_type = hits.group_by("case_id", "type", maintain_order=True).agg(
        pl.col("text").unique(maintain_order=True)
    )
    shown = (
        per_type.with_columns(to_polars(line).alias("one"))
        .group_by("case_id", maintain_order=True)
        .agg(pl.col("type").alias("suggested"), pl.col("one").alias("parts"))
    )
    return shown.select("case_id", "suggested", to_polars(text).alias("suggested_text"))
