"""User-facing errors: one clear line naming the file (and line/column), never a traceback."""

from __future__ import annotations

from pathlib import Path


class CalcinosisKGError(Exception):
    """Base class of errors the CLI reports as one line with exit code 2."""

    exit_code = 2


class InputError(CalcinosisKGError):
    """Bad input: malformed file, missing file, unknown query name, bad binding …"""

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The message as the CLI prints it: ``path:line:column: text``, whitespace collapsed.

        >>> InputError("bad  value\\n here", "cases.csv", 3, 7).one_line()
        'cases.csv:3:7: bad value here'
        >>> InputError("unknown query name").one_line()
        'unknown query name'
        """
        where = self.path or ""
        if where and self.line:
            where += f":{self.line}"
            if self.column:
                where += f":{self.column}"
        text = " ".join(self.message.split())
        return f"{where}: {text}" if where else text


class WriteError(CalcinosisKGError, OSError):
    """An output could not be written (names the user's path, never a temp file).

    Also an ``OSError``, so callers that treat a failed write as "not written" keep working.
    """
