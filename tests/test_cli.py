"""``calcinosis_kg.cli.main``: every error that reaches it is one line and exit 2."""

from __future__ import annotations


def test_an_unexpected_exception_is_one_internal_error_line_and_exit_2(run_cli, monkeypatch):
    from calcinosis_kg.answers import search

    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(search, "search", broken)
    code, out, err = run_cli("search", "calcification")
    assert code == 2 and out == ""
    assert err == (
        "calcinosis-kg: internal error: RuntimeError: a bug over two lines "
        "(rerun with --debug for the traceback)\n"
    )


def test_debug_shows_the_traceback_of_an_unexpected_exception(run_cli, monkeypatch):
    import pytest

    from calcinosis_kg.answers import search

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(search, "search", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        run_cli("--debug", "search", "calcification")
