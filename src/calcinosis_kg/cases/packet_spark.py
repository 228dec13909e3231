"""Phenopacket JSON Lines read by Spark itself: Spark's JSON parser with the declared schema
(``packet_map.SCHEMA``), the fields mapped to the wide case row by SQL expressions.

Why: a registry keeps its Phenopackets in a lake; the driver must not parse them one by one.
Every line is numbered as the CSV lines are (``spark_csv.numbered_lines``); a line that fits
the schema (``packet_map``'s rules, as SQL) is parsed by ``from_json`` and mapped as
``readers._fill_packet`` maps it, the serum values judged by ``spark_labs`` and the disease
identifiers mapped through a table the driver builds once from the distinct values. A line
that does not fit (a typo in a key, a wrong type, not JSON …) is sent to the driver and read
by the record reader, so its problem is named exactly as on one machine; there are few, and
at most ``MOST_MISFITS`` per run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import packet_map as pm
from calcinosis_kg.cases import readers, spark_csv, spark_fields, spark_labs
from calcinosis_kg.cases.identifiers import map_conditions
from calcinosis_kg.cases.spark_fields import DISEASE_TYPE
from calcinosis_kg.cases.spark_packet_sql import finish, fits, mapped
from calcinosis_kg.cases.spark_shacl import q
from calcinosis_kg.cases.spark_text import strip
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.input_limits import limit

#: records that do not fit the schema, read on the driver, per run
MOST_MISFITS = 100_000
SUFFIXES = (".jsonl", ".ndjson", ".json")
#: the whole text is one JSON object: it starts with ``{``, ends with ``}`` and exactly one
#: object closes at the top (Spark's JSON parser reads the first object and ignores what
#: follows; a file with more after its object, or a list, goes to the record reader, which
#: says where)
_ENDS = r"^[ \t\r\n]*[{][\s\S]*[}][ \t\r\n]*\z"
ONE_OBJECT = (
    f"text RLIKE {q(_ENDS)} AND aggregate(filter("
    f"regexp_extract_all(text, {q(pm.STRUCTURE)}, 0), t -> t IN ('{{', '}}')), named_struct("
    "'d', 0, 'n', 0), (a, t) -> CASE WHEN t = '{' THEN named_struct('d', a.d + 1, 'n', a.n) "
    "ELSE named_struct('d', a.d - 1, 'n', a.n + CASE WHEN a.d = 1 THEN 1 ELSE 0 END) END, "
    "a -> a.d = 0 AND a.n = 1)"
)
TYPES = {"str": "string", "float": "double", "bool": "boolean", "list": "array<string>"}
#: the wide rows the driver reads (the lines that do not fit), with their file and line
ROW_DDL = ", ".join(f"{k} {TYPES[v]}" for k, v in m.COLUMNS.items()) + ", file string, line bigint"


def ddl(node: Any) -> str:
    """The Spark type of a ``packet_map.SCHEMA`` node."""
    if isinstance(node, dict):
        return "struct<" + ", ".join(f"`{k}`: {ddl(v)}" for k, v in node.items()) + ">"
    if isinstance(node, list):
        return f"array<{ddl(node[0])}>"
    return node


#: the schema, and the field where Spark's parser puts a line it cannot parse (it would
#: otherwise give a record of NULLs, partly read, for a cut line)
CORRUPT_DDL = ddl({**pm.SCHEMA, "_corrupt": "string"})


def is_packets(raw: str) -> bool:
    """A JSON Lines file of Phenopackets, by its name."""
    return str(raw).rstrip("/").lower().endswith(SUFFIXES)


def read(spark: Any, paths: list[str], first_row: int) -> Any | None:
    """The wide case rows (``model.COLUMNS``, ``_row`` in file and line order from
    ``first_row``) of the JSON Lines files ``paths``; None without any."""
    from pyspark.sql import functions as F

    if not paths:
        return None
    biggest = limit("CALCINOSIS_KG_MAX_RECORD_KB")
    text = "CASE WHEN line = 1 THEN regexp_replace(raw, '^\\uFEFF', '') ELSE raw END"
    names: dict[str, str] = {}
    parts = []
    # a folder may hold both layouts: each reader takes its own files from it
    listed = [p for p in paths if is_packets(p) and not is_json(p) or not is_packets(p)]
    if listed:
        lines, names = spark_csv.numbered_lines(spark, listed, glob="*.{jsonl,ndjson}", csv=False)
        lines = lines.select(
            "file", "line", "raw", F.expr(text).alias("text"), F.lit(False).alias("whole")
        )
        parts.append(lines.filter(F.expr(f"{strip('text')} != ''")))
    files = [p for p in paths if is_json(p) or not is_packets(p)]
    if files:
        whole, shown = json_files(spark, files)
        names.update(shown)
        parts.append(whole)
    lines = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    # a record without an id: line-N in JSON Lines, item-1 in a file of one object
    lines = lines.withColumn(
        "_ph",
        F.expr("CASE WHEN whole THEN 'item-1' ELSE concat('line-', CAST(line AS STRING)) END"),
    )
    lines = lines.withColumn("fit", F.expr(fits("text", biggest) + f" AND ({ONE_OBJECT})"))
    lines = lines.withColumn(
        "p",
        F.expr(
            f"CASE WHEN fit THEN from_json(text, {q(CORRUPT_DDL)}, map("
            "'columnNameOfCorruptRecord', '_corrupt', 'mode', 'PERMISSIVE')) END"
        ),
    )
    lines = lines.withColumn(
        "fit",
        F.expr(f"coalesce(fit AND p IS NOT NULL AND p._corrupt IS NULL AND {pm_finite()}, FALSE)"),
    )
    good = lines.filter("fit").select("file", "line", "p", "_ph")
    odd = (
        lines.filter("NOT fit")
        .select(
            "file",
            "line",
            F.expr(
                f"CASE WHEN whole OR octet_length(raw) <= {biggest + 1} THEN CAST(raw AS BINARY) "
                "END"
            ),
            "whole",
        )
        .limit(MOST_MISFITS + 1)
        .collect()
    )
    if len(odd) > MOST_MISFITS:
        raise InputError(
            f"more than {MOST_MISFITS:,} Phenopackets that do not fit the schema in one run; "
            "read them with --engine polars"
        )
    rows = []
    for file, line, raw, whole in sorted(odd, key=lambda r: (r[0], r[1])):
        if whole:  # a file of a list, or not one that fits: the record reader reads it all
            for item in readers.read_phenopackets(Path(names[file]), bytes(raw)):
                at = int(item.source.rsplit(":", 1)[1])
                rows.append({**item.row(), "file": file, "line": at})
            continue
        record = readers.packet_line(names[file], line, None if raw is None else bytes(raw))
        if record is not None:
            rows.append({**record.row(), "file": file, "line": line})
    df = mapped(good)
    conditions = [r[0] for r in df.select(F.explode("conditions")).distinct().collect()]
    table = {d: map_conditions([d]) for d in sorted(set(conditions))}
    lookup = spark.createDataFrame([(table,)], f"_dis {DISEASE_TYPE}")
    df = finish(df.crossJoin(F.broadcast(lookup)), spark_labs)
    if rows:
        extra = spark.createDataFrame(rows, ROW_DDL)
        df = df.unionByName(extra.select(*df.columns))
    order = {f: i for i, f in enumerate(sorted(names, key=lambda f: _order(names[f], paths)))}
    rank = F.create_map(*[F.lit(x) for f, i in order.items() for x in (f, i)])
    shown_ = F.create_map(*[F.lit(x) for f, n in names.items() for x in (f, n)])
    df = df.withColumn(
        "_row", F.element_at(rank, F.col("file")) * F.lit(2**32) + F.col("line") + F.lit(first_row)
    ).withColumn(
        "source",
        F.concat(F.element_at(shown_, F.col("file")), F.lit(":"), F.col("line").cast("string")),
    )
    # computed here, lineage cut: the engine's plan on top of this one's is too large to
    # analyse (the driver ran out of a 2 GiB heap planning both at once)
    return spark_fields.unique_ids(df).drop("file", "line").localCheckpoint()


def json_files(spark: Any, paths: list[str]) -> tuple[Any, dict[str, str]]:
    """(DataFrame file, line, raw, text, whole) of the Phenopacket JSON files ``paths``, one row
    per file (Spark's text reader, whole files), ``line`` where its record starts as the record
    reader counts it; and Spark's file name -> the name shown."""
    from pyspark.sql import functions as F

    reader = spark.read.option("pathGlobFilter", "*.json")
    raw = reader.option("recursiveFileLookup", "true").text(paths, wholetext=True)
    names = spark_csv.display_names(raw.inputFiles(), paths)
    text = "regexp_replace(value, '^\\uFEFF', '')"
    lead = f"regexp_extract({text}, '^[ \\t\\r\\n]*', 0)"
    df = raw.select(
        F.input_file_name().alias("file"),
        F.col("value").alias("raw"),
        F.expr(text).alias("text"),
        F.expr(f"1 + octet_length({lead}) - octet_length(replace({lead}, '\\n', ''))").alias(
            "line"
        ),
        F.lit(True).alias("whole"),
    )
    seen = {r[0] for r in df.select("file").collect()}
    for file in sorted(set(names) - seen):  # Spark gives no row for an empty file
        raise InputError("not JSON: Expecting value", names[file], 1, 1)
    return df.select("file", "line", "raw", "text", "whole"), names


def is_json(raw: str) -> bool:
    """A Phenopacket JSON file (one object, or a list), by its name."""
    return str(raw).rstrip("/").lower().endswith(".json")


def pm_finite() -> str:
    """No infinite number where a double is read (1e400: the record reader says why)."""
    inf = "double('inf')"
    q_ = "x.value.quantity"
    return (
        f"NOT exists(coalesce(p.measurements, array()), x -> coalesce(abs({q_}.value) = {inf} "
        f"OR abs({q_}.referenceRange.low) = {inf} OR abs({q_}.referenceRange.high) = {inf}, "
        "FALSE))"
    )


def _order(shown: str, paths: list[str]) -> tuple[int, str]:
    for i, given in enumerate(paths):
        if shown == given or shown.startswith(given.rstrip("/") + "/"):
            return i, shown
    return len(paths), shown
