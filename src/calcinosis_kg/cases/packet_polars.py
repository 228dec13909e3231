"""Phenopacket JSON Lines -> wide case frames with polars, from the declared fields.

Why: the record reader builds a protobuf message and a ``Record`` per Phenopacket. Here polars
decodes every line that fits ``packet_map`` with that explicit schema and maps the fields to the
case columns by expressions; the value rules (ISO 8601 ages, measurements and their reference
ranges, identifier mappings, the laboratory judgement) run once per distinct value through the
record reader's own functions (``readers.measure``, ``parsing.duration_years``, ``labs.judge``,
``identifiers``). A line that does not fit goes to the record reader, which names its problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from calcinosis_kg.cases import csv_rules, packet_labs, parsing, readers
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import packet_map as pm
from calcinosis_kg.cases.csv_frame import BLOCK, SPACE, split_lines
from calcinosis_kg.cases.frame import SCHEMA, to_frame
from calcinosis_kg.cases.record import Record
from calcinosis_kg.graph.input_limits import limit, open_regular_file

LIST = pl.List(pl.String)
CURIE = r"^[A-Za-z][A-Za-z0-9_.]*:[A-Za-z0-9_.:-]+$"


def dtype(node: Any) -> Any:
    """The polars type of a ``packet_map.SCHEMA`` node."""
    if isinstance(node, dict):
        return pl.Struct({k: dtype(v) for k, v in node.items()})
    if isinstance(node, list):
        return pl.List(dtype(node[0]))
    return {"string": pl.String, "double": pl.Float64, "boolean": pl.Boolean}[node]


def fits() -> pl.Expr:
    """``packet_map``'s fit rules that need no token scan, over the ``text`` column (the keys'
    rules are ``keys_fit``'s)."""
    text = pl.col("text")
    rule = text.str.strip_chars(" \t\r\n").str.starts_with("{") & ~text.str.contains(
        r"\\u[dD][89a-fA-F]"
    )
    for key, typed in pm.TYPED_KEYS.values():
        rule &= text.str.count_matches(key) == text.str.count_matches(typed)
    return rule


def keys_fit(lines: pl.DataFrame) -> pl.Series:
    """Per line: every key is a known field name and no object gives a key twice
    (``packet_map.repeats_key``), from one scan of the line's tokens. Each key belongs to the
    last ``{`` at its depth before it; a key twice in one object is a duplicate of (object,
    key). No group-by per line: the depth runs on over the lines (in a line that is JSON, each
    key's object opens in its own line, whatever depth the lines before it left), and the
    objects are found after one stable sort on depth."""
    tokens = (
        lines.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
            pl.col("text").str.extract_all(pm.STRUCTURE),
        )
        .explode("text")
        .drop_nulls("text")
    )
    t = pl.col("text")
    step = pl.when(t.is_in(["{", "["])).then(1).when(t.is_in(["}", "]"])).then(-1).otherwise(0)
    tokens = tokens.with_columns(pl.int_range(pl.len()).alias("pos"), step.cum_sum().alias("depth"))
    # a key token less its ``:`` is its quoted name: known when it is one of ``pm.keys()``
    tokens = tokens.filter((t == "{") | t.str.ends_with(":")).with_columns(
        t.str.strip_chars_end(": \t\r\n")
    )
    known = [f'"{k}"' for k in sorted(pm.keys())]
    unknown = tokens.filter((t != "{") & ~t.is_in(known))["row"]
    tokens = tokens.sort("depth", maintain_order=True)  # line order kept within a depth
    tokens = tokens.with_columns(pl.when(t == "{").then(pl.col("pos")).forward_fill().alias("obj"))
    keys = tokens.filter(t != "{")
    # a repeat of (object, name) hashes alike: the few rows whose hashes repeat are checked
    hashed = t.hash(1) ^ pl.col("obj").hash(2)
    maybe = keys.filter(hashed.is_duplicated())
    twice = maybe.filter(pl.struct("obj", "text").is_duplicated())["row"]
    return ~pl.int_range(lines.height, eager=True).is_in(pl.concat([unknown, twice]).implode())


def frames(path: Path, complete: tuple[str, ...] = ()) -> Iterator[pl.DataFrame]:
    """Wide frames (``frame.SCHEMA``) of one JSON Lines file of Phenopackets, in line order."""
    longest = limit("CALCINOSIS_KG_MAX_RECORD_KB")
    most = limit("CALCINOSIS_KG_MAX_INPUT_MB")
    line0, total = 1, 0
    memo = csv_rules.Rules()
    with open_regular_file(path) as handle:
        while True:
            block = handle.read(BLOCK)
            if block and not block.endswith(b"\n"):
                block += handle.readline(longest + 2)
            if not block:
                return
            total += len(block)
            lines = _lines(block, longest, line0) if total <= most else None
            if lines is None:  # the rest is the record reader's (it says why)
                break
            frame = _block(path, lines, complete, memo)
            if frame.height:
                yield frame
            line0 += lines.height
    rows = [
        _with(r, complete).row()
        for r in readers.read_phenopackets(path)
        if int(r.source.rsplit(":", 1)[1]) >= line0
    ]
    if rows:
        yield to_frame(rows)


def _with(record: Record, complete: tuple[str, ...]) -> Record:
    if complete:
        record.declare_complete(complete)
    return record


def _lines(block: bytes, longest: int, line0: int) -> pl.DataFrame | None:
    if line0 == 1 and block.startswith(b"\xef\xbb\xbf"):
        block = block[3:]
    raw = split_lines(block, longest)
    if raw is None:
        return None
    frame = pl.DataFrame({"text": raw.str.strip_chars_end("\r\n")})
    return frame.with_row_index("line", line0).with_columns(pl.col("line").cast(pl.Int64))


def _block(
    path: Path, lines: pl.DataFrame, complete: tuple[str, ...], memo: csv_rules.Rules
) -> pl.DataFrame:
    lines = lines.filter(pl.col("text").str.strip_chars(SPACE) != "")
    lines = lines.with_columns(fits().alias("fit"))
    lines = lines.with_columns(pl.col("fit") & keys_fit(lines))
    good, odd = lines.filter("fit"), lines.filter(~pl.col("fit"))
    parts = []
    if good.height:
        try:
            decoded = good.select(
                "line", pl.col("text").str.json_decode(dtype(pm.SCHEMA)).alias("p")
            )
        except pl.exceptions.ComputeError:  # a line that is not JSON: the record reader says why
            odd, decoded = lines, None
        if decoded is not None:
            wide = mapped(decoded, str(path), complete, memo)
            parts.append(wide.with_columns(decoded["line"]).select("line", *SCHEMA))
    if odd.height:
        rows = []
        for line, text in odd.select("line", "text").iter_rows():
            record = readers.packet_line(path, line, text.encode())
            if record is not None:
                rows.append(_with(record, complete).row())
        if rows:
            parts.append(
                to_frame(rows)
                .with_columns(pl.Series("line", [int(r["source"].rsplit(":", 1)[1]) for r in rows]))
                .select("line", *SCHEMA)
            )
    if not parts:
        return pl.DataFrame(schema=SCHEMA)
    return pl.concat(parts).sort("line").drop("line")


def _f(expr: pl.Expr, *names: str) -> pl.Expr:
    for name in names:
        expr = expr.struct.field(name)
    return expr


def _present(items: pl.Expr, field: str) -> pl.Expr:
    return items.list.eval(
        _f(pl.element().filter(_f(pl.element(), field).is_not_null()), field, "id").fill_null("")
    )


def mapped(
    df: pl.DataFrame, source: str, complete: tuple[str, ...], memo: csv_rules.Rules
) -> pl.DataFrame:
    """The wide rows of decoded Phenopackets (``p``: the ``packet_map.SCHEMA`` struct)."""
    p, e = pl.col("p"), pl.element()
    excl = _f(e, "excluded").fill_null(False)
    term = _f(e, "type", "id").fill_null("")
    dterm = _f(e, "term", "id").fill_null("")
    feats = _f(p, "phenotypicFeatures").fill_null([])
    dis = _f(p, "diseases").fill_null([])
    samples = _f(p, "biosamples").fill_null([])
    acts = _f(p, "medicalActions").fill_null([])
    cc = ~excl & (term == pm.CALCINOSIS_CUTIS)
    exposure = term.str.contains(pm.EXPOSURE)
    code = (
        pl.when(_f(e, "treatment").is_not_null())
        .then(_f(e, "treatment", "agent", "id").fill_null(""))
        .when(_f(e, "procedure").is_not_null())
        .then(_f(e, "procedure", "code", "id").fill_null(""))
        .otherwise(pl.lit(""))
    )
    response = (
        pl.when(_f(e, "responseToTreatment").is_not_null())
        .then(_f(e, "responseToTreatment", "id").fill_null(""))
        .otherwise(pl.lit(""))
    )
    ident = _f(p, "id").fill_null("")
    df = df.with_columns(
        pl.when(ident == "").then(pl.format("line-{}", "line")).otherwise(ident).alias("case_id"),
        pl.lit(source).alias("file"),
        (ident == "").alias("_noid"),
        _f(p, "subject", "taxonomy").is_not_null().alias("_tax"),
        _f(p, "subject", "taxonomy", "id").fill_null("").alias("_taxid"),
        _f(p, "subject", "sex").replace_strict(pm.SEX, default=None).alias("sex"),
        _f(p, "subject", "timeAtLastEncounter", "age", "iso8601duration").alias("_age"),
        dis.list.eval(dterm.filter(~excl)).alias("conditions"),
        dis.list.eval(excl & (dterm == pm.NO_CAUSE)).list.any().alias("_nocause"),
        pl.concat_list(
            _present(dis, "primarySite"),
            feats.list.eval(_f(e.filter(cc), "modifiers").explode().drop_nulls()).list.eval(
                _f(e, "id").fill_null("")
            ),
            _present(samples, "sampledTissue"),
        ).alias("sites"),
        feats.list.eval(
            _f(e.filter(cc & _f(e, "onset").is_not_null()), "onset", "age", "iso8601duration")
        ).alias("_onsets"),
        feats.list.eval(term.filter(~excl & (term != pm.CALCINOSIS_CUTIS) & exposure)).alias(
            "exposures"
        ),
        feats.list.eval(term.filter(~excl & (term != pm.CALCINOSIS_CUTIS) & ~exposure)).alias(
            "features"
        ),
        samples.list.eval(_f(e, "phenotypicFeatures").explode().drop_nulls())
        .list.eval(term.filter(~excl))
        .alias("histology"),
        feats.list.eval(cc).list.any().alias("_cc"),
        feats.list.eval(excl & (term == pm.CALCINOSIS_CUTIS)).list.any().alias("_ccx"),
        dis.list.eval(~excl & dterm.str.contains(pm.CALCINOSIS_TYPE) & ~dterm.is_in(pm.NOT_TYPES))
        .list.any()
        .alias("_ctype"),
        acts.list.eval(code.filter(code != "")).alias("treatments"),
        acts.list.eval(response.filter(code != "")).alias("_responses"),
    )
    return _finish(df, complete, memo)


def _shown(df: pl.DataFrame, columns: list[str]) -> dict[str, str]:
    """``parsing.shown`` of every distinct item of ``columns`` that is not an identifier."""
    items = pl.concat([df[c].explode().drop_nulls() for c in columns]).unique()
    return {x: parsing.shown(x) for x in items.filter(~items.str.contains(CURIE))}


def _years(df: pl.DataFrame, memo: csv_rules.Rules) -> dict[str, dict[str, Any]]:
    """``parsing.duration_years`` of each distinct duration of the block: (years, error)."""
    found = memo.table("durations")
    block = {}
    for d in pl.concat([df["_age"], df["_onsets"].explode()]).drop_nulls().unique():
        got = found.get((d,))
        if got is None:
            try:
                got = {"y": parsing.duration_years(d) if d else None, "e": None}
            except ValueError as exc:
                got = {"y": None, "e": str(exc)}
            found[(d,)] = got
        block[d] = got
    return block


def _finish(df: pl.DataFrame, complete: tuple[str, ...], memo: csv_rules.Rules) -> pl.DataFrame:
    e = pl.element()
    lists = [*pm.LISTS]
    shown = _shown(df, [*lists, "_responses", "_taxid"])
    years = _years(df, memo)
    ymap = {k: v["y"] for k, v in years.items()}
    emap = {k: v["e"] for k, v in years.items()}
    errs: list[pl.Expr] = [
        pl.when("_noid").then(pl.lit(["case_id: missing (Phenopacket id)"])),
        pl.when(pl.col("_tax") & ~pl.col("_taxid").str.contains(CURIE)).then(
            pl.concat_list(
                pl.format(
                    "taxon: {} is not an identifier such as NCBITaxon:9606",
                    pl.col("_taxid").replace_strict(shown, default=None),
                )
            )
        ),
        pl.concat_list(
            pl.format("age_years: {}", pl.col("_age").replace_strict(emap, default=None))
        ),
        pl.col("_onsets").list.eval(
            pl.format("onset_age_years: {}", e.replace_strict(emap, default=None))
        ),
        pl.when(pl.col("_ccx") & (pl.col("_cc") | pl.col("_ctype"))).then(
            pl.lit([f"phenotypicFeatures: {pm.BOTH}"])
        ),
    ]
    for key in lists:
        col = pl.col(key)
        errs.append(
            pl.when(col.list.len() > parsing.MOST_ITEMS)
            .then(
                pl.concat_list(
                    pl.format(
                        f"{key}: {{}} items, more than the {parsing.MOST_ITEMS:,} one field of a "
                        "record may list",
                        col.list.len().map_elements(lambda n: f"{n:,}", return_dtype=pl.String),
                    )
                )
            )
            .otherwise(
                col.list.eval(
                    pl.format(
                        f"{key}: {{}} is not an identifier such as {pm.CURIE_EXAMPLE}",
                        e.filter(~e.str.contains(CURIE)).replace_strict(shown, default=None),
                    )
                )
            )
        )
    bad = pl.col("_responses").list.eval(e.filter((e != "") & ~e.str.contains(CURIE)))
    errs.append(
        pl.when(bad.list.len() > 0).then(
            pl.concat_list(
                pl.format(
                    "responses: {} is not an identifier such as CCKG:0000731",
                    bad.list.first().replace_strict(shown, default=None),
                )
            )
        )
    )
    df = df.with_columns(
        pl.when(pl.col("_tax") & pl.col("_taxid").str.contains(CURIE))
        .then(pl.col("_taxid"))
        .alias("_taxon"),
        pl.col("_age").replace_strict(ymap, default=None).alias("age_years"),
        pl.col("_onsets")
        .list.last()
        .replace_strict(ymap, default=None)
        .cast(pl.Float64)
        .alias("onset_age_years"),
        pl.when(pl.col("_responses").list.eval(e != "").list.any() & (bad.list.len() == 0))
        .then(pl.col("_responses"))
        .otherwise(pl.lit([], dtype=LIST))
        .alias("responses"),
        *[
            pl.when(pl.col(k).list.len() > parsing.MOST_ITEMS)
            .then(pl.lit([], dtype=LIST))
            .otherwise(
                pl.col(k).list.eval(e.filter(e.str.contains(CURIE)).unique(maintain_order=True))
            )
            .alias(k)
            for k in lists
        ],
        pl.concat_list([x.fill_null(pl.lit([], dtype=LIST)) for x in errs])
        .list.drop_nulls()
        .alias("_errs0"),
    )
    df = packet_labs.measurements(df, memo)
    df = csv_rules._conditions(df, memo)
    observed = pl.col("_cc") | pl.col("_ctype")
    nocase = (
        pl.when(pl.col("_ccx") & ~observed)
        .then(pl.lit(pm.NOT_A_CASE_EXCLUDED))
        .when(~pl.col("_ccx") & ~observed)
        .then(pl.lit(pm.NOT_A_CASE_MISSING))
    )
    notes = pl.col("cond:notes")
    no_cond = pl.col("_nocause")
    no_exp = pl.col("_nocause")
    if "diseases" in complete:
        no_cond = no_cond | (pl.col("cond:list").list.len() == 0)
    if "exposures" in complete:
        no_exp = no_exp | (pl.col("exposures").list.len() == 0)
    out = {
        "case_id": pl.col("case_id"),
        "source": pl.format("{}:{}", "file", "line"),
        "taxon": pl.col("_taxon").fill_null(m.HUMAN),
        "conditions": pl.col("cond:list"),
        "no_conditions": no_cond,
        "no_exposures": no_exp,
        "identifiers": pl.when(notes.list.len() > 0).then(notes.list.join("; ")),
        "not_a_case": nocase,
        "errors": pl.concat_list("_errs0", "_merrs", "cond:err", "_jerrs"),
    }
    return df.select(
        [
            (out[c] if c in out else pl.col(c) if c in df.columns else pl.lit(None))
            .cast(t)
            .alias(c)
            for c, t in SCHEMA.items()
        ]
    )
