"""Synthetic cohorts whose types, sites, labs, units and diseases follow the sources.

Why: registries cannot be shared, but the pipeline must be exercised at 100k-1M cases with the
mix a real registry has (mg/dL next to mmol/L, missing labs, a few broken rows). Proportions
follow what the sources state qualitatively: dystrophic is the most prevalent kind (F0050),
chronic renal failure the most frequent cause of metastatic (F0061), sites per disease (F0029-
F0031), venipuncture sites for iatrogenic (F0035), young males and the scrotum for idiopathic
scrotal calcinosis (F0083), coal miners and oil-field workers for traumatic (F0075/F0076). The
numbers themselves are illustrative, not epidemiology. Same seed -> byte-identical file.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from calcinosis_kg.cases.csv_fields import CSV_COLUMNS
from calcinosis_kg.cases.phenopacket_out import phenopacket
from calcinosis_kg.cases.terms import LABELS
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.serialize import write_atomic

#: the largest cohort written: CSV streams (time grows with n, memory does not); Phenopackets
#: and Turtle are built in memory first. A bound, so a typo in --n never runs for days
MOST_STREAMED, MOST_IN_MEMORY = 10_000_000, 1_000_000
#: (intended type, weight): dystrophic most prevalent; the rest illustrative
PROFILES = [
    ("dystrophic", 40),
    ("metastatic", 20),
    ("iatrogenic", 8),
    ("idiopathic", 5),
    ("scrotal", 5),
    ("traumatic", 5),
    ("calciphylaxis", 5),
    ("osteoma", 2),
    ("ambiguous", 4),
    ("incomplete", 6),
]
REPORTED = {
    "dystrophic": "CCKG:0000002",
    "metastatic": "CCKG:0000003",
    "iatrogenic": "CCKG:0000004",
    "idiopathic": "CCKG:0000005",
    "scrotal": "CCKG:0000008",
    "traumatic": "CCKG:0000007",
    "calciphylaxis": "CCKG:0000006",
    "osteoma": "CCKG:0000011",
}
DYSTROPHIC = [
    ("MONDO:0005100", ["UBERON:0001461", "UBERON:0002389", "UBERON:0001465", "UBERON:0002386"], 40),
    ("MONDO:0019563", ["UBERON:0002389", "UBERON:0001461"], 10),
    ("MONDO:0016367", ["UBERON:0001461", "UBERON:0001465"], 20),
    ("MONDO:0004670", ["UBERON:0002101", "UBERON:0013691", "CCKG:0000200"], 15),
    ("MONDO:0005550", ["UBERON:0002097"], 8),
    ("CCKG:0000103", ["UBERON:0002097"], 7),
]
METASTATIC_CAUSES = [
    ("MONDO:0024327", 55),
    ("MONDO:0004375", 15),
    ("MONDO:0001741", 12),
    ("MONDO:0004937", 6),
    ("MONDO:0019338", 6),
    ("", 6),
]
DEFECTS = [
    "no_unit",
    "phosphate_meq",
    "unknown_unit",
    "mgdl_as_mmol",
    "bad_sex",
    "bad_age",
    "bad_identifier",
    "none_and_disease",
    "status_contradiction",
]


def _pick(rng: random.Random, items: list[tuple[Any, int]]) -> Any:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def _serum(rng: random.Random, analyte: str, mmol: float, adult: bool) -> dict[str, Any]:
    """A measured value in a unit a lab would use (mmol/L, mg/dL; calcium sometimes mEq/L).
    A child's phosphate always comes with the laboratory's range; an adult's mostly does (the
    rest is judged against the default adult range, as in a registry export)."""
    unit = rng.choices(
        ["mmol/L", "mg/dL", "mEq/L"], weights=[50, 45, 5] if analyte == "calcium" else [55, 45, 0]
    )[0]
    factor = {"mmol/L": 1.0, "mg/dL": 4.008 if analyte == "calcium" else 3.097, "mEq/L": 2.0}
    value = round(mmol * factor[unit], 2)
    out: dict[str, Any] = {f"{analyte}_value": value, f"{analyte}_unit": unit}
    if analyte == "phosphate" and (not adult or rng.random() < 0.7):
        low, high = (0.81, 1.45) if unit == "mmol/L" else (2.5, 4.5)
        out.update(phosphate_ref_low=low, phosphate_ref_high=high)
    return out


def _normal_calcium(rng: random.Random, age: int) -> float:
    """A total calcium inside the default range for the age (illustrative)."""
    low, high = (2.25, 2.65) if age < 13 else (2.15, 2.5) if age < 19 else (2.15, 2.55)
    return round(rng.uniform(low, high), 2)


def case_row(rng: random.Random, index: int) -> dict[str, Any]:
    """One synthetic case as a CSV row dict (values as text or lists)."""
    profile = _pick(rng, PROFILES)
    row: dict[str, Any] = {
        "case_id": f"SYN{index:07d}",
        "taxon": "",
        "sex": "",
        "diseases": [],
        "exposures": [],
        "sites": [],
        "features": [],
        "histology": [],
        "treatments": [],
        "responses": [],
    }
    po = round(rng.uniform(0.85, 1.4), 2)
    row["sex"] = rng.choice(["female", "female", "male"])
    row["age_years"] = rng.randint(18, 85)
    ca = _normal_calcium(rng, 30)
    if profile == "dystrophic" or profile == "ambiguous":
        disease, sites, _w = rng.choices(DYSTROPHIC, weights=[w for *_x, w in DYSTROPHIC])[0]
        row["diseases"] = [disease]
        row["sites"] = rng.sample(sites, k=min(len(sites), rng.randint(1, 2)))
        if profile == "ambiguous":
            row["exposures"] = ["CCKG:0000100"]
    elif profile == "metastatic":
        cause = _pick(rng, METASTATIC_CAUSES)
        row["diseases"] = [cause] if cause else []
        if rng.random() < 0.6:
            po = round(rng.uniform(1.6, 3.2), 2)
        else:
            ca = round(rng.uniform(2.65, 3.6), 2)
        row["sites"] = [rng.choice(["CCKG:0000200", "UBERON:0000982", "UBERON:0002097"])]
        row["egfr"] = rng.randint(5, 30) if cause in ("MONDO:0024327", "MONDO:0004375") else ""
    elif profile == "iatrogenic":
        row["exposures"] = [
            rng.choice(["CCKG:0000501", "CCKG:0000502", "CCKG:0000503", "CCKG:0000505"])
        ]
        row["sites"] = ["CCKG:0000203"]
        row["features"] = ["CCKG:0000404"]
        row["age_years"] = rng.randint(0, 80)
        ca = _normal_calcium(rng, row["age_years"])
    elif profile in ("idiopathic", "scrotal"):
        row["diseases"], row["exposures"] = "none", "none"
        if profile == "scrotal":
            row["sex"], row["age_years"] = "male", rng.randint(14, 40)
            row["sites"], row["features"] = ["UBERON:0001300"], ["CCKG:0000406"]
        else:
            row["age_years"] = rng.randint(2, 16)
            row["sites"] = [rng.choice(["UBERON:0000403", "UBERON:0001456"])]
        ca = _normal_calcium(rng, row["age_years"])
    elif profile == "traumatic":
        row["exposures"] = [rng.choice(["CCKG:0000511", "CCKG:0000512", "CCKG:0000100"])]
        row["sex"] = "male"
        row["sites"] = [rng.choice(["UBERON:0002389", "UBERON:0002386", "UBERON:0001465"])]
    elif profile == "calciphylaxis":
        row["diseases"] = ["MONDO:0004375"]
        row["histology"] = ["CCKG:0000419"]
        row["sites"] = [rng.choice(["UBERON:0002072", "UBERON:0002067"])]
        po = round(rng.uniform(1.0, 1.4), 2)
    elif profile == "osteoma":
        row["histology"] = ["CCKG:0000306"]
        row["sites"] = ["UBERON:0001456"]
    else:  # incomplete: no labs recorded
        row["diseases"] = [rng.choice(["MONDO:0005100", "MONDO:0011438", "MONDO:0024327"])]
    if profile != "incomplete":
        adult = row["age_years"] >= 20
        row.update(_serum(rng, "calcium", ca, adult))
        row.update(_serum(rng, "phosphate", po, adult))
        if rng.random() < 0.1:  # serum albumin near 40 g/L: the adjustment stays small
            row["albumin_value"], row["albumin_unit"] = round(rng.uniform(38, 42), 1), "g/L"
        if rng.random() < 0.05:  # an ionised calcium beside the total, raised with it
            high = ca > 2.6
            row["ionised_calcium_value"] = round(
                rng.uniform(*((1.35, 1.6) if high else (1.15, 1.28))), 2
            )
            row["ionised_calcium_unit"] = "mmol/L"
    if rng.random() < 0.4:
        row["treatments"] = [
            rng.choice(
                ["CHEBI:101278", "CHEBI:23359", "MAXO:0000447", "MAXO:0000954", "MAXO:0000277"]
            )
        ]
        row["responses"] = [rng.choice(["complete", "partial", "partial", "none", "progression"])]
    if rng.random() < 0.02:
        row["taxon"] = "NCBITaxon:9615"
        row["diseases"] = (
            row["diseases"] if row["diseases"] == "none" else [*row["diseases"], "MONDO:1011530"]
        )
    row["lesion_size_mm"] = rng.choice(["", rng.randint(1, 60)])
    row["reported_type"] = REPORTED.get(profile, "")
    return row


def plant_defect(rng: random.Random, row: dict[str, Any]) -> None:
    """Make ``row`` invalid in one of the ways ``DEFECTS`` lists (a missing or wrong unit, an
    impossible age, a misspelt disease …), chosen by ``rng``: the validator must catch each."""
    defect = rng.choice(DEFECTS)
    if defect in ("no_unit", "unknown_unit", "mgdl_as_mmol", "status_contradiction"):
        row.setdefault("calcium_value", 2.4)
        row["calcium_unit"] = {"no_unit": "", "unknown_unit": "mmol", "mgdl_as_mmol": "mmol/L"}.get(
            defect, "mmol/L"
        )
        if defect == "mgdl_as_mmol":
            row["calcium_value"] = 9.6
        if defect == "status_contradiction":
            row["calcium_value"], row["calcium_status"] = 2.4, "raised"
    elif defect == "phosphate_meq":
        row["phosphate_value"], row["phosphate_unit"] = 1.9, "mEq/L"
    elif defect == "bad_sex":
        row["sex"] = "M?"
    elif defect == "bad_age":
        row["age_years"] = 210
    elif defect == "bad_identifier":
        row["diseases"] = ["systemic sklerosis"]  # free text, misspelt: no label matches
    else:
        row["diseases"], row["exposures"] = ["MONDO:0005100"], "none"
        row["_none_and_disease"] = True


def iter_rows(n: int, seed: int, invalid_rate: float) -> Iterator[dict[str, Any]]:
    """The cohort one row at a time (a million rows never sit in memory as dicts)."""
    rng = random.Random(seed)
    for i in range(1, n + 1):
        row = case_row(rng, i)
        if rng.random() < invalid_rate:
            plant_defect(rng, row)
        yield row


def rows(n: int, seed: int, invalid_rate: float) -> list[dict[str, Any]]:
    """``iter_rows`` as a list (the formats written whole)."""
    return list(iter_rows(n, seed, invalid_rate))


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return "" if value is None else str(value)


def to_csv(data: Iterable[dict[str, Any]]) -> bytes:
    """The rows as case-record CSV (list fields joined with ``;``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in data:
        cells = [_cell(row.get(c, "")) for c in CSV_COLUMNS]
        if row.get("_none_and_disease"):
            cells[CSV_COLUMNS.index("diseases")] = "MONDO:0005100"
        writer.writerow(cells)
    return buffer.getvalue().encode("utf-8")


def write_cohort(
    path: Path, n: int, seed: int, invalid_rate: float = 0.0, fmt: str | None = None
) -> int:
    """Write ``n`` synthetic cases (same ``seed``, same bytes) in ``fmt`` or the format the
    suffix names; returns ``n``. Bounded: CSV is streamed, the other formats are capped lower."""
    fmt = fmt or {
        ".csv": "csv",
        ".jsonl": "jsonl",
        ".json": "json",
        ".ttl": "ttl",
        ".parquet": "parquet",
    }.get(path.suffix.lower(), "")
    if not fmt:
        raise InputError(
            "give --format or an output ending in .csv, .jsonl, .json, .ttl or .parquet", path
        )
    most = MOST_STREAMED if fmt == "csv" else MOST_IN_MEMORY
    if n > most:
        raise InputError(
            f"--n {n:,} is more than {most:,} cases"
            + (
                f" (CSV is written as a stream: use .csv for up to {MOST_STREAMED:,})"
                if fmt != "csv"
                else ""
            ),
            path,
        )
    if fmt == "csv":
        write_atomic(path, to_csv(iter_rows(n, seed, invalid_rate)))
        return n
    if fmt == "parquet":
        _write_parquet(path, n, seed, invalid_rate)
        return n
    data = rows(n, seed, invalid_rate)
    if fmt in ("jsonl", "json"):
        packets = [phenopacket(r, LABELS) for r in data]
        text = (
            "\n".join(json.dumps(p, sort_keys=True) for p in packets) + "\n"
            if fmt == "jsonl"
            else json.dumps(packets, indent=1, sort_keys=True) + "\n"
        )
        write_atomic(path, text.encode("utf-8"))
    else:
        # lazy: only this (Turtle) route builds a polars frame; CSV and JSON need no polars
        from calcinosis_kg.cases.api import _turtle
        from calcinosis_kg.cases.pipeline import iter_frames
        from calcinosis_kg.cases.triples import ntriples, triples

        tmp = path.with_suffix(".synth.csv")
        write_atomic(tmp, to_csv(data))
        try:
            frame = next(iter_frames([tmp], chunk=max(n, 1)))
        finally:
            tmp.unlink(missing_ok=True)
        write_atomic(path, _turtle(ntriples(triples(frame))))
    return n


def _write_parquet(path: Path, n: int, seed: int, invalid_rate: float) -> None:
    """The cohort as a Parquet case frame (the wide columns; the Spark engine's input): CSV
    rows read by the same readers, so a planted defect is a field error in the frame."""
    # lazy: the Spark engine's modules load only on this (parquet) route
    from calcinosis_kg.cases.spark_io import checked_frames, frame_parquet

    tmp = path.with_suffix(".synth.csv")
    write_atomic(tmp, to_csv(iter_rows(n, seed, invalid_rate)))
    try:
        data = frame_parquet(checked_frames([tmp]))
    finally:
        tmp.unlink(missing_ok=True)
    write_atomic(path, data)
