"""The card's one layout (``answers.show_sheet``): rows that keep every fact, notes numbered once,
the same facts in text, Markdown and JSON, everyday anatomy names only from verified data, and the
disease/phenotype namesake line on both cards."""

from __future__ import annotations

import json
import re

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from calcinosis_kg.answers.show import card
from calcinosis_kg.answers.show_render import render, to_dict
from calcinosis_kg.answers.show_sheet import (
    Folded,
    Row,
    count_items,
    header_supports,
    merged,
    sheet,
)
from calcinosis_kg.core import vocab as v
from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.graph.knowledge import load

CALCINOSIS_CUTIS = expand("CCKG:0000001")
CHECKED = (
    "CCKG:0000001",
    "CCKG:0000005",
    "CCKG:0000012",
    "MONDO:0005100",
    "CHEBI:101278",
    "UBERON:0002386",
    "HP:0025520",
)


@pytest.fixture(scope="module")
def kg():
    return load()


def rows(laid) -> list[Row]:
    return [
        r
        for section in laid.sections
        for e in section.entries
        for r in (e.rows if isinstance(e, Folded) else (e,))
    ] + [r for kind in laid.kinds for r in kind.rows]


def test_grouping_keeps_every_association_record_of_the_graph(kg) -> None:
    """Count the distinct association records about calcinosis cutis and its subtypes in the graph
    (rdflib, not the card's code): the card has one item for each."""
    g = kg.graph
    shown = card(kg, CALCINOSIS_CUTIS)
    about = {URIRef(CALCINOSIS_CUTIS)} | {URIRef(expand(t.curie)) for t in shown.subtypes}
    qualifiers = (
        v.BIOLINK_FREQUENCY_QUALIFIER,
        v.FREQUENCY_WORDING,
        v.EFFICACY_QUALIFIER,
        v.ACRONYM_LETTER,
        v.BIOLINK_KNOWLEDGE_LEVEL,
    )
    records = set()
    for record in g.subjects(RDF.type, URIRef(v.BIOLINK_ASSOCIATION)):
        subject = g.value(record, URIRef(v.BIOLINK_SUBJECT))
        obj = g.value(record, URIRef(v.BIOLINK_OBJECT))
        if subject in about or obj in about:
            records.add(
                (
                    subject,
                    g.value(record, URIRef(v.BIOLINK_PREDICATE)),
                    obj,
                    *(g.value(record, URIRef(q)) for q in qualifiers),
                )
            )
    laid = sheet(shown)
    associations = sum(len(r.items) for r in rows(laid) if r.kind == "association")
    assert records and associations == len(records)
    assert count_items(laid) == len(merged(shown.statements))  # universals too, none lost


def test_a_subtypes_statements_are_one_entry_naming_it_once(kg) -> None:
    laid = sheet(card(kg, CALCINOSIS_CUTIS))
    kind = next(k for k in laid.kinds if k.term.curie == "CCKG:0000020")
    assert {r.scope for r in kind.rows} == {"subtype"} and {r.about for r in kind.rows} == {
        kind.term
    }
    assert not [r for s in laid.sections for r in s.entries if getattr(r, "scope", "") == "subtype"]
    text = render(card(kg, CALCINOSIS_CUTIS))
    entry = entries(text)["- calcinosis cutis in systemic sclerosis (CCKG:0000020)"]
    assert "—disease has location→ elbow (UBERON:0001461)" in entry
    for site in ("knee (UBERON:0001465)", "UBERON:0002389", "UBERON:0002386"):
        assert site in entry
    assert "[source wording: most frequent] [" in entry
    assert "CCKG:0000020" not in entry.split(":", 2)[-1]  # named once, at the start


def test_each_sentence_is_one_note_numbered_once_and_cited(kg) -> None:
    shown = card(kg, CALCINOSIS_CUTIS)
    laid = sheet(shown)
    sentences = {s for st in shown.statements for s in st.support} | set(shown.definition_support)
    sentences |= {s for _, sups in header_supports(shown) for s in sups}  # parents, disjoint …
    assert len(laid.notes) == len(set(laid.notes)) == len(sentences)
    body, notes = re.split(r"\nNOTES \(.*\)\n", render(shown))
    assert [int(n) for n in re.findall(r'(?:^|  )\[(\d+)\] "', notes, re.M)] == list(
        range(1, len(sentences) + 1)
    )
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert cited == set(range(1, len(sentences) + 1))


@pytest.mark.parametrize("curie", CHECKED)
def test_text_markdown_and_json_hold_the_same_rows_items_and_notes(kg, curie) -> None:
    shown = card(kg, expand(curie))
    laid = sheet(shown, list_all=True)
    text = render(shown, "text", list_all=True)
    md = render(shown, "md", list_all=True)
    data = json.loads(render(shown, "json"))
    section_rows = [
        r
        for s in data["sections"]
        for e in s["entries"]
        for r in (e["folded"]["rows"] if "folded" in e else [e])
    ]
    kind_rows = [r for k in data["subtype_statements"] for r in k["rows"]]
    json_rows = section_rows + kind_rows
    lines = entries(text)
    printed = [line[2:] for line in lines.values() if line.startswith("- ") and "—" in line]
    assert [r["text"] for r in section_rows] == printed[: len(section_rows)]
    for kind in data["subtype_statements"]:  # an entry: the subtype, then its rows joined
        entry = lines[f"- {kind['term']['label']} ({kind['term']['curie']})"]
        assert entry.split(": ", 1)[1] == " · ".join(r["text"] for r in kind["rows"])
    assert [r["text"] for r in section_rows] == [
        line[2:] for line in md.splitlines() if line.startswith("- ") and "—" in line
    ]
    assert [r["text"] for r in kind_rows] == [
        line[4:] for line in md.splitlines() if line.startswith("  - ") and "—" in line
    ]
    assert data["statements"] == count_items(laid) == sum(len(r["items"]) for r in json_rows)
    assert [n["quote"] for n in data["notes"]] == [s.quote for s in laid.notes]
    assert data == json.loads(json.dumps(to_dict(shown)))


def test_json_folds_an_ancestors_records_with_their_count_and_rows(kg) -> None:
    data = to_dict(card(kg, expand("CCKG:0000012")))
    folded = [e["folded"] for s in data["sections"] for e in s["entries"] if "folded" in e]
    assert folded and all(f["count"] == sum(len(r["items"]) for r in f["rows"]) for f in folded)
    assert all(f["ancestor"]["curie"] == "CCKG:0000001" for f in folded)


def entries(text: str) -> dict[str, str]:
    """The text card's lines with their wrapped continuation lines joined back (a row or a
    subtype's entry wraps between two terms, the next line indented by four spaces), keyed by
    what they start with (``- name (CURIE)`` for a subtype's entry)."""
    joined: list[str] = []
    for line in text.splitlines():
        if line.startswith("    ") and not line.startswith("    values:") and joined:
            mark = joined[-1][-1]
            joined[-1] += (" " if mark in ",·" else "") + line[4:]
        else:
            joined.append(line)
    return {(x.split(": ", 1)[0] if x.startswith("- ") and ": " in x else x): x for x in joined}


def test_everyday_anatomy_name_only_where_uberon_gives_it(kg) -> None:
    text = render(card(kg, CALCINOSIS_CUTIS))
    assert "forearm (UBERON:0002386 forelimb zeugopod)" in text  # verified: efo-slim.obo
    # verified: MONDO's import of UBERON carries UBERON's exact synonym (external_ids.tsv)
    assert "finger (UBERON:0002389 manual digit)" in text
    assert "manual digit (UBERON:0002389)" not in text
    assert "knee (UBERON:0001465)" in text  # no exact synonym: the label alone
    assert render(card(kg, expand("UBERON:0002386"))).startswith("forearm (UBERON:0002386 ")


def test_disease_and_phenotype_of_one_name_say_how_they_differ_on_both_cards(kg) -> None:
    disease = render(card(kg, CALCINOSIS_CUTIS))
    phenotype = render(card(kg, expand("HP:0025520")))
    line = (
        "calcinosis cutis (CCKG:0000001) is the disease, Calcinosis cutis (HP:0025520) the "
        "phenotype (a finding); every case of the disease has it (RO:0002200 has phenotype; "
        "mapped as skos:relatedMatch)"
    )
    assert f"not the same as Calcinosis cutis (HP:0025520): {line}" in disease.splitlines()
    assert f"not the same as calcinosis cutis (CCKG:0000001): {line}" in phenotype.splitlines()
    assert not card(kg, expand("CCKG:0000012")).namesakes  # inherited, other name: no line


def test_search_shows_the_namesake_line_for_both_classes(kg, run_cli) -> None:
    code, out, _ = run_cli("search", "calcinosis cutis", "--limit", "3")
    assert code == 0
    lines = out.splitlines()
    for curie in ("CCKG:0000001", "HP:0025520"):
        at = next(i for i, x in enumerate(lines) if x.startswith(curie))
        assert "is the disease, Calcinosis cutis (HP:0025520) the phenotype" in lines[at + 1]
