"""The explorer page of ``calcinosis-kg serve``, end to end in headless Chromium: it loads, a
bundled question runs by clicking, the table shows the embedded engine's rows with labels, a class
card (the card of ``calcinosis-kg show``) opens from a link with its statements and sentences,
search finds a class, and written SPARQL runs.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (CI installs them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser_support import CHROMEDRIVER, CHROMIUM, MISSING, chromium
from serve_support import running

from calcinosis_kg.answers.queries import labelled, run_query
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.serve.dataset import build_dataset

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=MISSING)

QUESTION = "cq03-metastatic-most-frequent-cause"


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[object, str]]:
    kg = load()
    with running(kg, build_dataset(kg, inferred=False)) as base:
        yield kg, base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    yield from chromium(tmp_path_factory.mktemp("chromium-profile"), "1400,1600")


def wait_for(driver, script: str, seconds: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(lambda d: d.execute_script(script))


def open_explorer(driver, base: str) -> None:
    driver.get_log("browser")
    driver.get(base + "/")
    wait_for(driver, "return document.body.dataset.ready === 'true'")


def severe(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def test_a_bundled_question_runs_by_clicking_and_shows_labelled_rows(
    browser, site, tmp_path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    kg, base = site
    open_explorer(browser, base)
    Select(browser.find_element(By.ID, "question")).select_by_value(QUESTION)
    browser.find_element(By.ID, "run-question").click()
    wait_for(browser, "return document.querySelectorAll('#results tbody tr').length > 0")
    cells = browser.execute_script(
        "return Array.from(document.querySelectorAll('#results tbody tr')).map("
        "r => Array.from(r.cells).map(c => c.innerText))"
    )
    columns, rows = labelled(run_query(kg, QUESTION))
    assert len(cells) == len(rows)
    for shown, expected in zip(cells, rows, strict=True):
        for column, value in zip(columns, expected, strict=True):
            if column.endswith("_label") and value:
                assert any(value in cell for cell in shown), (value, shown)
    assert severe(browser) == []
    assert browser.save_screenshot(str(tmp_path / "explorer.png"))


def test_a_class_card_opens_from_a_result_link(browser, site) -> None:
    """The card the page shows is the card of ``show``: the same rows (each row's line as the
    command prints it), every statement, the folded ancestors' counts and the numbered notes."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from calcinosis_kg.answers.show import card
    from calcinosis_kg.answers.show_render import to_dict

    kg, base = site
    open_explorer(browser, base)
    Select(browser.find_element(By.ID, "question")).select_by_value(QUESTION)
    browser.find_element(By.ID, "run-question").click()
    wait_for(browser, "return document.querySelector('#results a.term') !== null")
    link = browser.find_element(By.CSS_SELECTOR, "#results a.term")
    iri = link.get_attribute("data-iri")
    link.click()
    title = wait_for(
        browser,
        "const t = document.getElementById('card-title');"
        "return t && !document.getElementById('card').hidden && t.innerText",
    )
    assert title == kg.labels[iri]
    expected = to_dict(card(kg, iri))
    rows = [
        r
        for s in expected["sections"]
        for e in s["entries"]
        for r in (e["folded"]["rows"] if "folded" in e else [e])
    ] + [r for k in expected["subtype_statements"] for r in k["rows"]]
    shown = browser.execute_script(
        "return Array.from(document.querySelectorAll('#card li.statement')).map("
        "li => [li.querySelector('.row-text').textContent, Number(li.dataset.items)])"
    )
    assert [text for text, _ in shown] == [r["text"] for r in rows]
    assert sum(n for _, n in shown) == expected["statements"]
    notes = browser.execute_script(
        "return Array.from(document.querySelectorAll('#card-notes li')).map(li => li.value)"
    )
    assert notes == [n["number"] for n in expected["notes"]]
    text = browser.find_element(By.ID, "card").text
    assert "Parents" in text and "Subtypes" in text and expected["notes"][0]["quote"] in text
    # a term inside the card opens its own card
    other = next(
        a
        for a in browser.find_elements(By.CSS_SELECTOR, "#card li.statement a.term")
        if a.text != title and a.is_displayed()
    )
    other.click()
    wait_for(browser, f"return document.getElementById('card-title').innerText !== {title!r}")
    assert severe(browser) == []


def test_a_folded_ancestor_shows_its_count_and_its_rows_on_opening(browser, site) -> None:
    from selenium.webdriver.common.by import By

    from calcinosis_kg.answers.show import card
    from calcinosis_kg.answers.show_render import to_dict
    from calcinosis_kg.core.prefixes import expand

    kg, base = site
    open_explorer(browser, base)
    browser.execute_script("openCard('CCKG:0000012')")
    wait_for(browser, "return document.querySelectorAll('#card li.folded').length > 0")
    expected = [
        e["folded"]
        for s in to_dict(card(kg, expand("CCKG:0000012")))["sections"]
        for e in s["entries"]
        if "folded" in e
    ]
    folded = browser.find_elements(By.CSS_SELECTOR, "#card li.folded")
    assert [int(f.get_attribute("data-count")) for f in folded] == [e["count"] for e in expected]
    assert "diltiazem" not in browser.find_element(By.ID, "card").text  # folded: not shown
    for summary in browser.find_elements(By.CSS_SELECTOR, "#card li.folded summary"):
        summary.click()
    assert "diltiazem" in browser.find_element(By.ID, "card").text
    assert severe(browser) == []


def test_search_finds_a_class_and_sparql_runs(browser, site) -> None:
    from selenium.webdriver.common.by import By

    kg, base = site
    open_explorer(browser, base)
    browser.find_element(By.ID, "search").send_keys("calciphylaxis")
    browser.find_element(By.CSS_SELECTOR, "#search-form button").click()
    labels = wait_for(
        browser,
        "return Array.from(document.querySelectorAll("
        "'#search-results a.term')).map(a => a.innerText)",
    )
    assert "calciphylaxis" in labels
    browser.find_element(By.ID, "run-sparql").click()
    wait_for(browser, "return document.querySelectorAll('#results tbody tr').length === 20")
    assert "20 rows" in browser.find_element(By.ID, "status").text
    assert severe(browser) == []
