"""The cohort report: one static HTML page with SVG charts, written atomically into a folder.

Why a page and not a table dump: people look at distributions. The page shows how many cases
were classified, ambiguous, unclassified or invalid; the type distribution; serum calcium per
type against the adult default range the ontology defines (CCKG:0000615, read from the ontology,
not hard-coded; each value was judged against the range that fits its patient) and serum
phosphate per type; lesion
sites; associated diseases; and every invalid record with its field and message. Deterministic:
the same input gives the same bytes (no timestamps).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path

import polars as pl

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import pipeline
from calcinosis_kg.cases.api import NothingRead, failed_table
from calcinosis_kg.cases.classify import Classifier, build_classifier
from calcinosis_kg.cases.svg import COLORS, bars, boxes
from calcinosis_kg.cases.terms import LABELS
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.serialize import write_atomic

CSS = """body{font-family:sans-serif;max-width:900px;margin:2em auto;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em}td,th{border:1px solid #ddd;padding:3px 6px;
text-align:left;vertical-align:top}.note{color:#555;font-size:.9em}.empty{color:#777}
.stat{display:inline-block;margin:0 1.5em 1em 0}.stat b{font-size:1.6em;display:block}"""
MAX_PROBLEMS = 500


def calcium_band(clf: Classifier) -> tuple[float, float] | None:
    """The adult default calcium range, from the ontology's 'within the adult default
    reference range' class (CCKG:0000615)."""
    definition = clf.onto.definitions.get(m.cckg(615))
    if definition is None:
        return None
    bounds = {}
    for item in definition.items:
        if item.kind == "some" and item.items and item.items[0].kind == "datarange":
            bounds.update({name: float(lit.value) for name, lit in item.items[0].facets})
    if "minInclusive" in bounds and "maxInclusive" in bounds:
        return bounds["minInclusive"], bounds["maxInclusive"]
    return None


def _label(clf: Classifier, curie: str) -> str:
    iri = m.expand(curie) if ":" in curie and not curie.startswith("http") else curie
    return clf.onto.labels.get(iri) or LABELS.get(curie) or curie


def collect(
    paths: Iterable[Path | str], clf: Classifier, failed: list[InputError] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cases joined with their results, problems) over every chunk; with ``failed``, files
    that cannot be read are collected there (``pipeline.iter_frames``)."""
    frames, problems = [], []
    keep = ["case_id", "calcium_mmol_l", "phosphate_mmol_l", "sites", "conditions", "reported_type"]
    for chunk in pipeline.run(paths, clf, failed=failed):
        frames.append(
            chunk.frame.select(keep).join(
                chunk.results.select("case_id", "status", "types"), on="case_id", how="left"
            )
        )
        problems.append(chunk.problems)
    cases = pl.concat(frames) if frames else pl.DataFrame()
    bad = pl.concat(problems) if problems else pl.DataFrame(schema=pipeline.PROBLEM_SCHEMA)
    return cases, bad


def _counts(
    cases: pl.DataFrame, column: str, clf: Classifier, top: int = 15
) -> list[tuple[str, int]]:
    valid = cases.filter(pl.col("status") != "invalid")
    counts = (
        valid.select(pl.col(column).alias("v"))
        .explode("v")
        .drop_nulls()
        .group_by("v")
        .len()
        .sort(["len", "v"], descending=[True, False])
        .head(top)
    )
    return [(f"{_label(clf, v)} ({v})", n) for v, n in counts.iter_rows()]


def _groups(cases: pl.DataFrame, column: str, clf: Classifier) -> list[tuple[str, list[float]]]:
    typed = (
        cases.filter(pl.col("status").is_in(["classified", "ambiguous"]))
        .select(pl.col("types").alias("t"), column)
        .explode("t")
        .drop_nulls()
        .sort("t")
    )
    out = []
    for (t,), part in typed.group_by("t", maintain_order=True):
        out.append((_label(clf, str(t)), [round(v, 3) for v in part[column].to_list()]))
    return out


def agreement(cases: pl.DataFrame, clf: Classifier) -> str:
    """Reported diagnosis against the inferred result, for cases that report one."""
    reported = cases.filter(pl.col("reported_type").is_not_null())
    if not reported.height:
        return '<p class="empty">No case reports a diagnosis of its own.</p>'
    table = (
        reported.with_columns(
            pl.when(pl.col("status") == "invalid")
            .then(pl.lit("invalid"))
            .when(pl.col("types").list.len() == 0)
            .then(pl.lit("unclassified"))
            .when(
                pl.col("types").list.contains(pl.col("reported_type"))
                & (pl.col("status") == "classified")
            )
            .then(pl.lit("agrees"))
            .when(pl.col("types").list.contains(pl.col("reported_type")))
            .then(pl.lit("among ambiguous types"))
            .otherwise(pl.lit("differs"))
            .alias("outcome")
        )
        .group_by("reported_type", "outcome")
        .len()
        .sort("reported_type", "outcome")
    )
    outcomes = ["agrees", "among ambiguous types", "differs", "unclassified", "invalid"]
    counts = {(r, o): n for r, o, n in table.iter_rows()}
    head = "".join(f"<th>{o}</th>" for o in outcomes)
    rows = "".join(
        f"<tr><td>{escape(_label(clf, r))} ({escape(r)})</td>"
        + "".join(f"<td>{counts.get((r, o), 0)}</td>" for o in outcomes)
        + "</tr>"
        for r in sorted({r for r, _o in counts})
    )
    return (
        f"<table><thead><tr><th>reported diagnosis</th>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def render(cases: pl.DataFrame, problems: pl.DataFrame, clf: Classifier) -> str:
    """The whole report page as HTML (counts, charts, invalid records), with no timestamps so the
    same input gives the same bytes."""
    status = dict(cases.group_by("status").len().iter_rows()) if cases.height else {}
    total = cases.height
    stats = "".join(
        f'<div class="stat"><b>{status.get(s, 0)}</b>{s}</div>'
        for s in ("classified", "ambiguous", "unclassified", "invalid")
    )
    types = (
        cases.filter(pl.col("status").is_in(["classified", "ambiguous"]))
        .select(pl.col("types").alias("t"))
        .explode("t")
        .drop_nulls()
        .group_by("t")
        .len()
        .sort(["len", "t"], descending=[True, False])
    )
    type_items = [(f"{_label(clf, t)} ({t})", n) for t, n in types.iter_rows()]
    by_field = (
        problems.group_by("field").len().sort(["len", "field"], descending=[True, False])
        if problems.height
        else pl.DataFrame(schema={"field": pl.String, "len": pl.UInt32})
    )
    band = calcium_band(clf)
    rows = "".join(
        f"<tr><td>{escape(r['source'])}</td><td>{escape(r['case_id'])}</td>"
        f"<td>{escape(r['field'])}</td><td>{escape(r['message'])}</td></tr>"
        for r in problems.head(MAX_PROBLEMS).iter_rows(named=True)
    )
    more = (
        f'<p class="note">First {MAX_PROBLEMS} of {problems.height} problems shown; '
        f"`calcinosis-kg cases validate` lists them all.</p>"
        if problems.height > MAX_PROBLEMS
        else ""
    )
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        "<title>Calcinosis cutis cohort report</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>Calcinosis cutis cohort report</h1>",
        f"<p>{total} case records. Types are inferred from the recorded findings by the "
        "ontology's criteria (defined classes), never from a reported diagnosis; a case that "
        "fits several types is <em>ambiguous</em>, one that fits none <em>unclassified</em>.</p>",
        f'<section id="status">{stats}</section>',
        '<h2 id="types">Type distribution</h2>',
        '<p class="note">Classified and ambiguous cases; an ambiguous case counts under each of '
        "its types.</p>",
        bars("Cases by type", type_items),
        '<h2 id="calcium">Serum calcium per type</h2>',
        '<p class="note">Total serum calcium in mmol/L after exact unit conversion; boxes are '
        "quartiles with the median, whiskers 5–95%; the shaded band is the adult default "
        "reference range the ontology defines (CCKG:0000615); each value was judged against "
        "its laboratory's range or the default range for the patient's age.</p>",
        boxes(
            "Serum calcium per type",
            _groups(cases.drop_nulls("calcium_mmol_l"), "calcium_mmol_l", clf),
            1.5,
            4.0,
            band,
            "mmol/L",
        ),
        '<h2 id="phosphate">Serum phosphate per type</h2>',
        '<p class="note">mmol/L. Each value was judged against its laboratory\'s range or '
        "the default range for the patient's age (CCKG:0002044–0002051).</p>",
        boxes(
            "Serum phosphate per type",
            _groups(cases.drop_nulls("phosphate_mmol_l"), "phosphate_mmol_l", clf),
            0.0,
            4.0,
            None,
            "mmol/L",
        ),
        '<h2 id="sites">Lesion sites</h2>',
        bars("Lesion sites", _counts(cases, "sites", clf), COLORS[2]),
        '<h2 id="diseases">Associated diseases</h2>',
        bars("Associated diseases", _counts(cases, "conditions", clf), COLORS[3]),
        '<h2 id="agreement">Reported diagnosis against the ontology\'s type</h2>',
        '<p class="note">A reported diagnosis never classifies; this compares it with what the '
        "criteria inferred from the recorded findings.</p>",
        agreement(cases, clf),
        '<h2 id="invalid">Invalid records</h2>',
        bars("Problems by field", list(by_field.iter_rows()), COLORS[1]),
        "<table><thead><tr><th>source</th><th>case</th><th>field</th><th>message</th></tr>"
        f"</thead><tbody>{rows}</tbody></table>{more}",
        "</body></html>\n",
    ]
    return "\n".join(parts)


def write_report(
    paths: Iterable[Path | str], folder: Path, failed: list[InputError] | None = None
) -> Path:
    """Write ``folder/index.html``; unreadable files (collected in ``failed`` when given) are
    listed among the problems. Nothing is written when no record could be read."""

    clf = build_classifier()
    cases, problems = collect(paths, clf, failed)
    if failed:
        if not cases.height:
            raise NothingRead(failed)
        problems = pl.concat([failed_table(failed), problems])
    page = folder / "index.html"
    write_atomic(page, render(cases, problems, clf).encode("utf-8"))
    return page
