"""The CSV layout read straight into the wide frame: lines and cells by polars expressions, the
rules (``cases.csv_rules``) once per distinct value of their cells.

Why: building a Python ``Record`` per row cost ~100 µs a row, most of a run. Here polars splits
the lines and cells of a block, and ``csv_rules.read_rows`` turns them into the wide rows.

What this reader cannot read exactly goes to the record reader (``readers.read_csv``), so the
output is the same byte for byte: a row whose cell count differs from the header's (that row
only), and from the first block that holds a quote, a NUL, a lone carriage return, bytes that
are not UTF-8 or a line over ``CALCINOSIS_KG_MAX_RECORD_KB`` (the rest of the file: a quoted
field may span lines). Blocks of ``BLOCK`` bytes, cut at a line end, keep memory bounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from calcinosis_kg.cases import csv_fields as f
from calcinosis_kg.cases import readers
from calcinosis_kg.cases.csv_rules import Rules, read_rows
from calcinosis_kg.cases.frame import SCHEMA, to_frame
from calcinosis_kg.cases.record import Record
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.input_limits import limit, open_regular_file

BLOCK = 8 * 1024 * 1024
#: what ``str.strip()`` strips: Python's whitespace, wider than Unicode's White_Space (a test
#: checks it against ``str.isspace`` over every code point)
SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: a line with a cell that ``str.strip()`` would change (a space at a cell's start or end)
PADDED = f"(?:^|,)[{re.escape(SPACE)}]|[{re.escape(SPACE)}](?:,|$)"


def frames(path: Path, complete: tuple[str, ...] = ()) -> Iterator[pl.DataFrame]:
    """Wide frames (``frame.SCHEMA``) of one CSV file, in line order."""

    longest = limit("CALCINOSIS_KG_MAX_RECORD_KB")
    most = limit("CALCINOSIS_KG_MAX_INPUT_MB")
    header: list[str] | None = None
    line0, total, exact = 1, 0, True
    rules = Rules()
    with open_regular_file(path) as handle:
        while True:
            block = handle.read(BLOCK)
            if block and not block.endswith(b"\n"):
                block += handle.readline(longest + 2)
            if not block:
                break
            total += len(block)
            if line0 == 1 and block.startswith(b"\xef\xbb\xbf"):
                block = block[3:]
            lines = _lines(block, longest) if total <= most else None
            if lines is None:
                exact = False
                break
            if header is None:
                header = readers.header_names(path, _split(lines["raw"][0]))
                lines = lines.slice(1)
                line0 += 1
            if lines.height:
                yield from _block(
                    path, header, lines.with_row_index("line", line0), complete, rules
                )
            line0 += lines.height
    if header is None or not exact:  # an empty file, or the rest is the record reader's
        yield from _records(readers.read_csv(path, header, line0), complete)


def _records(records: Iterator[Record], complete: tuple[str, ...]) -> Iterator[pl.DataFrame]:
    rows = []
    try:
        for record in records:
            if complete:
                record.declare_complete(complete)
            rows.append(record.row())
            if len(rows) >= 100_000:
                yield to_frame(rows)
                rows = []
    except InputError:  # the file cannot be read on: the records before it stand
        if rows:
            yield to_frame(rows)
        raise
    if rows:
        yield to_frame(rows)


def _lines(block: bytes, longest: int) -> pl.DataFrame | None:
    """The block's lines (``raw``, carriage return of CRLF dropped), or None when the block
    holds what only the record reader reads exactly."""
    crlf = b"\r" in block
    if b'"' in block or b"\x00" in block or (crlf and block.count(b"\r") != block.count(b"\r\n")):
        return None
    raw = split_lines(block, longest)
    if raw is None:
        return None
    return pl.DataFrame({"raw": raw.str.strip_suffix("\r") if crlf else raw})


def split_lines(block: bytes, longest: int) -> pl.Series | None:
    """The block's lines as they are (ends of line other than LF kept), or None when the block
    is not UTF-8 or a line is longer than ``longest`` bytes (the record reader reports those)."""
    try:
        text = block.decode("utf-8")
    except UnicodeDecodeError:
        return None
    raw = pl.Series("raw", [text]).str.split("\n").explode()
    if text.endswith("\n"):
        raw = raw.head(-1)
    return None if (raw.str.len_bytes() > longest).any() else raw


def _strip(cell: pl.Expr, padded: bool) -> pl.Expr:
    return cell.str.strip_chars(SPACE) if padded else cell


def _split(line: str) -> list[str]:
    return line.split(",") if line else []


def _block(
    path: Path, header: list[str], lines: pl.DataFrame, complete: tuple[str, ...], rules: Rules
) -> Iterator[pl.DataFrame]:
    """The rows of one block: blank lines skipped, rows with the header's cell count read by
    expressions, the others by the record reader; merged back in line order."""

    lines = lines.filter(pl.col("raw").str.strip_chars(SPACE + ",") != "")
    cells = pl.col("raw").str.split(",")
    lines = lines.with_columns(cells.alias("cells"))
    odd = lines.filter(pl.col("cells").list.len() != len(header))
    good = lines.filter(pl.col("cells").list.len() == len(header))
    parts = []
    if good.height:
        index = {name: i for i, name in enumerate(header)}  # the last one of a name, as dict()
        # no cell of the block starts or ends with a space: nothing to strip (most files)
        padded = good.select(pl.col("raw").str.contains(PADDED).any()).item()
        good = good.select(
            "line",
            *[
                (
                    _strip(pl.col("cells").list.get(index[c]), padded)
                    if c in index
                    else pl.lit(None, pl.String)
                ).alias(f"cell:{c}")
                for c in f.READ_CELLS
            ],
        )
        parts.append(read_rows(good, str(path), complete, rules))
    if odd.height:
        rows = []
        for line, raw in odd.select("line", "raw").iter_rows():
            record = readers.csv_record(path, header, line, _split(raw), [])
            if complete:
                record.declare_complete(complete)
            rows.append(record.row())
        parts.append(to_frame(rows).with_columns(odd["line"]).select("line", *SCHEMA))
    if len(parts) == 1:
        yield parts[0].drop("line")
    elif parts:  # none when every line of the block is blank
        yield pl.concat(parts).sort("line").drop("line")
