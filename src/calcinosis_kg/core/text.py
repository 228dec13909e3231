"""Terminal-safe text: what a label may not do to the terminal it is printed on.

Why a module of its own: labels, query results and search hits come from input files, and an
input file can hold raw escape sequences (OSC to retitle a window or write a hyperlink, CSI to move
the cursor or clear the screen). Text meant for a human (tables, search lines, messages) passes
through ``terminal_safe``, which shows every control character as a visible escape; formats meant
for programs (CSV, JSON) keep the data exact, and TSV, which has no quoting, escapes only what
would break its rows, reversibly. CSV meant for spreadsheets also passes through
``spreadsheet_safe``: a cell a spreadsheet would run as a formula gets a leading ``'``.

>>> terminal_safe("a\\x1b]0;pwned\\x07b")
'a\\\\x1b]0;pwned\\\\x07b'
>>> tsv_field("a\\tb\\\\c")
'a\\\\tb\\\\\\\\c'
>>> spreadsheet_safe("=1+2"), spreadsheet_safe("-1.5")
("'=1+2", '-1.5')
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# C0 and C1 controls and DEL; also the bidirectional overrides and isolates that reorder text
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_TSV = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\"}
#: OWASP "CSV injection": a cell starting with = + - @, tab or carriage return (after any
#: blanks an importer may trim) is run as a formula by spreadsheets; a plain number is not
FORMULA_START = r"^(?:[\t\r]|[ \t\r\n]*[=+\-@])"
PLAIN_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"  # the whole cell
_FORMULA = re.compile(FORMULA_START)
_PLAIN = re.compile(PLAIN_NUMBER)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control characters shown as ``\\xNN`` / ``\\uNNNN`` (tab kept; newline
    kept only if ``keep_newlines``)."""
    if not keep_newlines:
        text = text.replace("\n", "\\n")
    safe = _CONTROL.sub(_escape, text.replace("\r", "\\r"))
    return _SURROGATE.sub("\\\\ufffd", safe) if not safe.isascii() else safe


def spreadsheet_safe(cell: str) -> str:
    """``cell`` with a leading ``'`` if a spreadsheet would read it as a formula (``=…``,
    ``+…``, ``-…``, ``@…``, a leading tab or CR); numbers such as ``-1.5`` stay numbers. The
    same rule as ``FORMULA_START`` / ``PLAIN_NUMBER`` (used by the vectorised CSV writers)."""
    if _FORMULA.match(cell) and not _PLAIN.fullmatch(cell):
        return "'" + cell
    return cell


def tsv_field(text: str) -> str:
    """One TSV field: tab, newline, carriage return and backslash escaped (reversibly)."""
    return re.sub(r"[\t\n\r\\]", lambda m: _TSV[m.group(0)], text)


def aligned_table(columns: Sequence[str], rows: Sequence[Sequence[str]], more: str = "") -> str:
    """Columns aligned with two spaces, a dashed rule, then ``(N rows{more})``: the one text
    table of query answers and cohort queries (every cell escaped with ``terminal_safe``).

    >>> print(aligned_table(["term", "label"], [["HP:0001250", "Seizure"]]), end="")
    term        label
    ----------  -------
    HP:0001250  Seizure
    (1 row)
    """
    heads = [terminal_safe(c) for c in columns]
    cells = [[terminal_safe(v) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(heads)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(heads, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''}{more})")
    return "\n".join(lines) + "\n"
