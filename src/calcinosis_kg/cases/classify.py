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

from calcinosis_kg.cases import decide, suggest
from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.compile import (
    Compiler,
    Criterion,
    Node,
    Ontology,
    cited,
    compile_criteria,
    quote_sources,
    read_ontology,
    to_polars,
)
from calcinosis_kg.cases.hints import near_misses, unclassified_reason
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
    metastatic = {m.compress(t) for t in onto.descendants(m.expand(decide.METASTATIC))}
    typical = _evidence(store, onto, suggest.suggestion_types(onto), own=True)
    return Classifier(
        criteria, onto, evidence, typical, conditions, metastatic, suggest.joint_sites(onto)
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


#: lab phenotypes a case shows (for evidence only), as engine-neutral conditions so the polars
#: and the Spark engines read the same rule: hypercalcaemia, hyperphosphataemia, normal labs
LAB_EVIDENCE: tuple[tuple[Node, tuple[str, ...]], ...] = (
    (
        Node(
            "or",
            items=(
                Node("is_in", column="calcium_status", values=("raised",)),
                Node("is_in", column="ionised_calcium_status", values=("raised",)),
            ),
        ),
        ("HP:0003072", "CCKG:0000610"),
    ),
    (Node("is_in", column="phosphate_status", values=("raised",)), ("HP:0002905",)),
    (
        Node(
            "and",
            items=(
                Node(
                    "or",
                    items=(
                        Node("is_in", column="calcium_status", values=("normal",)),
                        Node("is_in", column="ionised_calcium_status", values=("normal",)),
                    ),
                ),
                Node("is_in", column="phosphate_status", values=("normal",)),
            ),
        ),
        ("CCKG:0000421",),
    ),
)


def lab_values(frame: pl.DataFrame) -> pl.Expr:
    """Lab phenotypes a case shows (``LAB_EVIDENCE``), as a list column."""
    return pl.concat_list(
        [
            pl.when(to_polars(node))
            .then(pl.lit(list(values)))
            .otherwise(pl.lit([], dtype=pl.List(pl.String)))
            for node, values in LAB_EVIDENCE
        ]
    ).list.eval(pl.element().drop_nulls())


def classify(
    frame: pl.DataFrame,
    clf: Classifier,
    invalid: pl.Series | None = None,
    problems: pl.Series | None = None,
) -> pl.DataFrame:
    """One result row per case (``RESULT_COLUMNS`` + ``types``/``fired``/``hints``/
    ``suggestions`` lists); ``problems``: per case, the text of its field problems (why it is
    invalid)."""
    crit = clf.criteria
    fired = frame.select(
        "case_id",
        *[to_polars(c.node).alias(f"c{i}") for i, c in enumerate(crit)],
        pl.col("ranges").fill_null(""),
        pl.col("identifiers").fill_null(""),
        pl.lit(False).alias("_invalid") if invalid is None else pl.Series("_invalid", invalid),
        pl.lit("").alias("_problems")
        if problems is None
        else pl.Series("_problems", problems).fill_null(""),
        pl.col("not_a_case"),
    )
    # a criterion is shadowed when another fired one gives a strictly more specific type
    below = [
        [
            j
            for j, d in enumerate(crit)
            if d.type_iri != c.type_iri and c.type_iri in clf.onto.ancestors(d.type_iri)
        ]
        for c in crit
    ]
    out = fired.select(
        "case_id", "_invalid", "_problems", "not_a_case", "ranges", "identifiers"
    ).hstack(_fired_types(fired, crit, below))
    out = decide.apply(out)  # osteoma cutis first, species on its own axis, status
    # near misses only where they are shown (unclassified rows: a few percent of a cohort)
    unclassified_ids = out.filter(pl.col("status") == "unclassified").select("case_id")
    near = frame.join(unclassified_ids, on="case_id", how="semi")
    out = out.join(
        near.select("case_id", near_misses(near, crit).alias("hints")),
        on="case_id",
        how="left",
        maintain_order="left",
    )
    typed = pl.col("status").is_in(["classified", "ambiguous", "unclassified"])
    out = out.with_columns(
        pl.when(typed).then(pl.col("ranges")).otherwise(pl.lit("")).alias("ranges")
    )
    labels = {m.compress(k): v for k, v in clf.onto.labels.items()}
    out = out.with_columns(
        decide.flags(frame, out, clf.metastatic_kinds, clf.dystrophic_conditions, labels)
    )
    crit_text = {m.compress(c.iri): c.texts for c in crit}
    out = out.with_columns(
        pl.col("types").list.join("|").alias("type_id"),
        pl.col("types")
        .list.eval(pl.element().replace_strict(labels, default=pl.element()))
        .list.join("|")
        .alias("type_label"),
        pl.col("fired")
        .list.eval(pl.element() + " " + pl.element().replace_strict(labels, default=""))
        .list.join("; ")
        .alias("criteria"),
    )
    values = _values(frame)
    out = out.join(_support(values, out, clf), on="case_id", how="left")
    out = out.join(
        suggest.suggest(values, out, clf.typical, labels, clf.joints), on="case_id", how="left"
    )
    out = out.hstack([_criteria_texts(out["fired"], crit_text)])
    empty = pl.lit([], dtype=pl.List(pl.String))
    crit_texts = pl.col("crit_texts")
    support = pl.col("support").fill_null(empty).list.set_difference(crit_texts).list.sort()
    sources = pl.concat_list(crit_texts, support.list.eval("supporting: " + pl.element()))
    out = out.with_columns(sources.list.join(" | ").alias("sources"))
    unclassified = pl.col("status") == "unclassified"
    hints = pl.when(unclassified).then(pl.col("hints")).otherwise(empty)
    out = out.with_columns(
        hints.alias("hints"),
        pl.when(unclassified)
        .then(pl.col("suggested").fill_null(empty))
        .otherwise(empty)
        .alias("suggestions"),
        pl.when(unclassified)
        .then(
            pl.col("suggested_text").fill_null(
                pl.lit(suggest.LABEL + ": none (no typical feature of any type recorded)")
            )
        )
        .otherwise(pl.lit(""))
        .alias("suggested"),
    )
    reason = (
        pl.when(pl.col("status") == "not_a_case")
        .then(pl.col("not_a_case"))
        .when(pl.col("status") == "invalid")
        .then("invalid record: " + pl.col("_problems"))
        .when(unclassified)
        .then(unclassified_reason(pl.col("hints")))
        .when(pl.col("status") == "ambiguous")
        .then(
            pl.lit(
                "the criteria of several types are met and none is more specific: all are "
                "listed, none is picked"
            )
        )
        .otherwise(pl.lit(""))
    )
    return out.with_columns(reason.alias("reason")).select(
        *RESULT_COLUMNS, "types", "fired", "hints", "suggestions"
    )


def _fired_types(
    fired: pl.DataFrame, crit: list[Criterion], below: list[list[int]]
) -> list[pl.Series]:
    """``types`` (the fired criteria's types, a type dropped when a fired criterion below it
    gives a more specific one; sorted) and ``fired`` (criterion CURIEs in order) per case,
    computed once per distinct combination of the criteria's values. A value is true, false
    or null (a comparison with a missing value), with polars' three-valued logic: a criterion
    is shadowed unless every criterion below it is false."""
    codes = [
        pl.col(f"c{i}").cast(pl.Int8).fill_null(2).cast(pl.String) for i in range(len(crit))
    ]  # 1 true, 0 false, 2 null
    key = fired.select(pl.concat_str(codes).alias("k") if crit else pl.lit("").alias("k"))["k"]
    distinct = key.unique().to_list()
    types, names = [], []
    for k in distinct:
        state = [int(x) for x in k]
        types.append(
            sorted(
                {
                    m.compress(c.type_iri)
                    for i, c in enumerate(crit)
                    if state[i] == 1 and all(state[j] == 0 for j in below[i])
                }
            )
        )
        names.append([m.compress(c.iri) for i, c in enumerate(crit) if state[i] == 1])
    table = pl.DataFrame(
        {"k": distinct, "types": types, "fired": names},
        schema={"k": pl.String, "types": pl.List(pl.String), "fired": pl.List(pl.String)},
    )
    found = key.to_frame("k").join(table, on="k", how="left", maintain_order="left")
    return [found["types"], found["fired"]]


def _criteria_texts(fired: pl.Series, texts: dict[str, list[str]]) -> pl.Series:
    """Per case, the source sentences of its fired criteria (in their order, each once):
    computed once per distinct list of fired criteria (a few dozen in a cohort)."""
    key = fired.list.join("\x1f")
    distinct = key.unique().to_list()
    found = [
        list(dict.fromkeys(t for c in (k.split("\x1f") if k else ()) for t in texts[c]))
        for k in distinct
    ]
    table = pl.DataFrame(
        {"k": distinct, "crit_texts": found},
        schema={"k": pl.String, "crit_texts": pl.List(pl.String)},
    )
    return key.to_frame("k").join(table, on="k", how="left", maintain_order="left")["crit_texts"]


def _values(frame: pl.DataFrame) -> pl.DataFrame:
    """(case_id, value): every class a case records, its lab phenotypes and populations."""
    values = frame.select(
        "case_id",
        pl.concat_list(
            "conditions",
            "exposures",
            "sites",
            "features",
            "histology",
            pl.concat_list(pl.col("taxon")),
            lab_values(frame),
            suggest.population_values(frame),
        ).alias("value"),
    )
    return values.explode("value").drop_nulls("value")


def _support(long: pl.DataFrame, out: pl.DataFrame, clf: Classifier) -> pl.DataFrame:
    """Supporting sentences: evidence rows whose type the case got and whose value it shows."""
    typed = out.select("case_id", pl.col("types").alias("type")).explode("type").drop_nulls()
    hits = (
        long.join(typed, on="case_id")
        .join(clf.evidence, on=["type", "value"])
        .select("case_id", "text")
        .unique()
        .sort("case_id", "text")
    )
    return hits.group_by("case_id", maintain_order=True).agg(pl.col("text").alias("support"))
