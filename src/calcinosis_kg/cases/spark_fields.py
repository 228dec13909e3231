"""The CSV layout's field rules on Spark: cells -> the wide case row (``model.COLUMNS``) with
its field errors, as ``readers._fill_csv`` and ``Record.row`` build it.

Why: a cluster reads a registry export where it lies; each rule here is the polars reader's,
written as SQL over the record's cells (numbers, sex, CURIE lists, responses, the complete-list
declaration, serum values in ``spark_labs``), with the same messages. Names a clinician writes
and recorded disease identifiers are looked up in two tables the driver builds once from the
distinct values of the input (``vocab.resolve``, ``identifiers.map_conditions``: the ontology's
labels, synonyms and verified mappings) and broadcasts, so no Python runs per row.
"""

from __future__ import annotations

from typing import Any

from calcinosis_kg.cases import csv_fields as readers
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import parsing
from calcinosis_kg.cases import spark_labs as labs
from calcinosis_kg.cases.identifiers import map_conditions
from calcinosis_kg.cases.spark_shacl import q
from calcinosis_kg.cases.spark_text import CURIE, number_error, pyrepr, shown, strip
from calcinosis_kg.cases.vocab import resolve
from calcinosis_kg.core.errors import InputError

#: columns whose items may be names (resolved through the vocabulary)
NAMED = ("taxon", *readers.LIST_CELLS, "reported_type")
#: distinct names and disease identifiers one run may look up on the driver
MOST_DISTINCT = 200_000
NAME_TYPE = "map<string, struct<curie: string, note: string, error: string>>"
DISEASE_TYPE = (
    "map<string, struct<out: array<string>, notes: array<string>, errors: array<string>>>"
)


def _items(x: str) -> str:
    return f"filter(transform(split({x}, ';', -1), s -> {strip('s')}), s -> s != '')"


def lookups(spark: Any, parts: list[tuple[Any, set[str]]]) -> Any:
    """A one-row DataFrame of the name table and the disease table for the values of the cell
    frames ``parts`` (each with the header names it has)."""
    from pyspark.sql import functions as F

    pairs: list = []
    for df, present in parts:
        cols = [c for c in NAMED if c in present]
        if cols:
            pairs += (
                df.select(
                    F.explode(
                        F.array(
                            *[
                                F.struct(
                                    F.lit(c).alias("c"),
                                    F.expr(_items(f"coalesce(`h_{c}`, '')")).alias("i"),
                                )
                                for c in cols
                            ]
                        )
                    ).alias("x")
                )
                .select("x.c", F.explode("x.i").alias("item"))
                .distinct()
                .limit(MOST_DISTINCT + 1)
                .collect()
            )
    if len(pairs) >= MOST_DISTINCT:
        raise InputError(f"more than {MOST_DISTINCT:,} distinct identifiers and names in one run")
    names: dict[str, tuple[str | None, str, str | None]] = {}
    diseases: set[str] = set()
    for column, item in pairs:
        curie: str | None = item
        if not readers.CURIE.match(item):
            if item not in names:
                found, reason = resolve(item)
                names[item] = (
                    found,
                    reason if found else "",
                    None if found else f"{parsing.shown(item)} {reason}",
                )
            curie = names[item][0]
        if column == "diseases" and curie is not None:
            diseases.add(curie)
    table = {d: map_conditions([d]) for d in sorted(diseases)}
    return spark.createDataFrame([(names, table)], f"_names {NAME_TYPE}, _dis {DISEASE_TYPE}")


def curies(column: str, x: str, items: str | None = None) -> str:
    """``readers._curies``: struct(good, notes, errors) of the cell ``x`` of ``column``;
    ``items``: a column already holding ``x``'s items (the expression is not repeated)."""
    items = items or _items(x)
    example = readers.EXAMPLES.get(column, "MONDO:0005100")
    is_curie = f"s RLIKE {q(CURIE)}"
    found = "try_element_at(_names, s)"
    good = (
        f"filter(transform({items}, s -> CASE WHEN {is_curie} THEN s ELSE {found}.curie END), "
        "g -> g IS NOT NULL)"
    )
    notes = (
        f"filter(transform({items}, s -> CASE WHEN NOT {is_curie} THEN {found}.note END), "
        "n -> n IS NOT NULL AND n != '')"
    )
    errors = (
        f"filter(transform({items}, s -> CASE WHEN NOT {is_curie} AND {found}.curie IS "
        f"NULL THEN concat({q(column + ': ')}, {found}.error, {q(f' (e.g. {example})')}) "
        "END), e -> e IS NOT NULL)"
    )
    empty = "CAST(array() AS array<string>)"
    too_many = (
        f"concat({q(column + ': ')}, format_number(size({items}), 0), ' items, more than "
        f"the {parsing.MOST_ITEMS:,} one field of a record may list')"
    )
    return (
        f"CASE WHEN {x} IS NULL OR {x} = '' THEN named_struct('good', {empty}, 'notes', "
        f"{empty}, 'errors', {empty}) WHEN size({items}) > {parsing.MOST_ITEMS} THEN "
        f"named_struct('good', {empty}, 'notes', {empty}, 'errors', array({too_many})) ELSE "
        f"named_struct('good', {good}, 'notes', {notes}, 'errors', {errors}) END"
    )


def wide(cells: Any, header: list[str], lookup: Any) -> Any:
    """The wide rows (``model.COLUMNS`` and ``errors``) of one header's records."""
    from pyspark.sql import functions as F

    present = set(header)

    def cell(name: str) -> str:
        return f"`s_{name}`" if name in present else "CAST(NULL AS STRING)"

    # each cell stripped once, each list split once: the rules below refer to these columns
    # rather than repeating the expressions (the plan of a wide header outgrew a 2 GiB heap)
    df = cells.select("*", *[F.expr(strip(f"`h_{h}`")).alias(f"s_{h}") for h in header if h])
    blank = " AND ".join(f"coalesce(`s_{h}`, '') = ''" for h in header if h)
    df = df.filter(f"NOT (size(problems) = 0 AND {blank or 'TRUE'})")
    df = df.crossJoin(F.broadcast(lookup))
    df = df.select(
        "*", *[F.expr(_items(f"coalesce({cell(c)}, '')")).alias(f"_{c}_i") for c in NAMED]
    )
    width = len(header)
    base = [
        "transform(problems, p -> concat('row: ', p))",
        f"CASE WHEN n > 0 AND n != {width} THEN array(concat('row: ', CAST(n AS STRING), "
        f"' cells for {width} columns')) ELSE array() END",
        f"CASE WHEN coalesce({cell('case_id')}, '') = '' THEN array('case_id: missing') ELSE "
        "array() END",
    ]
    df = df.select(
        "*",
        F.expr(
            f"CASE WHEN coalesce({cell('case_id')}, '') = '' THEN concat("
            f"'line-', CAST(line AS STRING)) ELSE {cell('case_id')} END"
        ).alias("case_id_"),
        *[F.expr(curies(c, cell(c), f"_{c}_i")).alias(f"_{c}_c") for c in NAMED],
    )
    sex = cell("sex")
    words = (
        "CASE "
        + " ".join(f"WHEN lower({sex}) = {q(k)} THEN {q(v)}" for k, v in readers.SEX_WORDS.items())
        + f" ELSE lower({sex}) END"
    )
    cols = {
        "taxon": "CASE WHEN size(_taxon_c.good) = 1 THEN _taxon_c.good[0] END",
        "sex": f"CASE WHEN coalesce({sex}, '') != '' THEN {words} END",
    }
    errs = [
        *base,
        "CASE WHEN size(_taxon_c.good) > 1 THEN array('taxon: one species per "
        "case') ELSE array() END",
    ]
    for c in readers.NUMBER_CELLS:
        x = cell(c)
        err = number_error(x)
        cols[c] = (
            f"CASE WHEN coalesce({x}, '') != '' AND {err} IS NULL THEN CAST({x} AS DOUBLE) END"
        )
        errs.append(
            f"CASE WHEN coalesce({x}, '') != '' AND {err} IS NOT NULL THEN array(concat("
            f"{q(c + ': ')}, {err})) ELSE array() END"
        )
    flags = {}
    for csv_name, column in readers.LIST_CELLS.items():
        x = cell(csv_name)
        if column in ("conditions", "exposures"):
            none = f"lower(coalesce({x}, '')) IN ('none', 'no')"
            flags[column] = none
            cols[column] = f"CASE WHEN {none} THEN array() ELSE _{csv_name}_c.good END"
            errs.append(f"CASE WHEN {none} THEN array() ELSE _{csv_name}_c.errors END")
        else:
            cols[column] = f"_{csv_name}_c.good"
            errs.append(f"_{csv_name}_c.errors")
    errs += ["_taxon_c.errors", "_reported_type_c.errors"]
    cols["reported_type"] = "get(_reported_type_c.good, 0)"
    df = df.select(
        "*",
        *[F.expr(v).alias(k) for k, v in cols.items()],
        F.expr(f"flatten(array({', '.join(errs)}))").alias("_errs0"),
        *[F.expr(v).alias(f"_no_{k}") for k, v in flags.items()],
    )
    df = _responses(df, cell("responses"))
    df = _complete(df, cell("lists_complete"))
    for analyte in labs.labs.ORDER:
        df = labs.serum(df, analyte, cell)
    df = labs.albumin(df, cell)
    return _finish(df)


def _responses(df: Any, x: str) -> Any:
    from pyspark.sql import functions as F

    words = f"transform(split(coalesce({x}, ''), ';', -1), s -> lower({strip('s')}))"
    known = ", ".join(q(k) for k in m.RESPONSES)
    bad = f"filter({words}, r -> r != '' AND NOT r IN ({known}))"
    codes = (
        "CASE "
        + " ".join(f"WHEN r = {q(k)} THEN {q(v)}" for k, v in m.RESPONSES.items())
        + " ELSE '' END"
    )
    anyr = f"exists({words}, r -> r != '')"
    return df.select(
        "*",
        F.expr(
            f"CASE WHEN NOT {anyr} THEN NULL WHEN size({bad}) > 0 THEN concat('responses: ', "
            f"{pyrepr(f'{bad}[0]')}, ' is not one of {', '.join(m.RESPONSES)}') WHEN size({words}) > "
            "size(coalesce(treatments, array())) THEN 'responses: more responses than treatments' "
            "END"
        ).alias("_resp_err"),
        F.expr(
            f"CASE WHEN {anyr} AND size({bad}) = 0 AND size({words}) <= size(coalesce(treatments, "
            f"array())) THEN transform({words}, r -> {codes}) ELSE array() END"
        ).alias("responses"),
    )


def _complete(df: Any, x: str) -> Any:
    """``readers._complete_lists``: the lists the record declares complete."""
    from pyspark.sql import functions as F

    words = (
        f"filter(transform(split(coalesce({x}, ''), ';', -1), s -> lower({strip('s')})), "
        "s -> s != '')"
    )
    known = ", ".join(q(k) for k in readers.COMPLETE_WORDS)
    bad = f"filter({words}, w -> NOT w IN ({known}))"
    closes = {
        name: [w for w, lists in readers.COMPLETE_WORDS.items() if name in lists]
        for name in ("diseases", "exposures")
    }
    return df.select(
        "*",
        F.expr(
            f"CASE WHEN size({bad}) > 0 THEN concat('lists_complete: ', {shown(f'{bad}[0]')}, ' is "
            "not one of yes, no, diseases, exposures') END"
        ).alias("_complete_err"),
        *[
            F.expr(
                f"size({bad}) = 0 AND exists({words}, w -> w IN ({', '.join(q(w) for w in ws)}))"
            ).alias(f"_complete_{name}")
            for name, ws in closes.items()
        ],
    )


def _finish(df: Any) -> Any:
    """``Record.row``: disease identifiers mapped, labs judged, declared lists, the human
    default, every error in ``errors``."""
    from pyspark.sql import functions as F

    mapped = "flatten(transform(conditions, c -> try_element_at(_dis, c).{}))"
    df = df.select(
        "*",
        F.expr(
            "flatten(array(_taxon_c.notes, _diseases_c.notes, _exposures_c.notes, _sites_c.notes, "
            "_features_c.notes, _histology_c.notes, _treatments_c.notes, _reported_type_c.notes, "
            f"{mapped.format('notes')}))"
        ).alias("_id_notes"),
        F.expr(f"transform({mapped.format('errors')}, e -> concat('diseases: ', e))").alias(
            "_dis_errs"
        ),
    )
    df = df.withColumn("conditions", F.expr(f"array_distinct({mapped.format('out')})"))
    df = labs.judge(df)
    errors = (
        "flatten(array(_errs0, _dis_errs, _judge_errs, filter(array(_resp_err, "
        "_complete_err, concat('albumin_value: ', _albumin_err), "
        + ", ".join(
            f"concat('{a}_value: ', _{a}_verr), concat('{a}_status: ', _{a}_serr), "
            f"concat('{a}_reference_range: ', _{a}_rerr)"
            for a in labs.labs.ORDER
        )
        + "), e -> e IS NOT NULL)))"
    )
    out = {
        "case_id": "case_id_",
        "source": "concat(file, ':', CAST(line AS STRING))",
        "taxon": f"coalesce(taxon, {q(m.HUMAN)})",
        "no_conditions": "coalesce(_no_conditions, FALSE) OR (_complete_diseases AND "
        "size(conditions) = 0)",
        "no_exposures": "coalesce(_no_exposures, FALSE) OR (_complete_exposures AND "
        "size(exposures) = 0)",
        "ranges": "CASE WHEN size(_notes) > 0 THEN array_join(_notes, '; ') END",
        "identifiers": "CASE WHEN size(_id_notes) > 0 THEN array_join(_id_notes, '; ') END",
        "not_a_case": "CAST(NULL AS STRING)",
        "errors": errors,
    }
    exprs = []
    for name, kind in m.COLUMNS.items():
        sql = out.get(name, f"`{name}`" if name in df.columns else "NULL")
        spark_type = {
            "str": "string",
            "float": "double",
            "bool": "boolean",
            "list": "array<string>",
        }[kind]
        if kind == "list" and name not in out:
            sql = f"coalesce({sql}, array())"
        exprs.append(F.expr(f"CAST({sql} AS {spark_type})").alias(name))
    return df.select(*exprs, "file", "line")


def unique_ids(df: Any) -> Any:
    """``pipeline.Identifiers``: a repeated case id is an error of the later record, which gets
    ``<id>.dup<n>`` (no message when its id is a placeholder it already has an error for)."""
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    by_id = Window.partitionBy("case_id").orderBy("_row")
    df = df.withColumn("_n", F.row_number().over(by_id)).withColumn(
        "_first", F.first("source").over(by_id)
    )
    placeholder = (
        "exists(errors, e -> startswith(e, 'case_id: ') OR startswith(e, 'phenopacket: '))"
    )
    return (
        df.withColumn(
            "errors",
            F.expr(
                f"CASE WHEN _n > 1 AND NOT {placeholder} THEN concat(errors, array(concat('case_id: "
                "duplicate of the record at ', _first))) ELSE errors END"
            ),
        )
        .withColumn(
            "case_id",
            F.expr(
                "CASE WHEN _n > 1 THEN concat(case_id, '.dup', CAST(_n AS STRING)) ELSE case_id END"
            ),
        )
        .drop("_n", "_first")
    )
