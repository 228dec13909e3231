"""The HTML of the documentation site: one page per calcinosis type and the index page.

Why a module of its own: it only renders what ``site_data`` read (a ``TypeProfile`` per type) and
never queries the graph beyond labels and source titles. Every text that comes from the graph is
HTML-escaped (``esc``): labels, quotes and definitions are data, not markup. Pages carry the
``GENERATOR`` mark so that a later run may replace or remove them.

>>> esc('<b>"bold"</b>')
'&lt;b&gt;&quot;bold&quot;&lt;/b&gt;'
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable

from calcinosis_kg.core.expressions import Expr, property_text, to_text
from calcinosis_kg.core.prefixes import compress
from calcinosis_kg.core.vocab import DC_TITLE
from calcinosis_kg.publish.site_model import Evidence, Statement, TypeProfile, section_rank
from calcinosis_kg.publish.site_reader import GraphReader

#: Marks the pages this module writes (so a later run may replace or remove them).
GENERATOR = "calcinosis-kg docs"


def esc(text: str) -> str:
    """HTML-escape text from the graph (labels, quotes, definitions are data, not markup)."""
    return html.escape(str(text), quote=True)


def page_name(iri: str) -> str:
    """File name of a type page: the CURIE with ':' replaced (``CCKG_0000002.html``)."""
    curie = compress(iri)
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in curie)
    return f"{safe}.html"


class Renderer:
    """Writes the HTML pages; ``types`` decides which classes get links to their own pages."""

    def __init__(self, reader: GraphReader, types: Iterable[str], title: str) -> None:
        self.reader = reader
        self.types = set(types)
        self.title = title

    def link(self, iri: str, prefix: str = "") -> str:
        """A term as HTML: a link to its page when it has one, else its label and CURIE."""
        label = esc(self.reader.label(iri))
        curie = esc(compress(iri))
        if iri in self.types:
            return f'<a href="{esc(prefix + page_name(iri))}" title="{curie}">{label}</a>'
        if label == curie:  # no label in the graph: show the identifier once
            return f"<code>{curie}</code>"
        return f'<span class="term" title="{curie}">{label}</span> <code>{curie}</code>'

    def expr_html(self, expr: Expr, prefix: str = "") -> str:
        """HTML of a class expression: named terms linked, the rest as in ``expressions``."""
        if expr.kind == "named":
            return self.link(expr.iri, prefix)
        if expr.kind in ("and", "or"):
            inner = f" <em>{expr.kind}</em> ".join(self.expr_html(i, prefix) for i in expr.items)
            return f"({inner})" if len(expr.items) > 1 else inner
        if expr.kind == "not":
            return "<em>not</em> " + self.expr_html(expr.items[0], prefix)
        if expr.kind in ("some", "only", "value"):
            return (
                f"{esc(property_text(expr.prop, self.reader.label))} <em>{expr.kind}</em> "
                f"{self.expr_html(expr.items[0], prefix)}"
            )
        if expr.kind in ("literal", "datarange"):
            return f"<code>{esc(to_text(expr))}</code>"
        if expr.kind == "other":
            return "<em>(complex expression)</em>"
        return esc(to_text(expr, self.reader.label))

    def evidence_html(self, evidence: Evidence) -> str:
        """The supporting quotes as blockquotes, then their sources."""
        quotes = "".join(f"<blockquote>{esc(q)}</blockquote>" for q in evidence.quotes)
        sources = ", ".join(self.source_html(s) for s in evidence.sources)
        return quotes + (f'<p class="source">Source: {sources}</p>' if sources else "")

    def source_html(self, iri: str) -> str:
        """A source as an external link titled by its ``dcterms:title`` (else its CURIE)."""
        import pyoxigraph as ox

        titles = self.reader.literals(ox.NamedNode(iri), DC_TITLE)
        text = titles[0] if titles else compress(iri)
        return f'<a href="{esc(iri)}" rel="external">{esc(text)}</a>'

    def page(self, title: str, body: str, css: str = "style.css") -> str:
        """A whole HTML page around ``body``: no scripts and no remote assets (works offline)."""
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="{GENERATOR}">\n'
            f"<title>{esc(title)}</title>\n"
            f'<link rel="stylesheet" href="{esc(css)}">\n'
            '<link rel="icon" href="data:,">\n</head>\n<body>\n'
            f"{body}\n</body>\n</html>\n"
        )

    def type_page(self, profile: TypeProfile, diagram: str | None) -> str:
        """The page of one calcinosis type: definition, synonyms, hierarchy, diagram, cited
        statements by section, mappings; every statement beside its sentence."""
        parts = [
            f'<nav><a href="../index.html">{esc(self.title)}</a> &rsaquo; '
            f'<a href="../ontology.html">ontology reference</a></nav>',
            f"<h1>{esc(profile.label)}</h1>",
            f'<p class="ids"><code>{esc(profile.curie)}</code> '
            f'<a href="{esc(profile.iri)}" rel="external">{esc(profile.iri)}</a></p>',
            '<section id="definition"><h2>Definition</h2>',
            f'<p class="definition">{esc(profile.definition) or "<em>no definition yet</em>"}</p>',
            self.evidence_html(profile.definition_evidence),
            "</section>",
        ]
        if profile.comment:
            parts.append(f'<p class="comment">{esc(profile.comment)}</p>')
        if profile.synonyms:
            items = "".join(
                f"<li>{esc(text)} <small>({esc(scope)})</small>{self.evidence_html(evidence)}</li>"
                for scope, text, evidence in profile.synonyms
            )
            parts.append(f'<section id="synonyms"><h2>Synonyms</h2><ul>{items}</ul></section>')
        parts.append('<section id="hierarchy"><h2>Place in the hierarchy</h2>')
        if profile.parents:
            items = "".join(
                f"<li>{self.link(p)}{self.evidence_html(profile.parent_evidence[p])}</li>"
                for p in profile.parents
            )
            parts.append(f"<h3>Is a kind of</h3><ul>{items}</ul>")
        if profile.children:
            items = "".join(f"<li>{self.link(c)}</li>" for c in profile.children)
            parts.append(f"<h3>Subtypes</h3><ul>{items}</ul>")
        parts.append("</section>")
        if diagram:
            parts.append(
                '<section id="map"><h2>Causes, associated diseases and sites</h2>'
                f'<figure class="diagram">{diagram}<figcaption>'
                f'<a href="../img/{esc(page_name(profile.iri)[:-5])}.svg">SVG file</a>'
                "</figcaption></figure></section>"
            )
        sections: dict[str, list[Statement]] = defaultdict(list)
        for statement in profile.statements:
            sections[statement.section].append(statement)
        for title in sorted(sections, key=lambda t: (section_rank(t), t)):
            rows = "".join(
                f"<tr><td>{self.expr_html(s.other)}</td>"
                f"<td>{self.evidence_html(s.evidence) or '<em>no supporting sentence</em>'}</td>"
                "</tr>"
                for s in sections[title]
            )
            anchor = esc("".join(ch if ch.isalnum() else "-" for ch in title.lower()))
            parts.append(
                f'<section id="{anchor}"><h2>{esc(title)}</h2><table>'
                "<thead><tr><th>Term</th><th>Supporting sentence</th></tr></thead>"
                f"<tbody>{rows}</tbody></table></section>"
            )
        if profile.mappings:
            rows = "".join(
                f"<tr><td><code>{esc(x)}</code></td><td>{esc(p or 'xref')}</td></tr>"
                for x, p in profile.mappings
            )
            parts.append(
                '<section id="mappings"><h2>Mappings</h2><table><thead><tr>'
                "<th>Identifier</th><th>Mapping predicate</th></tr></thead>"
                f"<tbody>{rows}</tbody></table></section>"
            )
        return self.page(f"{profile.label} — {self.title}", "\n".join(parts), "../style.css")

    def index_page(
        self,
        profiles: list[TypeProfile],
        description: str,
        diagram: str | None,
        related: Iterable[str] = (),
    ) -> str:
        """The site's front page: the description, the overview diagram and a table of the types."""
        rows = "".join(
            f"<tr><td>{self.link(p.iri, 'types/')}</td><td><code>{esc(p.curie)}</code></td>"
            f"<td>{esc(p.definition)}</td></tr>"
            for p in profiles
        )
        parts = [
            f"<h1>{esc(self.title)}</h1>",
            f'<p class="description">{esc(description)}</p>',
            '<p><a href="ontology.html">Full ontology reference (pyLODE)</a></p>',
        ]
        if diagram:
            parts.append(
                '<section id="hierarchy"><h2>Types of calcinosis cutis</h2>'
                f'<figure class="diagram">{diagram}<figcaption>'
                '<a href="img/hierarchy.svg">SVG file</a></figcaption></figure>'
                "</section>"
            )
        related = sorted(related, key=lambda iri: self.reader.label(iri).lower())
        if related:
            names = ", ".join(self.link(iri, "types/") for iri in related)
            parts.append(
                f'<p class="related">Shown for comparison, not kinds of calcinosis '
                f"cutis (drawn dashed): {names}.</p>"
            )
        parts.append(
            f'<section id="types"><h2>Type pages ({len(profiles)})</h2><table>'
            "<thead><tr><th>Type</th><th>ID</th><th>Definition</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>"
        )
        return self.page(self.title, "\n".join(parts))
