"""``push`` into real triple stores (Oxigraph server, Virtuoso Open Source on loopback), then
``query --endpoint`` and ``check --endpoint`` give the embedded engine's answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from serve_support import CASE_TTL
from store_servers import (
    VIRTUOSO_MAX_ROWS,
    Store,
    oxigraph,
    oxigraph_binary,
    virtuoso,
    virtuoso_binaries,
)

from calcinosis_kg.core.errors import CalcinosisKGError
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.graph.queryfiles import get_query
from calcinosis_kg.graph.remote import RemoteEngine
from calcinosis_kg.serve.push import count_triples, graph_url
from calcinosis_kg.serve.remote import Client, Credentials, RemoteError

RELEASE = "https://w3id.org/calcinosis-kg/test-release"
# Virtuoso 7.2.5 (Debian) loses rows when a transitive property path (rdfs:subClassOf*, rdf:rest*)
# is joined with other patterns that its optimiser reorders (minimal cases in
# test_virtuoso_known_bugs_in_their_smallest_form): these competency queries come back with rows
# missing there, and only there. No standard SPARQL 1.1 rewrite that keeps their answers made
# Virtuoso answer them (docs/readme/serve.md); a change either way fails the tests below.
VIRTUOSO_MISSING_ROWS = {
    "cq02-sites-by-associated-disease",
    "cq04-serum-calcium-phosphate-profile",
    "cq06-composition-per-type",
    "cq07-young-people",
    "cq09-traumatic-occupations",
    "cq10-lesion-sites-per-type",
}
# ... and these two lose rows in some runs and not in others (the plan varies between runs)
VIRTUOSO_MAY_MISS_ROWS = {"cq16-drugs-acting-on-calcium", "cq17-types-sharing-a-site"}
PASSWORD_VAR = "CCKG_TEST_STORE_PASSWORD"


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "oxigraph":
        if oxigraph_binary() is None:
            pytest.skip(
                "NO OXIGRAPH SERVER: `pip install oxigraph` (the server binary) is "
                "missing, the push tests against Oxigraph did not run"
            )
        with oxigraph(folder) as found:
            yield found
    else:
        if virtuoso_binaries() is None:
            pytest.skip(
                "NO VIRTUOSO: `apt-get install virtuoso-opensource` (virtuoso-t, "
                "isql-vt) is missing, the push tests against Virtuoso did not run"
            )
        with virtuoso(folder) as found:
            yield found


def push_args(store: Store, *extra: str) -> list[str]:
    args = ["push", "--endpoint", store.endpoint, "--store", store.store, "--graph", RELEASE]
    if store.credentials:
        args += ["--user", store.credentials.user, "--password-env", PASSWORD_VAR]
    return [*args, *extra]


@pytest.fixture(scope="module")
def pushed(store: Store) -> Store:
    """The release pushed once (through the API the CLI uses)."""
    from calcinosis_kg.serve.push import push, release_graphs

    push(
        Client(60, store.credentials), store.store, store.endpoint, release_graphs(load(), RELEASE)
    )
    return store


@pytest.fixture
def password(pushed: Store, monkeypatch: pytest.MonkeyPatch) -> str | None:
    if pushed.credentials:
        monkeypatch.setenv(PASSWORD_VAR, pushed.credentials.password)
        return pushed.credentials.password
    return None


def test_push_twice_leaves_the_same_verified_graph(pushed, password, run_cli) -> None:
    expected = len({q.triple for q in load().store})
    client = Client(60, pushed.credentials)
    assert count_triples(client, pushed.endpoint, RELEASE) == expected
    code, out, err = run_cli(*push_args(pushed))
    assert code == 0, err
    assert f"{RELEASE}: {expected} triples stored and verified" in out
    assert count_triples(client, pushed.endpoint, RELEASE) == expected
    if password:
        assert password not in out + err


@pytest.mark.parametrize(
    ("name", "binds"),
    [
        ("cq03-metastatic-most-frequent-cause", []),
        ("cq10-lesion-sites-per-type", []),
        ("cq12-class-card", ["--bind", "class=CCKG:0000001"]),
        ("cq18-mapping-strength", []),
    ],
)
def test_query_against_the_store_gives_the_embedded_answer(pushed, run_cli, name, binds) -> None:
    code, local, err = run_cli("query", name, *binds, "--format", "tsv")
    assert code == 0, err
    code, remote, err = run_cli(
        "query", name, *binds, "--format", "tsv", "--endpoint", pushed.endpoint
    )
    assert code == 0, err
    assert local.count("\n") >= 2  # a header and rows
    if pushed.name == "virtuoso" and name in VIRTUOSO_MISSING_ROWS | VIRTUOSO_MAY_MISS_ROWS:
        # the known Virtuoso loss: a (strict) subset of the embedded rows, never another row
        header, *rows = remote.splitlines()
        assert header == local.splitlines()[0]
        assert set(rows) <= set(local.splitlines()[1:])
        assert name not in VIRTUOSO_MISSING_ROWS or set(rows) != set(local.splitlines()[1:])
    else:
        assert remote == local


def test_check_endpoint_passes_every_competency_query(pushed, run_cli) -> None:
    from calcinosis_kg.checks.competency import competency_queries

    code, out, err = run_cli("check", "--endpoint", pushed.endpoint)
    assert "competency" in out and "queries=" in out, out + err
    failed = {q.name for q in competency_queries() if f"[competency] {q.name} " in out}
    if pushed.name == "virtuoso":
        total = len(competency_queries())
        assert code == 1, out + err
        known = VIRTUOSO_MISSING_ROWS | VIRTUOSO_MAY_MISS_ROWS
        assert VIRTUOSO_MISSING_ROWS <= failed <= known, out
        assert f"passed={total - len(failed)} failed={len(failed)}" in out
        for line in out.splitlines():
            if line.strip().startswith("[competency]"):
                assert "missing row(s)" in line and "unexpected" not in line, line
                assert "Error" not in line, line  # no compiler errors (SP031/SQ156) any more
        return
    assert code == 0, out + err
    assert failed == set() and "failed=0" in out


VIRTUOSO_BUGS = [
    # (what Virtuoso 7.2.5 gets wrong, the smallest query showing it, what it answers instead)
    (
        "BIND in a UNION branch joined with a path: compiler error SP031 or SQ156 (the bundled "
        "queries use VALUES)",
        """SELECT ?t ?k WHERE { ?t rdfs:subClassOf* MONDO:0002123 .
        { ?t rdfs:subClassOf ?r . ?r owl:onProperty RO:0002162 . BIND("u" AS ?k) }
        UNION { ?x biolink:subject ?t . BIND("a" AS ?k) } }""",
        "SP031",
    ),
    (
        "a zero-or-one path over a sequence drops union members (the bundled queries spell out "
        "owl:someValuesFrom|owl:someValuesFrom/owl:unionOf/rdf:rest*/rdf:first)",
        "SELECT DISTINCT ?f WHERE { ?r owl:someValuesFrom/(owl:unionOf/rdf:rest*/rdf:first)? ?f "
        "FILTER(isIRI(?f)) }",
        "fewer",
    ),
    (
        "a trailing VALUES block after cq12's ORDER BY is ignored: every class comes back (bindings "
        "now open the WHERE group)",
        get_query("cq12-class-card").text + "\nVALUES ?class { <https://w3id.org/calcinosis-kg/"
        "CCKG_0000001> }\n",
        "unrestricted",
    ),
    (
        "two transitive paths joined through other patterns lose rows (no standard rewrite found)",
        """SELECT * WHERE { ?r biolink:subject ?a ; biolink:object ?b .
        ?a rdfs:subClassOf* CCKG:0000510 . ?b rdfs:subClassOf* CCKG:0000007 }""",
        "fewer",
    ),
]


@pytest.mark.parametrize(
    ("bug", "query", "wrong"),
    VIRTUOSO_BUGS,
    ids=["bind-in-union", "optional-sequence-path", "trailing-values", "joined-transitive-paths"],
)
def test_virtuoso_known_bugs_in_their_smallest_form(pushed, bug, query, wrong) -> None:
    """Each cause found query by query, shown on the smallest query; fails when Virtuoso changes
    (then the rewrites or VIRTUOSO_MISSING_ROWS can go)."""
    if pushed.name != "virtuoso":
        pytest.skip("Virtuoso's own bugs")
    from calcinosis_kg.graph.sparql import run_sparql

    embedded = run_sparql(load(), query).rows
    assert embedded, bug
    engine = RemoteEngine(pushed.endpoint, 60)
    if wrong == "SP031":
        with pytest.raises(CalcinosisKGError, match="SP031|SQ156"):
            run_sparql(None, query, engine=engine)
        return
    remote = run_sparql(None, query, engine=engine).rows
    if wrong == "fewer":
        assert set(remote) < set(embedded), bug
    else:  # the rows are not restricted to the bound class (which rows Virtuoso returns for
        # the bound class itself varies from run to run, so only the restriction is compared)
        assert {row[1] for row in embedded} == {"CCKG:0000001"}
        assert len({row[1] for row in remote}) > 1, bug


def test_case_data_and_inferred_graphs_are_pushed_as_their_own_graphs(
    pushed, password, run_cli, tmp_path: Path
) -> None:
    cases = tmp_path / "cases.ttl"
    cases.write_text(CASE_TTL, encoding="utf-8")
    code, out, err = run_cli(*push_args(pushed, "--data", str(cases), "--inferred"))
    assert code == 0, err
    client = Client(60, pushed.credentials)
    try:
        assert count_triples(client, pushed.endpoint, RELEASE + "/data/cases") == 4
        assert count_triples(client, pushed.endpoint, RELEASE + "/inferred") > 0
        assert f"{RELEASE}/data/cases: 4 triples stored and verified" in out
    finally:  # leave the store's union default graph as the other tests expect it
        for graph in (RELEASE + "/data/cases", RELEASE + "/inferred"):
            client.send("DELETE", graph_url(pushed.store, graph))


def test_a_wrong_password_fails_without_showing_it(pushed) -> None:
    if pushed.credentials is None:
        pytest.skip("this store runs without authentication")
    wrong = Credentials(pushed.credentials.user, "wrong-" + pushed.credentials.password)
    from calcinosis_kg.serve.push import push

    with pytest.raises(RemoteError) as caught:
        push(Client(30, wrong), pushed.store, pushed.endpoint, [(RELEASE + "/x", [])])
    assert "not authorised" in str(caught.value)
    assert wrong.password not in str(caught.value) and wrong.password not in repr(wrong)


def test_virtuoso_row_cap_fails_loudly(pushed) -> None:
    if pushed.name != "virtuoso":
        pytest.skip("only Virtuoso caps result rows silently")
    engine = RemoteEngine(pushed.endpoint, 120)
    query = (
        "SELECT ?s ?a WHERE { ?s ?p ?o . ?a a owl:Class } "
        f"LIMIT {VIRTUOSO_MAX_ROWS + 10}"
    )  # more rows than the cap
    with pytest.raises(RemoteError, match="X-SPARQL-MaxRows"):
        engine.execute(query, {}, "<test>")
    small = engine.execute("SELECT ?a WHERE { ?a a owl:Class } LIMIT 10", {}, "<test>")
    assert len(small.rows) == 10
