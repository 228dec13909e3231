"""Read case rows into Spark and write the results where Spark writes (partitioned files).

Why its own module: the engine (``spark_engine``) is a pure function of a DataFrame; where rows
come from and go to is the only part that differs between a laptop and a cluster. Input: Parquet
case frames (the wide columns of ``model.COLUMNS``, as ``cases synth --output F.parquet`` or
``frame_parquet`` write them), read by Spark itself with an explicit schema from any path Spark
reads (``file:``, ``hdfs:``, ``s3a:`` …); local CSV and Phenopacket files are read by the
polars readers on the driver first (one machine, a local master only). Output: the result or
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
from calcinosis_kg.core.errors import InputError

OUTPUT_FORMATS = ("csv", "jsonl", "parquet")
SPARK_TYPES = {"str": "string", "float": "double", "bool": "boolean", "list": "array<string>"}
#: the wide case schema (``model.COLUMNS``) as a Spark DDL string
SCHEMA_DDL = ", ".join(f"{name} {SPARK_TYPES[kind]}" for name, kind in m.COLUMNS.items())
REMOTE = ("hdfs:", "s3a:", "s3:", "gs:", "abfs:", "abfss:", "wasb:", "wasbs:", "file:",
          "viewfs:", "dbfs:")


def is_spark_path(raw: str) -> bool:
    """A path Spark reads itself: a URI, or a Parquet file or folder."""
    text = str(raw)
    return text.startswith(REMOTE) or text.rstrip("/").lower().endswith(".parquet")


def frame_parquet(frames: Iterable[Any]) -> bytes:
    """Polars case frames -> one Parquet file (the wide columns, in order)."""
    import polars as pl

    buffer = io.BytesIO()
    parts = [f.select(list(m.COLUMNS)) for f in frames]
    from calcinosis_kg.cases.frame import SCHEMA

    table = pl.concat(parts) if parts else pl.DataFrame(schema=SCHEMA)
    table.write_parquet(buffer, compression="zstd", statistics=False)
    return buffer.getvalue()


def checked_frames(paths: Iterable[Path | str]) -> Iterator[Any]:
    """The polars readers' frames with run-unique case ids (``pipeline.Identifiers``)."""
    from calcinosis_kg.cases.pipeline import Identifiers, iter_frames

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


def read_cases(spark: Any, paths: Iterable[str]) -> tuple[Any, Callable[[], None]]:
    """A DataFrame of wide case rows from ``paths`` and a function to call after the run
    (it removes the temporary Parquet of local CSV / Phenopacket inputs)."""
    paths = [str(p) for p in paths]
    remote = [p for p in paths if is_spark_path(p)]
    local = [p for p in paths if not is_spark_path(p)]
    for path in local:
        if not Path(path).exists():
            raise InputError("no such file or directory", path)
    for path in remote:
        if not path.startswith(REMOTE) and not Path(path).exists():
            raise InputError("no such file or directory", path)
    master = spark.sparkContext.master
    if local and not master.startswith("local"):
        raise InputError("CSV and Phenopacket inputs are read on this machine; on a cluster "
                         "give Parquet case frames (cases synth --output F.parquet)", local[0])
    context = local_frames(local)
    extra = context.__enter__()

    def close() -> None:
        context.__exit__(None, None, None)

    sources = remote + ([extra] if extra else [])
    try:
        df = spark.read.schema(SCHEMA_DDL).parquet(*sources)
    except Exception as exc:  # AnalysisException and friends: one line, no traceback
        close()
        raise InputError(f"Spark cannot read it: {str(exc).splitlines()[0]}",
                         sources[0]) from None
    return df.select(*m.COLUMNS), close


def write_results(df: Any, output: str, fmt: str, columns: list[str]) -> None:
    """``df[columns]`` into the folder ``output`` as ``fmt`` (Spark's partitioned files)."""
    if fmt not in OUTPUT_FORMATS:
        raise InputError(f"--engine spark writes {', '.join(OUTPUT_FORMATS)}, not {fmt}",
                         output)
    out = df.select(*columns)
    writer = out.write.mode("overwrite")
    if fmt == "csv":
        writer.option("header", True).option("emptyValue", "").csv(output)
    elif fmt == "jsonl":
        writer.option("ignoreNullFields", False).json(output)
    else:
        writer.parquet(output)
