"""Case files -> frames of the wide rows, chunk by chunk, whatever the file kind.

Why its own module: the pipeline validates and classifies frames; which reader makes them (the
vectorised CSV reader, the record reader for Phenopackets and for what the CSV reader hands
over, the RDF reader, a Parquet case frame) and how they are cut into chunks of exactly the same
size (so that no output depends on the reader) is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

from calcinosis_kg.cases import csv_frame, packet_polars, readers
from calcinosis_kg.cases.frame import SCHEMA, to_frame
from calcinosis_kg.cases.rdf_input import read_rdf
from calcinosis_kg.core.errors import InputError

CHUNK = 100_000
#: CSV files through ``cases.csv_frame``, JSON Lines of Phenopackets through
#: ``cases.packet_polars`` (False: every record through the record reader, which the equality
#: tests use as the reference)
VECTORISED = True


def iter_frames(
    paths: Iterable[Path | str],
    chunk: int = CHUNK,
    failed: list[InputError] | None = None,
    complete: tuple[str, ...] = (),
) -> Iterator[pl.DataFrame]:
    """Frames of exactly ``chunk`` cases (the last one fewer), in file order; a Parquet or Turtle
    file ends the frame before it and is a frame (or frames) of its own.

    A file that cannot be read (or read on) raises its ``InputError``; with ``failed`` given, the
    error is appended there instead and the next file is read (the records read before it in
    that file stand): one bad file in a folder never costs the others. ``complete`` names the
    lists ("diseases", "exposures") the sources declare complete (``--complete-lists``).
    """

    held = _Held(chunk)
    for path in readers.input_files(paths, failed):
        try:
            suffix = path.suffix.lower()
            if suffix == ".parquet":  # a case frame (cases synth --output F.parquet)
                yield from held.flush()
                yield from read_frame_parquet(path, chunk)
            elif suffix in (".ttl", ".jsonld", ".nt"):
                frame = read_rdf(path)
                yield from held.flush()
                yield frame
            elif suffix == ".csv" and VECTORISED:
                for frame in csv_frame.frames(path, complete):
                    yield from held.add(frame)
            elif suffix in (".jsonl", ".ndjson") and VECTORISED:
                for frame in packet_polars.frames(path, complete):
                    yield from held.add(frame)
            else:
                rows: list[dict] = []
                try:
                    for record in readers.read_records(path):
                        if complete:
                            record.declare_complete(complete)
                        rows.append(record.row())
                        if len(rows) >= chunk:
                            yield from held.add(to_frame(rows))
                            rows = []
                finally:
                    if rows:
                        held.keep(to_frame(rows))
        except InputError as exc:
            if failed is None:
                raise
            failed.append(exc)
    yield from held.flush()


class _Held:
    """Frames held until ``chunk`` rows are there: every chunk but the last has ``chunk`` rows,
    whichever reader and file the rows came from."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self.frames: list[pl.DataFrame] = []
        self.rows = 0

    def keep(self, frame: pl.DataFrame) -> None:
        if frame.height:
            self.frames.append(frame)
            self.rows += frame.height

    def add(self, frame: pl.DataFrame) -> Iterator[pl.DataFrame]:
        self.keep(frame)
        if self.rows >= self.chunk:
            whole = pl.concat(self.frames) if len(self.frames) > 1 else self.frames[0]
            cut = self.rows - self.rows % self.chunk
            for start in range(0, cut, self.chunk):
                yield whole.slice(start, self.chunk)
            rest = whole.slice(cut)
            self.frames, self.rows = ([rest] if rest.height else []), rest.height

    def flush(self) -> Iterator[pl.DataFrame]:
        if self.frames:
            yield pl.concat(self.frames) if len(self.frames) > 1 else self.frames[0]
        self.frames, self.rows = [], 0


def read_frame_parquet(path: Path, chunk: int = CHUNK) -> Iterator[pl.DataFrame]:
    """A Parquet case frame in chunks, checked against the wide schema (exit 2 otherwise)."""

    try:
        lazy = pl.scan_parquet(path)
        names = lazy.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise InputError(f"not a Parquet file: {str(exc).splitlines()[0]}", path) from None
    missing = [c for c in SCHEMA if c not in names]
    if missing:
        raise InputError(f"not a case frame: no column {missing[0]}", path)
    # one chunk in memory at a time: the scan reads only the row groups a slice needs
    total = lazy.select(pl.len()).collect().item()
    wide = lazy.select([pl.col(c).cast(t) for c, t in SCHEMA.items()])
    for start in range(0, total, chunk):
        yield wide.slice(start, chunk).collect()
