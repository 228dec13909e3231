"""Static documentation site: pyLODE's ontology page plus one readable page per calcinosis type.

A clinician should not need SPARQL to learn what the graph says about, say, calciphylaxis. Each
type page is the type's class card, exactly as ``calcinosis-kg show`` lays it out
(``answers.show_sheet``: definition, hierarchy, mappings, every statement grouped with its
sentences as numbered notes, the subtypes' entries), with the map of its causes, associated
diseases and sites. Diagrams (Graphviz SVG) are inlined. The work is split by responsibility:
``site_data`` finds the types, ``pages`` writes the HTML (every graph text escaped),
``pylode_page`` makes the ontology reference, ``diagrams`` draws; this module lays out the site,
writes it atomically and removes pages of types that are gone. Every list is sorted, so the site
is byte-identical for the same input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.answers.show import card
from calcinosis_kg.answers.show_sheet import Folded, Sheet, sheet
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import compress, expand
from calcinosis_kg.core.resources import templates_dir
from calcinosis_kg.core.serialize import write_atomic
from calcinosis_kg.core.vocab import (
    CALCINOSIS_CUTIS,
    DC_DESCRIPTION,
    DC_TITLE,
    OWL_IMPORTS,
    OWL_ONTOLOGY,
)
from calcinosis_kg.publish import diagrams
from calcinosis_kg.publish.pages import GENERATOR, Renderer, page_name
from calcinosis_kg.publish.pylode_page import pylode_html
from calcinosis_kg.publish.site_data import comparison_types, type_hierarchy
from calcinosis_kg.publish.site_model import MAP_ROLES
from calcinosis_kg.publish.site_reader import GraphReader

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

__all__ = [
    "SiteReport",
    "build_site",
    "hierarchy_diagram_dot",
    "page_name",
    "type_map_dot",
    "write_readme_images",
]


@dataclass
class SiteReport:
    """What ``build_site`` wrote."""

    output: Path
    pages: list[Path]
    types: list[str]
    diagrams: list[Path]
    removed: list[Path] = field(default_factory=list)


# --- diagrams -------------------------------------------------------------------------------
def hierarchy_diagram_dot(
    kg: KnowledgeGraph, link_prefix: str | None = "types/", reader: GraphReader | None = None
) -> str:
    """DOT text of the type hierarchy (nodes link to type pages under ``link_prefix``)."""
    reader = reader or GraphReader(kg)
    hierarchy = type_hierarchy(kg, reader)
    types, asserted, defined = hierarchy
    nodes = [
        diagrams.Node(
            compress(t),
            reader.label(t),
            None if link_prefix is None else link_prefix + page_name(t),
        )
        for t in types
    ]
    curie = {t: compress(t) for t in types}
    return diagrams.hierarchy_dot(
        nodes,
        [(curie[c], curie[p]) for c, p in asserted],
        [(curie[c], curie[p]) for c, p in defined],
        [curie[t] for t in comparison_types(hierarchy)],
    )


def map_neighbours(laid: Sheet) -> list[tuple[str, str, str]]:
    """(role, CURIE, label) of what a type's map draws: the terms at the other end of its own
    rows (not inherited, not of a subtype) in the card's causes, associated diseases and sites;
    a union ("skin of body or hypodermis") gives one neighbour per member."""
    out = []
    for section in laid.sections:
        role = MAP_ROLES.get(section.group)
        if role is None:
            continue
        for row in section.entries:
            if isinstance(row, Folded) or row.scope != "own":
                continue
            for item in row.items:
                term = item.term
                if term.curie.startswith("("):
                    curies = term.curie[1:-1].split(" or ")
                    labels = term.label.split(" or ")
                    if len(labels) != len(curies):
                        labels = curies
                    out += [(role, c, label) for c, label in zip(curies, labels, strict=True)]
                else:
                    out.append((role, term.curie, term.everyday or term.label or term.curie))
    return out


def type_map_dot(laid: Sheet, types: Iterable[str], link_prefix: str | None = "") -> str:
    """DOT text of one type's map to its causes, associated diseases and sites (``map_neighbours``
    of its card)."""
    type_set = set(types)
    neighbours = []
    for role, curie, label in map_neighbours(laid):
        try:
            iri = expand(curie)
        except ValueError:  # a class expression: a node of its text, no link
            neighbours.append(diagrams.Neighbour(role, diagrams.Node("expr:" + curie, label)))
            continue
        href = link_prefix + page_name(iri) if link_prefix is not None and iri in type_set else None
        neighbours.append(diagrams.Neighbour(role, diagrams.Node(curie, label, href)))
    term = laid.card.term
    return diagrams.type_map_dot(diagrams.Node(term.curie, term.label), neighbours)


# --- README images --------------------------------------------------------------------------


def write_readme_images(
    kg: KnowledgeGraph, folder: Path | str, example: str | None = None
) -> list[Path]:
    """Write ``hierarchy.svg`` and ``type-map-example.svg`` (no links) for the README.

    The example map is of ``example`` (a CURIE or IRI) or else of the type whose map shows the
    most kinds of neighbour (causes, associated diseases, sites), then the most neighbours, then
    the first CURIE, so it shows the most.
    """

    folder = Path(folder)
    reader = GraphReader(kg)
    hierarchy = type_hierarchy(kg, reader)
    types = hierarchy[0]
    if not types:
        raise InputError("no calcinosis types found (no class CCKG:0000001 calcinosis cutis)")
    if example:
        try:
            chosen = expand(example)
        except ValueError as exc:
            raise InputError(f"--example-type: {exc}") from exc
        if chosen not in types:
            raise InputError(f"--example-type: {example} is not a documented calcinosis type")
    else:

        def richness(iri: str) -> tuple[int, int, str]:
            roles = [role for role, _, _ in map_neighbours(sheet(card(kg, iri)))]
            return (-len(set(roles)), -len(roles), compress(iri))

        chosen = min(types, key=richness)
    outputs = {
        folder / "hierarchy.svg": hierarchy_diagram_dot(kg, None, reader),
        folder / "type-map-example.svg": type_map_dot(sheet(card(kg, chosen)), types, None),
    }
    for path, dot in outputs.items():
        write_atomic(path, diagrams.render_svg(dot))
    return list(outputs)


# --- the site -------------------------------------------------------------------------------
def build_site(kg: KnowledgeGraph, output: Path | str, with_diagrams: bool = True) -> SiteReport:
    """Write the documentation site into ``output``: index.html, ontology.html (pyLODE),
    types/<CURIE>.html per calcinosis type, img/*.svg diagrams and style.css."""
    import pyoxigraph as ox

    output = Path(output)
    if output.exists() and not output.is_dir():
        raise InputError("output exists and is not a folder", output)
    if with_diagrams:
        diagrams.dot_executable()  # fail before writing anything when Graphviz is missing
    reader = GraphReader(kg)
    hierarchy = type_hierarchy(kg, reader)
    types = hierarchy[0]
    if not types:
        raise InputError(
            "no calcinosis types found (no class CCKG:0000001 calcinosis cutis)",
            kg.files[0] if kg.files else None,
        )
    # pyLODE first: when it cannot document the input, fail before writing anything
    reference = pylode_html(kg)
    # each page is the type's class card, laid out as `show` lays it out
    sheets = sorted(
        (sheet(card(kg, t), list_all=True) for t in types),  # folded rows listed on opening
        key=lambda s: (s.card.term.label.lower(), s.card.term.curie),
    )
    headers = [
        r["o"]
        for r in reader.query(
            f"SELECT ?o WHERE {{ ?o a <{OWL_ONTOLOGY}> . "
            f"FILTER NOT EXISTS {{ ?x <{OWL_IMPORTS}> ?o }} }}"
        )
    ]
    header = sorted(headers, key=str)[0] if headers else ox.NamedNode(CALCINOSIS_CUTIS)
    title = (reader.literals(header, DC_TITLE) or ["calcinosis-kg"])[0]
    description = " ".join(reader.literals(header, DC_DESCRIPTION))
    renderer = Renderer(types, title)

    written: list[Path] = []
    svgs: list[Path] = []

    pending: dict[Path, bytes] = {}

    def put(relative: str, data: str | bytes) -> None:
        # staged: nothing is written until every page and diagram rendered (a failing or hung
        # Graphviz must not leave a half-updated site)
        path = output / relative
        pending[path] = data.encode("utf-8") if isinstance(data, str) else data
        written.append(path)

    put("style.css", (templates_dir() / "site.css").read_bytes())
    index_diagram = None
    if with_diagrams:
        svg = diagrams.render_svg(hierarchy_diagram_dot(kg, "../types/", reader))
        put("img/hierarchy.svg", svg)
        svgs.append(output / "img/hierarchy.svg")
        index_diagram = diagrams.inline_svg(
            diagrams.render_svg(hierarchy_diagram_dot(kg, "types/", reader))
        )
    for laid in sheets:
        inline = None
        iri = expand(laid.card.term.curie)
        if with_diagrams and map_neighbours(laid):
            # links "../types/X.html" resolve the same from img/ and from types/ (siblings)
            svg = diagrams.render_svg(type_map_dot(laid, types, "../types/"))
            name = f"img/{page_name(iri)[:-5]}.svg"
            put(name, svg)
            svgs.append(output / name)
            inline = diagrams.inline_svg(svg)
        put(f"types/{page_name(iri)}", renderer.type_page(laid, inline))
    related = [card(kg, iri).term for iri in comparison_types(hierarchy)]
    cards = [laid.card for laid in sheets]
    put("index.html", renderer.index_page(cards, description, index_diagram, related))
    put("ontology.html", reference)
    for path, data in pending.items():
        write_atomic(path, data)
    removed = _remove_stale(output, set(written))
    return SiteReport(output, written, [s.card.term.curie for s in sheets], svgs, removed)


def _remove_stale(output: Path, written: set[Path]) -> list[Path]:
    """Delete pages and diagrams of an earlier run that this run did not write (a type that was
    removed or renamed), so the published site never shows a stale page. Only files that carry
    our generator mark (pages) or Graphviz's (diagrams) are touched."""
    stale = []
    for path in sorted([*output.glob("types/*.html"), *output.glob("img/*.svg")]):
        if path in written:
            continue
        head = path.read_bytes()[:2000]
        if GENERATOR.encode() in head or b"Generated by graphviz" in head:
            path.unlink()
            stale.append(path)
    return stale
