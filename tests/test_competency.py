"""Competency questions: every bundled query gives the answer the article supports, and the
competency stage reports a query whose answer drifts from its expected file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from calcinosis_kg.checks import competency
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.core.resources import queries_dir
from calcinosis_kg.graph.knowledge import KnowledgeGraph, load

BUNDLED = competency.competency_queries()
BY_NAME = {q.name: q for q in BUNDLED}


@pytest.fixture(scope="module")
def bundled_kg() -> KnowledgeGraph:
    return load()


def answer(kg: KnowledgeGraph, name: str, **bindings: str) -> list[dict[str, str | None]]:
    query = BY_NAME[name]
    columns, rows = competency.run(kg, query, bindings or None)
    return [dict(zip(columns, row, strict=True)) for row in rows]


def column(rows: list[dict[str, str | None]], name: str) -> set[str | None]:
    return {row[name] for row in rows}


# --- a small fixed ontology for the behaviour of the stage itself ------------------------------

SMALL_TTL = """
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix RO: <http://purl.obolibrary.org/obo/RO_> .
@prefix UBERON: <http://purl.obolibrary.org/obo/UBERON_> .

CCKG:0000001 a owl:Class ; rdfs:label "calcinosis cutis" ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;
                      owl:someValuesFrom UBERON:0002097 ] .
CCKG:0000009 a owl:Class ; rdfs:label "subepidermal calcified nodule" ;
    rdfs:subClassOf CCKG:0000001 ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty RO:0004026 ;
                      owl:someValuesFrom [ a owl:Class ;
                          owl:unionOf ( UBERON:0000403 UBERON:0001456 ) ] ] .
"""

SITES_QUERY = """# title: sites
# question: Where are the lesions?
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX RO: <http://purl.obolibrary.org/obo/RO_>
SELECT ?type ?site WHERE {
  ?type rdfs:subClassOf ?r .
  ?r owl:onProperty RO:0004026 ; owl:someValuesFrom/(owl:unionOf/rdf:rest*/rdf:first)? ?site .
  FILTER(isIRI(?site))
}
ORDER BY ?type ?site
"""

SITES_EXPECTED = """type\tsite
CCKG:0000001\tUBERON:0002097
CCKG:0000009\tUBERON:0000403
CCKG:0000009\tUBERON:0001456
"""


@pytest.fixture()
def small_kg(tmp_path: Path) -> KnowledgeGraph:
    path = tmp_path / "small.ttl"
    path.write_text(SMALL_TTL, encoding="utf-8")
    return load([path])


@pytest.fixture()
def query_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "queries"
    (directory / "expected").mkdir(parents=True)
    (directory / "sites.rq").write_text(SITES_QUERY, encoding="utf-8")
    (directory / "expected" / "sites.tsv").write_text(SITES_EXPECTED, encoding="utf-8")
    return directory


def test_stage_passes_when_every_answer_matches_its_expected_file(small_kg, query_dir):
    result = competency.competency_stage(small_kg, query_dir)
    assert result.ok, result.failures
    assert result.counts == {"queries": 1, "passed": 1, "failed": 0}


def test_stage_names_missing_and_unexpected_rows_of_a_wrong_expected_file(small_kg, query_dir):
    wrong = SITES_EXPECTED.replace("UBERON:0001456", "UBERON:0001461")
    (query_dir / "expected" / "sites.tsv").write_text(wrong, encoding="utf-8")
    result = competency.competency_stage(small_kg, query_dir)
    assert not result.ok
    assert result.counts["failed"] == 1
    (failure,) = result.failures
    assert failure.stage == "competency" and failure.entity == "sites"
    assert "missing row(s): (CCKG:0000009 | UBERON:0001461)" in failure.reason
    assert "unexpected row(s): (CCKG:0000009 | UBERON:0001456)" in failure.reason


def test_stage_reports_a_changed_order_when_the_query_has_order_by(small_kg, query_dir):
    header, *rows = SITES_EXPECTED.splitlines()
    shuffled = "\n".join([header, rows[2], rows[0], rows[1]]) + "\n"
    (query_dir / "expected" / "sites.tsv").write_text(shuffled, encoding="utf-8")
    (failure,) = competency.competency_stage(small_kg, query_dir).failures
    assert "different order" in failure.reason


def test_stage_ignores_row_order_when_the_query_has_no_order_by(small_kg, query_dir):
    unordered = SITES_QUERY.replace("ORDER BY ?type ?site\n", "")
    (query_dir / "sites.rq").write_text(unordered, encoding="utf-8")
    header, *rows = SITES_EXPECTED.splitlines()
    shuffled = "\n".join([header, rows[2], rows[0], rows[1]]) + "\n"
    (query_dir / "expected" / "sites.tsv").write_text(shuffled, encoding="utf-8")
    assert competency.competency_stage(small_kg, query_dir).ok


def test_stage_reports_a_query_without_expected_file(small_kg, query_dir):
    (query_dir / "expected" / "sites.tsv").unlink()
    (failure,) = competency.competency_stage(small_kg, query_dir).failures
    assert "no expected answer" in failure.reason


def test_stage_reports_a_broken_query_instead_of_crashing(small_kg, query_dir):
    (query_dir / "sites.rq").write_text("# title: broken\nSELECT ?x WHERE { ?x ", encoding="utf-8")
    result = competency.competency_stage(small_kg, query_dir)
    (failure,) = result.failures
    assert failure.entity == "sites"
    assert "sites.rq:2:" in failure.reason and "syntax error" in failure.reason


def test_stage_reports_an_expected_column_the_query_does_not_return(small_kg, query_dir):
    (query_dir / "expected" / "sites.tsv").write_text("type\tplace\n", encoding="utf-8")
    (failure,) = competency.competency_stage(small_kg, query_dir).failures
    assert "no column(s) place" in failure.reason


def test_expected_file_with_a_short_row_is_an_input_error_naming_the_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("type\tsite\nCCKG:0000001\tUBERON:0002097\nCCKG:0000009\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        competency.read_expected(path)
    assert f"{path}:3" in str(info.value)


def test_stage_runs_a_parameterised_query_with_its_example_binding(small_kg, query_dir):
    bound = SITES_QUERY.replace(
        "# question: Where are the lesions?",
        "# question: Where are the lesions?\n"
        "# parameters: ?type\n# example-binding: type=CCKG:0000009",
    )
    (query_dir / "sites.rq").write_text(bound, encoding="utf-8")
    (query_dir / "expected" / "sites.tsv").write_text(
        "".join(SITES_EXPECTED.splitlines(keepends=True)[i] for i in (0, 2, 3)), encoding="utf-8"
    )
    assert competency.competency_stage(small_kg, query_dir).ok


def test_sites_query_gives_one_row_per_member_of_a_union_site(small_kg, query_dir):
    query = competency.load_query(query_dir / "sites.rq")
    _, rows = competency.run(small_kg, query)
    assert ("CCKG:0000009", "UBERON:0001456") in rows
    assert ("CCKG:0000009", "UBERON:0000403") in rows


# --- the bundled queries -----------------------------------------------------------------------


def test_every_bundled_query_states_its_title_and_question():
    missing = [q.name for q in BUNDLED if q.title == q.name or not q.question]
    assert not missing


def test_every_bundled_query_has_an_expected_answer_file():
    missing = [q.name for q in BUNDLED if not q.expected_path.is_file()]
    assert not missing


def test_every_expected_answer_file_belongs_to_a_bundled_query():
    names = {q.name for q in BUNDLED}
    orphans = [p.name for p in (queries_dir() / "expected").glob("*.tsv") if p.stem not in names]
    assert not orphans


def test_at_least_eighteen_competency_questions_are_bundled():
    assert len(BUNDLED) >= 18


def test_qc_rules_in_a_subfolder_are_not_taken_for_competency_questions(small_kg, query_dir):
    (query_dir / "qc").mkdir()
    (query_dir / "qc" / "missing-label.rq").write_text("SELECT ?entity {}\n", encoding="utf-8")
    assert competency.competency_stage(small_kg, query_dir).counts["queries"] == 1


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_bundled_query_gives_its_expected_answer(bundled_kg, name):
    failures = competency.check_query(bundled_kg, BY_NAME[name])
    assert not failures, failures[0].reason


def test_bundled_competency_stage_passes(bundled_kg):
    result = competency.competency_stage(bundled_kg)
    assert result.ok, [f.entity for f in result.failures]
    assert result.counts["queries"] == len(BUNDLED)


def test_class_card_finds_the_same_class_by_label_and_by_curie(bundled_kg):
    by_curie = answer(bundled_kg, "cq12-class-card", **{"class": "CCKG:0000001"})
    by_label = answer(bundled_kg, "cq12-class-card", **{"class": "calcinosis cutis"})
    assert by_curie and column(by_curie, "entity") == {"CCKG:0000001"}
    strip = [{k: v for k, v in row.items() if k != "class"} for row in by_label]
    assert strip == [{k: v for k, v in row.items() if k != "class"} for row in by_curie]


def test_class_card_gives_the_supporting_sentence_of_a_location(bundled_kg):
    rows = answer(bundled_kg, "cq12-class-card", **{"class": "CCKG:0000001"})
    skin = [r for r in rows if r["aspect"] == "relationship" and r["value"] == "UBERON:0002097"]
    assert skin and all(r["support"] and "skin" in r["support"] for r in skin)


def test_copied_query_folder_with_one_wrong_answer_fails_that_question(bundled_kg, tmp_path):
    copy = tmp_path / "queries"
    shutil.copytree(queries_dir(), copy, ignore=shutil.ignore_patterns("qc"))
    before = {f.entity for f in competency.competency_stage(bundled_kg, copy).failures}
    expected = copy / "expected" / "cq10-lesion-sites-per-type.tsv"
    lines = expected.read_text(encoding="utf-8").splitlines()
    expected.write_text("\n".join(lines[:1] + lines[2:]) + "\n", encoding="utf-8")
    after = competency.competency_stage(bundled_kg, copy).failures
    assert {f.entity for f in after} - before == {"cq10-lesion-sites-per-type"}
    (failure,) = [f for f in after if f.entity == "cq10-lesion-sites-per-type"]
    assert "unexpected row(s): (" + lines[1].replace("\t", " | ") + ")" in failure.reason


# --- key answers from the article, stated explicitly ------------------------------------------


def labelled(kg: KnowledgeGraph, name: str, **bindings: str):
    from calcinosis_kg.answers.queries import run_query

    return run_query(kg, BY_NAME[name].path, bindings or None)


def test_cq01_connective_tissue_diseases_are_behind_dystrophic_calcinosis(bundled_kg):
    diseases = column(answer(bundled_kg, "cq01-dystrophic-associated-diseases"), "disease")
    # systemic sclerosis, dermatomyositis, lupus erythematosus, connective tissue disorder
    assert {"MONDO:0005100", "MONDO:0016367", "MONDO:0004670", "MONDO:0003900"} <= diseases


def test_cq01_separates_cause_from_correlation_and_says_association(bundled_kg):
    rows = answer(bundled_kg, "cq01-dystrophic-associated-diseases")
    links = {(r["disease"], r["link"]) for r in rows}
    # "Dystrophic calcification is linked to ... infections, hereditary diseases, cutaneous
    # neoplasms, and connective tissue diseases": correlations, not causes
    assert {
        ("MONDO:0005550", "correlation"),
        ("CCKG:0000102", "correlation"),
        ("CCKG:0000103", "correlation"),
        ("MONDO:0003900", "correlation"),
    } <= links
    assert not [r for r in rows if r["link"] == "cause"]
    assert {r["kind"] for r in rows} == {"association"}
    title = BY_NAME["cq01-dystrophic-associated-diseases"].title.lower()
    assert "systemic" not in title  # a cutaneous neoplasm is not a systemic disease


def test_cq10_scalp_or_face_is_never_both_stated_of_every_nodule(bundled_kg):
    rows = answer(bundled_kg, "cq10-lesion-sites-per-type")
    scn = {(r["site"], r["kind"]) for r in rows if r["type"] == "CCKG:0000009"}
    assert scn and {kind for _, kind in scn} == {"association"}
    tumoral = {(r["site"], r["kind"]) for r in rows if r["type"] == "CCKG:0000010"}
    assert ("UBERON:0002072", "one of") in tumoral and ("CCKG:0000206", "one of") in tumoral


def test_cq05_treatments_are_associations_of_calcinosis_cutis_only(bundled_kg):
    rows = answer(bundled_kg, "cq05-treatments")
    assert {r["condition"] for r in rows} == {"CCKG:0000001"}
    assert {r["kind"] for r in rows} == {"association"}


def test_cq02_systemic_sclerosis_affects_elbows_fingers_knees_and_forearms(bundled_kg):
    rows = answer(bundled_kg, "cq02-sites-by-associated-disease", disease="MONDO:0005100")
    assert column(rows, "site") == {
        "UBERON:0001461",
        "UBERON:0002389",
        "UBERON:0001465",
        "UBERON:0002386",
    }


def test_cq03_most_frequent_cause_of_metastatic_calcinosis_is_chronic_renal_failure(bundled_kg):
    result = labelled(bundled_kg, "cq03-metastatic-most-frequent-cause")
    # an association record (the most frequent cause is not a cause in every patient); the source
    # states no frequency, so the frequency qualifier is "not stated" (CCKG:0002030)
    assert result.rows == [("MONDO:0024327", "association", "CCKG:0002030")]
    assert "chronic renal failure" in result.labels["MONDO:0024327"]


def test_cq04_only_metastatic_kinds_have_an_abnormal_calcium_phosphate_metabolism(bundled_kg):
    """Issue 16: raised serum levels are what metastatic calcinosis 'can result from' (F0060), so
    no type has them as a universal; metastatic's universal is the abnormal metabolism."""
    rows = answer(bundled_kg, "cq04-serum-calcium-phosphate-profile")
    # calciphylaxis cutis inherits it as a metastatic kind (issue 16, DERMO)
    assert {r["type"] for r in rows if r["levels"] == "abnormal metabolism"} == {
        "CCKG:0000003",
        "CCKG:0000006",
    }
    assert not [r for r in rows if r["levels"] == "raised"]
    assert "CCKG:0000008" in {r["type"] for r in rows if r["levels"] == "normal"}


def test_cq05_diltiazem_is_a_calcium_channel_blocker_and_a_mainstay(bundled_kg):
    result = labelled(bundled_kg, "cq05-treatments")
    (diltiazem,) = [r for r in result.rows if r[1] == "CHEBI:101278"]
    assert diltiazem[2] == "CHEBI:38215"
    assert result.labels[diltiazem[3]] == "mainstay of treatment"
    colchicine = {result.labels[r[3]] for r in result.rows if r[1] == "CHEBI:23359"}
    assert colchicine == {"varying degrees of success"}


def test_cq06_osteoma_cutis_is_bone_not_a_calcium_salt(bundled_kg):
    rows = answer(bundled_kg, "cq06-composition-per-type")
    osteoma = [r for r in rows if r["type"] == "CCKG:0000011"]
    assert [r["deposit"] for r in osteoma] == ["CCKG:0000306"]
    assert not any(r["component"] for r in osteoma)


def test_cq09_oil_field_workers_and_coal_miners_get_traumatic_calcinosis(bundled_kg):
    result = labelled(bundled_kg, "cq09-traumatic-occupations")
    labels = " / ".join(result.labels[r[0]] for r in result.rows)
    assert "oil-field workers" in labels and "coal miners" in labels and len(result.rows) == 2


def test_cq11_the_c_of_crest_is_a_calcinosis(bundled_kg):
    rows = answer(bundled_kg, "cq11-crest-features")
    assert [r["letter"] for r in rows] == list("CREST")
    import pyoxigraph

    c_feature = pyoxigraph.NamedNode(expand(rows[0]["feature"]))
    is_calcinosis = bundled_kg.store.query(
        "ASK { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
        "<http://purl.obolibrary.org/obo/MONDO_0002123> }",
        substitutions={pyoxigraph.Variable("c"): c_feature},
    )
    assert bool(is_calcinosis)


def test_cq13_traumatic_calcinosis_cutis_has_no_external_identifier(bundled_kg):
    types = column(answer(bundled_kg, "cq13-types-without-external-ids"), "type")
    assert "CCKG:0000007" in types
    assert "CCKG:0000002" not in types  # dystrophic maps to DERMO


def test_cq15_four_kinds_exclude_each_other_and_calciphylaxis_is_not_declared_apart(bundled_kg):
    """Issue 16: calciphylaxis cutis is a metastatic kind (DERMO), so it is in no disjointness."""
    pairs = {(r["class"], r["other"]) for r in answer(bundled_kg, "cq15-mutually-exclusive-types")}
    four = [f"CCKG:000000{i}" for i in range(2, 6)]
    assert {(a, b) for i, a in enumerate(four) for b in four[i + 1 :]} <= pairs
    assert not {p for p in pairs if "CCKG:0000006" in p}


def test_cq14_names_every_non_article_source_the_ledger_cites(bundled_kg):
    from calcinosis_kg.core.prefixes import header
    from calcinosis_kg.source.build import build

    declared = {key: s["iri"] for key, s in header().get("sources", {}).items()}
    built = build()
    cited = {
        declared.get(built.facts[f].source, built.facts[f].source)
        for f in built.fact_uses
        if built.facts[f].source != "ARTICLE"
    }
    sources = column(answer(bundled_kg, "cq14-facts-from-other-sources"), "source")
    assert cited and cited == sources


def test_cq12_supporting_sentences_are_quotes_of_the_fact_ledger(bundled_kg):
    from calcinosis_kg.core.resources import source_dir
    from calcinosis_kg.source.build import load_facts

    quotes = {fact.quote for fact in load_facts(source_dir() / "facts.tsv").values()}
    supports = column(answer(bundled_kg, "cq12-class-card", **{"class": "CCKG:0000008"}), "support")
    assert supports - {None} and supports - {None} <= quotes


def _order_and_projection(text: str) -> tuple[list[str], list[str]]:
    from rdflib.plugins.sparql import prepareQuery

    from calcinosis_kg.core.prefixes import prefix_map

    algebra = prepareQuery(text, initNs=prefix_map()).algebra
    order: list[str] = []

    def walk(node: object) -> None:
        if getattr(node, "name", "") == "OrderBy":
            order.extend(str(c["expr"]) for c in node["expr"])  # type: ignore[index]
        for value in getattr(node, "values", lambda: [])():
            walk(value)

    walk(algebra)
    return order, [str(v) for v in algebra["PV"]]


@pytest.mark.parametrize("name", ["cq07", "cq10"])
def test_order_is_total_and_still_checked_for_queries_served_elsewhere(bundled_kg, name):
    """cq07 and cq10 sort by every variable they return, so another engine (``calcinosis-kg
    serve``, an Oxigraph server) cannot order ties differently; and the stage still compares their
    row order: the same rows reversed fail."""
    query = next(q for q in competency.competency_queries() if q.name.startswith(name + "-"))
    order, projected = _order_and_projection(query.text)
    assert set(projected) <= set(order), (name, order, projected)
    expected = competency.read_expected(query.expected_path)
    columns, rows = competency.run(bundled_kg, query)
    assert competency.compare(query, expected, columns, rows) == []
    reordered = competency.compare(query, expected, columns, rows[::-1])
    assert reordered and "different order" in reordered[0].reason
