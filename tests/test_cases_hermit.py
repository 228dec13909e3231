"""The fast path gives exactly the types HermiT entails over ontology + case individuals."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from calcinosis_kg.cases import pipeline
from calcinosis_kg.cases.classify import build_classifier, classify
from calcinosis_kg.cases.synth import rows, to_csv
from calcinosis_kg.checks.java import find_java

DATA = Path(__file__).parent / "cases_data"
pytestmark = pytest.mark.skipif(find_java() is None, reason="HermiT needs Java")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """The hand-written vignettes (every criterion, boundaries, ambiguous, unclassified), the
    disease identifiers mapped or kept (identifiers.csv) plus 60 synthetic cases; only valid
    records (an invalid one is never classified)."""
    synthetic = tmp_path_factory.mktemp("cases") / "synthetic.csv"
    synthetic.write_bytes(to_csv(rows(60, seed=3, invalid_rate=0.0)))
    frame = pl.concat(
        list(pipeline.iter_frames([DATA / "vignettes.csv", DATA / "identifiers.csv", synthetic]))
    )
    bad = pipeline.problems(frame)
    return frame.filter(~pl.col("case_id").is_in(bad["case_id"].implode()))


def test_fast_path_types_equal_hermit_types_case_by_case(sample: pl.DataFrame) -> None:
    from calcinosis_kg.cases.reasoner import hermit_types

    clf = build_classifier()
    fast = {
        row["case_id"]: sorted(row["types"]) for row in classify(sample, clf).iter_rows(named=True)
    }
    assert fast == hermit_types(sample)


def test_sample_covers_every_criterion_and_every_status(sample: pl.DataFrame) -> None:
    clf = build_classifier()
    result = classify(sample, clf)
    fired = {c for cs in result["fired"].to_list() for c in cs}
    assert fired == {
        c.iri.replace("https://w3id.org/calcinosis-kg/CCKG_", "CCKG:") for c in clf.criteria
    }
    assert {"classified", "ambiguous", "unclassified"} <= set(result["status"].to_list())
