"""Run-unique case ids from polars columns give what a dict of every id gave, chunk by chunk."""

from __future__ import annotations

import random

import polars as pl
import pytest

from calcinosis_kg.cases import run_ids
from calcinosis_kg.cases.run_ids import Identifiers


class DictOracle:
    """The former rule: a dict of every id seen and its source (the specification)."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}
        self.copies: dict[str, int] = {}

    def check(self, ids: list[str], sources: list[str], errors: list[list[str]]) -> list:
        out = []
        for case_id, source, errs in zip(ids, sources, errors, strict=True):
            if case_id not in self.first:
                self.first[case_id] = source
                out.append((case_id, errs))
                continue
            n = self.copies.get(case_id, 1) + 1
            while f"{case_id}.dup{n}" in self.first:
                n += 1
            self.copies[case_id] = n
            new = f"{case_id}.dup{n}"
            self.first[new] = source
            placeholder = any(e.startswith(("case_id: ", "phenopacket: ")) for e in errs)
            message = f"case_id: duplicate of the record at {self.first[case_id]}"
            out.append((new, errs if placeholder else [*errs, message]))
        return out


def chunk(ids: list[str], start: int) -> pl.DataFrame:
    errors = [["case_id: missing"] if i.startswith("line-") else [] for i in ids]
    return pl.DataFrame(
        {
            "case_id": ids,
            "source": [f"f.csv:{start + k}" for k in range(len(ids))],
            "errors": errors,
        },
        schema={"case_id": pl.String, "source": pl.String, "errors": pl.List(pl.String)},
    )


def same_as_the_dict(chunks: list[list[str]]) -> None:
    oracle, ours, start = DictOracle(), Identifiers(), 0
    for ids in chunks:
        frame = chunk(ids, start)
        start += len(ids)
        expected = oracle.check(ids, frame["source"].to_list(), frame["errors"].to_list())
        got = ours.check(frame)
        assert list(zip(got["case_id"], got["errors"].to_list(), strict=True)) == expected


@pytest.mark.parametrize("seed", range(12))
def test_random_repeats_across_and_within_chunks_match_the_dict(seed: int) -> None:
    rng = random.Random(seed)
    pool = [f"c{k}" for k in range(40)] + ["c1.dup2", "c2.dup3", "line-1", "line-1.dup2"]
    chunks = [
        [rng.choice(pool) for _ in range(rng.randint(0, 30))] for _ in range(rng.randint(1, 8))
    ]
    same_as_the_dict(chunks)


def test_ids_sharing_a_hash_are_told_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    # every id falls into one of 3 hashes: each hit must be confirmed on the id itself
    monkeypatch.setattr(run_ids, "_hash", lambda ids: (ids.str.len_bytes() % 3).cast(pl.UInt64))
    same_as_the_dict([["a", "bb", "ccc"], ["dddd", "a", "eeeee"], ["ffffff", "a.dup2", "bb"]])


def test_a_chunk_without_repeats_keeps_its_frame_and_takes_no_row_loop(monkeypatch) -> None:
    ids = Identifiers()
    ids.check(chunk([f"x{k}" for k in range(1000)], 0))
    monkeypatch.setattr(Identifiers, "_rename", lambda *_a: pytest.fail("per-row path taken"))
    frame = chunk([f"y{k}" for k in range(1000)], 1000)
    assert ids.check(frame) is frame


def test_many_chunks_keep_few_sorted_runs() -> None:
    ids = Identifiers()
    for k in range(64):
        ids.check(chunk([f"{k}-{j}" for j in range(10)], 10 * k))
    assert len(ids.runs) <= 7 and sum(len(r) for r in ids.runs) == 640
    assert all(r.is_sorted() for r in ids.runs)
    again = ids.check(chunk(["0-0", "63-9", "new"], 640))
    assert again["case_id"].to_list() == ["0-0.dup2", "63-9.dup2", "new"]
