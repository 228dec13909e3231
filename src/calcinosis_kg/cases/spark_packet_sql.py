"""The Phenopacket mapping as Spark SQL: the fit rules, the fields -> the wide case row.

Why its own module: ``packet_spark`` reads and numbers the lines and hands the misfits to the
driver; this module is the mapping itself, ``readers._fill_packet`` and ``Record.row`` written
as SQL over the ``from_json`` struct ``p`` (no UDF), with the record reader's messages. The
declared fields and fit rules are ``packet_map``'s, shared with the polars reader.
"""

from __future__ import annotations

from typing import Any

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import packet_map as pm
from calcinosis_kg.cases import parsing
from calcinosis_kg.cases.spark_shacl import q, qlist
from calcinosis_kg.cases.spark_text import CURIE, shown

EMPTY = "CAST(array() AS array<string>)"
#: ``parsing._DURATION`` ([0-9] for ``\\d``, re.ASCII) and the units' sizes in years
DURATION = "^" + parsing._DURATION.pattern.replace("\\d", "[0-9]") + "\\z"
SURROGATE = r"\\u[dD][89a-fA-F]"
PER_YEAR = parsing._PER_YEAR


def fits(text: str, biggest: int) -> str:
    """``packet_map``'s fit rules on the line ``text`` (and what the polars reader checks
    before: valid UTF-8, within the line limit)."""
    tokens = f"regexp_extract_all({text}, {q(pm.TOKEN)}, 0)"
    keys = f"filter({tokens}, t -> endswith(t, ':'))"
    rules = [
        f"is_valid_utf8({text})",
        f"octet_length({text}) <= {biggest}",
        f"{text} RLIKE '^[ \\t\\r\\n]*[{{]'",
        f"forall({keys}, t -> t RLIKE {q(pm.key_pattern())})",
        f"NOT {text} RLIKE {q(SURROGATE)}",
        *(
            f"regexp_count({text}, {q(key)}) = regexp_count({text}, {q(typed)})"
            for key, typed in pm.TYPED_KEYS.values()
        ),
        f"NOT {repeated(text)}",
    ]
    return " AND ".join(f"({r})" for r in rules)


def repeated(text: str) -> str:
    """``packet_map.repeats_key`` as a fold over the line's tokens with a stack of key sets."""
    tokens = f"regexp_extract_all({text}, {q(pm.STRUCTURE)}, 0)"
    key = "regexp_replace(t, '[ \\t\\r\\n]*:$', '')"
    top = "element_at(a.s, -1)"
    rest = "slice(a.s, 1, size(a.s) - 1)"
    start = "named_struct('s', CAST(array() AS array<array<string>>), 'd', FALSE)"
    step = (
        f"CASE WHEN t = '{{' THEN named_struct('s', concat(a.s, array({EMPTY})), 'd', a.d) "
        f"WHEN t = '}}' AND size(a.s) > 0 THEN named_struct('s', {rest}, 'd', a.d) "
        f"WHEN endswith(t, ':') AND size(a.s) > 0 THEN CASE WHEN array_contains({top}, {key}) "
        f"THEN named_struct('s', a.s, 'd', TRUE) ELSE named_struct('s', concat({rest}, "
        f"array(array_append({top}, {key}))), 'd', a.d) END ELSE a END"
    )
    return f"aggregate({tokens}, {start}, (a, t) -> {step}, a -> a.d)"


def _id(x: str) -> str:
    return f"coalesce({x}.id, '')"


def mapped(good: Any) -> Any:
    """``readers._fill_packet``'s lists, flags and raw fields of each parsed record ``p``
    (``_ph``: the case id of a record without one, as the record reader names it)."""
    from pyspark.sql import functions as F

    feats, dis = "coalesce(p.phenotypicFeatures, array())", "coalesce(p.diseases, array())"
    samples, acts = "coalesce(p.biosamples, array())", "coalesce(p.medicalActions, array())"
    excl = "coalesce(x.excluded, FALSE)"
    term, dterm = _id("x.type"), _id("x.term")
    cc = f"(NOT {excl} AND {term} = {q(pm.CALCINOSIS_CUTIS)})"
    exposure = f"{term} RLIKE {q(pm.EXPOSURE)}"
    code = (
        f"CASE WHEN x.treatment IS NOT NULL THEN {_id('x.treatment.agent')} WHEN x.procedure "
        f"IS NOT NULL THEN {_id('x.procedure.code')} ELSE '' END"
    )
    response = (
        f"CASE WHEN x.responseToTreatment IS NOT NULL THEN {_id('x.responseToTreatment')} "
        "ELSE '' END"
    )
    sex = "CASE " + " ".join(f"WHEN p.subject.sex = {q(k)} THEN {q(v)}" for k, v in pm.SEX.items())
    cols = {
        "case_id": "CASE WHEN coalesce(p.id, '') = '' THEN _ph ELSE p.id END",
        "_noid": "coalesce(p.id, '') = ''",
        "_tax": "p.subject.taxonomy IS NOT NULL",
        "_taxid": _id("p.subject.taxonomy"),
        "sex": sex + " END",
        "_age": "p.subject.timeAtLastEncounter.age.iso8601duration",
        "conditions": f"transform(filter({dis}, x -> NOT {excl}), x -> {dterm})",
        "_nocause": f"exists({dis}, x -> {excl} AND {dterm} = {q(pm.NO_CAUSE)})",
        "sites": (
            f"concat(transform(filter({dis}, x -> x.primarySite IS NOT NULL), x -> "
            f"{_id('x.primarySite')}), flatten(transform(filter({feats}, x -> {cc}), x -> "
            f"transform(coalesce(x.modifiers, array()), y -> {_id('y')}))), transform(filter("
            f"{samples}, x -> x.sampledTissue IS NOT NULL), x -> {_id('x.sampledTissue')}))"
        ),
        "_onsets": (
            f"transform(filter({feats}, x -> {cc} AND x.onset IS NOT NULL), x -> "
            "x.onset.age.iso8601duration)"
        ),
        "exposures": (
            f"transform(filter({feats}, x -> NOT {excl} AND {term} != "
            f"{q(pm.CALCINOSIS_CUTIS)} AND {exposure}), x -> {term})"
        ),
        "features": (
            f"transform(filter({feats}, x -> NOT {excl} AND {term} != "
            f"{q(pm.CALCINOSIS_CUTIS)} AND NOT {exposure}), x -> {term})"
        ),
        "histology": (
            f"flatten(transform({samples}, b -> transform(filter(coalesce("
            f"b.phenotypicFeatures, array()), x -> NOT {excl}), x -> {term})))"
        ),
        "_cc": f"exists({feats}, x -> {cc})",
        "_ccx": f"exists({feats}, x -> {excl} AND {term} = {q(pm.CALCINOSIS_CUTIS)})",
        "_ctype": (
            f"exists({dis}, x -> NOT {excl} AND {dterm} RLIKE {q(pm.CALCINOSIS_TYPE)} AND "
            f"NOT {dterm} IN ({qlist(pm.NOT_TYPES)}))"
        ),
        "treatments": f"transform(filter({acts}, x -> ({code}) != ''), x -> {code})",
        "_responses": f"transform(filter({acts}, x -> ({code}) != ''), x -> {response})",
        "_mn": "size(coalesce(p.measurements, array()))",
    }
    for i, assay in enumerate(pm.ASSAYS):
        hits = f"filter(coalesce(p.measurements, array()), x -> {_id('x.assay')} = {q(assay)})"
        cols[f"_n{i}"] = f"size({hits})"
        cols[f"_q{i}"] = f"CASE WHEN size({hits}) = 1 THEN {hits}[0].value.quantity END"
        cols[f"_has{i}"] = f"size({hits}) = 1 AND {hits}[0].value.quantity IS NOT NULL"
    return good.select("file", "line", *[F.expr(v).alias(k) for k, v in cols.items()])


def duration(d: str) -> tuple[str, str]:
    """(years, error) of ``parsing.duration_years`` for the text ``d`` (NULLs for none)."""
    groups = [f"nullif(regexp_extract({d}, {q(DURATION)}, {i}), '')" for i in range(1, 8)]
    total = "0D"
    for g, per in zip(groups, PER_YEAR, strict=True):
        total = f"({total} + coalesce(CAST({g} AS DOUBLE) / {float(per)!r}D, 0D))"
    err = (
        f"CASE WHEN coalesce({d}, '') = '' THEN NULL WHEN NOT {d} RLIKE "
        f"{q(DURATION)} THEN concat({shown(d)}, ' is not an ISO 8601 duration (', "
        f"CASE WHEN instr({d}, '-') > 0 THEN 'a negative age' ELSE 'expected "
        "PnYnMnWnDTnHnMnS, e.g. P24Y6M' END, ')') WHEN "
        + " AND ".join(f"{g} IS NULL" for g in groups)
        + f" THEN concat({shown(d)}, ' is an empty duration (no number of years, months, weeks, "
        f"days or hours)') WHEN NOT coalesce({total} < {parsing.PLAUSIBLE!r}D, FALSE) THEN "
        f"concat({shown(d)}, ' is not a plausible age') END"
    )
    years = f"CASE WHEN coalesce({d}, '') != '' AND ({err}) IS NULL THEN round({total}, 6) END"
    return years, err


def pyfloat(x: str) -> str:
    """``repr()`` of a double as Python writes it (positional from 1e-4 to 1e16)."""
    s = f"CAST({x} AS STRING)"
    exp = f"CAST(regexp_extract({s}, 'E(-?[0-9]+)$', 1) AS INT)"
    plain = (
        f"regexp_replace(regexp_replace(CAST(CAST({s} AS DECIMAL(38, 20)) AS STRING), "
        "'0+$', ''), '[.]$', '.0')"
    )
    mantissa = f"regexp_replace(regexp_extract({s}, '^(-?[0-9.]+)E', 1), '[.]0$', '')"
    sci = (
        f"concat({mantissa}, 'e', CASE WHEN {exp} < 0 THEN '-' ELSE '+' END, "
        f"lpad(CAST(abs({exp}) AS STRING), 2, '0'))"
    )
    return (
        f"CASE WHEN {x} IS NULL THEN NULL WHEN instr({s}, 'E') = 0 THEN {s} WHEN {exp} >= -4 "
        f"AND {exp} < 16 THEN {plain} ELSE {sci} END"
    )


def _cells(i: int, analyte: str) -> dict[str, str]:
    """The serum cells ``spark_labs`` reads, from the one measurement of assay ``i``."""
    qn, rr = f"_q{i}", f"_q{i}.referenceRange"
    ok = f"_has{i} AND _mn <= {parsing.MOST_ITEMS}"

    def unit(u: str) -> str:
        return f"CASE WHEN coalesce({u}.id, '') != '' THEN {u}.id ELSE coalesce({u}.label, '') END"

    ranged = f"{ok} AND {rr} IS NOT NULL"
    return {
        f"{analyte}_value": f"CASE WHEN {ok} THEN {pyfloat(f'coalesce({qn}.value, 0D)')} END",
        f"{analyte}_unit": f"CASE WHEN {ok} THEN {unit(f'{qn}.unit')} END",
        f"{analyte}_ref_low": f"CASE WHEN {ranged} THEN {pyfloat(f'coalesce({rr}.low, 0D)')} END",
        f"{analyte}_ref_high": f"CASE WHEN {ranged} THEN {pyfloat(f'coalesce({rr}.high, 0D)')} END",
        f"{analyte}_ref_unit": f"CASE WHEN {ranged} THEN nullif({unit(f'{rr}.unit')}, '') END",
    }


def finish(df: Any, labs: Any) -> Any:
    """``readers._fill_packet``'s checks and ``Record.row``: the wide rows (``model.COLUMNS``,
    ``file``, ``line``); ``labs``: the ``spark_labs`` module (serum values, judgement)."""
    from pyspark.sql import functions as F

    age, age_err = duration("_age")
    onset, onset_err = duration("d")
    lists = list(pm.LISTS)
    errs = [
        "CASE WHEN _noid THEN array('case_id: missing (Phenopacket id)') END",
        f"CASE WHEN _tax AND NOT _taxid RLIKE {q(CURIE)} THEN array(concat('taxon: ', "
        f"{shown('_taxid')}, ' is not an identifier such as NCBITaxon:9606')) END",
        f"CASE WHEN ({age_err}) IS NOT NULL THEN array(concat('age_years: ', {age_err})) END",
        f"filter(transform(_onsets, d -> concat('onset_age_years: ', {onset_err})), "
        "x -> x IS NOT NULL)",
        f"CASE WHEN _ccx AND (_cc OR _ctype) THEN array({q('phenotypicFeatures: ' + pm.BOTH)}) END",
    ]
    for key in lists:
        errs.append(
            f"CASE WHEN size({key}) > {parsing.MOST_ITEMS} THEN array(concat({q(key + ': ')}, "
            f"format_number(size({key}), 0), ' items, more than the {parsing.MOST_ITEMS:,} one "
            f"field of a record may list')) ELSE transform(filter({key}, s -> NOT s RLIKE "
            f"{q(CURIE)}), s -> concat({q(key + ': ')}, {shown('s')}, ' is not an identifier "
            f"such as {pm.CURIE_EXAMPLE}')) END"
        )
    bad = f"filter(_responses, r -> r != '' AND NOT r RLIKE {q(CURIE)})"
    errs.append(
        f"CASE WHEN size({bad}) > 0 THEN array(concat('responses: ', {shown(f'{bad}[0]')}, "
        "' is not an identifier such as CCKG:0000731')) END"
    )
    measure = [
        f"CASE WHEN _mn > {parsing.MOST_ITEMS} THEN array(concat('measurements: ', "
        f"format_number(_mn, 0), ' items, more than the {parsing.MOST_ITEMS:,} one field of a "
        "record may list')) END"
    ]
    cells: dict[str, str] = {}
    for i, (assay, analyte) in enumerate(pm.ASSAYS.items()):
        measure.append(
            f"CASE WHEN _mn <= {parsing.MOST_ITEMS} AND _n{i} > 1 THEN array(concat("
            f"'measurements: ', CAST(_n{i} AS STRING), ' measurements of {assay} where one is "
            "allowed')) END"
        )
        cells.update(_cells(i, analyte))
    for i, (assay, analyte) in enumerate(pm.ASSAYS.items()):
        measure.append(
            f"CASE WHEN _mn <= {parsing.MOST_ITEMS} AND _n{i} = 1 AND NOT _has{i} THEN array("
            f"'{analyte}_value: measurement {assay} has no quantity') END"
        )
    df = df.select(
        "*",
        F.expr(f"CASE WHEN _tax AND _taxid RLIKE {q(CURIE)} THEN _taxid END").alias("taxon"),
        F.expr(age).alias("age_years"),
        F.expr(f"try_element_at(transform(_onsets, d -> {onset}), -1)").alias("onset_age_years"),
        F.expr(
            f"CASE WHEN size({bad}) = 0 AND exists(_responses, r -> r != '') THEN _responses "
            f"ELSE {EMPTY} END"
        ).alias("_resp"),
        F.expr(f"flatten(transform(array({', '.join(errs)}), x -> coalesce(x, {EMPTY})))").alias(
            "_errs0"
        ),
        F.expr(f"flatten(transform(array({', '.join(measure)}), x -> coalesce(x, {EMPTY})))").alias(
            "_merrs"
        ),
        *[F.expr(v).alias(f"_c_{k}") for k, v in cells.items()],
    )
    df = df.select(
        *[c for c in df.columns if c not in lists],
        *[
            F.expr(
                f"CASE WHEN size({k}) > {parsing.MOST_ITEMS} THEN {EMPTY} ELSE array_distinct("
                f"filter({k}, s -> s RLIKE {q(CURIE)})) END"
            ).alias(k)
            for k in lists
        ],
    )
    return _judged(df, labs, list(cells))


def _judged(df: Any, labs: Any, cells: list[str]) -> Any:
    from pyspark.sql import functions as F

    def cell(name: str) -> str:
        return f"`_c_{name}`" if name in cells else "CAST(NULL AS STRING)"

    for analyte in labs.labs.ORDER:
        df = labs.serum(df, analyte, cell, numbers=True)
    df = labs.albumin(df, cell, numbers=True)
    mapped = "flatten(transform(conditions, c -> try_element_at(_dis, c).{}))"
    df = df.select(
        "*",
        F.expr(mapped.format("notes")).alias("_id_notes"),
        F.expr(f"transform({mapped.format('errors')}, e -> concat('diseases: ', e))").alias(
            "_dis_errs"
        ),
    )
    df = df.withColumn("conditions", F.expr(f"array_distinct({mapped.format('out')})"))
    df = labs.judge(df)
    serum = ", ".join(
        f"concat('{a}_value: ', _{a}_verr), concat('{a}_status: ', _{a}_serr), "
        f"concat('{a}_reference_range: ', _{a}_rerr)"
        for a in labs.labs.ORDER
    )
    observed = "(_cc OR _ctype)"
    out = {
        "taxon": f"coalesce(taxon, {q(m.HUMAN)})",
        "responses": "_resp",
        "no_conditions": "_nocause",
        "no_exposures": "_nocause",
        "ranges": "CASE WHEN size(_notes) > 0 THEN array_join(_notes, '; ') END",
        "identifiers": "CASE WHEN size(_id_notes) > 0 THEN array_join(_id_notes, '; ') END",
        "not_a_case": (
            f"CASE WHEN _ccx AND NOT {observed} THEN {q(pm.NOT_A_CASE_EXCLUDED)} WHEN NOT _ccx "
            f"AND NOT {observed} THEN {q(pm.NOT_A_CASE_MISSING)} END"
        ),
        "errors": (
            "flatten(array(_errs0, _merrs, filter(array(" + serum + ", concat('albumin_value: ', "
            "_albumin_err)), e -> e IS NOT NULL), _dis_errs, _judge_errs))"
        ),
    }
    types = {"str": "string", "float": "double", "bool": "boolean", "list": "array<string>"}
    exprs = []
    for name, kind in m.COLUMNS.items():
        sql = out.get(name, f"`{name}`" if name in df.columns else "NULL")
        if kind == "list" and name not in out:
            sql = f"coalesce({sql}, array())"
        exprs.append(F.expr(f"CAST({sql} AS {types[kind]})").alias(name))
    return df.select(*exprs, "file", "line")
