"""Classify case rows with the compiled criteria: status, most specific type(s), why.

Why here and not in the compiler: classification is a pure function of (rows, ``Classifier``);
the classifier is built once from the ontology and carries no global state, so a chunk of a
million-case file, a Spark partition or a test sample are classified the same way.

Per case: the criteria that fire give types; a type is dropped when a more specific fired type
is below it in the ontology (idiopathic < idiopathic scrotal calcinosis); one type left ->
``classified``, several -> ``ambiguous`` (all listed, never a pick), none -> ``unclassified``,
and a record with field errors or SHACL violations -> ``invalid``. Associations of the ontology
(sites, causes, features that the sources say are typical of a type) never decide a type: they
are joined afterwards as supporting evidence for the types the criteria gave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from calcinosis_kg.cases import decisions, suggest
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.compile import (
    Compiler,
    Criterion,
    Ontology,
    cited,
    compile_criteria,
    quote_sources,
    read_ontology,
    to_polars,
)
from calcinosis_kg.cases.decisions import Decisions
from calcinosis_kg.cases.hints import near_misses
from calcinosis_kg.cases.nodes import Node, polars_steps, reads
from calcinosis_kg.core.vocab import RO_CAUSES_OR_CONTRIBUTES
from calcinosis_kg.graph.knowledge import load

RESULT_COLUMNS = (
    "case_id",
    "status",
    "type_id",
    "type_label",
    "criteria",
    "flags",
    "reason",
    "suggested",
    "ranges",
    "identifiers",
    "sources",
)
EVIDENCE_QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX biolink: <https://w3id.org/biolink/vocab/>
SELECT ?s ?p ?o ?src ?text WHERE {
  {
    ?ax owl:annotatedSource ?s ; owl:annotatedProperty rdfs:subClassOf ; owl:annotatedTarget ?r ;
        <http://purl.org/dc/terms/source> ?src ; biolink:supporting_text ?text .
    ?r owl:onProperty ?p ; owl:someValuesFrom ?f .
    ?f (owl:unionOf/rdf:rest*/rdf:first)? ?o .
  } UNION {
    ?a a biolink:Association ; biolink:subject ?s ; biolink:predicate ?p ; biolink:object ?o ;
       <http://purl.org/dc/terms/source> ?src ; biolink:supporting_text ?text .
  }
  FILTER(isIRI(?s) && isIRI(?o))
}"""
CAUSE = RO_CAUSES_OR_CONTRIBUTES
#: evidence values per bit-set column of ``_support`` (a UInt64 holds 63 without its sign bit)
MASK_BITS = 63
CRITERIA = tuple(f"c{i}" for i in range(40))


@dataclass
class Classifier:
    """Compiled criteria + what is needed to explain them (built once per ontology)."""

    criteria: list[Criterion]
    onto: Ontology
    evidence: pl.DataFrame  # type, value, text (value: a CURIE a case may record)
    typical: pl.DataFrame  # the same for every type a differential may suggest
    dystrophic_conditions: set[str]  # CURIEs of the conditions of CCKG:0000706
    metastatic_kinds: set[str]  # metastatic calcinosis cutis and its subtypes (CURIEs)
    joints: tuple[list[str], list[str]]  # (joint, periarticular) classes for the site bridge
    decisions: Decisions  # the decisions after the criteria, declared once for both engines
    hints: Node  # the near misses of an unclassified case (``hints.near_misses``)


def build_classifier(store: Any = None) -> Classifier:
    """The classifier compiled from the ontology in ``store`` (default: the bundled one): the
    criteria, their evidence and the classes the decisions read, never hard-coded."""
    if store is None:
        store = load().store

    onto = read_ontology(store)
    criteria = compile_criteria(onto)
    types = {c.type_iri for c in criteria}
    evidence = _evidence(store, onto, types)
    local = Compiler(onto).case(onto.definitions[m.cckg(706)])
    conditions = {v for node in (local, *local.items) if node.op == "has_any" for v in node.values}
    metastatic = {m.compress(t) for t in onto.descendants(m.expand(decisions.METASTATIC))}
    typical = _evidence(store, onto, suggest.suggestion_types(onto), own=True)
    all_labels = {m.compress(k): v for k, v in onto.labels.items()}
    shown = {m.compress(c.type_iri) for c in criteria} | {m.compress(c.iri) for c in criteria}
    labels = decisions.wanted_labels(all_labels, shown, conditions, metastatic)
    typical_labels = decisions.wanted_labels(all_labels, set(typical["type"].to_list()))
    entries = [
        (
            m.compress(c.iri),
            m.compress(c.type_iri),
            [
                j
                for j, d in enumerate(criteria)
                if d.type_iri != c.type_iri and c.type_iri in onto.ancestors(d.type_iri)
            ],
            c.texts,
        )
        for c in criteria
    ]
    declared = decisions.declare(entries, labels, metastatic, conditions, typical_labels)
    return Classifier(
        criteria,
        onto,
        evidence,
        typical,
        conditions,
        metastatic,
        suggest.joint_sites(onto),
        declared,
        near_misses(criteria),
    )


def _evidence(store: Any, onto: Ontology, types: set[str], own: bool = False) -> pl.DataFrame:
    """(type, value, text) rows: association or axiom statements linking a type (or one of its
    subtypes, unless ``own``) to something a case can record, or a cause to the type."""

    sources = quote_sources()
    rows = set()
    below = {t: {t} if own else onto.descendants(t) for t in types}
    for hit in store.query(EVIDENCE_QUERY):
        s, p, o = hit["s"].value, hit["p"].value, hit["o"].value
        if s.startswith(m.CCKG + "00007"):  # the criteria themselves
            continue
        text = cited(hit["text"].value, sources)
        for t, subs in below.items():
            if s in subs:
                for value in onto.descendants(o):
                    rows.add((m.compress(t), m.compress(value), text))
            if p == CAUSE and o in subs:
                for value in onto.descendants(s):
                    rows.add((m.compress(t), m.compress(value), text))
    return pl.DataFrame(sorted(rows), schema=["type", "value", "text"], orient="row")


def classify(
    frame: pl.DataFrame,
    clf: Classifier,
    invalid: pl.Series | None = None,
    problems: pl.Series | None = None,
) -> pl.DataFrame:
    """One result row per case (``RESULT_COLUMNS`` + ``types``/``fired``/``hints``/
    ``suggestions`` lists); ``problems``: per case, the text of its field problems (why it is
    invalid).

    The declared decisions run once per distinct group of cases where they can (``ids`` of
    ``nodes.polars_steps``): ``g`` (the criteria's values, invalid, not_a_case) determines the
    types, status and texts of a case, ``rv`` (the values it records that some evidence names,
    with ``g``) its supporting sentences; a cohort has a few dozen of each."""
    crit, declared = clf.criteria, clf.decisions
    n = len(crit)
    out = frame.select(
        "case_id",
        *[to_polars(c.node).alias(f"c{i}") for i, c in enumerate(crit)],
        *decisions.PASSED,
        pl.lit(False).alias("_invalid") if invalid is None else pl.Series("_invalid", invalid),
        pl.lit("").alias("_problems")
        if problems is None
        else pl.Series("_problems", problems).fill_null(""),
        pl.col("not_a_case"),
        pl.col("conditions"),
    )
    out = out.with_columns(group_key(out, n))
    ids: dict[str, tuple[str, ...]] = {
        c: ("g",) for c in (*(f"c{i}" for i in range(n)), "_invalid", "not_a_case")
    }
    ids["conditions"] = ("conditions",)
    # osteoma cutis first, species on its own axis, status
    out = polars_steps(out, [declared.passed, declared.fired_types, *declared.precedence], ids)
    # near misses only where they are shown (unclassified rows: a few percent of a cohort)
    unclassified = out.filter(pl.col("status") == "unclassified").select("case_id")
    near = frame.join(unclassified, on="case_id", how="semi")
    out = out.join(
        near.select("case_id", to_polars(clf.hints).alias("hints")),
        on="case_id",
        how="left",
        maintain_order="left",
    )
    out = polars_steps(out, [declared.shown], ids)
    out = _support(frame, out, clf, ids)
    suggested = suggest.suggest(
        _values(near, declared.values),
        clf.typical,
        clf.joints,
        declared.suggestion_line,
        declared.suggestion_text,
    )
    out = out.join(suggested, on="case_id", how="left")
    out = polars_steps(out, declared.answer, ids)
    return out.select(*RESULT_COLUMNS, "types", "fired", "hints", "suggestions")


def group_key(frame: pl.DataFrame, n: int) -> pl.Series:
    """``g``: one number per combination of the values of the criteria ``c0…`` (true, false,
    null: a digit in base 3 each), invalid and not_a_case of the rows of ``frame`` (a case's
    types, status and their texts depend on nothing else). A number, not a text: it is hashed
    at every step that runs once per group, and a text of a dozen columns costs more to build
    than all those steps."""
    digits = [pl.col(c).cast(pl.UInt64).fill_null(2) for c in (*CRITERIA[:n], "_invalid")]
    base = 3 ** len(digits)
    reason = frame["not_a_case"]  # its distinct texts numbered from 1 (0: none)
    if base * (reason.len() + 1) >= 2**64:
        raise ValueError(f"{n} criteria: too many for one group number")
    kind: pl.Expr | pl.Series = pl.lit(0, pl.UInt64)
    if reason.null_count() < reason.len():
        kind = reason.rank("dense").fill_null(0).cast(pl.UInt64)
    number = sum((d * 3**k for k, d in enumerate(digits)), kind * base)
    return frame.select(number.alias("g")).to_series()


def _values(frame: pl.DataFrame, recorded: Node) -> pl.DataFrame:
    """(case_id, value): every class a case records (``decisions.recorded_values``)."""
    return _long(frame, recorded, "case_id")


def _long(frame: pl.DataFrame, node: Node, key: str) -> pl.DataFrame:
    """(``key``, value): the items of the list ``node`` per row, exploded, nulls left out; a concatenation of
    lists (or an array of items) is exploded item by item and the parts stacked, never built
    as one list per row first (``concat_list`` on every row of a chunk is the slow part). The
    items of a row come in another order: callers read them as a set."""
    if node.op in ("concat_lists", "array"):
        parts = [
            _long(frame, item, key)
            if node.op == "concat_lists"
            else frame.select(key, to_polars(item).cast(pl.String).alias("value")).drop_nulls()
            for item in node.items
        ]
        return pl.concat(parts)
    return frame.select(key, to_polars(node).alias("value")).explode("value").drop_nulls()


def _support(
    frame: pl.DataFrame, out: pl.DataFrame, clf: Classifier, ids: dict[str, tuple[str, ...]]
) -> pl.DataFrame:
    """``out`` with ``support``: the sentences of the evidence rows whose type the case got and
    whose value it shows (sorted, each once). Found once per distinct (``g``, ``rv…``): ``rv0``,
    ``rv1``… are bit sets of the values the case shows that some evidence row names
    (``MASK_BITS`` values to a column), exact, so no two different sets share a key."""
    named, width = clf.evidence["value"].unique().sort().to_list(), MASK_BITS
    masks = [f"rv{j}" for j in range(len(named) // width + 1)]
    bits = pl.DataFrame(
        {
            "value": named,
            "chunk": [i // width for i in range(len(named))],
            "bit": [1 << (i % width) for i in range(len(named))],
        },
        schema={"value": pl.String, "chunk": pl.Int32, "bit": pl.UInt64},
    )
    # sorted by row again (the parts come one after the other): a group-by on sorted keys
    long = _long(
        frame.select(*reads(clf.decisions.values)).with_row_index("r"), clf.decisions.values, "r"
    )
    long = long.join(bits, on="value").sort("r")
    shown = long.group_by("r").agg(
        pl.col("bit").filter(pl.col("chunk") == j).bitwise_or().fill_null(0).alias(rv)
        for j, rv in enumerate(masks)
    )
    out = (
        out.with_row_index("r")
        .join(shown, on="r", how="left", maintain_order="left")
        .with_columns(pl.col(rv).fill_null(0) for rv in masks)
        .drop("r")
    )
    keys = ["g", *masks]
    table = out.unique(subset=keys, keep="any").select(*keys, "types")
    values = [
        [v for i, v in enumerate(named) if row[i // width + 1] >> (i % width) & 1]
        for row in table.select(keys).iter_rows()
    ]
    table = table.with_columns(pl.Series("value", values, dtype=pl.List(pl.String)))
    hits = (
        table.with_row_index("t")
        .select("t", pl.col("types").alias("type"), "value")
        .explode("type")
        .explode("value")
        .join(clf.evidence, on=["type", "value"])
        .group_by("t")
        .agg(pl.col("text").unique().sort().alias("support"))
    )
    support = table.with_row_index("t").join(hits, on="t", how="left").select(*keys, "support")
    ids["support"] = tuple(keys)
    return out.join(support, on=keys, how="left", maintain_order="left")
