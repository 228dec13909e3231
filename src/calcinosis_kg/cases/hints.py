"""Near misses: for an unclassified case, the one requirement of a criterion it lacks.

Why: "unclassified" must not read as a verdict about the patient. Most such records lack one
recorded value (no phosphate range, diseases not recorded as 'none' under the open world), and
saying which — from the same compiled criteria, no second copy of the logic — lets a clinician
complete the record. A criterion is a near miss when one or two of its conjuncts fail and at
least one holds.
"""

from __future__ import annotations

import polars as pl

from calcinosis_kg.cases.compile import Criterion, Node, to_polars

SEP = "\x1f"

FIELDS = {
    "no_conditions": "diseases",
    "conditions": "diseases",
    "no_exposures": "exposures",
    "calcium_judged_mmol_l": "calcium (mmol/L)",
    "phosphate_mmol_l": "phosphate (mmol/L)",
    "ionised_calcium_mmol_l": "ionised calcium (mmol/L)",
    "calcium_status": "calcium judged",
    "phosphate_status": "phosphate judged",
    "ionised_calcium_status": "ionised calcium judged",
    "calcium_range": "calcium range",
    "ionised_calcium_range": "ionised calcium range",
}


def describe(node: Node) -> str:
    """A short reading of a compiled requirement, in the CSV's own column names."""
    name = FIELDS.get(node.column, node.column)
    if node.op == "has_any":
        shown = ", ".join(node.values[:4]) + (", …" if len(node.values) > 4 else "")
        return f"{name} including one of {shown}"
    if node.op == "flag":
        return f"{name} recorded as 'none'"
    if node.op == "is_in":
        return f"{name} {' or '.join(node.values)}"
    if node.op == "compare":
        return f"{name} {node.cmp} {node.number:g}"
    if node.op == "not_null":
        return f"{name} recorded"
    if node.op in ("and", "or"):
        parts = [describe(i) for i in node.items if i.op != "not_null"]
        return "(" + f" {node.op} ".join(parts) + ")" if len(parts) > 1 else parts[0]
    return node.op


def near_misses(frame: pl.DataFrame, criteria: list[Criterion]) -> pl.Expr:
    """A list column: '<criterion> lacks <requirement>' for each near-miss criterion."""
    hints = []
    for crit in criteria:
        parts = list(crit.node.items) if crit.node.op == "and" else [crit.node]
        if len(parts) < 2:
            continue
        held = [to_polars(p) for p in parts]
        missing = pl.sum_horizontal([(~h).cast(pl.Int32) for h in held])
        lacks = pl.concat_list(
            [
                pl.when(~ok).then(pl.lit(describe(part)))
                for part, ok in zip(parts, held, strict=True)
            ]
        )
        name = f"CCKG:{crit.iri.rsplit('_', 1)[-1]} {crit.label}: lacks "
        near = missing.is_between(1, min(2, len(parts) - 1))
        # sorted: criteria that lack only a recorded 'none' first, then by how much is missing
        # (an idiopathic record lacking only 'none' is not sent down the dystrophic route)
        flags_only = pl.all_horizontal(
            [h | pl.lit(p.op == "flag") for p, h in zip(parts, held, strict=True)]
        )
        rank = pl.when(flags_only).then(pl.lit("0")).otherwise(pl.lit("1")) + missing.cast(
            pl.String
        )
        hints.append(
            pl.when(near).then(rank + SEP + name + lacks.list.drop_nulls().list.join("; "))
        )
    if not hints:
        return pl.lit([], dtype=pl.List(pl.String))
    return (
        pl.concat_list(hints)
        .list.drop_nulls()
        .list.sort()
        .list.eval(pl.element().str.split(SEP).list.last())
    )


def unclassified_reason(hints: pl.Expr) -> pl.Expr:
    """Why a valid case is unclassified, and exactly what to record: the nearest criteria from
    ``near_misses``; a missing 'none' says how to record it or to declare the lists complete."""
    listed = hints.list.join("; ")
    open_world = listed.str.contains("recorded as 'none'")
    text = (
        "no criterion is met (an empty cell is 'not recorded', never 'absent'); nearest: " + listed
    )
    return (
        pl.when(hints.list.len() == 0)
        .then(
            pl.lit(
                "no criterion is met and none is near: record the serum calcium and phosphate "
                "(with the laboratory's range), the diseases and the exposures (or 'none'), "
                "the lesion sites and any histopathology"
            )
        )
        .when(open_world)
        .then(
            text + ". To record an absence write 'none' in diseases / "
            "exposures, or declare the source's lists complete "
            "(column lists_complete, option --complete-lists)"
        )
        .otherwise(text)
    )
