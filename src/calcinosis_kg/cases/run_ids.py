"""Case ids unique across one run, without a Python object per id.

Why: a repeated id must be found across every file and chunk of a run (10M cases and more), and
a dict of every id and its source grew by about 230 MB per million cases. Here the ids seen are
polars columns (id, source and a 64-bit hash: about 45 bytes per case), and membership is a
binary search in sorted runs of hashes (merged as they grow, like a log-structured tree), so a
chunk without a repeated id costs a hash and a search, not a loop. A hash hit is confirmed on the
id itself (two ids may share a hash), and only chunks with a repeat take the per-row path, which
gives exactly what the dict gave: the later record is renamed ``<id>.dup<n>`` with an error
naming where the first one is.
"""

from __future__ import annotations

import polars as pl

SEED = 0x5EED  # any fixed seed: the hashes live only as long as the run


def _hash(ids: pl.Series) -> pl.Series:
    return ids.hash(seed=SEED)


class Identifiers:
    """Case ids seen so far in one run (every file, every chunk): a repeated id is an error of
    the later record, which gets a run-unique id (``<id>.dup2`` …) so that no join on the id
    can pair it with the first one (two copies of 32 records are 64 records, not 128)."""

    def __init__(self) -> None:
        self.runs: list[pl.Series] = []  # sorted hashes, largest first
        self.seen: list[pl.DataFrame] = []  # h, case_id, source per chunk
        self.copies: dict[str, int] = {}  # repeated id -> last copy number given

    def _found(self, hashes: pl.Series) -> pl.Series:
        """Is each hash among the hashes of the ids seen before this chunk?"""
        out = pl.Series("found", [False] * len(hashes), dtype=pl.Boolean)
        for run in self.runs:
            at = run.search_sorted(hashes).clip(0, len(run) - 1)
            out = out | (run.gather(at) == hashes)
        return out

    def _sources(self, hashes: pl.Series) -> dict[str | None, str]:
        """The ids seen before with one of ``hashes``, and their sources (a hit confirmed on
        the id itself)."""
        if not self.seen or not len(hashes):
            return {}
        hits = pl.concat(self.seen).filter(pl.col("h").is_in(hashes.implode()))
        return dict(zip(hits["case_id"].to_list(), hits["source"].to_list(), strict=True))

    def _add(self, ids: pl.Series, sources: pl.Series) -> None:
        if not len(ids):
            return
        hashes = _hash(ids).alias("h")
        self.seen.append(pl.DataFrame([hashes, ids.alias("case_id"), sources.alias("source")]))
        self.runs.append(hashes.sort())
        while len(self.runs) > 1 and len(self.runs[-1]) >= len(self.runs[-2]):
            last = self.runs.pop()
            self.runs[-1] = pl.concat([self.runs[-1], last]).sort()

    def check(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with every id seen before in the run (or earlier in ``frame``) renamed,
        and the renamed record's error added; the ids are then remembered."""
        ids, sources = frame["case_id"], frame["source"]
        hashes = _hash(ids)
        earlier = self._found(hashes)
        again = ~ids.is_first_distinct()  # a repeat within the chunk
        if not (earlier | again).any():
            self._add(ids, sources)
            return frame
        frame = self._rename(frame, self._sources(hashes.filter(earlier)))
        self._add(frame["case_id"], sources)
        return frame

    def _rename(self, frame: pl.DataFrame, before: dict[str | None, str]) -> pl.DataFrame:
        """The dict's per-row rule, on a chunk known to repeat an id; ``before``: the ids of
        earlier chunks that this chunk repeats."""
        ids = frame["case_id"].to_list()
        sources = frame["source"].to_list()
        first: dict[str | None, str] = dict(before)  # this chunk's names, as given so far

        def known(name: str) -> bool:
            return name in first or name in self._sources(_hash(pl.Series([name])))

        renamed: dict[int, tuple[str, str | None]] = {}
        for index, (case_id, source) in enumerate(zip(ids, sources, strict=True)):
            if case_id not in first:
                first[case_id] = source
                continue
            n = self.copies.get(case_id, 1) + 1
            while known(f"{case_id}.dup{n}"):
                n += 1
            self.copies[case_id] = n
            new = f"{case_id}.dup{n}"
            first[new] = source
            # a missing or unreadable id, or a record that could not be read at all, has its
            # own error already (its placeholder may repeat one from another file)
            placeholder = any(
                e.startswith(("case_id: ", "phenopacket: ")) for e in frame["errors"][index]
            )
            renamed[index] = (
                new,
                None if placeholder else f"case_id: duplicate of the record at {first[case_id]}",
            )
        errors = frame["errors"].to_list()
        for index, (new, message) in renamed.items():
            ids[index] = new
            if message is not None:
                errors[index] = [*errors[index], message]
        return frame.with_columns(
            pl.Series("case_id", ids, dtype=pl.String),
            pl.Series("errors", errors, dtype=pl.List(pl.String)),
        )
