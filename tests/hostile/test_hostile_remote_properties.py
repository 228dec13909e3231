"""Property tests (hypothesis) for remote answers: whatever an endpoint answers — any bytes,
any JSON, any SPARQL-results-shaped document with any cells — ``query --endpoint`` and the
``push`` count end in exit 0 or 2 with one line, never a traceback."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from fake_store import fake_store, honest, reply
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
cells = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["uri", "literal", "bnode", "typed-literal", "triple", 1, None]),
        "value": st.one_of(st.text(max_size=30), st.integers(), st.none(), json_values),
    },
    optional={
        "xml:lang": st.one_of(st.text(max_size=5), st.integers()),
        "datatype": st.one_of(st.text(max_size=30), st.none()),
    },
)
documents = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(
        lambda names, rows: json.dumps(
            {"head": {"vars": names}, "results": {"bindings": rows}}
        ).encode(),
        st.lists(st.sampled_from(["n", "s", "x y", "", 1]), max_size=3),
        st.lists(st.dictionaries(st.sampled_from(["n", "s", "l"]), cells, max_size=3), max_size=4),
    ),
    st.builds(lambda v: json.dumps({"boolean": v}).encode(), json_values),
)


def _refused_in_one_line(code: int, err: str) -> None:
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:  # a refusal: one error line, never the "internal error" line of a bug
        assert len(err.strip().splitlines()) == 1, err
        assert err.startswith("calcinosis-kg: error: "), err


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=documents)
def test_any_endpoint_answer_gives_exit_0_or_2(run_cli, body: bytes) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        fake_store(lambda request: reply(200, body)) as store,
    ):
        query = Path(folder) / "q.rq"
        query.write_text("SELECT ?n ?s WHERE { ?s ?p ?n }")
        code, _, err = run_cli(
            "query", str(query), "--endpoint", store.url + "/sparql", "--timeout", "10"
        )
    _refused_in_one_line(code, err)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(body=documents)
def test_any_count_answer_gives_exit_0_or_2(run_cli, tiny_ontology: Path, body: bytes) -> None:
    with fake_store(honest(lambda n: reply(200, body))) as store:
        code, _, err = run_cli(
            "push",
            "--endpoint",
            store.url + "/sparql",
            "--store",
            store.url + "/store",
            "--graph",
            "urn:g",
            "--ontology",
            str(tiny_ontology),
            "--timeout",
            "10",
        )
    _refused_in_one_line(code, err)
    assert code == 2  # no such answer is a count equal to the triples sent
