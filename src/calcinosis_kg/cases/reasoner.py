"""Classify cases with HermiT over ontology + case individuals: the reference for the fast path.

Why: the fast path claims to give the types the ontology entails. This runs the real reasoner
(HermiT, through the project's Java lookup and command line in ``checks.java``) on the ontology
plus the cases' own triples, reads the realised ``Type( case  CCKG:00007xx )`` lines and keeps the
most specific "case of T" per case, exactly as the fast path reports them. HermiT needs about
20 s per thousand cases, so this is for samples (tests, ``--proof``), not cohorts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import triples
from calcinosis_kg.cases.compile import read_ontology
from calcinosis_kg.cases.decide import final_types
from calcinosis_kg.checks import java
from calcinosis_kg.core.errors import CalcinosisKGError
from calcinosis_kg.core.hierarchy import closure
from calcinosis_kg.core.vocab import OWL
from calcinosis_kg.graph.knowledge import KnowledgeGraph, load

TYPE_LINE = re.compile(r"^Type\( <([^>]+)> <([^>]+)> \)$", re.MULTILINE)
SUB_LINE = re.compile(r"^SubClassOf\( <([^>]+)> <([^>]+)> \)$", re.MULTILINE)
EQ_LINE = re.compile(r"^EquivalentClasses\( ((?:<[^>]+> ?)+)\)$", re.MULTILINE)


class ReasonerUnavailable(CalcinosisKGError):
    """Java or HermiT is missing."""


def _case_of(store: Any) -> dict[str, str]:
    """'case of T' class -> T, read from the ontology (equivalentClass with has-type some T)."""

    onto = read_ontology(store)
    out = {}
    for cls, expr in onto.definitions.items():
        if expr.kind != "and":
            continue
        for item in expr.items:
            if item.kind == "some" and item.prop == m.P_TYPE and item.items[0].kind == "named":
                out[cls] = item.items[0].iri
    return out


def hermit_types(
    frame: pl.DataFrame, kg: KnowledgeGraph | None = None, timeout: float = 600.0
) -> dict[str, list[str]]:
    """case_id -> most specific types (CURIEs) HermiT entails for each case in ``frame`` (over
    ``kg``, the bundled ontology by default; most specific in its hierarchy), after the same
    precedence rules as the fast path (``cases.decide``: osteoma cutis first)."""
    import pyoxigraph as ox

    if kg is None:
        kg = load()
    store = kg.store
    java_bin = java.find_java()
    if java_bin is None:
        raise ReasonerUnavailable(java.java_not_found_message())
    table = triples.without_non_cases(triples.triples(frame), frame)
    nodes = pl.concat(
        [
            table.select(pl.col("s").alias("n")),
            table.filter(
                ~pl.col("lit") & (pl.col("p") != m.RDF_TYPE) & (pl.col("p") != m.P_REPORTED)
            ).select(pl.col("o").alias("n")),
        ]
    ).unique()
    declared = nodes.select(
        pl.col("n").alias("s"),
        pl.lit(m.RDF_TYPE).alias("p"),
        pl.lit(OWL + "NamedIndividual").alias("o"),
        pl.lit(False).alias("lit"),
        pl.lit("").alias("dt"),
    )
    imports = ox.NamedNode(OWL + "imports")
    ontology = (
        ox.serialize(
            [ox.Triple(q.subject, q.predicate, q.object) for q in store if q.predicate != imports],
            format=ox.RdfFormat.N_TRIPLES,
        )
        or b""
    )
    folder = Path(tempfile.mkdtemp(prefix="calcinosis-kg-cases-hermit-"))
    try:
        data = folder / "cases.nt"
        data.write_bytes(ontology + triples.ntriples(pl.concat([table, declared])))
        command = java.hermit_command(java_bin, data, realise=True)
        done = subprocess.run(
            command, capture_output=True, timeout=timeout, cwd=folder, stdin=subprocess.DEVNULL
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    out_text = done.stdout.decode("utf-8", "replace")
    if done.returncode != 0:
        raise ReasonerUnavailable(
            "HermiT failed: " + done.stderr.decode("utf-8", "replace").strip().splitlines()[0][:300]
        )
    case_of = _case_of(store)
    # HermiT prints direct types and the direct hierarchy: close both with its own output
    parents: dict[str, set[str]] = {}
    for sub, sup in SUB_LINE.findall(out_text):
        parents.setdefault(sub, set()).add(sup)
    for group in EQ_LINE.findall(out_text):
        members = re.findall(r"<([^>]+)>", group)
        for a in members:
            parents.setdefault(a, set()).update(b for b in members if b != a)

    def with_ancestors(cls: str) -> set[str]:
        return {cls, *closure(cls, lambda n: parents.get(n, ()))}

    iri_to_id = {triples.case_iri(c): c for c in frame["case_id"]}
    found: dict[str, set[str]] = {c: set() for c in frame["case_id"]}
    for individual, direct in TYPE_LINE.findall(out_text):
        if individual in iri_to_id:
            for cls in with_ancestors(direct):
                if cls in case_of:
                    found[iri_to_id[individual]].add(case_of[cls])
    result = {}
    for case_id, types in found.items():
        specific = kg.most_specific(sorted(types))
        result[case_id] = final_types(m.compress(t) for t in specific)
    return result
