"""Spark planning time: Phenopacket JSON Lines read by Spark, then the engine, by stage.

Usage: ``python benchmarks/bench_spark_plan.py VARIANT FILE.jsonl…`` with VARIANT ``landed``
(the readers end in ``localCheckpoint``), ``nocheckpoint`` (reader and engine one plan) or
``nocollapse`` (``CollapseProject`` excluded from the optimiser). Prints seconds per stage and
the load average; one variant per process, so the JVMs do not share what they learnt.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> None:
    """Time one variant on the files given."""
    from calcinosis_kg.cases import packet_spark, spark_engine
    from calcinosis_kg.cases.classify import build_classifier

    os.environ.setdefault(spark_engine.DRIVER_MEMORY_ENV, "2g")
    variant, paths = sys.argv[1], sys.argv[2:]
    if variant == "nocheckpoint":
        from pyspark.sql import DataFrame

        DataFrame.localCheckpoint = lambda self, eager=True, storageLevel=None: self  # type: ignore[method-assign,assignment]
    load = os.getloadavg()[0]
    t0 = time.time()
    spark = spark_engine.session("local[2]")
    if variant == "nocollapse":
        spark.conf.set(
            "spark.sql.optimizer.excludedRules",
            "org.apache.spark.sql.catalyst.optimizer.CollapseProject",
        )
    clf = build_classifier()
    t1 = time.time()
    df = packet_spark.read(spark, paths, 0)
    t2 = time.time()
    bad, results = spark_engine.run(df, clf)
    t3 = time.time()
    results._jdf.queryExecution().executedPlan()
    t4 = time.time()
    rows, problems = len(results.collect()), len(bad.collect())
    t5 = time.time()
    print(
        f"{variant}: session {t1 - t0:.1f} read {t2 - t1:.1f} build {t3 - t2:.1f} "
        f"plan {t4 - t3:.1f} run {t5 - t4:.1f} total-after-session {t5 - t1:.1f} "
        f"rows {rows} problems {problems} (load {load:.1f})"
    )


if __name__ == "__main__":
    main()
