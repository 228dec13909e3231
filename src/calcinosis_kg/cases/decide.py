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
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

OSTEOMA = "CCKG:0000011"
DOG_FORM = "CCKG:0000012"
METASTATIC = "CCKG:0000003"
DYSTROPHIC = "CCKG:0000002"
#: types on another axis than the kinds (never an alternative to one)
ORTHOGONAL = (DOG_FORM,)


def final_types(types: Iterable[str]) -> list[str]:
    """The case's types after the precedence rules (osteoma cutis wins), sorted."""
    kept = sorted(set(types))
    return [OSTEOMA] if OSTEOMA in kept else kept


def status_of(types: list[str]) -> str:
    """classified / ambiguous / unclassified for a valid case's final types."""
    alternatives = [t for t in types if t not in ORTHOGONAL]
    if not types:
        return "unclassified"
    return "ambiguous" if len(alternatives) > 1 else "classified"


def apply(out: pl.DataFrame) -> pl.DataFrame:
    """``types`` -> final ``types``, ``overridden`` (dropped by osteoma cutis) and ``status``
    (``_invalid`` first: a broken record is fixed before it is judged, then ``not_a_case``);
    vectorised, same rules as ``final_types``."""
    empty = pl.lit([], dtype=pl.List(pl.String))
    osteoma = pl.col("types").list.contains(OSTEOMA)
    out = out.with_columns(
        pl.when(osteoma)
        .then(pl.col("types").list.set_difference(pl.lit([OSTEOMA])))
        .otherwise(empty)
        .alias("overridden"),
        pl.when(osteoma).then(pl.lit([OSTEOMA])).otherwise(pl.col("types")).alias("types"),
    )
    alternatives = pl.col("types").list.set_difference(pl.lit(list(ORTHOGONAL))).list.len()
    status = (
        pl.when(pl.col("_invalid"))
        .then(pl.lit("invalid"))
        .when(pl.col("not_a_case").is_not_null())
        .then(pl.lit("not_a_case"))
        .when(pl.col("types").list.len() == 0)
        .then(pl.lit("unclassified"))
        .when(alternatives > 1)
        .then(pl.lit("ambiguous"))
        .otherwise(pl.lit("classified"))
    )
    out = out.with_columns(status.alias("status"))
    typed = pl.col("status").is_in(["classified", "ambiguous", "unclassified"])
    return out.with_columns(
        pl.when(typed).then(pl.col("types")).otherwise(empty).alias("types"),
        pl.when(typed).then(pl.col("fired")).otherwise(empty).alias("fired"),
        pl.when(typed).then(pl.col("overridden")).otherwise(empty).alias("overridden"),
    )


def flags(
    frame: pl.DataFrame,
    out: pl.DataFrame,
    metastatic_kinds: set[str],
    dystrophic_conditions: set[str],
    labels: dict[str, str],
) -> pl.Series:
    """One text per case: the overridden types and the competing dystrophic type, or ''.
    ``out`` is row-aligned with ``frame`` (one result row per case, same order)."""

    def named(items: pl.Expr) -> pl.Expr:
        return items.list.eval(
            pl.element().replace_strict(labels, default=pl.element()) + " (" + pl.element() + ")"
        ).list.join(", ")

    linked = pl.col("conditions").list.set_intersection(pl.lit(sorted(dystrophic_conditions)))
    table = out.select("types", "overridden").with_columns(
        frame.select(linked.list.sort().alias("linked"))["linked"]
    )
    overrides = pl.when(pl.col("overridden").list.len() > 0).then(
        "overrides "
        + named(pl.col("overridden").list.sort())
        + ": bone on histopathology is osteoma cutis (F0093), which is not a calcinosis cutis "
        "(disjoint)"
    )
    metastatic = pl.col("types").list.set_intersection(pl.lit(sorted(metastatic_kinds)))
    competing = pl.when((pl.col("linked").list.len() > 0) & (metastatic.list.len() > 0)).then(
        f"competing: {labels.get(DYSTROPHIC, DYSTROPHIC)} ({DYSTROPHIC}): the record lists "
        + named(pl.col("linked"))
        + ", which the sources link to dystrophic calcification "
        "(CCKG:0000706); the serum value judged raised gives the metastatic kind, and dystrophic "
        "needs normal serum calcium and phosphate (F0108): check the value and its range"
    )
    return table.select(
        pl.concat_str([overrides, competing], separator="; ", ignore_nulls=True)
        .fill_null("")
        .alias("flags")
    )["flags"]
