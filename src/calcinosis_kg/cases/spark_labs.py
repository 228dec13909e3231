"""Serum values of a CSV record on Spark: ``Record.set_serum``/``set_albumin`` and
``labs.judge`` as SQL over the cells (units, the laboratory's range, the default bands).

Why a port: the judged statuses feed the criteria, so Spark must judge exactly as the polars
reader does, with the same messages. Values are exact decimals (Spark's DECIMAL, rounded half
to even to 6 places like ``model.QUANT``); the default bands are the ontology's
(``intervals.default_bands``), written into the expression once on the driver.
"""

from __future__ import annotations

from typing import Any

from calcinosis_kg.cases import intervals, labs
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.spark_shacl import q, qlist
from calcinosis_kg.cases.spark_text import general, normalized, number_error, plain, pyrepr, strip

DEC = "DECIMAL(38, 18)"


def _factors(analyte: str) -> dict[str, Any]:
    return m.CALCIUM_FACTORS if analyte in m.CALCIUM_ANALYTES else m.PHOSPHATE_FACTORS


def unit_key(u: str) -> str:
    """``model.normalise_unit`` as SQL (no ``UCUM:``, no spaces, lower case)."""
    s = strip(u)
    return (
        f"lower(replace(CASE WHEN upper({s}) LIKE 'UCUM:%' THEN substr({s}, 6) ELSE {s} "
        "END, ' ', ''))"
    )


def conversion_error(
    analyte: str, x: str, u: str, numbers: bool = False, key: str | None = None
) -> str:
    """``model.exact_mmol_per_l``'s message for value ``x`` in unit ``u``, or NULL; ``key``:
    a column already holding ``unit_key(u)``."""
    names = ", ".join(m._unit_names(analyte))
    key = key or unit_key(u)
    refused = (
        (
            f"WHEN {key} = 'meq/l' THEN 'phosphate in mEq/L is refused: its valence depends "
            "on pH; give mmol/L or mg/dL' "
        )
        if analyte == "phosphate"
        else ""
    )
    return (
        f"coalesce({number_error(x, 1e6, plain_repr=True, number=numbers)}, CASE WHEN {u} IS NULL OR "
        f"{strip(u)} = '' THEN {q(f'no unit given ({names}); a unit is never guessed')} "
        f"{refused}WHEN {key} NOT IN ({qlist(sorted(_factors(analyte)))}) THEN concat("
        f"'unknown unit ', {pyrepr(u)}, {q(f' (use {names})')}) END)"
    )


def exact(analyte: str, x: str, u: str, key: str | None = None) -> str:
    """The value in mmol/L before rounding (valid input only); ``key`` as in
    ``conversion_error``."""
    key = key or unit_key(u)
    factor = (
        "CASE "
        + " ".join(
            f"WHEN {key} = {q(k)} THEN CAST({v} AS DECIMAL(6, 3))"
            for k, v in sorted(_factors(analyte).items())
        )
        + " END"
    )
    return f"(try_cast({x} AS {DEC}) / {factor})"


def rounded(d: str) -> str:
    """Half to even at 6 places, like ``Decimal.quantize(model.QUANT)``."""
    return f"CAST(bround({d}, 6) AS DECIMAL(24, 6))"


def serum(df: Any, analyte: str, cell: Any, numbers: bool = False) -> Any:
    """Columns ``_<a>_err`` (field error or NULL), ``_<a>_lab`` (a lab to judge),
    ``_<a>_exact``/``_<a>_mmol``, ``_<a>_st`` (stated status), ``_<a>_lo``/``_<a>_hi``.
    ``numbers``: the cells are reprs of JSON numbers and the range may have its own unit
    (``<a>_ref_unit``), as in a Phenopacket."""
    from pyspark.sql import functions as F

    a = analyte
    value, unit, status = cell(f"{a}_value"), cell(f"{a}_unit"), cell(f"{a}_status")
    low, high = cell(f"{a}_ref_low"), cell(f"{a}_ref_high")
    given = f"({value} IS NOT NULL AND {value} != '')"
    runit = f"coalesce({cell(f'{a}_ref_unit')}, {unit})" if numbers else unit
    # the unit keys and the range in mmol/L once, as columns: the rules below refer to them
    # (repeated inline, they made the plan of a wide CSV outgrow a 2 GiB driver heap)
    key, rkey = f"_{a}_uk", f"_{a}_rk"
    df = df.select("*", F.expr(unit_key(unit)).alias(key), F.expr(unit_key(runit)).alias(rkey))
    df = df.select(
        "*",
        *[
            F.expr(
                f"CASE WHEN coalesce(abs(try_cast({x} AS DOUBLE)) < 1e6D, FALSE) THEN "
                f"{rounded(exact(a, x, runit, rkey))} END"
            ).alias(f"_{a}_{end}0")
            for x, end in ((low, "lo"), (high, "hi"))
        ],
    )
    verr = f"CASE WHEN {given} THEN {conversion_error(a, value, unit, numbers, key)} END"
    words = (
        "CASE "
        + " ".join(f"WHEN {{w}} = {q(k)} THEN {q(v)}" for k, v in sorted(m.STATUS_WORDS.items()))
        + " ELSE {w} END"
    )
    word = words.format(w=f"lower({strip(status)})")
    has_status = f"({status} IS NOT NULL AND {status} != '')"
    serr = (
        f"CASE WHEN {has_status} AND NOT ({word}) IN ({qlist(m.STATUSES)}) THEN concat("
        f"{pyrepr(word)}, ' is not one of {', '.join(m.STATUSES)}') END"
    )
    lg, hg = f"({low} IS NOT NULL AND {low} != '')", f"({high} IS NOT NULL AND {high} != '')"
    lo, hi = f"_{a}_lo0", f"_{a}_hi0"
    rerr = (
        f"CASE WHEN {lg} != {hg} THEN \"give both limits of the laboratory's range (low "
        f'and high)" WHEN {lg} THEN coalesce({conversion_error(a, low, runit, numbers, rkey)}, '
        f"{conversion_error(a, high, runit, numbers, rkey)}, CASE WHEN NOT {lo} < {hi} THEN concat('low ', "
        f"{normalized(lo)}, ' is not below high ', {normalized(hi)}, ' mmol/L') END) END"
    )
    df = df.withColumn(f"_{a}_verr", F.expr(verr))
    df = df.withColumn(f"_{a}_serr", F.expr(f"CASE WHEN _{a}_verr IS NULL THEN {serr} END"))
    df = df.withColumn(
        f"_{a}_rerr", F.expr(f"CASE WHEN _{a}_verr IS NULL AND _{a}_serr IS NULL THEN {rerr} END")
    )
    ok = f"{given} AND _{a}_verr IS NULL"
    stopped = f"(_{a}_verr IS NOT NULL OR _{a}_serr IS NOT NULL OR _{a}_rerr IS NOT NULL)"
    df = df.withColumn(
        f"_{a}_exact", F.expr(f"CASE WHEN {ok} THEN {exact(a, value, unit, key)} END")
    )
    return df.select(
        "*",
        F.expr(rounded(f"_{a}_exact")).alias(f"_{a}_mmol"),
        F.expr(f"CASE WHEN {has_status} AND NOT {stopped} THEN {word} END").alias(f"_{a}_st"),
        F.expr(f"CASE WHEN {lg} AND NOT {stopped} THEN {lo} END").alias(f"_{a}_lo"),
        F.expr(f"CASE WHEN {lg} AND NOT {stopped} THEN {hi} END").alias(f"_{a}_hi"),
        F.expr(f"NOT {stopped} AND ({ok} OR {has_status} OR {lg})").alias(f"_{a}_lab"),
    )


def albumin(df: Any, cell: Any, numbers: bool = False) -> Any:
    """``Record.set_albumin``: ``albumin_g_l`` and ``_albumin_err``."""
    from pyspark.sql import functions as F

    x, u = cell("albumin_value"), cell("albumin_unit")
    given = f"({x} IS NOT NULL AND {x} != '')"
    shown_unit = f"CASE WHEN {u} IS NULL THEN 'None' ELSE {pyrepr(u)} END"
    err = (
        f"CASE WHEN {given} THEN coalesce({number_error(x, 1e6, True, numbers)}, CASE WHEN "
        f"coalesce({unit_key(u)}, '') NOT IN ('g/l', 'g/dl') THEN concat('unknown or missing "
        f"albumin unit ', {shown_unit}, ' (use g/L or g/dL); a unit is never guessed') END) "
        "END"
    )
    factor = f"CASE WHEN {unit_key(u)} = 'g/dl' THEN CAST(0.1 AS DECIMAL(2, 1)) ELSE 1 END"
    df = df.withColumn("_albumin_err", F.expr(err))
    value = rounded(f"(try_cast({x} AS {DEC}) / {factor})")
    return df.withColumn(
        "albumin_g_l",
        F.expr(f"CASE WHEN {given} AND _albumin_err IS NULL THEN CAST({value} AS DOUBLE) END"),
    )


def _choose(analyte: str) -> tuple[dict[str, str], str, str]:
    """(the band arrays to compute first, as columns; index of the default band or NULL; why)
    for the row's age_years, sex and taxon. The arrays are columns so that the index and the
    why refer to them rather than repeating them (each was spelt out up to five times)."""
    own = [b for b in intervals.default_bands() if b.analyte == analyte]
    words = analyte.replace("_", " ")

    def applies(b: intervals.Band, own_sex: bool = False) -> str:
        parts = ["TRUE"]
        if b.age_low is not None:
            parts.append(f"age_years >= {b.age_low}")
        if b.age_high is not None:
            parts.append(f"age_years < {b.age_high}")
        if b.sex is not None and not own_sex:
            parts.append(f"sex = {q(b.sex)}")
        return " AND ".join(parts)

    def picked(cond: Any) -> str:
        items = [f"CASE WHEN {cond(b)} THEN {i} END" for i, b in enumerate(own)]
        return f"filter(array({', '.join(items) or 'NULL'}), x -> x IS NOT NULL)"

    adult = picked(
        lambda b: (
            "FALSE"
            if b.age_high is not None
            else ("TRUE" if b.sex is None else f"coalesce(sex = {q(b.sex)}, FALSE)")
        )
    )
    fitting = picked(lambda b: f"coalesce({applies(b)}, FALSE)")
    specific = picked(lambda b: f"coalesce({applies(b)}, FALSE)" if b.sex else "FALSE")
    arrays = {
        f"_{analyte}_adult": adult,
        f"_{analyte}_chosen": f"CASE WHEN size({specific}) > 0 THEN {specific} ELSE {fitting} END",
    }
    adult, chosen = f"_{analyte}_adult", f"_{analyte}_chosen"
    own_sex = " OR ".join(f"({applies(b, True)})" for b in own if b.sex) or "FALSE"
    human = f"(taxon IS NULL OR taxon = {q(m.HUMAN)})"
    index = (
        f"CASE WHEN NOT {human} THEN NULL WHEN age_years IS NULL THEN CASE WHEN size({adult}) "
        f"= 1 THEN {adult}[0] END WHEN size({chosen}) = 1 THEN {chosen}[0] END"
    )
    age = general("age_years")
    why = (
        f"CASE WHEN NOT {human} THEN concat('no default {words} range for ', taxon, ' (the "
        "sources are human reference intervals)') WHEN age_years IS NULL THEN CASE WHEN "
        f"size({adult}) = 1 THEN 'age not recorded: adult default' ELSE 'age not recorded "
        f"and no single adult default' END WHEN size({chosen}) = 1 THEN '' WHEN size({chosen})"
        f" = 0 AND ({own_sex}) THEN concat('the {words} ranges for age ', {age}, ' are sex-"
        f"specific and the sex is not recorded') WHEN size({chosen}) = 0 THEN concat('no "
        f"verified default {words} range for age ', {age}, ' years') ELSE concat(CAST(size("
        f"{chosen}) AS STRING), ' default ranges overlap at age ', {age}) END"
    )
    return arrays, index, why


def _band(analyte: str, index: str, attr: str) -> str:
    own = [b for b in intervals.default_bands() if b.analyte == analyte]
    if attr == "text":
        values = [q(b.describe()) for b in own]
    elif attr == "curie":
        values = [q(b.curie) for b in own]
    else:
        values = [f"CAST({getattr(b, attr)} AS DECIMAL(24, 6))" for b in own]
    # the CASE, not element_at alone: measured here (Spark 4, local[2]), element_at with a
    # NULL index returned a band, so a dog's calcium was judged against the human range
    return (
        f"CASE WHEN {index} IS NOT NULL THEN element_at(array({', '.join(values) or 'NULL'}), "
        f"{index} + 1) END"
    )


def judge(df: Any) -> Any:
    """``labs.judge`` over the ``serum`` columns: statuses, ranges, lab limits, the adjusted
    calcium, ``_judge_err`` (contradictions) and ``_notes`` (the ``ranges`` text parts)."""
    from pyspark.sql import functions as F

    notes, errors = [], []
    for a in labs.ORDER:
        name = labs.NAMES[a]
        arrays, index, why = _choose(a)
        df = df.select("*", *[F.expr(v).alias(k) for k, v in arrays.items()])
        df = df.withColumn(
            f"_{a}_band", F.expr(f"CASE WHEN _{a}_lab AND _{a}_lo IS NULL THEN {index} END")
        )
        df = df.withColumn(f"_{a}_why", F.expr(why))
        value, shown = f"_{a}_mmol", q(name)
        if a == "calcium":
            # the numerator cast back to 18 places before the division: left to Spark's
            # decimal rules the quotient kept 8 places (rounded half up), so 2.824251497 became
            # 2.82425150 and then 2.824252 where Python's Decimal gives 2.824251 (a vignette)
            payne = rounded(
                "(CAST(CAST(_calcium_exact AS DECIMAL(30, 18)) * 4.008 - CAST(albumin_g_l AS "
                "DECIMAL(24, 6)) / 10 + 4.0 AS DECIMAL(30, 18)) / 4.008)"
            )
            adj = (
                f"CASE WHEN _calcium_lab AND _calcium_mmol IS NOT NULL AND albumin_g_l IS NOT "
                f"NULL THEN {payne} END"
            )
            df = df.withColumn("_adj", F.expr(adj))
            value = f"coalesce(_adj, _{a}_mmol)"
            shown = (
                f"CASE WHEN _adj IS NOT NULL THEN concat('calcium (albumin-adjusted for ', "
                f"{general('albumin_g_l')}, ' g/L, Payne 1973)') ELSE 'calcium' END"
            )
        lab = f"_{a}_lo IS NOT NULL"
        low = f"CASE WHEN {lab} THEN _{a}_lo ELSE {_band(a, f'_{a}_band', 'low')} END"
        high = f"CASE WHEN {lab} THEN _{a}_hi ELSE {_band(a, f'_{a}_band', 'high')} END"
        text = (
            f'CASE WHEN {lab} THEN concat("the laboratory\'s range ", {plain(f"_{a}_lo")}, '
            f"'-', {plain(f'_{a}_hi')}, ' mmol/L') ELSE concat("
            f"{_band(a, f'_{a}_band', 'text')}, CASE WHEN _{a}_why != '' THEN concat(' (', "
            f"_{a}_why, ')') ELSE '' END) END"
        )
        df = df.select(
            "*",
            F.expr(value).alias(f"_{a}_v"),
            F.expr(shown).alias(f"_{a}_sh"),
            F.expr(low).alias(f"_{a}_bl"),
            F.expr(high).alias(f"_{a}_bh"),
            F.expr(text).alias(f"_{a}_tx"),
        )
        mmol = f"concat({plain(f'_{a}_v')}, ' mmol/L')"
        derived = (
            f"CASE WHEN _{a}_v > _{a}_bh THEN 'raised' WHEN _{a}_v < _{a}_bl THEN 'low' "
            "ELSE 'normal' END"
        )
        judged = f"_{a}_lab AND _{a}_v IS NOT NULL AND _{a}_bh IS NOT NULL"
        clash = f"{judged} AND _{a}_st IS NOT NULL AND _{a}_st != {derived}"
        df = df.select(
            "*",
            F.expr(
                f"CASE WHEN {clash} THEN concat('{a}_status: ', {pyrepr(f'_{a}_st')}, "
                f"' contradicts ', _{a}_sh, ' ', {mmol}, ' (', {derived}, ' against ', "
                f"_{a}_tx, ')') END"
            ).alias(f"_{a}_jerr"),
            F.expr(
                f"CASE WHEN {judged} AND NOT ({clash}) THEN {derived} WHEN _{a}_lab AND "
                f"_{a}_st IS NOT NULL AND NOT ({judged}) THEN _{a}_st END"
            ).alias(f"{a}_status"),
            F.expr(
                f"CASE WHEN {judged} AND NOT ({clash}) THEN CASE WHEN {lab} THEN 'lab' ELSE "
                f"{_band(a, f'_{a}_band', 'curie')} END END"
            ).alias(f"{a}_range"),
            F.expr(
                f"CASE WHEN _{a}_lab AND {lab} AND _{a}_v IS NOT NULL THEN CAST(_{a}_lo AS "
                "DOUBLE) END"
            ).alias(f"{a}_lab_low"),
            F.expr(
                f"CASE WHEN _{a}_lab AND {lab} AND _{a}_v IS NOT NULL THEN CAST(_{a}_hi AS "
                "DOUBLE) END"
            ).alias(f"{a}_lab_high"),
            F.expr(
                f"CASE WHEN NOT _{a}_lab THEN NULL WHEN _{a}_v IS NULL THEN CASE WHEN "
                f"_{a}_st IS NOT NULL THEN concat({q(name)}, ' ', _{a}_st, ': as recorded') "
                f"END WHEN NOT ({judged}) THEN concat(_{a}_sh, ' ', {mmol}, ' ', CASE WHEN "
                f"_{a}_st IS NOT NULL THEN concat(_{a}_st, ': as recorded (', _{a}_why, ')') "
                f"ELSE concat('not judged: ', _{a}_why) END) WHEN NOT ({clash}) THEN concat("
                f"_{a}_sh, ' ', {mmol}, ' ', {derived}, ' against ', _{a}_tx) END"
            ).alias(f"_{a}_note"),
        )
        notes.append(f"_{a}_note")
        errors.append(f"_{a}_jerr")
        df = df.withColumn(f"{a}_mmol_l", F.expr(f"CAST(_{a}_mmol AS DOUBLE)"))
    df = df.withColumn("calcium_adjusted_mmol_l", F.expr("CAST(_adj AS DOUBLE)")).withColumn(
        "calcium_judged_mmol_l",
        F.expr("CASE WHEN _calcium_lab THEN CAST(coalesce(_adj, _calcium_mmol) AS DOUBLE) END"),
    )
    return _phenotypes(df, notes, errors)


def _phenotypes(df: Any, notes: list[str], errors: list[str]) -> Any:
    """``labs._phenotypes``: an observed Hypercalcemia / Hyperphosphatemia feature."""
    from pyspark.sql import functions as F

    for term, analytes in labs.PHENOTYPES.items():
        first = analytes[0]
        has = f"array_contains(coalesce(features, array()), {q(term)})"
        judged = (
            "filter(array(" + ", ".join(f"{a}_status" for a in analytes) + "), x -> x IS NOT NULL)"
        )
        df = df.select(
            "*",
            F.expr(
                f"CASE WHEN {has} AND size({judged}) > 0 AND NOT array_contains({judged}, 'raised') "
                f"THEN concat('features: {term} contradicts the recorded {labs.NAMES[first]} (', "
                f"{judged}[0], ')') END"
            ).alias(f"_{first}_perr"),
            F.expr(f"{has} AND size({judged}) = 0").alias(f"_{first}_raise"),
        )
        df = df.withColumn(
            f"{first}_status",
            F.expr(f"CASE WHEN _{first}_raise THEN 'raised' ELSE {first}_status END"),
        )
        notes.append(
            f"CASE WHEN _{first}_raise THEN '{labs.NAMES[first]} raised: {term} recorded' END"
        )
        errors.append(f"_{first}_perr")
    return df.select(
        "*",
        F.expr(f"filter(array({', '.join(notes)}), x -> x IS NOT NULL)").alias("_notes"),
        F.expr(f"filter(array({', '.join(errors)}), x -> x IS NOT NULL)").alias("_judge_errs"),
    )
