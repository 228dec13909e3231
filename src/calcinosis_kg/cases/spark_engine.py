"""Validate and classify case rows on Apache Spark with the ontology's compiled criteria.

Why: a registry that keeps tens of millions of records in a data lake must run the same criteria
where the data is, without a second implementation that can drift. Everything here is built
from what the polars engine uses: the criteria are ``compile.to_sql`` of the same ``Node`` trees,
near misses are ``hints.describe`` of the same conjuncts, lab evidence is
``classify.LAB_EVIDENCE``, validation is ``spark_shacl`` over the same compiled shapes, and the
result has the same columns. No Python function is called per row (no UDF): the driver builds
expressions once, the executors evaluate them. Small tables (labels, criterion texts, evidence)
travel as literals or broadcast joins.
"""

from __future__ import annotations

import os
import re
from typing import Any

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import spark_decide as sd
from calcinosis_kg.cases import spark_shacl
from calcinosis_kg.cases.classify import LAB_EVIDENCE, RESULT_COLUMNS, Classifier
from calcinosis_kg.cases.compile import to_sql
from calcinosis_kg.cases.hints import SEP, describe
from calcinosis_kg.cases.spark_decide import problem_text
from calcinosis_kg.cases.spark_shacl import case_iri, q
from calcinosis_kg.core.errors import InputError

DEFAULT_MASTER = "local[*]"
#: the driver heap of a local master (``4g``, ``512m``); unset: a quarter of the machine's memory,
#: 2-8 GiB (a JVM grows to its limit before it collects, and several may share a machine)
DRIVER_MEMORY_ENV = "CALCINOSIS_KG_SPARK_DRIVER_MEMORY"
#: row columns the result carries as they are (null -> ""); ranges is blanked when invalid
PASSED = ("ranges", "identifiers")


def driver_memory() -> str | None:
    """The heap to give a local master's driver JVM, which also runs the executors: Spark's
    default of 1 GiB is too small for the case expressions on a million rows. None when the
    user set it with ``--driver-memory`` in ``PYSPARK_SUBMIT_ARGS``."""

    if "driver-memory" in os.environ.get("PYSPARK_SUBMIT_ARGS", ""):
        return None
    given = os.environ.get(DRIVER_MEMORY_ENV, "").strip()
    if given:
        if not re.fullmatch(r"[1-9][0-9]*[kmgt]?", given.lower()):
            raise InputError(
                f"{given!r} is not a JVM memory size such as 4g or 512m", DRIVER_MEMORY_ENV
            )
        return given.lower()
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(2, min(8, total // 2**32))}g"


#: the optimiser's constraint propagation (``InferFiltersFromConstraints``) infers a constraint
#: per alias of the readers' and engine's wide projections: measured here, the Spark CSV
#: reader's plan of the vignettes ran out of a 2 GiB heap in that rule. Filters the plans
#: write themselves still apply; only inferred ones are not added.
NO_CONSTRAINTS = "spark.sql.constraintPropagation.enabled"


def session(master: str | None = None, app: str = "calcinosis-kg cases") -> Any:
    """A Spark session on ``master`` (default: the active session, e.g. from spark-submit, else
    ``local[*]``); a local master binds to loopback only and has no web UI, so a local run
    opens no port to the network."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if master is None and active is not None:  # spark-submit made one: use it as it is
        active.conf.set(NO_CONSTRAINTS, "false")
        return active
    master = master or DEFAULT_MASTER
    builder = SparkSession.builder.appName(app).master(master)
    builder = builder.config("spark.sql.session.timeZone", "UTC")
    # one case's triples are one expression: fused into a whole stage its generated method
    # passes the JVM's 64 KB limit (Spark then compiles for tens of seconds, fails and falls
    # back); operator by operator, Spark splits it into methods that compile
    builder = builder.config("spark.sql.codegen.wholeStage", "false")
    builder = builder.config(NO_CONSTRAINTS, "false")
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            builder.config("spark.ui.enabled", "false")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "8")
        )
        memory = driver_memory()
        if memory is not None:  # read when the JVM starts (a running one keeps its heap)
            builder = builder.config("spark.driver.memory", memory)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _f() -> Any:
    from pyspark.sql import functions as F

    return F


def _map(pairs: dict[str, Any]) -> Any:
    F = _f()
    if not pairs:
        return F.expr("map()")
    return F.create_map(*[F.lit(x) for kv in sorted(pairs.items()) for x in kv])


def _strings(values: list[str]) -> Any:
    F = _f()
    return (
        F.array(*[F.lit(v) for v in values]) if values else F.expr("array()").cast("array<string>")
    )


def _compact(items: list[Any]) -> Any:
    """array(items…) without its nulls."""
    F = _f()
    return F.filter(F.array(*items), lambda x: x.isNotNull())


def near_misses(criteria: list) -> Any:
    """``hints.near_misses`` on Spark: the same conjuncts, wording and order (criteria lacking
    only a recorded 'none' first, then by how much is missing)."""
    F = _f()
    hints = []
    for crit in criteria:
        parts = list(crit.node.items) if crit.node.op == "and" else [crit.node]
        if len(parts) < 2:
            continue
        held = [f"({to_sql(p)})" for p in parts]
        missing = "(" + " + ".join(f"CASE WHEN {h} THEN 0 ELSE 1 END" for h in held) + ")"
        lacks = (
            "filter(array("
            + ", ".join(
                f"CASE WHEN NOT {h} THEN {q(describe(part))} END"
                for part, h in zip(parts, held, strict=True)
            )
            + "), x -> x IS NOT NULL)"
        )
        flags_only = " AND ".join(
            f"({h} OR {str(p.op == 'flag').upper()})" for p, h in zip(parts, held, strict=True)
        )
        rank = f"concat(CASE WHEN {flags_only} THEN '0' ELSE '1' END, CAST({missing} AS STRING))"
        name = f"CCKG:{crit.iri.rsplit('_', 1)[-1]} {crit.label}: lacks "
        hints.append(
            f"CASE WHEN {missing} BETWEEN 1 AND {min(2, len(parts) - 1)} THEN "
            f"concat({rank}, {q(SEP)}, {q(name)}, array_join({lacks}, '; ')) END"
        )
    if not hints:
        return _strings([])
    return F.expr(
        f"transform(array_sort(filter(array({', '.join(hints)}), x -> x IS NOT "
        f"NULL)), x -> element_at(split(x, {q(SEP)}), -1))"
    )


def lab_values() -> Any:
    """A Spark column: per row, the lab phenotypes the case shows (``classify.LAB_EVIDENCE``, the
    same rule as the polars engine), for evidence only."""
    F = _f()
    return F.flatten(
        F.array(
            *[
                F.when(F.expr(to_sql(node)), _strings(list(values))).otherwise(_strings([]))
                for node, values in LAB_EVIDENCE
            ]
        )
    )


def classify(df: Any, clf: Classifier) -> Any:
    """One result row per case (``RESULT_COLUMNS`` + ``types``/``fired``/``hints``/
    ``suggestions``, ``source``, ``_row``); ``df`` has the wide columns, ``_row`` (input
    order), ``_invalid`` and ``_problems`` (why invalid)."""

    F = _f()
    crit = clf.criteria
    fired = df.select(
        "case_id",
        "source",
        "_row",
        "_invalid",
        "_problems",
        "not_a_case",
        "conditions",
        *[F.expr(to_sql(c.node)).alias(f"c{i}") for i, c in enumerate(crit)],
        near_misses(crit).alias("hints"),
        *[F.coalesce(F.col(c), F.lit("")).alias(c) for c in PASSED],
    )
    effective = []
    for i, c in enumerate(crit):
        below = [
            F.col(f"c{j}")
            for j, d in enumerate(crit)
            if d.type_iri != c.type_iri and c.type_iri in clf.onto.ancestors(d.type_iri)
        ]
        cond = F.col(f"c{i}")
        for b in below:
            cond = cond & ~b
        effective.append(F.when(cond, F.lit(m.compress(c.type_iri))))
    fired_names = [F.when(F.col(f"c{i}"), F.lit(m.compress(c.iri))) for i, c in enumerate(crit)]
    out = fired.select(
        "case_id",
        "source",
        "_row",
        "_invalid",
        "_problems",
        "not_a_case",
        "conditions",
        "hints",
        *PASSED,
        F.array_sort(F.array_distinct(_compact(effective))).alias("types"),
        _compact(fired_names).alias("fired"),
    )
    out = sd.apply(out)
    all_labels = {m.compress(k): v for k, v in clf.onto.labels.items()}
    wanted = (
        {m.compress(c.type_iri) for c in crit}
        | {m.compress(c.iri) for c in crit}
        | set(clf.dystrophic_conditions)
        | set(clf.metastatic_kinds)
    )
    labels = {k: v for k, v in all_labels.items() if k in wanted}
    out = out.withColumn(
        "flags", F.expr(sd.flags(clf.metastatic_kinds, clf.dystrophic_conditions, labels))
    )
    label_map, texts = (
        _map(labels),
        _map({m.compress(c.iri): _strings(list(c.texts)) for c in crit}),
    )
    out = out.select(
        "*",
        F.array_join("types", "|").alias("type_id"),
        F.array_join(
            F.transform("types", lambda t: F.coalesce(F.try_element_at(label_map, t), t)), "|"
        ).alias("type_label"),
        F.array_join(
            F.transform(
                "fired",
                lambda c: F.concat(
                    c, F.lit(" "), F.coalesce(F.try_element_at(label_map, c), F.lit(""))
                ),
            ),
            "; ",
        ).alias("criteria"),
        F.array_distinct(
            F.flatten(
                F.transform("fired", lambda c: F.coalesce(F.try_element_at(texts, c), _strings([])))
            )
        ).alias("crit_texts"),
    )
    values = df.select(
        "_row",
        F.explode(
            F.concat(
                "conditions",
                "exposures",
                "sites",
                "features",
                "histology",
                F.array("taxon"),
                lab_values(),
                F.expr(sd.population_values()),
            )
        ).alias("value"),
    ).filter(F.col("value").isNotNull())
    spark = df.sparkSession
    typical = spark.createDataFrame(
        clf.typical.rows() or [], "type string, value string, text string"
    )
    typical_labels = {
        k: v for k, v in all_labels.items() if k in set(clf.typical["type"].to_list())
    }
    out = out.join(_support(values, out, clf), "_row", "left")
    out = out.join(sd.suggestions(values, out, typical, typical_labels, clf.joints), "_row", "left")
    support = F.array_sort(
        F.array_except(F.coalesce(F.col("support"), _strings([])), F.col("crit_texts"))
    )
    sources = F.concat(
        F.col("crit_texts"), F.transform(support, lambda x: F.concat(F.lit("supporting: "), x))
    )
    unclassified = F.col("status") == "unclassified"
    hints = F.when(unclassified, F.col("hints")).otherwise(_strings([]))
    out = out.select(
        "*",
        F.array_join(sources, " | ").alias("_sources"),
        hints.alias("_hints"),
        F.when(unclassified, F.coalesce(F.col("suggested"), _strings([])))
        .otherwise(_strings([]))
        .alias("suggestions"),
        F.when(
            unclassified,
            F.coalesce(
                F.col("suggested_text"),
                F.lit(sd.suggest.LABEL + ": none (no typical feature of any type recorded)"),
            ),
        )
        .otherwise(F.lit(""))
        .alias("_suggested"),
    )
    reason = F.expr(
        "CASE WHEN status = 'not_a_case' THEN not_a_case "
        "WHEN status = 'invalid' THEN concat('invalid record: ', _problems) "
        f"WHEN status = 'unclassified' THEN {sd.unclassified_reason('hints')} "
        "WHEN status = 'ambiguous' THEN 'the criteria of several types are met and none is "
        "more specific: all are listed, none is picked' ELSE '' END"
    )
    out = (
        out.withColumn("reason", reason)
        .drop("sources", "hints", "suggested")
        .withColumnsRenamed({"_sources": "sources", "_hints": "hints", "_suggested": "suggested"})
    )
    return out.select(*RESULT_COLUMNS, "types", "fired", "hints", "suggestions", "source", "_row")


def _support(values: Any, out: Any, clf: Classifier) -> Any:
    """Supporting sentences: evidence rows whose type the case got and whose value it shows
    (per row: ids are unique within a run)."""
    F = _f()
    spark = values.sparkSession
    typed = out.select("_row", F.explode("types").alias("type"))
    evidence = spark.createDataFrame(
        clf.evidence.rows() or [], "type string, value string, text string"
    )
    hits = (
        values.join(typed, "_row")
        .join(F.broadcast(evidence), ["type", "value"])
        .select("_row", "text")
        .distinct()
    )
    return hits.groupBy("_row").agg(F.array_sort(F.collect_list("text")).alias("support"))


def with_row_keys(df: Any) -> Any:
    """Add ``iri`` (the case IRI) and ``_row`` (input order) when missing."""

    F = _f()
    if "_row" not in df.columns:
        df = df.withColumn("_row", F.monotonically_increasing_id())
    return df.withColumn("iri", F.expr(case_iri("case_id")))


def problems(df: Any) -> Any:
    """Problems per case and field (``pipeline.problems`` columns and order key ``_row``)."""

    return spark_shacl.problems(df)


def run(df: Any, clf: Classifier | None) -> tuple[Any, Any]:
    """(problems, results) of a wide-row DataFrame; results is None without a classifier."""
    F = _f()
    df = with_row_keys(df).cache()
    bad = problems(df).cache()
    if clf is None:
        return bad, None
    # by row: ids are unique within a run (pipeline.Identifiers), so this is polars' by-id

    invalid_rows = problem_text(bad).withColumn("_invalid", F.lit(True))
    marked = (
        df.join(invalid_rows, "_row", "left")
        .fillna(False, subset=["_invalid"])
        .fillna("", subset=["_problems"])
    )
    return bad, classify(marked, clf)
