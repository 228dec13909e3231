"""The case decisions on Spark: precedence, status, flags, differential, reasons.

Why a port of ``decide``, ``suggest``, ``hints.unclassified_reason`` and
``pipeline.problem_text``: the answer of a case is more than its criteria (osteoma cutis wins,
the dog form is another axis, a metastatic kind beside a disease of the dystrophic list is
flagged, an unclassified case gets a differential and says what to record). Each function here
is the same rule over the same constants, written as Spark SQL over array columns and joins;
tests/test_cases_spark.py holds both engines to the same answer, case by case.
"""

from __future__ import annotations

from typing import Any

from calcinosis_kg.cases import decide, suggest
from calcinosis_kg.cases.spark_shacl import q, qlist

EMPTY = "CAST(array() AS array<string>)"


def _arr(values: list[str] | tuple[str, ...]) -> str:
    return f"array({qlist(values)})" if values else EMPTY


def apply(out: Any) -> Any:
    """``decide.apply``: final ``types``, ``overridden`` and ``status``."""
    from pyspark.sql import functions as F

    osteoma = f"array_contains(types, {q(decide.OSTEOMA)})"
    out = out.withColumn(
        "overridden",
        F.expr(
            f"CASE WHEN {osteoma} THEN array_except(types, {_arr([decide.OSTEOMA])}) "
            f"ELSE {EMPTY} END"
        ),
    )
    out = out.withColumn(
        "types", F.expr(f"CASE WHEN {osteoma} THEN {_arr([decide.OSTEOMA])} ELSE types END")
    )
    alternatives = f"size(array_except(types, {_arr(list(decide.ORTHOGONAL))}))"
    out = out.withColumn(
        "status",
        F.expr(
            "CASE WHEN _invalid THEN 'invalid' WHEN not_a_case IS NOT NULL THEN 'not_a_case' "
            f"WHEN size(types) = 0 THEN 'unclassified' WHEN {alternatives} > 1 THEN 'ambiguous' "
            "ELSE 'classified' END"
        ),
    )
    typed = "status IN ('classified', 'ambiguous', 'unclassified')"
    for column in ("types", "fired", "overridden"):
        out = out.withColumn(column, F.expr(f"CASE WHEN {typed} THEN {column} ELSE {EMPTY} END"))
    return out.withColumn("ranges", F.expr(f"CASE WHEN {typed} THEN ranges ELSE '' END"))


def flags(
    metastatic_kinds: set[str], dystrophic_conditions: set[str], labels: dict[str, str]
) -> str:
    """``decide.flags`` as one SQL expression over types, overridden, conditions."""

    def label_sql(x: str) -> str:
        pairs = ", ".join(f"{q(k)}, {q(v)}" for k, v in sorted(labels.items()))
        return f"concat(coalesce(try_element_at(map({pairs}), {x}), {x}), ' (', {x}, ')')"

    dys = (
        f"concat({q(labels.get(decide.DYSTROPHIC, decide.DYSTROPHIC))}, ' (', "
        f"{q(decide.DYSTROPHIC)}, ')')"
    )
    overrides = (
        f"CASE WHEN size(overridden) > 0 THEN concat('overrides ', array_join("
        f"transform(array_sort(overridden), t -> {label_sql('t')}), ', '), "
        "': bone on histopathology is osteoma cutis (F0093), which is not a "
        "calcinosis cutis (disjoint)') END"
    )
    linked = (
        f"array_sort(array_distinct(array_intersect(coalesce(conditions, {EMPTY}), "
        f"{_arr(sorted(dystrophic_conditions))})))"
    )
    competing = (
        f"CASE WHEN size({linked}) > 0 AND size(array_intersect(types, "
        f"{_arr(sorted(metastatic_kinds))})) > 0 THEN concat('competing: ', {dys}, "
        f"': the record lists ', array_join(transform({linked}, c -> "
        f"{label_sql('c')}), ', '), ', which the sources link to dystrophic "
        "calcification (CCKG:0000706); the serum value judged raised gives the "
        "metastatic kind, and dystrophic needs normal serum calcium and phosphate "
        "(F0108): check the value and its range') END"
    )
    return f"concat_ws('; ', {overrides}, {competing})"


def population_values() -> str:
    """``suggest.population_values``: populations from the age."""
    return (
        f"concat(CASE WHEN age_years < 13 THEN "
        f"{_arr([suggest.CHILDREN, suggest.YOUNG])} ELSE {EMPTY} END, "
        f"CASE WHEN age_years >= 13 AND age_years < 20 THEN "
        f"{_arr([suggest.TEENAGERS, suggest.YOUNG])} ELSE {EMPTY} END)"
    )


def suggestions(
    values: Any, out: Any, typical: Any, labels: dict[str, str], joints: tuple[list[str], list[str]]
) -> Any:
    """``suggest.suggest``: (_row, suggested, suggested_text) for unclassified rows."""
    from pyspark.sql import functions as F

    unclassified = out.filter(F.col("status") == "unclassified").select("_row")
    long = values.join(unclassified, "_row", "left_semi")
    joint, around = joints
    bridged = long.filter(F.col("value").isin(joint)).select(
        "_row", F.explode(F.expr(_arr(around))).alias("value")
    )
    long = long.unionByName(bridged).distinct()
    hits = long.join(F.broadcast(typical), "value").select("_row", "type", "text").distinct()
    pairs = ", ".join(f"{q(k)}, {q(v)}" for k, v in sorted(labels.items()))
    per_type = (
        hits.groupBy("_row", "type")
        .agg(F.array_sort(F.collect_list("text")).alias("texts"))
        .withColumn(
            "one",
            F.expr(
                f"concat(coalesce(try_element_at(map({pairs}), type), type), ' (', "
                "type, '): ', array_join(texts, ' | '))"
            ),
        )
    )
    shown = per_type.groupBy("_row").agg(
        F.array_sort(F.collect_list(F.struct("type", "one"))).alias("p")
    )
    return shown.select(
        "_row",
        F.expr("transform(p, x -> x.type)").alias("suggested"),
        F.expr(
            f"concat({q(suggest.LABEL + ': ')}, array_join(transform(p, x -> x.one), '; '))"
        ).alias("suggested_text"),
    )


def unclassified_reason(hints: str) -> str:
    """``hints.unclassified_reason`` as SQL over the hints array."""
    listed = f"array_join({hints}, '; ')"
    text = f"concat({q(NO_CRITERION)}, {listed})"
    return (
        f"CASE WHEN size({hints}) = 0 THEN {q(NOTHING_NEAR)} "
        f"WHEN instr({listed}, {q(OPEN_WORLD)}) > 0 THEN concat({text}, {q(TO_RECORD)}) "
        f"ELSE {text} END"
    )


NO_CRITERION = "no criterion is met (an empty cell is 'not recorded', never 'absent'); nearest: "
NOTHING_NEAR = (
    "no criterion is met and none is near: record the serum calcium and phosphate "
    "(with the laboratory's range), the diseases and the exposures (or 'none'), "
    "the lesion sites and any histopathology"
)
OPEN_WORLD = "recorded as 'none'"
TO_RECORD = (
    ". To record an absence write 'none' in diseases / exposures, or declare the "
    "source's lists complete (column lists_complete, option --complete-lists)"
)


def problem_text(bad: Any, shown: int = 5) -> Any:
    """``pipeline.problem_text``: per row, its first ``shown`` problems as one text."""
    from pyspark.sql import functions as F

    per = bad.groupBy("_row").agg(
        F.array_sort(F.collect_list(F.struct("field", "message"))).alias("p")
    )
    return per.select(
        "_row",
        F.expr(
            f"concat(array_join(transform(slice(p, 1, {shown}), x -> concat(x.field, ': ', "
            f"x.message)), '; '), CASE WHEN size(p) > {shown} THEN concat(' (+', "
            f"CAST(size(p) - {shown} AS STRING), ' more)') ELSE '' END)"
        ).alias("_problems"),
    )
