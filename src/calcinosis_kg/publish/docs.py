"""Static documentation site: pyLODE's ontology page plus one readable page per calcinosis type.

A clinician should not need SPARQL to learn what the graph says about, say, calciphylaxis. Each
type page gathers, from the loaded graph, its definition, sites, causes, associated diseases,
treatments and other relations, its mappings, and for every statement the sentence of the source
that supports it. Diagrams (Graphviz SVG) are inlined. The work is split by responsibility:
``site_data`` reads the graph, ``pages`` writes the HTML (every graph text escaped),
``pylode_page`` makes the ontology reference, ``diagrams`` draws; this module lays out the site,
writes it atomically and removes pages of types that are gone. Every list is sorted, so the site
is byte-identical for the same input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.expressions import to_text
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
from calcinosis_kg.publish.site_data import comparison_types, type_hierarchy, type_profile
from calcinosis_kg.publish.site_model import MAP_ROLES, TypeProfile, base_section
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


def type_map_dot(
    profile: TypeProfile, reader: GraphReader, types: Iterable[str], link_prefix: str | None = ""
) -> str:
    """DOT text of one type's map to its causes, associated diseases and sites."""
    type_set = set(types)
    neighbours = []
    for statement in profile.statements:
        role = MAP_ROLES.get(base_section(statement.section))
        if role is None:
            continue
        # a union filler ("skin or subcutis") gives one node per member; other constructs one
        members = statement.other.items if statement.other.kind == "or" else (statement.other,)
        for member in members:
            if member.kind == "named":
                href = (
                    link_prefix + page_name(member.iri)
                    if link_prefix is not None and member.iri in type_set
                    else None
                )
                node = diagrams.Node(compress(member.iri), reader.label(member.iri), href)
            else:
                text = to_text(member, reader.label)
                node = diagrams.Node("expr:" + text, text)
            neighbours.append(diagrams.Neighbour(role, node))
    center = diagrams.Node(profile.curie, profile.label)
    return diagrams.type_map_dot(center, neighbours)


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
            sections = [
                s.section
                for s in type_profile(kg, iri, reader, hierarchy).statements
                if s.section in MAP_ROLES
            ]
            return (-len(set(sections)), -len(sections), compress(iri))

        chosen = min(types, key=richness)
    profile = type_profile(kg, chosen, reader, hierarchy)
    outputs = {
        folder / "hierarchy.svg": hierarchy_diagram_dot(kg, None, reader),
        folder / "type-map-example.svg": type_map_dot(profile, reader, types, None),
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
    profiles = sorted(
        (type_profile(kg, t, reader, hierarchy) for t in types),
        key=lambda p: (p.label.lower(), p.curie),
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
    renderer = Renderer(reader, types, title)

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
    for profile in profiles:
        inline = None
        if with_diagrams and profile.has_map():
            # links "../types/X.html" resolve the same from img/ and from types/ (siblings)
            svg = diagrams.render_svg(type_map_dot(profile, reader, types, "../types/"))
            name = f"img/{page_name(profile.iri)[:-5]}.svg"
            put(name, svg)
            svgs.append(output / name)
            inline = diagrams.inline_svg(svg)
        put(f"types/{page_name(profile.iri)}", renderer.type_page(profile, inline))
    related = comparison_types(hierarchy)
    put("index.html", renderer.index_page(profiles, description, index_diagram, related))
    put("ontology.html", reference)
    for path, data in pending.items():
        write_atomic(path, data)
    removed = _remove_stale(output, set(written))
    return SiteReport(output, written, [p.curie for p in profiles], svgs, removed)


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
