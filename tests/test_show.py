"""``show TERM`` and name resolution: the card answers a clinician's question in one command."""

from __future__ import annotations

import json
import re

import pytest

from calcinosis_kg.answers.resolve import AmbiguousTerm, UnknownTerm, resolve
from calcinosis_kg.answers.show import card
from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.graph.knowledge import load


@pytest.fixture(scope="module")
def kg():
    return load()


def test_names_resolve_case_insensitively_by_label_synonym_curie_and_iri(kg) -> None:
    assert resolve(kg, "Idiopathic Calcinosis  Cutis").curie == "CCKG:0000005"
    assert resolve(kg, "idiopathic cutaneous calcification").curie == "CCKG:0000005"
    assert resolve(kg, "systemic scleroderma").curie == "MONDO:0005100"  # imported synonym
    assert resolve(kg, "CCKG:0000003").curie == "CCKG:0000003"
    assert resolve(kg, f"<{expand('CCKG:0000003')}>").curie == "CCKG:0000003"


def test_a_name_of_several_terms_lists_them_and_an_unknown_one_suggests(kg) -> None:
    with pytest.raises(AmbiguousTerm) as ambiguous:
        resolve(kg, "sclerosis")
    assert {"MONDO:0005100", "MONDO:0016358"} <= {c.curie for c in ambiguous.value.candidates}
    with pytest.raises(UnknownTerm) as unknown:
        resolve(kg, "idiopatic calcinosis cutis")
    assert "CCKG:0000005" in str(unknown.value)


def test_idiopathic_card_answers_where_it_occurs_with_own_inherited_and_subtype_sites(kg) -> None:
    sites = card(kg, expand("CCKG:0000005")).groups()["sites"]
    found = {(s.scope, s.kind, s.about.curie, s.object.curie) for s in sites}
    assert ("own", "association", "CCKG:0000005", "UBERON:0001456") in found  # face
    assert (
        "inherited",
        "universal",
        "CCKG:0000001",
        "(UBERON:0002097 or UBERON:0002072)",
    ) in found  # skin or subcutis
    assert ("subtype", "universal", "CCKG:0000008", "UBERON:0001300") in found  # scrotum
    assert ("subtype", "association", "CCKG:0000009", "UBERON:0000403") in found  # scalp
    assert all(s.support and s.support[0].quote for s in sites)


def test_association_records_of_an_ancestor_are_context_never_inherited(kg) -> None:
    statements = card(kg, expand("CCKG:0000002")).statements
    assert not [s for s in statements if s.scope == "inherited" and s.kind == "association"]
    treatments = card(kg, expand("CCKG:0000002")).groups()["treatments"]
    assert {(s.scope, s.kind, s.about.curie) for s in treatments} == {
        ("ancestor", "association", "CCKG:0000001")
    }
    assert {s.object.curie for s in treatments} == {"CHEBI:101278", "CHEBI:23359"}


def test_text_card_says_an_ancestor_association_is_not_inherited(run_cli) -> None:
    code, out, _ = run_cli("show", "dystrophic calcinosis cutis", "--only", "treatments")
    assert code == 0
    assert "said of ancestor calcinosis cutis (CCKG:0000001), not inherited" in out


def test_metastatic_card_gives_the_serum_calcium_threshold_and_reference_ranges(kg) -> None:
    result = card(kg, expand("CCKG:0000003"))
    lab = result.groups()["laboratory profile"]
    # issue 16: the universal is the abnormal calcium/phosphate metabolism; a serum calcium above
    # the reference range is one of its subtypes, so the threshold is shown with it
    assert any("CCKG:0000422" in s.object.curie and s.kind == "universal" for s in lab)
    assert not any(s.object.curie == "HP:0003072" and s.kind == "universal" for s in lab)
    assert any("> 2.6 mmol/L" in value for s in lab for value in s.values)
    assert any("2.1–2.6 mmol/L" in r for r in result.reference_ranges)
    causes = {s.subject.curie: s for s in result.groups()["causes"]}
    assert causes["MONDO:0024327"].wording == "most frequent"
    assert causes["MONDO:0024327"].frequency == "frequency not stated"


def test_show_cli_renders_text_json_and_markdown(run_cli) -> None:
    code, out, err = run_cli("show", "metastatic calcinosis cutis")
    assert (code, err) == (0, "")
    assert "LABORATORY PROFILE" in out and "> 2.6 mmol/L" in out
    code, out, _ = run_cli("show", "CCKG:0000005", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["term"]["curie"] == "CCKG:0000005"
    assert "CCKG:0000008" in {t["curie"] for t in data["subtypes"]}
    code, out, _ = run_cli("show", "CCKG:0000005", "--format", "md")
    assert code == 0 and "### Sites" in out


def test_show_ambiguous_name_exits_2_listing_candidates(run_cli) -> None:
    code, out, err = run_cli("show", "sclerosis")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "MONDO:0005100" in err and "MONDO:0016358" in err


def test_ancestor_associations_stay_out_of_groups_the_term_answers_itself(kg) -> None:
    causes = card(kg, expand("CCKG:0000003")).groups()["causes"]
    assert causes and {s.scope for s in causes} == {"own"}  # not calcinosis cutis's causes


def test_a_finding_card_gives_the_values_that_define_it_or_its_subtypes(kg) -> None:
    hypercalcemia = card(kg, expand("HP:0003072"))
    assert any(
        "CCKG:0000614" in value and "> 2.6 mmol/L" in value for value in hypercalcemia.values
    )
    assert hypercalcemia.reference_ranges
    abnormal = card(kg, expand("CCKG:0000422"))  # metastatic's basis since issue 16
    assert any("CCKG:0000614" in value for value in abnormal.values)
    assert {s.group for s in abnormal.statements} == {"associated diseases"}


def test_text_card_prints_each_statement_once_with_its_sentences_as_shared_numbered_notes(
    kg,
) -> None:
    from calcinosis_kg.answers.show_render import render

    shown = card(kg, expand("CCKG:0000001"))
    text = render(shown, "text")
    claims = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(claims) == len(set(claims))  # no statement twice (one per quote, before)
    body, notes = re.split(r"\nNOTES \(.*\)\n", text)
    numbered = re.split(r"\n(?=\[)|  (?=\[\d+\] \")", notes.strip())  # several to a line
    # every sentence of every statement is a note, once, and every note is cited
    from calcinosis_kg.answers.show_sheet import header_supports

    sentences = {(sup.quote, sup.source) for s in shown.statements for sup in s.support}
    sentences |= {(sup.quote, sup.source) for _, sups in header_supports(shown) for sup in sups}
    assert len(numbered) == len(sentences)
    assert all(f"[{n}]" in body for n in range(1, len(numbered) + 1))
    # a sentence behind several statements (the article's list of causes) keeps one number
    shared = next(note for note in numbered if "Tumors, inflammation, varicose veins" in note)
    number = shared.split("]", 1)[0] + "]"
    assert body.count(number) > 1


def test_card_cites_sources_by_short_name_never_a_raw_iri(kg) -> None:
    from calcinosis_kg.answers.show_render import render

    for curie in ("CCKG:0000001", "CCKG:0000003", "CCKG:0000020"):
        shown = card(kg, expand(curie))
        for fmt in ("text", "md"):
            assert "https://w3id.org/calcinosis-kg/source/" not in render(shown, fmt), (curie, fmt)
        assert "article" in {sup.source for s in shown.statements for sup in s.support}


def test_correlations_are_their_own_group_never_listed_as_causes(kg) -> None:
    groups = card(kg, expand("CCKG:0000001")).groups()
    correlated = "RO:0003308"
    assert groups["correlations"] and all(
        s.relation.curie == correlated for s in groups["correlations"]
    )
    assert not [s for s in groups["causes"] if s.relation.curie == correlated]


def test_an_ancestors_records_fold_into_one_counted_line_and_all_lists_them(kg, run_cli) -> None:
    from calcinosis_kg.answers.show_sheet import Folded, sheet

    code, folded, _ = run_cli("show", "calcinosis cutis in dogs")
    assert code == 0
    lines = [line for line in folded.splitlines() if "said of ancestor" in line]
    counts = [int(line.split()[1]) for line in lines]
    assert lines and all("(show --all lists them)" in line for line in lines)
    code, listed, _ = run_cli("show", "calcinosis cutis in dogs", "--all")
    assert code == 0
    one_by_one = [line for line in listed.splitlines() if "said of ancestor" in line]
    assert "(show --all lists them)" not in listed
    entries = [
        e
        for section in sheet(card(kg, expand("CCKG:0000012")), True).sections
        for e in section.entries
        if isinstance(e, Folded)
    ]
    assert [e.count for e in entries] == counts and sum(counts) > len(lines)
    assert len(one_by_one) == sum(len(e.rows) for e in entries)
    for entry in entries:  # every folded record is listed with --all, none without it
        for item in (i for row in entry.rows for i in row.items):
            assert item.term.text() in listed
    assert "diltiazem" in listed and "diltiazem" not in folded  # said of calcinosis cutis only
