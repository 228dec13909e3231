"""The cohort report: deterministic HTML with SVG charts, checked in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import chromium

from calcinosis_kg.cases.report import write_report

DATA = Path(__file__).parent / "cases_data"
SECTIONS = ["status", "types", "calcium", "phosphate", "sites", "diseases", "agreement", "invalid"]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    return write_report([DATA / "vignettes.csv", DATA / "bad_rows.csv"], folder)


def test_report_has_every_section_and_the_invalid_records(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'id="{section}"' in html
    assert "bad-sex" in html and "one of male, female, other, unknown" in html
    assert "reference range 2.1–2.6 mmol/L" in html  # read from the ontology's CCKG:0000611


def test_report_is_byte_identical_for_the_same_input(page: Path, tmp_path: Path) -> None:
    again = write_report([DATA / "vignettes.csv", DATA / "bad_rows.csv"], tmp_path)
    assert again.read_bytes() == page.read_bytes()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    yield from chromium(tmp_path_factory.mktemp("chromium-profile"), "1000,2600")


def test_report_renders_its_charts_in_chromium_without_errors(page: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    browser.get_log("browser")
    browser.get(page.as_uri())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    charts = browser.find_elements(By.TAG_NAME, "svg")
    assert len(charts) >= 6
    assert all(c.size["width"] > 100 and c.size["height"] > 20 for c in charts)
    bars = browser.find_elements(By.CSS_SELECTOR, "#types + p + svg rect")
    assert len(bars) == 9  # one bar per type the vignettes reach (the dog form since issue 16)
    browser.save_screenshot(str(page.parent / "report.png"))
    assert (page.parent / "report.png").stat().st_size > 10_000
