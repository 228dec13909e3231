"""Read case rows into Spark and write the results where Spark writes (partitioned files).

Why its own module: the engine (``spark_engine``) is a pure function of a DataFrame; where rows
come from and go to is the only part that differs between a laptop and a cluster. Input: Parquet
case frames (the wide columns of ``model.COLUMNS``, as ``cases synth --output F.parquet`` or
``frame_parquet`` write them), read by Spark itself with an explicit schema from any path Spark
reads (``file:``, ``hdfs:``, ``s3a:`` …); CSV files given as such a URI, or to a cluster
master, are read by Spark itself (``spark_csv``); local Phenopacket and Turtle files (and local
CSV with a local master) are read by the polars readers on the driver first. Output: the result or
problem columns as partitioned CSV, JSON Lines or Parquet (one folder, Spark's part files).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import packet_spark, spark_csv
from calcinosis_kg.cases.frame import SCHEMA
from calcinosis_kg.cases.packet_spark import is_packets
from calcinosis_kg.cases.pipeline import Identifiers, iter_frames
from calcinosis_kg.core.errors import InputError

OUTPUT_FORMATS = ("csv", "jsonl", "parquet")
SPARK_TYPES = {"str": "string", "float": "double", "bool": "boolean", "list": "array<string>"}
#: the wide case schema (``model.COLUMNS``) as a Spark DDL string
SCHEMA_DDL = ", ".join(f"{name} {SPARK_TYPES[kind]}" for name, kind in m.COLUMNS.items())
REMOTE = (
    "hdfs:",
    "s3a:",
    "s3:",
    "gs:",
    "abfs:",
    "abfss:",
    "wasb:",
    "wasbs:",
    "file:",
    "viewfs:",
    "dbfs:",
)


def is_spark_path(raw: str) -> bool:
    """A path Spark reads itself: a URI, or a Parquet file or folder."""
    text = str(raw)
    return text.startswith(REMOTE) or text.rstrip("/").lower().endswith(".parquet")


def frame_parquet(frames: Iterable[Any]) -> bytes:
    """Polars case frames -> one Parquet file (the wide columns, in order)."""
    import polars as pl

    buffer = io.BytesIO()
    parts = [f.select(list(m.COLUMNS)) for f in frames]

    table = pl.concat(parts) if parts else pl.DataFrame(schema=SCHEMA)
    table.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def checked_frames(paths: Iterable[Path | str]) -> Iterator[Any]:
    """The polars readers' frames with run-unique case ids (``pipeline.Identifiers``)."""

    identifiers = Identifiers()
    for frame in iter_frames(paths):
        yield identifiers.check(frame)


@contextmanager
def local_frames(paths: list[str]) -> Iterator[str | None]:
    """Local CSV / Phenopacket / Turtle inputs read by the polars readers into a temporary
    Parquet file (removed on exit), or None when there are none."""
    if not paths:
        yield None
        return
    folder = tempfile.mkdtemp(prefix="calcinosis-kg-spark-")
    try:
        target = Path(folder) / "cases.parquet"
        target.write_bytes(frame_parquet(checked_frames(paths)))
        yield str(target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def is_csv(raw: str) -> bool:
    """A CSV file by its name (the layout Spark can read itself)."""
    return str(raw).rstrip("/").lower().endswith(".csv")


def read_cases(spark: Any, paths: Iterable[str]) -> tuple[Any, Callable[[], None]]:
    """A DataFrame of wide case rows (and ``_row``, input order) from ``paths`` and a function
    to call after the run (it removes the temporary Parquet of local Phenopacket / Turtle
    inputs). CSV files are read by Spark itself (``spark_csv``), wherever they are."""
    from pyspark.sql import functions as F

    paths = [str(p) for p in paths]
    for path in paths:
        if not path.startswith(REMOTE) and not Path(path).exists():
            raise InputError("no such file or directory", path)
    here = spark.sparkContext.master.startswith("local")
    # CSV: Spark reads it where it lies (a URI, or any path on a cluster); with a local master a
    # local file goes through the polars reader, which is faster on one machine
    csvs = [p for p in paths if is_csv(p) and (p.startswith(REMOTE) or not here)]
    packets = [p for p in paths if is_packets(p) and (p.startswith(REMOTE) or not here)]
    remote = [p for p in paths if is_spark_path(p) and not is_csv(p) and not is_packets(p)]
    local = [p for p in paths if p not in csvs and p not in packets and p not in remote]
    if local and not here:
        raise InputError(
            "Turtle is read on this machine; on a cluster give CSV, Phenopackets (JSON or "
            "JSON Lines) or Parquet case frames",
            local[0],
        )
    frames = []
    csv_frame = spark_csv.read(spark, csvs, -(2**62))
    if csv_frame is not None:
        frames.append(csv_frame.select(*m.COLUMNS, "_row"))
    packet_frame = packet_spark.read(spark, packets, -(2**61))
    if packet_frame is not None:
        frames.append(packet_frame.select(*m.COLUMNS, "_row"))
    context = local_frames(local)
    extra = context.__enter__()

    def close() -> None:
        context.__exit__(None, None, None)

    sources = remote + ([extra] if extra else [])
    if sources:
        try:
            df = spark.read.schema(SCHEMA_DDL).parquet(*sources)
        except Exception as exc:  # AnalysisException and friends: one line, no traceback
            close()
            raise InputError(
                f"Spark cannot read it: {str(exc).splitlines()[0]}", sources[0]
            ) from None
        frames.append(df.select(*m.COLUMNS, F.monotonically_increasing_id().alias("_row")))
    out = frames[0]
    for other in frames[1:]:
        out = out.unionByName(other)
    # a Parquet frame of millions of cases is a few tens of MiB: one split, so one task did all
    # the work on one core (measured: 100k cases, two stages of one task, 200 s each); spread
    # the rows over every core (``_row`` keeps their order)
    cores = spark.sparkContext.defaultParallelism
    if out.rdd.getNumPartitions() < cores:
        out = out.repartition(cores)
    return out, close


def write_results(df: Any, output: str, fmt: str, columns: list[str]) -> None:
    """``df[columns]`` into the folder ``output`` as ``fmt`` (Spark's partitioned files)."""
    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"--engine spark writes {', '.join(OUTPUT_FORMATS)}, not {fmt}", output)
    out = df.select(*columns)
    writer = out.write.mode("overwrite")
    if fmt == "csv":
        writer.option("header", True).option("emptyValue", "").csv(output)
    elif fmt == "jsonl":
        writer.option("ignoreNullFields", False).json(output)
    else:
        writer.parquet(output)
