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

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.compile import (
    Criterion,
    Ontology,
    compile_criteria,
    read_ontology,
    to_polars,
)
from calcinosis_kg.cases.hints import near_misses
from calcinosis_kg.core.vocab import RO_CAUSES_OR_CONTRIBUTES

RESULT_COLUMNS = ("case_id", "status", "type_id", "type_label", "criteria", "ranges",
                  "identifiers", "sources")
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

    def type_label(self, iri: str) -> str:
        return self.onto.labels.get(iri, m.compress(iri))


def build_classifier(store: Any = None) -> Classifier:
    if store is None:
        from calcinosis_kg.graph.knowledge import load

        store = load().store
    onto = read_ontology(store)
    criteria = compile_criteria(onto)
    return Classifier(criteria, onto, _evidence(store, onto, {c.type_iri for c in criteria}))


def _evidence(store: Any, onto: Ontology, types: set[str]) -> pl.DataFrame:
    """(type, value, text) rows: association or axiom statements linking a type (or one of its
    subtypes) to something a case can record, or a cause to the type."""
    from calcinosis_kg.cases.compile import cited, quote_sources

    sources = quote_sources()
    rows = set()
    below = {t: onto.descendants(t) for t in types}
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


def lab_values(frame: pl.DataFrame) -> pl.Expr:
    """Lab phenotypes a case shows (for evidence): hypercalcaemia, hyperphosphataemia, normal."""
    ca_raised = (pl.col("calcium_status") == "raised") | (pl.col("ionised_calcium_status")
                                                           == "raised")
    ca_normal = (pl.col("calcium_status") == "normal") | (pl.col("ionised_calcium_status")
                                                          == "normal")
    p_raised, p_normal = pl.col("phosphate_status") == "raised", pl.col("phosphate_status") \
        == "normal"
    return pl.concat_list([
        pl.when(ca_raised).then(pl.lit(["HP:0003072", "CCKG:0000610"])).otherwise(pl.lit([])),
        pl.when(p_raised).then(pl.lit(["HP:0002905"])).otherwise(pl.lit([])),
        pl.when(ca_normal & p_normal).then(pl.lit(["CCKG:0000421"])).otherwise(pl.lit([])),
    ]).list.eval(pl.element().drop_nulls())


def classify(frame: pl.DataFrame, clf: Classifier, invalid: pl.Series | None = None
             ) -> pl.DataFrame:
    """One result row per case (``RESULT_COLUMNS`` + ``types``/``fired`` lists)."""
    crit = clf.criteria
    fired = frame.select(
        "case_id",
        *[to_polars(c.node).alias(f"c{i}") for i, c in enumerate(crit)],
        near_misses(frame, crit).alias("hints"),
        pl.col("ranges").fill_null(""),
        pl.col("identifiers").fill_null(""),
        pl.lit(False).alias("_invalid") if invalid is None else pl.Series("_invalid", invalid),
    )
    # a criterion is shadowed when another fired one gives a strictly more specific type
    effective = []
    for i, c in enumerate(crit):
        below = [f"c{j}" for j, d in enumerate(crit) if d.type_iri != c.type_iri
                 and c.type_iri in clf.onto.ancestors(d.type_iri)]
        expr = pl.col(f"c{i}")
        if below:
            expr = expr & ~pl.any_horizontal([pl.col(b) for b in below])
        effective.append(pl.when(expr).then(pl.lit(m.compress(c.type_iri))))
    fired_names = [pl.when(pl.col(f"c{i}")).then(pl.lit(m.compress(c.iri)))
                   for i, c in enumerate(crit)]
    out = fired.select(
        "case_id", "_invalid", "hints", "ranges", "identifiers",
        pl.concat_list(effective).list.drop_nulls().list.unique().list.sort().alias("types"),
        pl.concat_list(fired_names).list.drop_nulls().alias("fired"),
    )
    n = pl.col("types").list.len()
    out = out.with_columns(
        pl.when(pl.col("_invalid")).then(pl.lit("invalid")).when(n == 0)
        .then(pl.lit("unclassified")).when(n == 1).then(pl.lit("classified"))
        .otherwise(pl.lit("ambiguous")).alias("status"))
    out = out.with_columns(
        pl.when(pl.col("status") == "invalid").then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(pl.col("types")).alias("types"),
        pl.when(pl.col("status") == "invalid").then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(pl.col("fired")).alias("fired"),
        pl.when(pl.col("status") == "invalid").then(pl.lit("")).otherwise(pl.col("ranges"))
        .alias("ranges"))
    labels = {m.compress(k): v for k, v in clf.onto.labels.items()}
    crit_text = {m.compress(c.iri): c.texts for c in crit}
    out = out.with_columns(
        pl.col("types").list.join("|").alias("type_id"),
        pl.col("types").list.eval(pl.element().replace_strict(labels, default=pl.element()))
        .list.join("|").alias("type_label"),
        pl.col("fired").list.eval(pl.element() + " " + pl.element().replace_strict(
            labels, default="")).list.join("; ").alias("criteria"),
    )
    out = out.join(_support(frame, out, clf), on="case_id", how="left")
    texts = pl.DataFrame({"c": list(crit_text), "t": list(crit_text.values())},
                         schema={"c": pl.String, "t": pl.List(pl.String)})
    by_case = (out.select("case_id", pl.col("fired").alias("c")).explode("c").drop_nulls()
               .join(texts, on="c").explode("t").group_by("case_id", maintain_order=True)
               .agg(pl.col("t").unique(maintain_order=True).alias("crit_texts")))
    out = out.join(by_case, on="case_id", how="left")
    empty = pl.lit([], dtype=pl.List(pl.String))
    crit_texts = pl.col("crit_texts").fill_null(empty)
    support = pl.col("support").fill_null(empty).list.set_difference(crit_texts).list.sort()
    sources = pl.concat_list(crit_texts, support.list.eval("supporting: " + pl.element()))
    out = out.with_columns(sources.list.join(" | ").alias("sources"))
    hints = pl.when(pl.col("status") == "unclassified").then(pl.col("hints")).otherwise(
        pl.lit([], dtype=pl.List(pl.String)))
    return out.with_columns(hints.alias("hints")).select(*RESULT_COLUMNS, "types", "fired",
                                                         "hints")


def _support(frame: pl.DataFrame, out: pl.DataFrame, clf: Classifier) -> pl.DataFrame:
    """Supporting sentences: evidence rows whose type the case got and whose value it shows."""
    values = frame.select(
        "case_id",
        pl.concat_list("conditions", "exposures", "sites", "features", "histology",
                       pl.concat_list(pl.col("taxon")), lab_values(frame)).alias("value"))
    long = values.explode("value").drop_nulls("value")
    typed = out.select("case_id", pl.col("types").alias("type")).explode("type").drop_nulls()
    hits = (long.join(typed, on="case_id").join(clf.evidence, on=["type", "value"])
            .select("case_id", "text").unique().sort("case_id", "text"))
    return hits.group_by("case_id", maintain_order=True).agg(pl.col("text").alias("support"))
