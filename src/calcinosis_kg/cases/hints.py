"""Near misses: for an unclassified case, the one requirement of a criterion it lacks.

Why: "unclassified" must not read as a verdict about the patient. Most such records lack one
recorded value (no phosphate range, diseases not recorded as 'none' under the open world), and
saying which — from the same compiled criteria, no second copy of the logic — lets a clinician
complete the record. A criterion is a near miss when one or two of its conjuncts fail and at
least one holds. The list is a ``nodes`` tree, so the Spark engine compiles the same rule.
"""

from __future__ import annotations

from calcinosis_kg.cases.compile import Criterion
from calcinosis_kg.cases.nodes import (
    ELEMENT,
    TRUE,
    Node,
    cmp,
    concat,
    each,
    num,
    op,
    strs,
    text,
    when,
)

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


def near_misses(criteria: list[Criterion]) -> Node:
    """A list: '<criterion> lacks <requirement>' for each near-miss criterion, sorted: criteria
    that lack only a recorded 'none' first, then by how much is missing (an idiopathic record
    lacking only 'none' is not sent down the dystrophic route)."""
    hints = []
    for crit in criteria:
        parts = list(crit.node.items) if crit.node.op == "and" else [crit.node]
        if len(parts) < 2:
            continue
        missing = op("sum", *[when(p, num(0), num(1)) for p in parts])
        lacks = op("array", *[when(op("not", p), text(describe(p))) for p in parts])
        required = [p for p in parts if p.op != "flag"]
        flags_only = op("and", *required) if required else TRUE
        rank = concat(when(flags_only, text("0"), text("1")), op("to_text", missing))
        name = f"CCKG:{crit.iri.rsplit('_', 1)[-1]} {crit.label}: lacks "
        near = op(
            "and",
            cmp(missing, ">=", num(1)),
            cmp(missing, "<=", num(min(2, len(parts) - 1))),
        )
        hints.append(
            when(near, concat(rank, SEP, name, op("join", op("compact", lacks), text="; ")))
        )
    if not hints:
        return strs()
    ordered = op("sort", op("compact", op("array", *hints)))
    return each(ordered, op("after_last", ELEMENT, text=SEP))
