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
from typing import Any

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.classify import LAB_EVIDENCE, RESULT_COLUMNS, Classifier
from calcinosis_kg.cases.compile import to_sql
from calcinosis_kg.cases.hints import describe

DEFAULT_MASTER = "local[*]"
#: row columns the result carries as they are (null -> ""); ranges is blanked when invalid
PASSED = ("ranges", "identifiers")


def session(master: str | None = None, app: str = "calcinosis-kg cases") -> Any:
    """A Spark session on ``master`` (default: the active session, e.g. from spark-submit, else
    ``local[*]``); a local master binds to loopback only and has no web UI, so a local run
    opens no port to the network."""
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if master is None and active is not None:  # spark-submit made one: use it as it is
        return active
    master = master or DEFAULT_MASTER
    builder = SparkSession.builder.appName(app).master(master)
    builder = builder.config("spark.sql.session.timeZone", "UTC")
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (builder.config("spark.ui.enabled", "false")
                   .config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.shuffle.partitions", "8"))
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
    return F.array(*[F.lit(v) for v in values]) if values else F.expr("array()").cast(
        "array<string>")


def _compact(items: list[Any]) -> Any:
    """array(items…) without its nulls."""
    F = _f()
    return F.filter(F.array(*items), lambda x: x.isNotNull())


def near_misses(criteria: list) -> Any:
    """``hints.near_misses`` on Spark: the same conjuncts, the same wording."""
    F = _f()
    hints = []
    for crit in criteria:
        parts = list(crit.node.items) if crit.node.op == "and" else [crit.node]
        if len(parts) < 2:
            continue
        held = [F.expr(to_sql(p)) for p in parts]
        missing = sum((F.when(h, F.lit(0)).otherwise(F.lit(1)) for h in held), F.lit(0))
        lacks = _compact([F.when(~ok, F.lit(describe(part))) for part, ok in
                          zip(parts, held, strict=True)])
        name = f"CCKG:{crit.iri.rsplit('_', 1)[-1]} {crit.label}: lacks "
        near = missing.between(1, min(2, len(parts) - 1))
        hints.append(F.when(near, F.concat(F.lit(name), F.array_join(lacks, "; "))))
    return _compact(hints) if hints else _strings([])


def lab_values() -> Any:
    F = _f()
    return F.flatten(F.array(*[F.when(F.expr(to_sql(node)), _strings(list(values)))
                               .otherwise(_strings([])) for node, values in LAB_EVIDENCE]))


def classify(df: Any, clf: Classifier) -> Any:
    """One result row per case (``RESULT_COLUMNS`` + ``types``/``fired``/``hints`` lists);
    ``df`` has the wide columns, ``_row`` (input order) and ``_invalid``."""
    F = _f()
    crit = clf.criteria
    fired = df.select("case_id", "source", "_row", "_invalid",
                      *[F.expr(to_sql(c.node)).alias(f"c{i}") for i, c in enumerate(crit)],
                      near_misses(crit).alias("hints"),
                      *[F.coalesce(F.col(c), F.lit("")).alias(c) for c in PASSED if c in
                        df.columns])
    effective = []
    for i, c in enumerate(crit):
        below = [F.col(f"c{j}") for j, d in enumerate(crit) if d.type_iri != c.type_iri
                 and c.type_iri in clf.onto.ancestors(d.type_iri)]
        cond = F.col(f"c{i}")
        for b in below:
            cond = cond & ~b
        effective.append(F.when(cond, F.lit(m.compress(c.type_iri))))
    fired_names = [F.when(F.col(f"c{i}"), F.lit(m.compress(c.iri))) for i, c in enumerate(crit)]
    out = fired.select("case_id", "source", "_row", "_invalid", "hints",
                       *[c for c in PASSED if c in fired.columns],
                       F.array_sort(F.array_distinct(_compact(effective))).alias("types"),
                       _compact(fired_names).alias("fired"))
    n = F.size("types")
    out = out.withColumn("status", F.when(F.col("_invalid"), F.lit("invalid"))
                         .when(n == 0, F.lit("unclassified")).when(n == 1, F.lit("classified"))
                         .otherwise(F.lit("ambiguous")))
    invalid = F.col("status") == "invalid"
    out = out.withColumn("types", F.when(invalid, _strings([])).otherwise(F.col("types")))
    out = out.withColumn("fired", F.when(invalid, _strings([])).otherwise(F.col("fired")))
    if "ranges" in out.columns:
        out = out.withColumn("ranges", F.when(invalid, F.lit("")).otherwise(F.col("ranges")))
    names = {m.compress(c.type_iri) for c in crit} | {m.compress(c.iri) for c in crit}
    labels = _map({k: v for k, v in ((m.compress(i), lab) for i, lab in clf.onto.labels.items())
                   if k in names})
    texts = _map({m.compress(c.iri): _strings(list(c.texts)) for c in crit})
    out = out.select(
        "*", F.array_join("types", "|").alias("type_id"),
        F.array_join(F.transform("types", lambda t: F.coalesce(F.try_element_at(labels, t), t)),
                     "|").alias("type_label"),
        F.array_join(F.transform("fired", lambda c: F.concat(c, F.lit(" "), F.coalesce(
            F.try_element_at(labels, c), F.lit("")))), "; ").alias("criteria"),
        F.array_distinct(F.flatten(F.transform("fired", lambda c: F.coalesce(
            F.try_element_at(texts, c), _strings([]))))).alias("crit_texts"))
    out = out.join(_support(df, out, clf), "_row", "left")
    support = F.array_sort(F.array_except(F.coalesce(F.col("support"), _strings([])),
                                          F.col("crit_texts")))
    sources = F.concat(F.col("crit_texts"), F.transform(support, lambda x: F.concat(
        F.lit("supporting: "), x)))
    hints = F.when(F.col("status") == "unclassified", F.col("hints")).otherwise(_strings([]))
    columns = [F.array_join(sources, " | ").alias(c) if c == "sources" else F.col(c)
               for c in RESULT_COLUMNS]
    return out.select(*columns, "types", "fired", hints.alias("hints"), "source", "_row")


def _support(df: Any, out: Any, clf: Classifier) -> Any:
    """Supporting sentences: evidence rows whose type the case got and whose value it shows
    (per row: polars joins on case_id, which differs only for one id in two files)."""
    F = _f()
    spark = df.sparkSession
    values = df.select("_row", F.explode(F.concat(
        "conditions", "exposures", "sites", "features", "histology", F.array("taxon"),
        lab_values())).alias("value")).filter(F.col("value").isNotNull())
    typed = out.select("_row", F.explode("types").alias("type"))
    rows = clf.evidence.rows()
    evidence = spark.createDataFrame(rows or [], "type string, value string, text string")
    hits = (values.join(typed, "_row").join(F.broadcast(evidence), ["type", "value"])
            .select("_row", "text").distinct())
    return hits.groupBy("_row").agg(F.array_sort(F.collect_list("text")).alias("support"))


def with_row_keys(df: Any) -> Any:
    """Add ``iri`` (the case IRI) and ``_row`` (input order) when missing."""
    from calcinosis_kg.cases.spark_shacl import case_iri

    F = _f()
    if "_row" not in df.columns:
        df = df.withColumn("_row", F.monotonically_increasing_id())
    return df.withColumn("iri", F.expr(case_iri("case_id")))


def problems(df: Any) -> Any:
    """Problems per case and field (``pipeline.problems`` columns and order key ``_row``)."""
    from calcinosis_kg.cases import spark_shacl

    return spark_shacl.problems(df)


def run(df: Any, clf: Classifier | None) -> tuple[Any, Any]:
    """(problems, results) of a wide-row DataFrame; results is None without a classifier."""
    F = _f()
    df = with_row_keys(df).cache()
    bad = problems(df).cache()
    if clf is None:
        return bad, None
    # by row: ids are unique within a run (pipeline.Identifiers), so this is polars' by-id
    invalid_rows = bad.select("_row").distinct().withColumn("_invalid", F.lit(True))
    marked = df.join(invalid_rows, "_row", "left").fillna(False, subset=["_invalid"])
    return bad, classify(marked, clf)


