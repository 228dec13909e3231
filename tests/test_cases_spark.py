"""One semantics on two engines: Spark (local[2]) and polars give the same answer, case by case.

The cohorts: two synthetic cohorts (CSV layout and Phenopacket JSON Lines, with planted
defects), the hand-written vignettes, the bad rows, and the 353 real Phenopackets of
shared/reference. Both engines start from the same case frame (the polars readers); validation
(the SHACL fast path) and classification (criteria, shadowing, labels, sources, near misses)
run once in polars and once as Spark SQL expressions.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from calcinosis_kg.cases import classify as classify_module
from calcinosis_kg.cases import decide, pipeline, spark_engine, spark_io
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.classify import RESULT_COLUMNS, build_classifier
from calcinosis_kg.cases.nodes import Node, to_polars
from calcinosis_kg.cases.synth import write_cohort

DATA = Path(__file__).parent / "cases_data"
REAL = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "reference"
    / "phenopackets"
    / "phenopacket-store-sample.jsonl.gz"
)
COMPARED = (
    *[c for c in RESULT_COLUMNS if c != "case_id"],
    "types",
    "fired",
    "hints",
    "suggestions",
)


def _inputs(tmp: Path) -> list[Path]:
    csv, jsonl = tmp / "synth.csv", tmp / "synth.jsonl"
    write_cohort(csv, 1200, 7, 0.05)
    write_cohort(jsonl, 300, 8, 0.05)
    files = [csv, jsonl, DATA / "vignettes.csv", DATA / "bad_rows.csv"]
    real = Path("/work/shared/reference/phenopackets/phenopacket-store-sample.jsonl.gz")
    for candidate in (REAL, real):
        if candidate.exists():
            target = tmp / "real.jsonl"
            with gzip.open(candidate, "rb") as src, target.open("wb") as dst:
                shutil.copyfileobj(src, dst)
            files.append(target)
            break
    return files


BRANCHES: dict[str, dict] = {}


def _branches(node: Node, guard: pl.Expr, where: str, out: list) -> None:
    """(where, arity, expression of the branch a row takes, null where the node is not
    reached) for every ``when`` in ``node``; an ``each`` template is per item, not per row."""
    if node.op == "each":
        return
    if node.op == "when":
        k = node.items
        conds = [to_polars(c).fill_null(False) for c in k[0 : len(k) - len(k) % 2 : 2]]
        chain: Any = pl
        for i, c in enumerate(conds):
            chain = chain.when(c).then(pl.lit(i))
        taken = pl.when(guard).then(chain.otherwise(pl.lit(len(conds))))
        out.append((where, len(conds) + 1, taken))
        for c in k[0 : len(k) - len(k) % 2 : 2]:
            _branches(c, guard, where + "/if", out)
        values = [*k[1::2], *(k[-1:] if len(k) % 2 else [])]
        for i, v in enumerate(values):
            _branches(v, guard & (taken == i), f"{where}/{i}", out)
        return
    for j, item in enumerate(node.items):
        _branches(item, guard, f"{where}.{j}", out)


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """(polars answers, spark answers), each {(source file, case_id): answer}; ``BRANCHES``
    gets, per ``when`` of the declared steps, the branches the polars engine took."""
    tmp = tmp_path_factory.mktemp("spark")
    clf = build_classifier()
    polars_side: dict[tuple[str, str], dict] = {}
    frames = []
    taken: dict[str, set[int]] = defaultdict(set)
    arity: dict[str, int] = {}
    plain = classify_module.polars_steps

    def recording(frame: pl.DataFrame, steps: list, ids: dict | None = None) -> pl.DataFrame:
        for step in steps:
            found: list = []
            for column, node in step:
                _branches(node, pl.lit(True), column, found)
            seen = frame.select([e.alias(f"b{i}") for i, (_, _, e) in enumerate(found)])
            for i, (where, n, _) in enumerate(found):
                arity[where] = n
                taken[where].update(v for v in seen[f"b{i}"].unique() if v is not None)
            frame = plain(frame, [step], ids)
        return frame

    classify_module.polars_steps = recording
    try:
        chunks = [c for path in _inputs(tmp) for c in pipeline.run([path], clf)]
    finally:
        classify_module.polars_steps = plain
    for chunk in chunks:
        frames.append(chunk.frame)
        source = dict(zip(chunk.frame["case_id"], chunk.frame["source"], strict=True))
        problems: dict[str, list] = {}
        for row in chunk.problems.iter_rows(named=True):
            problems.setdefault(row["case_id"], []).append((row["field"], row["message"]))
        for row in chunk.results.iter_rows(named=True):
            key = (source[row["case_id"]].rsplit(":", 1)[0], row["case_id"])
            polars_side[key] = {
                **{c: row[c] for c in COMPARED},
                "problems": sorted(problems.get(row["case_id"], [])),
            }
    frame_file = tmp / "cases.parquet"
    frame_file.write_bytes(spark_io.frame_parquet(frames))
    os.environ.setdefault(spark_engine.DRIVER_MEMORY_ENV, "2g")  # enough here; JVMs share CI
    spark = spark_engine.session("local[2]")
    df, close = spark_io.read_cases(spark, [str(frame_file)])
    bad, results = spark_engine.run(df, clf)
    try:
        spark_side: dict[tuple[str, str], dict] = {}
        problems = {}
        for row in bad.collect():
            problems.setdefault((row["source"], row["case_id"]), []).append(
                (row["field"], row["message"])
            )
        for row in results.collect():
            key = (row["source"].rsplit(":", 1)[0], row["case_id"])
            spark_side[key] = {
                **{c: row[c] for c in COMPARED},
                "problems": sorted(problems.get((row["source"], row["case_id"]), [])),
            }
    finally:
        close()
    BRANCHES.update(taken=dict(taken), arity=arity)
    return polars_side, spark_side


def test_spark_and_polars_give_every_case_the_same_status_types_criteria_and_reasons(both):
    polars_side, spark_side = both
    assert set(spark_side) == set(polars_side)
    differ = [
        (key, field, polars_side[key][field], spark_side[key][field])
        for key in sorted(polars_side)
        for field in (*COMPARED, "problems")
        if polars_side[key][field] != spark_side[key][field]
    ]
    assert differ == []


def test_the_comparison_covers_every_status_and_the_real_phenopackets(both):
    polars_side, _ = both
    statuses = {answer["status"] for answer in polars_side.values()}
    assert statuses == {"classified", "ambiguous", "unclassified", "invalid", "not_a_case"}
    assert sum(1 for a in polars_side.values() if a["problems"]) >= 20
    assert sum(1 for a in polars_side.values() if a["hints"]) >= 10
    real = [k for k in polars_side if k[0].endswith("real.jsonl")]
    assert len(real) == 353 or not REAL.exists()


def test_the_comparison_takes_every_branch_of_the_declared_decisions(both) -> None:
    """Both engines compile ``cases.decisions``: every branch of every ``when`` in its steps
    (read from the declaration, so a new branch is a new requirement) is taken by some compared
    case, or the equality above proves nothing about it."""
    taken, arity = BRANCHES["taken"], BRANCHES["arity"]
    assert arity, "no declared branch was recorded"
    missed = {where: sorted(set(range(n)) - taken[where]) for where, n in arity.items()}
    assert {where: gaps for where, gaps in missed.items() if gaps} == {}


def test_spark_gives_the_vignettes_the_clinical_decisions(both) -> None:
    """The decisions on Spark's own answers (as tests/test_cases_decide.py and
    test_cases_suggest.py hold the polars engine to them): a broken rule in the declaration
    fails here too, not only the equality."""
    spark = {k[1]: a for k, a in both[1].items() if k[0].endswith("vignettes.csv")}
    osteoma = spark["osteoma-over-ssc"]
    assert osteoma["types"] == [decide.OSTEOMA] and osteoma["status"] == "classified"
    assert "overrides dystrophic calcinosis cutis (CCKG:0000002)" in osteoma["flags"]
    competing = spark["met-crest-2.62"]["flags"]
    assert competing.startswith("competing: dystrophic calcinosis cutis (CCKG:0000002)")
    assert "CREST syndrome (MONDO:0019563)" in competing
    assert spark["met-calcium-mgdl"]["flags"] == ""
    dog = spark["dog-hypercalcaemia"]
    assert dog["types"] == [decide.METASTATIC, decide.DOG_FORM] and dog["status"] == "classified"
    assert spark["amb-ssc-coal"]["status"] == "ambiguous"
    teen = spark["unc-teen-joints"]
    assert "CCKG:0000010" in teen["suggestions"] and teen["status"] == "unclassified"
    assert "In tumoral calcinosis, the lesions are found around joints" in teen["suggested"]
    reason = spark["unc-scrotum-disease-unrecorded"]["reason"]
    assert reason.split("nearest: ", 1)[1].startswith("CCKG:0000724")
    assert "--complete-lists" in reason
    assert spark["met-phosphate-crf"]["suggested"] == ""


def test_the_case_frame_schema_is_the_model_columns() -> None:
    ddl = spark_io.SCHEMA_DDL
    assert [part.split()[0] for part in ddl.split(", ")] == list(m.COLUMNS)
    assert "conditions array<string>" in ddl and "calcium_mmol_l double" in ddl


def test_a_parquet_case_frame_reads_back_identically_in_polars(tmp_path) -> None:
    frame = next(pipeline.iter_frames([DATA / "bad_rows.csv"]))
    path = tmp_path / "f.parquet"
    path.write_bytes(spark_io.frame_parquet([frame]))
    back = next(pipeline.iter_frames([path]))
    assert back.equals(frame.select(list(m.COLUMNS)))
    assert back.filter(pl.col("errors").list.len() > 0).height > 0


def test_cli_classify_on_spark_writes_part_files_with_the_polars_statuses(
    run_cli, both, tmp_path
) -> None:
    cohort, out = tmp_path / "c.parquet", tmp_path / "out"
    write_cohort(cohort, 400, 11, 0.05)
    code, _out, err = run_cli(
        "cases",
        "classify",
        str(cohort),
        "--engine",
        "spark",
        "--master",
        "local[2]",
        "--format",
        "jsonl",
        "--output",
        str(out),
    )
    assert code == 0, err
    parts = sorted(out.glob("part-*.json"))
    assert parts
    spark_status = {}
    for part in parts:
        for line in part.read_text().splitlines():
            row = json.loads(line)
            spark_status[row["case_id"]] = row["status"]
    clf = build_classifier()
    polars_status = {
        r["case_id"]: r["status"]
        for chunk in pipeline.run([cohort], clf)
        for r in chunk.results.iter_rows(named=True)
    }
    assert spark_status == polars_status and len(polars_status) == 400
    assert (
        f"400 cases: {sum(1 for s in polars_status.values() if s == 'classified')} "
        "classified" in err
    )


def test_cli_validate_on_spark_exits_1_and_names_record_and_field(run_cli, both) -> None:
    code, out, err = run_cli("cases", "validate", str(DATA / "bad_rows.csv"), "--engine", "spark")
    assert code == 1, err
    assert "bad_rows.csv:7: bad-sex: sex: one of male, female, other, unknown (got robot)" in out


def test_cli_validate_on_spark_prints_the_polars_lines_with_control_characters_escaped(
    run_cli, tmp_path
) -> None:
    cohort = tmp_path / "ctl.csv"
    cohort.write_text("case_id,sex,age_years\nc\x1b1,ro\x01bot,50\n", encoding="utf-8")
    code, spark_out, err = run_cli("cases", "validate", str(cohort), "--engine", "spark")
    assert code == 1, err
    code, polars_out, err = run_cli("cases", "validate", str(cohort))
    assert code == 1, err
    assert "(got ro\\x01bot)" in polars_out and "\x01" not in polars_out
    assert spark_out == polars_out


def test_spark_classify_without_an_output_folder_is_a_usage_error(run_cli) -> None:
    code, _out, err = run_cli(
        "cases", "classify", str(DATA / "vignettes.csv"), "--engine", "spark", "--format", "csv"
    )
    assert code == 2 and "--output FOLDER" in err


def test_master_without_the_spark_engine_is_a_usage_error(run_cli) -> None:
    code, _out, err = run_cli(
        "cases", "classify", str(DATA / "vignettes.csv"), "--master", "local[2]"
    )
    assert code == 2 and "need --engine spark" in err


def test_a_local_master_gets_the_driver_memory_named_in_the_environment(monkeypatch) -> None:
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    monkeypatch.setenv(spark_engine.DRIVER_MEMORY_ENV, "6G")
    assert spark_engine.driver_memory() == "6g"


def test_the_default_driver_memory_is_a_quarter_of_the_machine_within_2_to_8_gib(
    monkeypatch,
) -> None:
    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    monkeypatch.delenv(spark_engine.DRIVER_MEMORY_ENV, raising=False)
    memory = spark_engine.driver_memory()
    assert memory is not None and memory.endswith("g") and 2 <= int(memory[:-1]) <= 8


def test_a_driver_memory_given_to_spark_submit_is_left_alone(monkeypatch) -> None:
    monkeypatch.setenv("PYSPARK_SUBMIT_ARGS", "--driver-memory 3g pyspark-shell")
    monkeypatch.setenv(spark_engine.DRIVER_MEMORY_ENV, "6g")
    assert spark_engine.driver_memory() is None


def test_a_driver_memory_that_is_no_size_is_an_input_error(monkeypatch) -> None:
    from calcinosis_kg.core.errors import InputError

    monkeypatch.delenv("PYSPARK_SUBMIT_ARGS", raising=False)
    monkeypatch.setenv(spark_engine.DRIVER_MEMORY_ENV, "lots")
    with pytest.raises(InputError, match="not a JVM memory size"):
        spark_engine.driver_memory()


def test_the_problems_of_a_frame_need_no_shuffle_and_no_union(both, tmp_path) -> None:
    frame = next(pipeline.iter_frames([DATA / "bad_rows.csv"]))
    path = tmp_path / "f.parquet"
    path.write_bytes(spark_io.frame_parquet([frame]))
    df, close = spark_io.read_cases(spark_engine.session("local[2]"), [str(path)])
    bad = spark_engine.problems(spark_engine.with_row_keys(df))
    plan = bad._jdf.queryExecution().executedPlan().toString()
    close()
    # the one exchange: the input spread over the cores (read_cases), below the problems
    assert plan.count("Exchange") == plan.count("Exchange RoundRobinPartitioning") <= 1
    assert "Union" not in plan
    assert bad.count() == pipeline.problems(frame).height


def test_a_frame_of_one_split_is_spread_over_every_core(tmp_path) -> None:
    frame = next(pipeline.iter_frames([DATA / "vignettes.csv"]))
    path = tmp_path / "f.parquet"
    path.write_bytes(spark_io.frame_parquet([frame]))
    spark = spark_engine.session("local[2]")
    assert spark.read.parquet(str(path)).rdd.getNumPartitions() == 1
    df, close = spark_io.read_cases(spark, [str(path)])
    close()
    # the session of the run (local[2] alone; local[1] if an earlier test made one)
    assert df.rdd.getNumPartitions() == spark.sparkContext.defaultParallelism
    rows = df.orderBy("_row").select("case_id").collect()
    assert [r["case_id"] for r in rows] == frame["case_id"].to_list()  # _row keeps the order


def _by_source(rows) -> dict:
    return {
        (r["source"], r["case_id"]): {
            c: (sorted(r[c]) if c == "errors" else r[c]) for c in m.COLUMNS
        }
        for r in rows
    }


def test_spark_reads_the_csv_layout_itself_into_the_polars_readers_rows() -> None:
    from calcinosis_kg.cases import spark_csv

    path = str(DATA / "bad_rows.csv")
    polars_rows = _by_source(
        r for f in spark_io.checked_frames([path]) for r in f.iter_rows(named=True)
    )
    df = spark_csv.read(spark_engine.session("local[2]"), [path], 0)
    spark_rows = _by_source(r.asDict() for r in df.collect())
    assert spark_rows == polars_rows
    assert sum(1 for r in polars_rows.values() if r["errors"]) >= 5
    assert any(k[1] == "ok-1.dup2" for k in spark_rows)  # a repeated id, renamed by Spark
