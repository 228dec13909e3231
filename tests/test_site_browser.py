"""Open the generated documentation site in headless Chromium: pages and diagrams render, the
browser logs no errors, and a screenshot is saved under the test's temp dir.

Needs the Debian packages ``chromium`` and ``chromium-driver`` (CI installs them) and Graphviz.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMEDRIVER, CHROMIUM, MISSING, chromium

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.publish.docs import build_site

pytestmark = pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None, reason=MISSING)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser") / "site"
    build_site(load(), folder)
    return folder


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    yield from chromium(tmp_path_factory.mktemp("chromium-profile"), "1200,1600")


def open_page(driver, path: Path) -> list[dict]:
    """Load a page and return the browser's log entries of level SEVERE (errors)."""
    driver.get_log("browser")  # drop entries of earlier pages
    driver.get(path.resolve().as_uri())
    driver.execute_script("return document.readyState")
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def rendered_svgs(driver) -> list[dict]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('svg')).map(s => {"
        "  const r = s.getBoundingClientRect();"
        "  return {w: r.width, h: r.height, nodes: s.querySelectorAll('g.node').length}; });"
    )


def test_index_renders_with_the_hierarchy_diagram(browser, site: Path, tmp_path: Path) -> None:
    errors = open_page(browser, site / "index.html")
    assert errors == []
    assert "Calcinosis" in browser.title
    svgs = rendered_svgs(browser)
    assert len(svgs) == 1 and svgs[0]["w"] > 50 and svgs[0]["h"] > 20 and svgs[0]["nodes"] >= 1
    links = browser.execute_script(
        "return document.querySelectorAll('#types a[href^=\"types/\"]').length"
    )
    assert links >= 1
    assert browser.save_screenshot(str(tmp_path / "index.png"))
    assert (tmp_path / "index.png").stat().st_size > 1000


def test_type_page_renders_with_its_map(browser, site: Path, tmp_path: Path) -> None:
    with_map = [
        p
        for p in sorted((site / "types").glob("*.html"))
        if '<section id="map">' in p.read_text(encoding="utf-8")
    ]
    assert with_map, "no type page has a map of causes, diseases or sites"
    errors = open_page(browser, with_map[0])
    assert errors == []
    heading = browser.execute_script("return document.querySelector('h1').textContent")
    assert heading and heading in browser.title
    svgs = rendered_svgs(browser)
    assert len(svgs) == 1 and svgs[0]["w"] > 50 and svgs[0]["nodes"] >= 2
    stylesheet_applied = browser.execute_script("return getComputedStyle(document.body).maxWidth")
    assert stylesheet_applied != "none"  # ../style.css was found
    assert browser.save_screenshot(str(tmp_path / "type.png"))


def test_pylode_reference_renders(browser, site: Path, tmp_path: Path) -> None:
    errors = open_page(browser, site / "ontology.html")
    assert errors == []
    text = browser.execute_script("return document.body.innerText")
    assert "calcinosis cutis" in text
    assert browser.save_screenshot(str(tmp_path / "ontology.png"))


def test_svg_files_load_as_images(browser, site: Path) -> None:
    svg_files = sorted((site / "img").glob("*.svg"))
    assert svg_files
    open_page(browser, site / "index.html")
    for svg in svg_files:
        size = browser.execute_async_script(
            "const done = arguments[arguments.length - 1]; const img = new Image();"
            "img.onload = () => done([img.naturalWidth, img.naturalHeight]);"
            "img.onerror = () => done([0, 0]); img.src = arguments[0];",
            svg.resolve().as_uri(),
        )
        assert size[0] > 0 and size[1] > 0, svg.name


def test_hierarchy_diagram_nodes_link_to_type_pages(browser, site: Path) -> None:
    open_page(browser, site / "index.html")
    from selenium.webdriver.common.by import By

    links = browser.find_elements(By.CSS_SELECTOR, "#hierarchy svg a")
    assert links, "the hierarchy diagram has no clickable nodes"
    links[0].click()
    assert browser.current_url.startswith((site / "types").resolve().as_uri() + "/")
    assert browser.execute_script("return document.querySelector('h1').textContent")
    assert [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"] == []
