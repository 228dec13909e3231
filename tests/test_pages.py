"""A type page of the documentation site is the class card of ``show`` (``publish.pages``):
the same rows in the same words, the same numbered notes, folded ancestors and subtypes'
entries, rendered from the one layout (``answers.show_sheet``), never a second reading of the
graph."""

from __future__ import annotations

import html
import re

import pytest

from calcinosis_kg.answers import show_sheet
from calcinosis_kg.answers.show import card
from calcinosis_kg.answers.show_lines import row_text
from calcinosis_kg.answers.show_render import render
from calcinosis_kg.answers.show_sheet import Folded, sheet
from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.publish.docs import build_site
from calcinosis_kg.publish.pages import Renderer
from calcinosis_kg.publish.site_data import type_hierarchy

TYPES = ("CCKG:0000001", "CCKG:0000002", "CCKG:0000005", "CCKG:0000012", "CCKG:0000020")


@pytest.fixture(scope="module")
def kg():
    return load()


def words(page: str) -> str:
    inline = re.sub(r"</?(?:a|span|code)\b[^>]*>", "", page)  # a term's link: no space added
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def page_of(kg, curie: str) -> str:
    laid = sheet(card(kg, expand(curie)), list_all=True)  # as build_site lays out a page
    return Renderer(type_hierarchy(kg)[0], "test").type_page(laid, None)


@pytest.mark.parametrize("curie", TYPES)
def test_every_row_and_note_of_the_show_card_is_on_the_type_page(kg, curie) -> None:
    laid = sheet(card(kg, expand(curie)), list_all=True)
    page = page_of(kg, curie)
    text = words(page)
    rows = [
        (r, False)
        for s in laid.sections
        for e in s.entries
        for r in (e.rows if isinstance(e, Folded) else (e,))
    ] + [(r, True) for k in laid.kinds for r in k.rows]
    assert rows
    for row, of_kind in rows:  # the row's line as `show` prints it
        assert " ".join(row_text(row, of_kind).split()) in text, row_text(row, of_kind)
    found = [
        (int(n), html.unescape(note))
        for n, note in re.findall(r'<li value="(\d+)">(.*?)</li>', page)
    ]
    assert [n for n, _ in found] == list(range(1, len(laid.notes) + 1))
    for (_, note), support in zip(found, laid.notes, strict=True):
        assert note.startswith(f'"{support.quote}"')
    for kind in laid.kinds:  # a subtype's entry links to its page
        assert f'href="{expand(kind.term.curie).rsplit("/", 1)[-1].replace(":", "_")}.html"' in page


def test_the_type_page_says_what_show_says_of_the_calcinosis_cutis_card(kg) -> None:
    """Every statement line, the key, the reference-range line and each note of the text card
    is on the page (the text card wraps long rows: compared joined)."""
    text = words(page_of(kg, "CCKG:0000001"))
    shown = render(card(kg, expand("CCKG:0000001")), list_all=True)
    body, _ = re.split(r"\nNOTES \(.*\)\n", shown)
    for line in body.splitlines():
        if line.startswith(("key: ", "reference ranges: ", "parents: ", "mappings: ")):
            assert " ".join(line.split()) in text, line


def test_a_change_to_the_sheet_model_changes_show_and_the_page_alike(
    kg, monkeypatch, tmp_path
) -> None:
    """``show`` and ``calcinosis-kg docs`` read the one layout: leave the sites out of the sheet
    and neither has them."""

    def built_page() -> str:
        build_site(kg, tmp_path / "site", with_diagrams=False)
        return (tmp_path / "site" / "types" / "CCKG_0000020.html").read_text(encoding="utf-8")

    original = show_sheet.merged
    monkeypatch.setattr(
        show_sheet,
        "merged",
        lambda statements: original([s for s in statements if s.group != "sites"]),
    )
    page = built_page()
    shown = render(card(kg, expand("CCKG:0000020")))
    for text in (words(page), shown):
        assert "elbow (UBERON:0001461)" not in text and "—disease has location→" not in text
    monkeypatch.undo()
    assert "elbow (UBERON:0001461)" in words(built_page())
