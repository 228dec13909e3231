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
"""

from __future__ import annotations

import polars as pl

from calcinosis_kg.cases import model as m

ROOT = m.CCKG + "0000001"
OSTEOMA = m.CCKG + "0000011"
CHILDREN, TEENAGERS, YOUNG = "CCKG:0000430", "CCKG:0000431", "CCKG:0000429"
JOINT, PERIARTICULAR = "UBERON:0000982", "CCKG:0000200"
LABEL = "suggested by typical features (not a classification)"


def suggestion_types(onto: object) -> set[str]:
    """Every calcinosis cutis type below the root, and osteoma cutis (the differential)."""
    descendants = onto.descendants  # type: ignore[attr-defined]
    return (set(descendants(ROOT)) - {ROOT}) | {OSTEOMA}


def population_values(frame: pl.DataFrame) -> pl.Expr:
    """Populations the case belongs to, from its age (see the module docstring)."""
    age = pl.col("age_years")
    child = age < 13
    teen = (age >= 13) & (age < 20)
    return pl.concat_list(
        [
            pl.when(child)
            .then(pl.lit([CHILDREN, YOUNG]))
            .otherwise(pl.lit([], pl.List(pl.String))),
            pl.when(teen)
            .then(pl.lit([TEENAGERS, YOUNG]))
            .otherwise(pl.lit([], pl.List(pl.String))),
        ]
    )


def joint_sites(onto: object) -> tuple[list[str], list[str]]:
    """(joint classes, periarticular classes) as CURIEs, for the site bridge."""
    descendants = onto.descendants  # type: ignore[attr-defined]
    return (
        [m.compress(c) for c in descendants(m.expand(JOINT))],
        [m.compress(c) for c in descendants(m.expand(PERIARTICULAR))],
    )


def suggest(
    values: pl.DataFrame,
    out: pl.DataFrame,
    typical: pl.DataFrame,
    labels: dict[str, str],
    joints: tuple[list[str], list[str]],
) -> pl.DataFrame:
    """(case_id, suggested list, suggested_text) for the unclassified cases of ``out``.

    ``values``: (case_id, value) long table of what each case records; ``typical``: (type,
    value, text) evidence rows for every type of ``suggestion_types``."""
    unclassified = out.filter(pl.col("status") == "unclassified").select("case_id")
    long = values.join(unclassified, on="case_id", how="semi")
    joint, around = joints
    bridged = (
        long.filter(pl.col("value").is_in(joint))
        .join(pl.DataFrame({"around": around}), how="cross")
        .select("case_id", pl.col("around").alias("value"))
    )
    long = pl.concat([long, bridged]).unique()
    hits = (
        long.join(typical, on="value")
        .select("case_id", "type", "text")
        .unique()
        .sort("case_id", "type", "text")
    )
    per_type = hits.group_by("case_id", "type", maintain_order=True).agg(
        pl.col("text").unique(maintain_order=True)
    )
    label_of = {k: v for k, v in labels.items()}
    shown = (
        per_type.with_columns(
            (
                pl.col("type").replace_strict(label_of, default=pl.col("type"))
                + " ("
                + pl.col("type")
                + "): "
                + pl.col("text").list.join(" | ")
            ).alias("one")
        )
        .group_by("case_id", maintain_order=True)
        .agg(pl.col("type").alias("suggested"), pl.col("one").alias("parts"))
    )
    return shown.select(
        "case_id",
        "suggested",
        (pl.lit(LABEL + ": ") + pl.col("parts").list.join("; ")).alias("suggested_text"),
    )
