"""The HTML of the documentation site: one page per calcinosis type and the index page.

Why a module of its own: a type page is the class card of ``calcinosis-kg show`` as HTML: it
renders the card's one layout (``answers.show_sheet.Sheet``: header, key, sections of rows,
folded ancestors, the subtypes' entries, numbered notes) in the card's own words
(``answers.show_lines``), with the terms linked, and reads nothing else from the graph, so the
site says exactly what ``show`` says. Every text from the graph is HTML-escaped (``esc``):
labels, quotes and definitions are data, not markup. Pages carry the ``GENERATOR`` mark so that
a later run may replace or remove them.

>>> esc('<b>"bold"</b>')
'&lt;b&gt;&quot;bold&quot;&lt;/b&gt;'
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from calcinosis_kg.answers.show import Card, Term
from calcinosis_kg.answers.show_lines import (
    FOLD_HINT,
    KEY,
    cite,
    folded_text,
    header_lines,
    kind_heading,
    note_defaults,
    notes_heading,
    ranges_text,
    row_tokens,
    subtypes_text,
    support_text,
    values,
)
from calcinosis_kg.answers.show_sheet import Folded, Row, Sheet
from calcinosis_kg.core.prefixes import compress, expand

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
    """Writes the HTML pages; ``types`` (IRIs) decides which terms link to a page of their own."""

    def __init__(self, types: Iterable[str], title: str) -> None:
        self.types = set(types)
        self.title = title

    def name(self, term: Term, prefix: str = "") -> str:
        """A term in the card's words (``label (CURIE)``), its label a link to its page when it
        has one; the text without tags is ``term.text()``."""
        try:
            iri = expand(term.curie)
        except ValueError:
            iri = ""
        if iri in self.types and term.label and not term.everyday:
            link = f'<a href="{esc(prefix + page_name(iri))}" title="{esc(term.curie)}">'
            return f"{link}{esc(term.label)}</a> ({esc(term.curie)})"
        return f'<span class="term" title="{esc(term.curie)}">{esc(term.text())}</span>'

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

    def type_page(self, laid: Sheet, diagram: str | None) -> str:
        """The page of one type: its class card (``show``'s layout and words) as HTML, with the
        map of its causes, associated diseases and sites."""
        card = laid.card
        iri = expand(card.term.curie)
        definition = esc(card.definition) if card.definition else "<em>no definition yet</em>"
        parts = [
            f'<nav><a href="../index.html">{esc(self.title)}</a> &rsaquo; '
            f'<a href="../ontology.html">ontology reference</a></nav>',
            f"<h1>{esc(card.term.label or card.term.curie)}</h1>",
            f'<p class="ids"><code>{esc(card.term.curie)}</code> '
            f'<a href="{esc(iri)}" rel="external">{esc(iri)}</a></p>',
            '<section id="definition"><h2>Definition</h2>',
            f'<p class="definition">{definition} {cite(laid.definition_notes)}</p>',
            *(
                f'<p class="namesake">not the same as {self.name(n.other)}: {esc(n.text())}</p>'
                for n in card.namesakes
            ),
            "</section>",
        ]
        if card.comment:
            parts.append(f'<p class="comment">comment: {esc(card.comment)}</p>')
        if card.logical_definition:
            parts.append(
                '<section id="logical-definition"><h2>Logical definition</h2>'
                f"<p><code>{esc(card.logical_definition)}</code></p></section>"
            )
        header = "".join(
            f"<li>{esc(name)}: {esc(text)}</li>"
            for name, text in [("values", v) for v in card.values] + header_lines(laid)
        )
        subtypes = subtypes_text(laid)
        links = "; ".join(self.name(t) for t in card.subtypes)
        parts.append(
            f'<section id="hierarchy"><h2>Place in the hierarchy</h2><ul>{header}'
            + (f"<li>subtypes: {esc(subtypes)}</li>" if subtypes else "")
            + "</ul>"
            + (f'<p class="subtypes">pages of the subtypes: {links}</p>' if links else "")
            + "</section>"
        )
        if diagram:
            parts.append(
                '<section id="map"><h2>Causes, associated diseases and sites</h2>'
                f'<figure class="diagram">{diagram}<figcaption>'
                f'<a href="../img/{esc(page_name(iri)[:-5])}.svg">SVG file</a>'
                "</figcaption></figure></section>"
            )
        parts += self.statements(laid)
        if card.reference_ranges and card.ranges_listed_on is not None:
            parts.append(f'<p class="ranges">{esc(ranges_text(card))}</p>')
        elif card.reference_ranges:
            items = "".join(f"<li>{esc(r)}</li>" for r in card.reference_ranges)
            parts.append(
                f'<section id="reference-ranges"><h2>Reference ranges</h2><ul>{items}</ul></section>'
            )
        if laid.notes:
            defaults = note_defaults(laid.notes)
            items = "".join(
                f'<li value="{n}">{esc(support_text(s, defaults))}</li>'
                for n, s in enumerate(laid.notes, 1)
            )
            parts.append(
                f'<section id="notes"><h2>Notes ({esc(notes_heading(laid.notes))})</h2>'
                f"<ol>{items}</ol></section>"
            )
        label = card.term.label or card.term.curie
        return self.page(f"{label} — {self.title}", "\n".join(parts), "../style.css")

    def row_item(self, row: Row, of_kind: bool = False) -> str:
        """One row as ``show`` prints it (terms linked), its values after it."""
        line = "".join(row_tokens(row, of_kind, esc, self.name))
        found = "".join(f'<li class="values">values: {esc(v)}</li>' for v in values([row]))
        return f'<li class="statement {esc(row.kind)}">{line}</li>{found}'

    def statements(self, laid: Sheet) -> list[str]:
        """The key, a section per group (rows, folded ancestors) and the subtypes' entries."""
        if not laid.sections and not laid.kinds:
            return [
                '<p class="none">no statements about it (only its definition and place in the hierarchy)</p>'
            ]
        parts = [f'<p class="key">{esc(KEY)}</p>']
        for section in laid.sections:
            rows = []
            for entry in section.entries:
                if isinstance(entry, Folded):  # the records listed on opening, as the explorer
                    inner = "".join(self.row_item(r) for r in entry.rows)
                    summary = esc(folded_text(entry).replace(f" {FOLD_HINT}", ""))
                    rows.append(
                        f'<li class="folded"><details><summary>{summary}</summary>'
                        f"<ul>{inner}</ul></details></li>"
                    )
                    continue
                rows.append(self.row_item(entry))
            anchor = "".join(ch if ch.isalnum() else "-" for ch in section.group)
            parts.append(
                f'<section id="{esc(anchor)}"><h2>{esc(section.group.capitalize())} '
                f"({section.count})</h2><ul>{''.join(rows)}</ul></section>"
            )
        if laid.kinds:
            kinds = []
            for kind in laid.kinds:
                lines = "".join(self.row_item(r, True) for r in kind.rows)
                kinds.append(f'<li class="kind">{self.name(kind.term)}<ul>{lines}</ul></li>')
            parts.append(
                f'<section id="subtypes"><h2>{esc(kind_heading(laid).capitalize())}</h2>'
                f"<ul>{''.join(kinds)}</ul></section>"
            )
        return parts

    def index_page(
        self,
        cards: list[Card],
        description: str,
        diagram: str | None,
        related: Iterable[Term] = (),
    ) -> str:
        """The site's front page: the description, the overview diagram and a table of the types."""
        rows = "".join(
            f"<tr><td>{self.name(c.term, 'types/')}</td><td><code>{esc(c.term.curie)}</code></td>"
            f"<td>{esc(c.definition)}</td></tr>"
            for c in cards
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
        related = sorted(related, key=lambda t: t.label.lower())
        if related:
            names = ", ".join(self.name(t, "types/") for t in related)
            parts.append(
                f'<p class="related">Shown for comparison, not kinds of calcinosis '
                f"cutis (drawn dashed): {names}.</p>"
            )
        parts.append(
            f'<section id="types"><h2>Type pages ({len(cards)})</h2><table>'
            "<thead><tr><th>Type</th><th>ID</th><th>Definition</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></section>"
        )
        return self.page(self.title, "\n".join(parts))
