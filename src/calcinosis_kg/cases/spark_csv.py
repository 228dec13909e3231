"""Read the CSV case layout with Spark itself: lines with their numbers, records, cells.

Why: on a cluster the files live in hdfs:/s3a: storage that the driver cannot open, and a
registry export must not be parsed on one machine. Spark's text reader reads the lines; their
numbers come from the read itself (each line's block of the file and its position in the
block, with the lines per block summed on the driver: one small row per block), so a problem
names ``file:line`` exactly as the polars reader does. A quoted field that spans lines is
joined to its record by the parity of the quotes before it. What makes a whole file unreadable
(no header with ``case_id``, a duplicate column, a quote that never closes, a line over
``CALCINOSIS_KG_MAX_RECORD_KB``, a bare carriage return) is an ``InputError`` for that file,
as in ``parsing.csv_records``. The cells are parsed by Spark's CSV parser (``from_csv``); the
field rules that turn them into the wide row are ``spark_fields``.
"""

from __future__ import annotations

import csv
from typing import Any

from calcinosis_kg.cases import readers, spark_fields
from calcinosis_kg.cases.spark_shacl import q
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.input_limits import limit, too_long

#: a well-formed CSV record (Python's strict reader accepts exactly these)
WELL_FORMED = r'^(?:"(?:[^"]|"")*"|[^",][^,]*|)(?:,(?:"(?:[^"]|"")*"|[^",][^,]*|))*$'
#: the longest valid UTF-8 prefix of a hex string (where Python's decoder stops)
UTF8_HEX = (
    "^(?:[0-7][0-9A-F]|C[2-9A-F][89AB][0-9A-F]|D[0-9A-F][89AB][0-9A-F]|"
    "E0[AB][0-9A-F][89AB][0-9A-F]|E[1-9A-CEF][89AB][0-9A-F][89AB][0-9A-F]|"
    "ED[89][0-9A-F][89AB][0-9A-F]|F0[9AB][0-9A-F](?:[89AB][0-9A-F]){2}|"
    "F[1-3](?:[89AB][0-9A-F]){3}|F4[89][0-9A-F](?:[89AB][0-9A-F]){2})*"
)


def _f() -> Any:
    from pyspark.sql import functions as F

    return F


def numbered_lines(
    spark: Any, paths: list[str], glob: str = "*.csv", csv: bool = True
) -> tuple[Any, dict[str, str]]:
    """(DataFrame file, line, raw, q, names) of every line, and Spark's file name -> the name
    the polars reader shows (the path as given, or its child in a folder). ``csv``: the CSV
    layout's checks (an empty file, a quote that never closes)."""
    F = _f()
    reader = spark.read.option("lineSep", "\n").option("pathGlobFilter", glob)
    raw = reader.option("recursiveFileLookup", "true").text(paths)
    files = raw.inputFiles()
    names = display_names(files, paths)
    df = raw.select(
        F.input_file_name().alias("file"),
        F.expr("input_file_block_start()").alias("block"),
        F.monotonically_increasing_id().alias("id"),
        F.col("value").alias("raw"),
    )
    df = df.withColumn(
        "q", F.expr("(octet_length(raw) - octet_length(replace(raw, '\"', ''))) % 2")
    )
    stats = sorted(
        tuple(r)
        for r in df.groupBy("file", "block").agg(F.count("*"), F.min("id"), F.sum("q")).collect()
    )
    offsets: list[tuple[str, int, int, int]] = []
    parity: dict[str, int] = {}
    total: dict[str, int] = {}
    seen: dict[str, bool] = {}
    for file, block, n, first, quotes in stats:
        before, open_ = total.get(file, 0), parity.get(file, 0)
        offsets.append((file, block, before - first, open_))
        total[file], parity[file] = before + n, (open_ + int(quotes)) % 2
        seen[file] = True
    for file in files if csv else ():
        if file not in seen:
            raise InputError("empty file: a header row with case_id is expected", names[file], 1)
    table = spark.createDataFrame(
        offsets, "file string, block bigint, shift bigint, open_block int"
    )
    from pyspark.sql.window import Window

    within = (
        Window.partitionBy("file", "block").orderBy("id").rowsBetween(Window.unboundedPreceding, -1)
    )
    lines = df.join(F.broadcast(table), ["file", "block"]).withColumn(
        "line", F.col("id") + F.col("shift") + 1
    )
    if csv:
        lines = lines.withColumn(
            "open", (F.col("open_block") + F.coalesce(F.sum("q").over(within), F.lit(0))) % 2
        )
    lines = lines.drop("block", "id", "shift", "open_block")
    odd = [file for file, p in parity.items() if p and csv]
    if odd:  # the last record opens a quote that never closes: where did it start?
        row = (
            lines.filter(F.col("file").isin(odd) & (F.col("open") == 0) & (F.col("q") == 1))
            .groupBy("file")
            .agg(F.max("line").alias("line"))
            .orderBy("file")
            .first()
        )
        raise InputError(
            "unterminated quoted field: the record starting here runs to the end of the file",
            names[row["file"]],
            row["line"],
        )
    return lines, names


def display_names(files: list[str], paths: list[str]) -> dict[str, str]:
    """Spark's file URI -> the path as the user gave it (a folder's child under the folder)."""
    from pathlib import Path
    from urllib.parse import unquote, urlparse

    out = {}
    for uri in files:
        local = unquote(urlparse(uri).path) if uri.startswith("file:") else None
        shown = uri
        for given in paths:
            if local is None:
                if uri.startswith(given.rstrip("/")):
                    shown = uri
                continue
            base = Path(given).resolve() if "://" not in given else None
            if base is not None and str(base) == local:
                shown = given
                break
            if base is not None and local.startswith(str(base) + "/"):
                shown = str(Path(given) / Path(local).relative_to(base))
                break
        out[uri] = shown
    return out


def headers(lines: Any, names: dict[str, str]) -> dict[str, list[str]]:
    """file -> its header (stripped, lower case), checked by ``readers.header_names``."""
    out = {}
    for row in lines.filter("line = 1").select("file", "raw", F_valid("raw").alias("ok")).collect():
        path = names[row["file"]]
        if not row["ok"]:
            raise InputError("not UTF-8 text (in the header row)", path, 1)
        text = row["raw"].removeprefix("\ufeff").rstrip("\r")
        try:
            header = next(csv.reader([text], strict=True), [])
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path, 1) from None
        out[row["file"]] = readers.header_names(path, header)
    return out


def F_valid(column: str) -> Any:  # noqa: N802 - a Column, like F.*
    """Is the line valid UTF-8 (Spark keeps a line's bytes as they are)?"""
    return _f().expr(f"is_valid_utf8({column})")


def records(lines: Any, names: dict[str, str]) -> Any:
    """One row per CSV record after the header: file, line (where it starts), text, problems
    (of the record: bytes that are not UTF-8, a malformed quote)."""
    F = _f()
    biggest = limit("CALCINOSIS_KG_MAX_RECORD_KB")
    long_ = (
        lines.filter(F.expr(f"octet_length(raw) > {biggest + 1}"))
        .groupBy("file")
        .agg(F.min("line").alias("line"))
        .collect()
    )
    for row in sorted(long_, key=lambda r: (r["file"], r["line"])):
        raise too_long(names[row["file"]], row["line"])
    bad = (
        "CASE WHEN is_valid_utf8(raw) THEN NULL ELSE concat('not UTF-8: byte 0x', "
        f"lower(substr(hex(raw), length(regexp_extract(hex(raw), {q(UTF8_HEX)}, 0)) + 1, "
        "2)), ' at line ', CAST(line AS STRING), ', column ', CAST(length(regexp_extract("
        f"hex(raw), {q(UTF8_HEX)}, 0)) DIV 2 + 1 AS STRING)) END"
    )
    body = lines.filter("line > 1").select(
        "file",
        "line",
        "open",
        "q",
        F.expr(bad).alias("bad"),
        F.expr("make_valid_utf8(raw)").alias("text"),
    )
    single = body.filter("open = 0 AND q = 0").select(
        "file",
        "line",
        F.expr("regexp_replace(text, '\\r$', '')").alias("text"),
        F.expr("filter(array(bad), x -> x IS NOT NULL)").alias("problems"),
    )
    from pyspark.sql.window import Window

    multi = body.filter("open = 1 OR q = 1").withColumn(
        "start",
        F.max(F.when(F.col("open") == 0, F.col("line"))).over(
            Window.partitionBy("file").orderBy("line")
        ),
    )
    joined = multi.groupBy("file", "start").agg(
        F.array_sort(F.collect_list(F.struct("line", "text", "bad"))).alias("parts")
    )
    joined = joined.select(
        "file",
        F.col("start").alias("line"),
        F.expr(
            "regexp_replace(array_join(transform(parts, p -> p.text), '\\n'), '\\r$', '')"
        ).alias("text"),
        F.expr("filter(transform(parts, p -> p.bad), x -> x IS NOT NULL)").alias("problems"),
    )
    out = single.unionByName(joined)
    cr = (
        out.filter(F.expr("instr(text, '\\r') > 0 AND instr(text, '\"') = 0"))
        .groupBy("file")
        .agg(F.min("line").alias("line"))
        .collect()
    )
    for row in sorted(cr, key=lambda r: (r["file"], r["line"])):
        raise InputError(
            "a carriage return inside an unquoted field (classic Mac line ends?): "
            "save with LF or CRLF line ends",
            names[row["file"]],
            row["line"],
        )
    return out


def cells(records_: Any, header: list[str]) -> Any:
    """``records_`` with ``n`` (cells in the record, 0 when malformed) and one string column per
    header name (null beyond the record's last cell), and ``problems`` with a malformed quote."""
    F = _f()
    schema = ", ".join(f"c{i} STRING" for i in range(len(header)))
    ok = F.expr(f"text RLIKE {q('(?s)' + WELL_FORMED)}")
    n = F.expr("size(split(regexp_replace(text, '\"(?:[^\"]|\"\")*\"', 'Q'), ',', -1))")
    parsed = F.from_csv(F.col("text"), schema, {"mode": "PERMISSIVE"})
    df = records_.select(
        "file",
        "line",
        "problems",
        F.when(ok, n).otherwise(0).alias("n"),
        F.when(ok, parsed).alias("c"),
        ok.alias("ok"),
    )
    malformed = F.array(F.lit("malformed CSV: ',' expected after '\"'"))
    problem = F.when(~F.col("ok"), malformed).otherwise(F.array().cast("array<string>"))
    return df.select(
        "file",
        "line",
        F.concat("problems", problem).alias("problems"),
        "n",
        *[
            F.when(F.col("n") > i, F.coalesce(F.col(f"c.c{i}"), F.lit(""))).alias(f"h_{name}")
            for i, name in enumerate(header)
            if name
        ],
    )


def read(spark: Any, paths: list[str], first_row: int) -> Any | None:
    """The wide case rows (``model.COLUMNS``, ``_row`` in file and line order from
    ``first_row``) of the CSV files ``paths``, read by Spark; None without any."""

    F = _f()
    if not paths:
        return None
    lines, names = numbered_lines(spark, paths)
    heads = headers(lines, names)
    recs = records(lines, names)
    order = {f: i for i, f in enumerate(sorted(names, key=lambda f: _order(names[f], paths)))}
    groups: dict[tuple[str, ...], list[str]] = {}
    for file, header in heads.items():
        groups.setdefault(tuple(header), []).append(file)
    parts = [
        (cells(recs.filter(F.col("file").isin(files)), list(h)), list(h))
        for h, files in sorted(groups.items())
    ]
    lookup = spark_fields.lookups(spark, [(c, set(h)) for c, h in parts])
    rank = F.create_map(*[F.lit(x) for f, i in order.items() for x in (f, i)])
    shown = F.create_map(*[F.lit(x) for f, n in names.items() for x in (f, n)])
    frames = [spark_fields.wide(c, h, lookup) for c, h in parts]
    df = frames[0]
    for other in frames[1:]:
        df = df.unionByName(other)
    df = df.withColumn(
        "_row", F.element_at(rank, F.col("file")) * F.lit(2**32) + F.col("line") + F.lit(first_row)
    ).withColumn(
        "source",
        F.concat(F.element_at(shown, F.col("file")), F.lit(":"), F.col("line").cast("string")),
    )
    # computed here, lineage cut: the engine's plan on top of this one's is too large to
    # analyse (the driver ran out of a 2 GiB heap planning both at once)
    return spark_fields.unique_ids(df).drop("file", "line").localCheckpoint()


def _order(shown: str, paths: list[str]) -> tuple[int, str]:
    """Files in the order the polars reader takes them: as given, a folder's files sorted."""
    for i, given in enumerate(paths):
        if shown == given or shown.startswith(given.rstrip("/") + "/"):
            return i, shown
    return len(paths), shown
