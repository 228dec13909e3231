"""The one rule for what input is readable and how large (loader and case readers alike)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.input_limits import bounded_lines, open_regular_file, read_regular_file


@pytest.mark.parametrize("kind", ["fifo", "link to /dev/zero", "directory"])
def test_only_regular_files_are_opened(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "input.csv"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading would block until a writer appears
    elif kind == "directory":
        path.mkdir()
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(InputError, match="not a regular file|is a directory"):
        open_regular_file(path)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_INPUT_MB", "1")
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * (1024 * 1024 + 1))
    with pytest.raises(InputError, match="larger than 1 MB"):
        open_regular_file(path)
    with pytest.raises(InputError, match="larger than 1 MB"):
        read_regular_file(path)


def test_a_line_over_the_record_limit_comes_back_as_none_and_reading_goes_on(monkeypatch) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_RECORD_KB", "1")
    handle = io.BytesIO(b"a\n" + b"x" * 5000 + b"\nb\n" + b"y" * 1023 + b"\n")
    lines = list(bounded_lines(handle, Path("f")))
    assert lines == [(1, b"a\n"), (2, None), (3, b"b\n"), (4, b"y" * 1023 + b"\n")]


def test_lines_read_stop_at_the_input_size_limit_even_if_the_file_grows(monkeypatch) -> None:
    monkeypatch.setenv("CALCINOSIS_KG_MAX_INPUT_MB", "1")
    handle = io.BytesIO(b"0123456789\n" * 200_000)  # 2.2 MB behind a handle that passed stat
    with pytest.raises(InputError, match="larger than 1 MB"):
        list(bounded_lines(handle, Path("f")))
