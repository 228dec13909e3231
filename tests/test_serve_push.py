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

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.push import count_triples, graph_url
from calcinosis_kg.serve.remote import CappedRemoteEngine, Client, Credentials, RemoteError

RELEASE = "https://w3id.org/calcinosis-kg/test-release"
# Measured with Debian's Virtuoso 7.2.5: its SPARQL compiler rejects some bundled queries
# ("SP031 … sparp_gp_deprecate(): equiv replaces filter but under deprecation") and ignores the
# trailing VALUES block that binds a parameter, so those answers differ from every other engine.
VIRTUOSO_BUG = ("Virtuoso 7.2.5 SPARQL compiler: SP031 internal error on this query, or the "
                "trailing VALUES binding ignored")
VIRTUOSO_FAILS = {"cq10-lesion-sites-per-type", "cq12-class-card"}
PASSWORD_VAR = "CCKG_TEST_STORE_PASSWORD"


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "oxigraph":
        if oxigraph_binary() is None:
            pytest.skip("NO OXIGRAPH SERVER: `pip install oxigraph` (the server binary) is "
                        "missing, the push tests against Oxigraph did not run")
        with oxigraph(folder) as found:
            yield found
    else:
        if virtuoso_binaries() is None:
            pytest.skip("NO VIRTUOSO: `apt-get install virtuoso-opensource` (virtuoso-t, "
                        "isql-vt) is missing, the push tests against Virtuoso did not run")
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

    push(Client(60, store.credentials), store.store, store.endpoint,
         release_graphs(load(), RELEASE))
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


@pytest.mark.parametrize(("name", "binds"), [
    ("cq03-metastatic-most-frequent-cause", []),
    ("cq10-lesion-sites-per-type", []),
    ("cq12-class-card", ["--bind", "class=CCKG:0000001"]),
    ("cq18-mapping-strength", []),
])
def test_query_against_the_store_gives_the_embedded_answer(pushed, run_cli, name, binds) -> None:
    if pushed.name == "virtuoso" and name in VIRTUOSO_FAILS:
        pytest.xfail(VIRTUOSO_BUG)
    code, local, err = run_cli("query", name, *binds, "--format", "tsv")
    assert code == 0, err
    code, remote, err = run_cli("query", name, *binds, "--format", "tsv", "--endpoint",
                                pushed.endpoint)
    assert code == 0, err
    assert remote == local and local.count("\n") >= 2  # a header and rows


def test_check_endpoint_passes_every_competency_query(pushed, run_cli) -> None:
    code, out, err = run_cli("check", "--endpoint", pushed.endpoint)
    assert "competency" in out and "queries=" in out, out + err
    if pushed.name == "virtuoso" and code == 1:
        summary = next(line for line in out.splitlines() if line.startswith("competency"))
        pytest.xfail(f"{VIRTUOSO_BUG}: {summary}")
    assert code == 0, out + err
    assert "failed=0" in out


def test_case_data_and_inferred_graphs_are_pushed_as_their_own_graphs(
        pushed, password, run_cli, tmp_path: Path) -> None:
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
    engine = CappedRemoteEngine(pushed.endpoint, 120)
    query = ("SELECT ?s ?a WHERE { ?s ?p ?o . ?a a owl:Class } "
             f"LIMIT {VIRTUOSO_MAX_ROWS + 10}")  # more rows than the cap
    with pytest.raises(RemoteError, match="X-SPARQL-MaxRows"):
        engine.execute(query, {}, "<test>")
    small = engine.execute("SELECT ?a WHERE { ?a a owl:Class } LIMIT 10", {}, "<test>")
    assert len(small.rows) == 10
