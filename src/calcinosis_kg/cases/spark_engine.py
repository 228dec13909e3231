"""Validate and classify case rows on Apache Spark with the ontology's compiled criteria.

Why: a registry that keeps tens of millions of records in a data lake must run the same criteria
where the data is, without a second implementation that can drift. Everything here is built
from what the polars engine uses: the criteria, the near misses and the decisions after them
(``cases.decisions``: precedence, status, flags, reasons, the differential's texts, the values a
case records) are ``nodes.to_sql`` of the same ``Node`` trees; validation is ``spark_shacl`` over
the same compiled shapes, and the result has the same columns. What is left here is relational
plumbing (joins, group-bys), which holds no constant of a rule. No Python function is called per row (no UDF): the driver builds
expressions once, the executors evaluate them. Small tables (labels, criterion texts, evidence)
travel as literals or broadcast joins.
"""

from __future__ import annotations

import os
import re
from typing import Any

from calcinosis_kg.cases import decisions, spark_shacl
from calcinosis_kg.cases.classify import RESULT_COLUMNS, Classifier
from calcinosis_kg.cases.nodes import Node, spark_steps, to_sql
from calcinosis_kg.cases.spark_shacl import case_iri
from calcinosis_kg.core.errors import InputError

DEFAULT_MASTER = "local[*]"
#: the driver heap of a local master (``4g``, ``512m``); unset: a quarter of the machine's memory,
#: 2-8 GiB (a JVM grows to its limit before it collects, and several may share a machine)
DRIVER_MEMORY_ENV = "CALCINOSIS_KG_SPARK_DRIVER_MEMORY"


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


def _expr(node: Node) -> Any:
    return _f().expr(to_sql(node))


def classify(df: Any, clf: Classifier) -> Any:
    """One result row per case (``RESULT_COLUMNS`` + ``types``/``fired``/``hints``/
    ``suggestions``, ``source``, ``_row``); ``df`` has the wide columns, ``_row`` (input
    order), ``_invalid`` and ``_problems`` (why invalid)."""

    F = _f()
    crit, declared = clf.criteria, clf.decisions
    fired = df.select(
        "case_id",
        "source",
        "_row",
        "_invalid",
        "_problems",
        "not_a_case",
        "conditions",
        *[_expr(c.node).alias(f"c{i}") for i, c in enumerate(crit)],
        _expr(clf.hints).alias("hints"),
        *decisions.PASSED,
    )
    out = spark_steps(fired, [declared.passed, declared.fired_types, *declared.precedence])
    out = spark_steps(out, [declared.shown]).drop(*[f"c{i}" for i in range(len(crit))])
    # read three times below (the joins with its support and suggestions): without the cache
    # Spark evaluated the criteria of every case three times
    out = out.cache()
    values = df.select("_row", F.explode(_expr(declared.values)).alias("value")).filter(
        F.col("value").isNotNull()
    )
    out = out.join(_support(values, out, clf), "_row", "left")
    out = out.join(_suggestions(values, out, clf), "_row", "left")
    out = spark_steps(out, declared.answer)
    return out.select(*RESULT_COLUMNS, "types", "fired", "hints", "suggestions", "source", "_row")


def _table(spark: Any, frame: Any) -> Any:
    return spark.createDataFrame(frame.rows() or [], "type string, value string, text string")


def _support(values: Any, out: Any, clf: Classifier) -> Any:
    """Supporting sentences: evidence rows whose type the case got and whose value it shows
    (per row: ids are unique within a run)."""
    F = _f()
    typed = out.select("_row", F.explode("types").alias("type"))
    hits = (
        values.join(typed, "_row")
        .join(F.broadcast(_table(values.sparkSession, clf.evidence)), ["type", "value"])
        .select("_row", "text")
        .distinct()
    )
    return hits.groupBy("_row").agg(F.array_sort(F.collect_list("text")).alias("support"))


def _suggestions(values: Any, out: Any, clf: Classifier) -> Any:
    """``suggest.suggest``: (_row, suggested, suggested_text) for unclassified rows, with the
    declared texts (``decisions.suggestion_line`` / ``suggestion_text``)."""
    F = _f()
    unclassified = out.filter(F.col("status") == "unclassified").select("_row")
    long = values.join(unclassified, "_row", "left_semi")
    joint, around = clf.joints
    bridged = long.filter(F.col("value").isin(joint)).select(
        "_row", F.explode(F.array(*map(F.lit, around))).alias("value")
    )
    long = long.unionByName(bridged).distinct()
    typical = F.broadcast(_table(values.sparkSession, clf.typical))
    hits = long.join(typical, "value").select("_row", "type", "text").distinct()
    per_type = (
        hits.groupBy("_row", "type")
        .agg(F.array_sort(F.collect_list("text")).alias("text"))
        .withColumn("one", _expr(clf.decisions.suggestion_line))
    )
    shown = per_type.groupBy("_row").agg(
        F.array_sort(F.collect_list(F.struct("type", "one"))).alias("p")
    )
    return (
        shown.select(
            "_row",
            F.expr("transform(p, x -> x.type)").alias("suggested"),
            F.expr("transform(p, x -> x.one)").alias("parts"),
        )
        .withColumn("suggested_text", _expr(clf.decisions.suggestion_text))
        .drop("parts")
    )


def problem_text(bad: Any) -> Any:
    """``pipeline.problem_text``: per row, its problems as one text (``decisions.problem_text``)."""
    F = _f()
    lines = bad.withColumn("line", _expr(decisions.problem_line()))
    per = lines.groupBy("_row").agg(
        F.array_sort(F.collect_list(F.struct("field", "message", "line"))).alias("p")
    )
    listed = per.select("_row", F.expr("transform(p, x -> x.line)").alias("problems"))
    return listed.select("_row", _expr(decisions.problem_text()).alias("_problems"))


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
