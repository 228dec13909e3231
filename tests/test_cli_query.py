"""``calcinosis-kg query`` / ``queries``: output, and one-line errors with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_kg.graph.queryfiles import list_queries


def test_queries_lists_every_bundled_query_with_its_question(run_cli) -> None:
    code, out, _ = run_cli("queries")
    assert code == 0
    for query in list_queries():
        assert query.name in out
        assert (query.question or query.title) in out


def test_query_file_prints_a_labelled_table(run_cli, tiny_ontology: Path, tmp_path: Path) -> None:
    rq = tmp_path / "parents.rq"
    rq.write_text("SELECT ?parent WHERE { ?c rdfs:subClassOf ?parent . FILTER(isIRI(?parent)) }")
    code, out, err = run_cli(
        "query", str(rq), "--bind", "c=CCKG:9000002", "--ontology", str(tiny_ontology)
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[0].split() == ["parent", "parent_label"]
    assert "CCKG:9000001  tiny calcinosis" in out


def test_query_csv_format(run_cli, tiny_ontology: Path) -> None:
    text_file = tiny_ontology.with_name("labels.rq")
    text_file.write_text('SELECT ?c WHERE { ?c rdfs:label "tiny skin"@en }')
    code, out, _ = run_cli(
        "query", str(text_file), "--format", "csv", "--ontology", str(tiny_ontology)
    )
    assert (code, out) == (0, "c,c_label\nCCKG:9000003,tiny skin\n")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["query", "no-such-query"], "unknown query 'no-such-query'"),
        (["query", "{file}", "--bind", "zzz=1"], "no variable ?zzz"),
        (["query", "{broken}"], "SPARQL syntax error"),
        (["query", "{file}", "--bind", "novalue"], "expected VAR=VALUE"),
        (["query", "{file}", "--ontology", "{bad_ttl}"], "malformed Turtle"),
        (["query", "{file}", "--ontology", "{missing}"], "file not found"),
        (["query", "{service}"], "SERVICE (federated query) refused"),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(
    run_cli, tmp_path: Path, args: list[str], expected: str
) -> None:
    files = {
        "file": ("ok.rq", "SELECT ?c WHERE { ?c a owl:Class }"),
        "broken": ("broken.rq", "SELECT ?c WHERE { ?c a }"),
        "bad_ttl": ("bad.ttl", "@prefix ex: <http://example.org/> .\nex:a ex:b"),
        "service": ("svc.rq", "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"),
    }
    paths = {key: tmp_path / name for key, (name, _) in files.items()}
    for key, (_, content) in files.items():
        paths[key].write_text(content)
    paths["missing"] = tmp_path / "missing.ttl"
    code, out, err = run_cli(*[a.format(**paths) for a in args])
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert expected in err


def test_debug_shows_the_traceback(run_cli) -> None:
    from calcinosis_kg.core.errors import InputError

    with pytest.raises(InputError):
        run_cli("--debug", "query", "no-such-query")


def test_unresolved_import_warning_goes_to_stderr(run_cli, tmp_path: Path) -> None:
    path = tmp_path / "imp.ttl"
    path.write_text(
        "<http://example.org/o> <http://www.w3.org/2002/07/owl#imports> "
        "<http://example.org/elsewhere.owl> .\n"
    )
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?o WHERE { ?s ?p ?o }")
    code, out, err = run_cli("query", str(rq), "--ontology", str(path), "--format", "tsv")
    assert code == 0
    assert "warning" in err and "http://example.org/elsewhere.owl" in err
    assert out.startswith("o\t")


@pytest.mark.parametrize("command", ["query", "queries", "search", "info", "export"])
def test_help_has_an_example(run_cli, command: str) -> None:
    code, out, _ = run_cli(command, "--help")
    assert code == 0 and "Example" in out


def test_query_endpoint_option_sends_the_query_to_the_endpoint(
    run_cli, sparql_endpoint, tiny_ontology: Path, tmp_path: Path
) -> None:
    from calcinosis_kg.graph.knowledge import load

    url, handler = sparql_endpoint(load([tiny_ontology]).store)
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?c WHERE { ?c rdfs:label ?l }")
    code, out, _ = run_cli(
        "query", str(rq), "--bind", 'l="tiny skin"@en', "--endpoint", url, "--format", "tsv"
    )
    assert (code, out) == (0, "c\tc_label\nCCKG:9000003\ttiny skin\n")
    assert len(handler.received) == 2  # the query, then the labels of the IRIs it returned


def test_query_rdflib_engine_gives_the_same_answer(
    run_cli, tiny_ontology: Path, tmp_path: Path
) -> None:
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?c ?l WHERE { ?c rdfs:label ?l } ORDER BY ?c ?l")
    args = ["query", str(rq), "--format", "csv", "--ontology", str(tiny_ontology)]
    code_ox, out_ox, _ = run_cli(*args)
    code_rd, out_rd, _ = run_cli(*args, "--engine", "rdflib")
    assert code_ox == code_rd == 0
    assert sorted(out_ox.splitlines()) == sorted(out_rd.splitlines())


def test_bind_accepts_a_label_or_synonym_and_says_which_term_it_took(run_cli) -> None:
    by_curie = run_cli("query", "cq02", "--bind", "disease=MONDO:0005100")
    by_label = run_cli("query", "cq02", "--bind", "disease=Systemic Sclerosis")
    by_synonym = run_cli("query", "cq02", "--bind", "disease=systemic scleroderma")
    assert by_curie[0] == by_label[0] == by_synonym[0] == 0
    assert by_curie[1] == by_label[1] == by_synonym[1]
    assert "(0 rows)" not in by_label[1]
    assert "taken as MONDO:0005100" in by_label[2]


def test_bind_with_an_ambiguous_label_exits_2_with_candidates(run_cli) -> None:
    code, out, err = run_cli("query", "cq02", "--bind", "disease=sclerosis")
    assert code == 2 and out == ""
    assert "MONDO:0005100" in err and "MONDO:0016358" in err


def test_bind_of_a_value_absent_from_the_graph_warns(run_cli) -> None:
    code, out, err = run_cli("query", "cq02", "--bind", "disease=MONDO:0000001")
    assert code == 0 and "(0 rows)" in out
    assert "warning" in err and "MONDO:0000001 does not occur in the graph" in err


def test_query_of_a_directory_says_it_is_a_directory(run_cli, tmp_path: Path) -> None:
    code, _, err = run_cli("query", str(tmp_path))
    assert code == 2 and "is a directory" in err and "not found" not in err


def test_ambiguous_query_prefix_lists_the_candidates(run_cli) -> None:
    code, _, err = run_cli("query", "cq1")
    assert code == 2 and "ambiguous query 'cq1'" in err
    assert "cq10-lesion-sites-per-type" in err and "cq19-defined-classes" in err


def test_debug_is_accepted_after_the_subcommand(run_cli) -> None:
    code, out, _ = run_cli("queries", "--debug")
    assert code == 0 and "cq01" in out


def test_mistyped_command_suggests_the_nearest(run_cli) -> None:
    code, _, err = run_cli("chek")
    assert code == 2 and "did you mean: check" in err.lower()


def test_bind_of_a_quoted_text_absent_from_the_graph_warns(run_cli) -> None:
    code, out, err = run_cli("query", "cq12", "--bind", 'class="no such label"')
    assert code == 0 and "(0 rows)" in out
    assert '"no such label" does not occur in the graph' in err


def test_bind_of_a_word_naming_one_class_binds_that_class(run_cli) -> None:
    code, out, err = run_cli("query", "cq12", "--bind", "class=dystrophic", "--format", "tsv")
    assert code == 0 and "taken as CCKG:0000002 (dystrophic calcinosis cutis)" in err
    rows = out.splitlines()[1:]
    assert rows and all(row.split("\t")[2] == "CCKG:0000002" for row in rows)


def test_endpoint_bind_by_name_is_resolved_in_the_local_graph(
    run_cli, sparql_endpoint, tiny_ontology: Path, tmp_path: Path
) -> None:
    from calcinosis_kg.graph.knowledge import load

    url, _ = sparql_endpoint(load([tiny_ontology]).store)
    rq = tmp_path / "q.rq"
    rq.write_text("SELECT ?parent WHERE { ?c rdfs:subClassOf ?parent . FILTER(isIRI(?parent)) }")
    code, out, err = run_cli(
        "query",
        str(rq),
        "--bind",
        "c=small calcium deposit",
        "--endpoint",
        url,
        "--ontology",
        str(tiny_ontology),
        "--format",
        "tsv",
    )
    assert code == 0 and "taken as CCKG:9000001" in err
    code, out, err = run_cli(
        "query",
        str(rq),
        "--bind",
        "c=tiny dystrophic calcinosis",
        "--endpoint",
        url,
        "--ontology",
        str(tiny_ontology),
        "--format",
        "tsv",
    )
    assert (code, out) == (0, "parent\tparent_label\nCCKG:9000001\ttiny calcinosis\n")
