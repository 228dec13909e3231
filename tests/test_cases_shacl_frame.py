"""SHACL on the frame's columns reports exactly what the triple-table path and pySHACL report."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from test_cases_shacl import pyshacl_violations

from calcinosis_kg.cases import arcs, model, pipeline, shacl, shacl_frame, triples
from calcinosis_kg.cases.frame import SCHEMA
from calcinosis_kg.cases.synth import rows, to_csv

DATA = Path(__file__).parent / "cases_data"
C = model.cckg


def row(**values: Any) -> dict[str, Any]:
    """A valid wide row (a human with a total calcium), changed by ``values``."""
    out: dict[str, Any] = {
        name: [] if kind == "list" else None for name, kind in model.COLUMNS.items()
    }
    out.update(
        case_id="ok",
        source="t:1",
        taxon="NCBITaxon:9606",
        sex="female",
        calcium_mmol_l=2.4,
        errors=[],
        no_conditions=False,
        no_exposures=False,
    )
    out.update(values)
    return out


#: one row per planted error; together they break every constraint a frame can break
PLANTED = [
    row(),
    row(case_id=None),
    row(case_id="bad id!"),
    row(case_id="t-none", taxon=None),
    row(case_id="t-bad", taxon="XYZ:1"),
    row(case_id="sex", sex="robot"),
    row(case_id="young", age_years=-1.0, onset_age_years=-2.0, egfr=-1.0),
    row(case_id="old", age_years=131.0, onset_age_years=140.0, egfr=201.0),
    row(case_id="size0", lesion_size_mm=0.0, albumin_g_l=0.0),
    row(case_id="size9", lesion_size_mm=1001.0, albumin_g_l=101.0, calcium_adjusted_mmol_l=6.5),
    row(case_id="ca", calcium_mmol_l=7.0, ionised_calcium_mmol_l=4.0, phosphate_mmol_l=10.0),
    row(case_id="ca0", calcium_mmol_l=0.0, ionised_calcium_mmol_l=-1.0, phosphate_mmol_l=0.0),
    row(case_id="nodis", no_conditions=True, conditions=["MONDO:0005015"]),
    row(case_id="noexp", no_exposures=True, exposures=["CCKG:0000720"]),
    row(
        case_id="lists",
        conditions=["FOO:1", None, "MONDO:0005015"],
        exposures=["HP:0000001"],
        sites=["HP:0000001"],
        features=["UBERON:0000001"],
        histology=["CHEBI:1"],
        treatments=["XYZ:1", None, "CHEBI:3"],
        responses=["CCKG:0000731", "CCKG:0000732", "CCKG:0000999", "CCKG:0000733"],
    ),
    # a disease item typed as a case record is a focus of the case shape (in pySHACL too)
    row(case_id="typed", conditions=["CCKG:0000700"], taxon="CCKG:0000701"),
    row(
        case_id="lab",
        calcium_status="raised",
        calcium_range="lab",
        calcium_lab_low=2.1,
        calcium_lab_high=2.6,
        phosphate_mmol_l=1.0,
        phosphate_status="normal",
        phosphate_range="CCKG:0000800",
    ),
]


#: what no row can break: each node has at most one value per predicate the shapes bound above
#: zero (one column, or one list position, each), and the pipeline writes the identifier as a
#: string and every number as decimal text itself; the triple-table tests
#: (tests/test_cases_shacl.py, planted.ttl) prove these constraints on Turtle instead
def unreachable() -> set[tuple[str, str]]:
    out = {(model.DCT_IDENTIFIER, "Datatype")}
    for rule in shacl.compiled():
        for prop in rule.properties:
            if prop.constraints.get("maxCount", 0) != 0:
                out.add((prop.path, "MaxCount"))
            if prop.constraints.get("datatype") == model.XSD + "decimal":
                out.add((prop.path, "Datatype"))
    return out


def to_frame(data: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(data, schema=SCHEMA)


def planted() -> pl.DataFrame:
    return to_frame(PLANTED)


def fast(frame: pl.DataFrame) -> set[tuple]:
    found = shacl_frame.violations(frame).drop("_row")
    return {tuple(r) for r in found.iter_rows()}


def slow(frame: pl.DataFrame) -> set[tuple]:
    found = shacl.validate_table(triples.triples(frame))
    return {tuple(r) for r in found.iter_rows()}


def frames(tmp: Path) -> list[pl.DataFrame]:
    """The planted rows, the hand-written files and the 353 real Phenopackets."""
    packets = tmp / "packets.jsonl"
    packets.write_bytes(gzip.decompress((DATA / "phenopacket-store-sample.jsonl.gz").read_bytes()))
    out = [planted()]
    for path in (DATA / "vignettes.csv", DATA / "bad_rows.csv", DATA / "identifiers.csv", packets):
        out += list(pipeline.iter_frames([path]))
    return out


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> list[pl.DataFrame]:
    out = []
    for seed, rate in ((1, 0.03), (3, 0.3), (5, 1.0)):
        path = tmp_path_factory.mktemp("c") / f"c{seed}.csv"
        path.write_bytes(to_csv(rows(2000, seed=seed, invalid_rate=rate)))
        out += list(pipeline.iter_frames([path]))
    return out


def test_the_arcs_describe_exactly_the_triples_the_pipeline_builds(cohort, tmp_path) -> None:
    for frame in [*frames(tmp_path), *cohort]:
        built = triples.triples(frame)
        described = arcs.materialise(frame).sort("s", "p", "o", "lit")
        assert described.equals(built)


def test_frame_validation_gives_the_violations_of_the_triple_table(cohort, tmp_path) -> None:
    for frame in [*frames(tmp_path), *cohort]:
        assert fast(frame) == slow(frame)
    assert any(fast(f) for f in cohort)


def test_every_constraint_a_row_can_break_is_broken_by_a_planted_row() -> None:
    every = {
        (prop.path, shacl.COMPONENT[k])
        for rule in shacl.compiled()
        for prop in rule.properties
        for k in prop.constraints
    }
    broken = {(path, component) for _f, path, component, _v, _m in fast(planted())}
    assert broken == every - unreachable()
    assert {c for _p, c in broken} == set(shacl.COMPONENT.values()) - {"Datatype"}


def test_planted_rows_get_the_violations_of_pyshacl() -> None:
    frame = planted().filter(pl.col("case_id").is_not_null())  # no IRI, no N-Triples
    expected = pyshacl_violations(triples.ntriples(triples.triples(frame)), "nt")
    assert {v[:4] for v in fast(frame)} == expected


def test_a_disease_item_typed_as_a_case_record_is_checked_as_one() -> None:
    frame = to_frame([row(case_id="typed", conditions=["CCKG:0000700"])])
    found = {(f, c) for f, _p, c, _v, _m in fast(frame)}
    node = model.CASE_BASE + "typed/condition/1"
    assert (node, "MinCount") in found
    assert found == {(f, c) for f, _p, c, _v, _m in slow(frame)}


def test_problems_carry_the_shapes_messages_with_the_value_as_written() -> None:
    bad = pipeline.problems(planted())
    said = set(zip(bad["case_id"], bad["field"] + ": " + bad["message"], strict=True))
    assert ("sex", "sex: one of male, female, other, unknown (got robot)") in said
    assert ("t-bad", "taxon: one NCBITaxon identifier (got XYZ:1)") in said
    assert ("nodis", "diseases: 'none' was recorded, so no disease may be listed") in said
    assert "ok" not in set(bad["case_id"])


def test_validation_builds_no_triple(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("a triple table was built")

    monkeypatch.setattr(triples, "triples", refuse)
    monkeypatch.setattr(shacl, "validate_table", refuse)
    assert pipeline.problems(planted()).height
