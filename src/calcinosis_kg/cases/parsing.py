"""Bounded, strict reading for the case readers: lines, CSV records, JSON records, numbers, ages.

Why a module of its own: case files come from registries and spreadsheets, so every byte is
untrusted, and one bad record must never take the others with it. Files are opened and read
through ``graph.input_limits`` (the loader's rule: regular files only, at most
``CALCINOSIS_KG_MAX_INPUT_MB``, lines and records within ``CALCINOSIS_KG_MAX_RECORD_KB``). What
one record gets wrong (a bad
byte, a JSON line that does not parse, a number nested too deep or too long to convert, a lone
surrogate) comes back as that record's problem, with its line; only what makes the rest of a file
unreadable (a header, an unclosed quote, a broken JSON list) is an ``InputError`` for the file.

Scalars are read strictly: ``4_0``, Arabic-Indic digits, ``P-5Y`` are errors that say why,
never values Python would quietly accept.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.input_limits import (
    bounded_lines,
    limit,
    open_regular_file,
    read_regular_file,
    too_long,
)

#: the largest magnitude a case number may have: beyond it a value is no measurement, and the
#: writers' fixed-point decimals (6 places in 64 bits) would overflow
PLAUSIBLE = 1e9
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DURATION = re.compile(
    r"P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?"
    r"(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
    r"(?:(\d+(?:\.\d+)?)S)?)?",
    re.ASCII,
)
_PER_YEAR = (1, 12, 365.25 / 7, 365.25, 365.25 * 24, 365.25 * 24 * 60, 365.25 * 24 * 3600)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
SHOWN = 80


#: identifiers one list field of one record may hold (diseases, sites, treatments …): a case
#: with more is no case, and the work per item (mapping, triples, shapes) must stay bounded
MOST_ITEMS = 1000


def too_many(n: int) -> str | None:
    """The field error for a list of ``n`` items, or None if it is within ``MOST_ITEMS``."""
    return (
        f"{n:,} items, more than the {MOST_ITEMS:,} one field of a record may list"
        if n > MOST_ITEMS
        else None
    )


def shown(value: object, most: int = SHOWN) -> str:
    """``repr(value)`` cut to about ``most`` characters (a 50 MB identifier must not become a
    50 MB message)."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    if len(text) <= most:
        return text
    return f"{text[:most]}… ({len(str(value)):,} characters)"


def clip(message: str, most: int = 400) -> str:
    """A message kept to its head and tail (the head names the value, the tail says why)."""
    if len(message) <= most:
        return message
    return f"{message[: most // 2]} … {message[-(most // 2) :]}"


def number_syntax(text: str) -> str:
    """``text`` stripped if it is a decimal number written with ASCII digits (sign, ``.``,
    exponent allowed); else ValueError saying why (``float`` and ``Decimal`` would read ``4_0``
    as 40 and Arabic-Indic digits as numbers)."""
    cell = text.strip()
    if not _NUMBER.fullmatch(cell):
        why = (
            "digit separators such as '_' are not read"
            if "_" in cell
            else "only the ASCII digits 0-9 are read"
            if any(c.isdigit() and not c.isascii() for c in cell)
            else "expected digits with an optional sign, '.' and exponent"
        )
        raise ValueError(f"{shown(text)} is not a number ({why})")
    return cell


def number(text: str) -> float:
    """A decimal number (``number_syntax``), finite and below ``PLAUSIBLE`` in magnitude; else
    ValueError saying why."""
    value = float(number_syntax(text))
    if not math.isfinite(value) or abs(value) >= PLAUSIBLE:
        raise ValueError(f"{shown(text)} is not a plausible finite number")
    return value


def is_number(text: str) -> bool:
    """Whether ``number`` accepts ``text`` (a plausible finite number in ASCII digits)."""
    try:
        number(text)
    except ValueError:
        return False
    return True


def duration_years(text: str) -> float:
    """An ISO 8601 duration (``PnYnMnWnDTnHnMnS``) in years; ValueError saying why otherwise."""
    found = _DURATION.fullmatch(text)
    if found is None:
        why = "a negative age" if "-" in text else "expected PnYnMnWnDTnHnMnS, e.g. P24Y6M"
        raise ValueError(f"{shown(text)} is not an ISO 8601 duration ({why})")
    if not any(found.groups()):
        raise ValueError(
            f"{shown(text)} is an empty duration (no number of years, months, weeks, days or hours)"
        )
    years = sum(
        float(part) / per for part, per in zip(found.groups(), _PER_YEAR, strict=True) if part
    )
    if not math.isfinite(years) or years >= PLAUSIBLE:
        raise ValueError(f"{shown(text)} is not a plausible age")
    return round(years, 6)  # days matter to the age bands of the reference ranges


# ------------------------------------------------------------------------------- text


def _decode(raw: bytes, line: int) -> tuple[str, str | None]:
    """The line's text and, for bytes that are not UTF-8, why (the text then shows U+FFFD)."""
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return (
            raw.decode("utf-8", errors="replace"),
            f"not UTF-8: byte 0x{raw[exc.start]:02x} at line {line}, column {exc.start + 1}",
        )


def csv_records(path: Path, first_line: int = 1) -> Iterator[tuple[int, list[str], list[str]]]:
    """(line where the record starts, cells, problems of that record) for each CSV record, from
    line ``first_line`` on (a record must start there).

    A bad byte, a malformed quote inside one record or a bad line end are problems of that
    record; a header that is not UTF-8, a line or field over ``CALCINOSIS_KG_MAX_RECORD_KB`` and a
    quote that never closes end the file with one ``InputError`` naming the line where the
    record started (the records before it stand).
    """
    bad: dict[int, str] = {}
    offset = first_line - 1

    def lines() -> Iterator[str]:
        with open_regular_file(path) as handle:
            for number_, raw in bounded_lines(handle, path):
                if number_ < first_line:
                    continue
                if raw is None:
                    raise too_long(path, number_)
                if number_ == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]
                text, problem = _decode(raw, number_)
                if problem is not None:
                    if number_ == 1:
                        raise InputError(f"not UTF-8 text ({problem})", path, 1)
                    bad[number_] = problem
                yield text

    previous = csv.field_size_limit(limit("CALCINOSIS_KG_MAX_RECORD_KB"))
    try:
        reader = csv.reader(lines(), strict=True)
        while True:
            start = reader.line_num + 1 + offset
            try:
                cells = next(reader)
                problems: list[str] = []
            except StopIteration:
                return
            except csv.Error as exc:
                text = str(exc)
                if "field larger than field limit" in text:
                    kb = limit("CALCINOSIS_KG_MAX_RECORD_KB") // 1024
                    raise InputError(
                        f"a field longer than {kb} KB in the record starting here "
                        "(a quote that never closes?) refused (raise "
                        "CALCINOSIS_KG_MAX_RECORD_KB)",
                        path,
                        start,
                    ) from None
                if "unexpected end of data" in text:
                    raise InputError(
                        "unterminated quoted field: the record starting here runs "
                        "to the end of the file",
                        path,
                        start,
                    ) from None
                if "new-line character seen in unquoted field" in text:
                    raise InputError(
                        "a carriage return inside an unquoted field (classic Mac "
                        "line ends?): save with LF or CRLF line ends",
                        path,
                        start,
                    ) from None
                cells, problems = [], [f"malformed CSV: {text}"]
            if bad:
                for line in range(start, reader.line_num + offset + 1):
                    if line in bad:
                        problems.append(bad.pop(line))
            yield start, cells, problems
    finally:
        csv.field_size_limit(previous)


# ------------------------------------------------------------------------------- JSON


def _json_problem(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "not readable: JSON nested too deeply"
    if "integer string conversion" in str(exc):  # Python's guard against quadratic int parsing
        return "not readable: an integer of more than 4300 digits"
    return f"not readable: {clip(' '.join(str(exc).split()), 200)}"


_JSON_ERRORS = (ValueError, RecursionError, OverflowError, MemoryError)


class _Keys:
    """``object_pairs_hook`` that notes a key given twice in one object (``json`` keeps the last
    silently, so the record would depend on the order of its keys)."""

    def __init__(self) -> None:
        self.repeated: list[str] = []

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs) and not self.repeated:
            seen: set[str] = set()
            for key, _value in pairs:
                if key in seen:
                    self.repeated.append(key)
                    break
                seen.add(key)
        return out


def _checked(item: Any, text: str, keys: _Keys) -> tuple[Any, str | None]:
    """``item`` unless one of its objects repeats a key, or its text escapes a lone UTF-16
    surrogate (``\\ud800``), which is no character: polars, protobuf and every writer would
    fail on it."""
    if keys.repeated:
        key = keys.repeated.pop()
        keys.repeated.clear()
        return None, f"not readable: key {shown(key)} given twice in one object"
    if _SURROGATE_ESCAPE.search(text) is None:
        return item, None
    stack = [item]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError as exc:
                return None, (
                    f"not readable: a lone UTF-16 surrogate "
                    f"(\\u{ord(node[exc.start]):04x}) is not a character"
                )
    return item, None


def json_lines(path: Path) -> Iterator[tuple[int, Any, str | None]]:
    """(line, object, problem) per non-blank line of a JSON Lines file: a line that is too long,
    not UTF-8 or not JSON is that record's problem, and the next line is read."""
    keys = _Keys()
    with open_regular_file(path) as handle:
        for line, raw in bounded_lines(handle, path):
            found = json_line(line, raw, keys)
            if found is not None:
                yield found


def json_line(line: int, raw: bytes | None, keys: Any = None) -> tuple[int, Any, str | None] | None:
    """One line of a JSON Lines file (``raw`` None: longer than the limit) as (line, object,
    problem), or None for a blank line; the declarative readers send here the lines they do not
    read themselves."""
    keys = keys if keys is not None else _Keys()
    if raw is None:
        kb = limit("CALCINOSIS_KG_MAX_RECORD_KB") // 1024
        return line, None, f"not read: line longer than {kb} KB (raise CALCINOSIS_KG_MAX_RECORD_KB)"
    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    text, problem = _decode(raw, line)
    if problem is not None:
        return line, None, problem
    text = text.rstrip("\r\n")
    if not text.strip():
        return None
    try:
        item = json.loads(text, object_pairs_hook=keys)
    except _JSON_ERRORS as exc:
        keys.repeated.clear()
        if isinstance(exc, json.JSONDecodeError):
            return line, None, f"not JSON: {exc.msg} (column {exc.colno})"
        return line, None, _json_problem(exc)
    return (line, *_checked(item, text, keys))


def json_items(path: Path, data: bytes | None = None) -> Iterator[tuple[int, Any, str | None]]:
    """(line where it starts, object, problem) per record of a JSON file: one object, or a list
    read item by item, so the items before a broken one stand. A record larger than
    ``CALCINOSIS_KG_MAX_RECORD_KB`` is that record's problem; text that is not JSON ends the file
    with an ``InputError`` at its line (nothing after it can be located). ``data``: the file's
    bytes, already read (Spark hands over a file it does not map itself)."""

    data = read_regular_file(path) if data is None else data
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", path, line) from None
    keys = _Keys()
    decoder = json.JSONDecoder(object_pairs_hook=keys)
    biggest = limit("CALCINOSIS_KG_MAX_RECORD_KB")
    ws = re.compile(r"[ \t\r\n]*")
    pos = ws.match(text, 0).end()  # type: ignore[union-attr]
    listed = text.startswith("[", pos)
    if listed:
        pos = ws.match(text, pos + 1).end()  # type: ignore[union-attr]
        if text.startswith("]", pos):  # an empty list: no records
            if ws.match(text, pos + 1).end() != len(text):  # type: ignore[union-attr]
                raise InputError(
                    "not JSON: extra data after the list", path, text.count("\n", 0, pos) + 1
                )
            return
    line, counted = 1, 0
    while True:
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            item, end = decoder.raw_decode(text, pos)
        except _JSON_ERRORS as exc:
            if isinstance(exc, json.JSONDecodeError):
                raise InputError(f"not JSON: {exc.msg}", path, exc.lineno, exc.colno) from None
            raise InputError(
                f"{_json_problem(exc)} (the rest of the file is not read)", path, line
            ) from None
        record = text[pos:end]
        if len(record) > biggest or len(record.encode("utf-8", "surrogatepass")) > biggest:
            keys.repeated.clear()
            yield (
                line,
                None,
                (
                    f"not read: record larger than {biggest // 1024} KB (raise "
                    "CALCINOSIS_KG_MAX_RECORD_KB)"
                ),
            )
        else:
            yield (line, *_checked(item, record, keys))
        pos = ws.match(text, end).end()  # type: ignore[union-attr]
        if listed and text.startswith(",", pos):
            pos = ws.match(text, pos + 1).end()  # type: ignore[union-attr]
            continue
        if listed and text.startswith("]", pos):
            pos = ws.match(text, pos + 1).end()  # type: ignore[union-attr]
            listed = False
        if pos < len(text) or listed:
            at = text.count("\n", 0, pos) + 1
            raise InputError(
                "not JSON: "
                + (
                    "expected ',' or ']' after a record"
                    if listed
                    else "extra data after the record"
                ),
                path,
                at,
            )
        return
