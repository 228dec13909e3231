"""Terminal-safe text: what a label may not do to the terminal it is printed on.

Why a module of its own: labels, query results and search hits come from input files, and an
input file can hold raw escape sequences (OSC to retitle a window or write a hyperlink, CSI to move
the cursor or clear the screen). Text meant for a human (tables, search lines, messages) passes
through ``terminal_safe``, which shows every control character as a visible escape; formats meant
for programs (CSV, JSON) keep the data exact, and TSV, which has no quoting, escapes only what
would break its rows, reversibly.

>>> terminal_safe("a\\x1b]0;pwned\\x07b")
'a\\\\x1b]0;pwned\\\\x07b'
>>> tsv_field("a\\tb\\\\c")
'a\\\\tb\\\\\\\\c'
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls and DEL; also the bidirectional overrides and isolates that reorder text
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_TSV = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\\": "\\\\"}


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, keep_newlines: bool = False) -> str:
    """``text`` with control characters shown as ``\\xNN`` / ``\\uNNNN`` (tab kept; newline
    kept only if ``keep_newlines``)."""
    if not keep_newlines:
        text = text.replace("\n", "\\n")
    safe = _CONTROL.sub(_escape, text.replace("\r", "\\r"))
    return "".join(ch if unicodedata.category(ch) != "Cs" else "\\ufffd" for ch in safe)


def tsv_field(text: str) -> str:
    """One TSV field: tab, newline, carriage return and backslash escaped (reversibly)."""
    return re.sub(r"[\t\n\r\\]", lambda m: _TSV[m.group(0)], text)
