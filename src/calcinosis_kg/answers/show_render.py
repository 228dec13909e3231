"""The renderers of a class card: text, Markdown and JSON, one per format, from one layout.

Why a module of its own: what the card says is decided once (``answers.show``) and laid out once
(``answers.show_sheet``: rows, folded ancestors, subtypes' entries, note numbers), in the words of
``answers.show_lines``; each renderer here only formats that layout, so the outputs cannot drift
apart (the explorer page renders the JSON, the documentation site's type pages the same sheet).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from calcinosis_kg.answers.resolve import resolve
from calcinosis_kg.answers.show import Card, Term, card
from calcinosis_kg.answers.show_lines import (
    KEY,
    WIDTH,
    cite,
    entries,
    folded_text,
    header_lines,
    kind_heading,
    kind_tokens,
    note_defaults,
    notes_heading,
    packed,
    ranges_text,
    row_text,
    row_tokens,
    subtypes_text,
    support_text,
    values,
)
from calcinosis_kg.answers.show_sheet import Folded, Row, Sheet, count_items, sheet
from calcinosis_kg.core.prefixes import expand

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

FORMATS = ("text", "json", "md")
__all__ = ["FORMATS", "WIDTH", "render", "render_md", "render_text", "show", "to_dict"]


def render_text(sheet: Sheet) -> str:
    """Plain text: header, hierarchy, one block per group, the subtypes, the notes."""
    card = sheet.card
    lines = [card.term.text() + ("  [obsolete]" if card.deprecated else "")]
    if card.definition:
        lines.append(f"definition: {card.definition} {cite(sheet.definition_notes)}".rstrip())
    lines += [f"not the same as {n.other.text()}: {n.text()}" for n in card.namesakes]
    if card.logical_definition:
        lines.append(f"logical definition: {card.logical_definition}")
    lines += [f"values: {value}" for value in card.values]
    if card.comment:
        lines.append(f"comment: {card.comment}")
    lines += [f"{name}: {text}" for name, text in header_lines(sheet)]
    if subtypes := subtypes_text(sheet):
        lines.append(f"subtypes: {subtypes}")
    if sheet.sections or sheet.kinds:
        lines.append(KEY)
    for section in sheet.sections:
        lines.append(f"{section.group.upper()} ({section.count})")
        for entry in entries(section, sheet.listed_all):
            if isinstance(entry, Folded):
                lines.append(f"- {folded_text(entry)}")
                continue
            lines += packed(row_tokens(entry), "- ")
            lines += [f"    values: {value}" for value in values([entry])]
    if sheet.kinds:
        lines.append("SUBTYPES " + kind_heading(sheet).removeprefix("subtypes "))
        for kind in sheet.kinds:
            lines += packed(kind_tokens(kind), f"- {kind.term.text()}: ")
            lines += [f"    values: {value}" for value in values(kind.rows)]
    if card.reference_ranges and card.ranges_listed_on is not None:
        lines.append(ranges_text(card))
    elif card.reference_ranges:
        lines += ["REFERENCE RANGES"] + [f"- {r}" for r in card.reference_ranges]
    if not card.statements:
        lines.append("no statements about it (only its definition and place in the hierarchy)")
    if sheet.notes:
        defaults = note_defaults(sheet.notes)
        notes = [f"[{n}] {support_text(s, defaults)}" for n, s in enumerate(sheet.notes, 1)]
        lines += [f"NOTES ({notes_heading(sheet.notes)})"]
        lines += packed([notes[0], *("  " + n for n in notes[1:])], "", indent="")
    return "\n".join(lines) + "\n"


def render_md(sheet: Sheet) -> str:
    """Markdown: a heading per group, a bullet per row, a bullet per subtype with its rows, the
    notes as a numbered list."""
    card = sheet.card
    lines = [f"## {card.term.label or card.term.curie} (`{card.term.curie}`)", ""]
    if card.definition:
        lines += [f"**Definition.** {card.definition} {cite(sheet.definition_notes)}".rstrip(), ""]
    lines += [f"**Not the same as** {n.other.text()}: {n.text()}  " for n in card.namesakes]
    if card.comment:
        lines.append(f"**Comment:** {card.comment}  ")
    for name, text in [*header_lines(sheet), ("subtypes", subtypes_text(sheet))]:
        if text:
            lines.append(f"**{name.capitalize()}:** {text}  ")
    if card.logical_definition:
        lines.append(f"**Logical definition:** `{card.logical_definition}`  ")
    lines += [f"**Values:** {value}  " for value in card.values]
    if sheet.sections or sheet.kinds:
        lines += ["", f"*{KEY}*"]
    for section in sheet.sections:
        lines += ["", f"### {section.group.capitalize()} ({section.count})", ""]
        for entry in entries(section, sheet.listed_all):
            if isinstance(entry, Folded):
                lines.append(f"- *{folded_text(entry)}*")
                continue
            lines.append(f"- {row_text(entry)}")
            lines += [f"  - values: {value}" for value in values([entry])]
    if sheet.kinds:
        lines += ["", f"### {kind_heading(sheet).capitalize()}", ""]
        for kind in sheet.kinds:
            lines.append(f"- **{kind.term.text()}**")
            lines += [f"  - {row_text(row, of_kind=True)}" for row in kind.rows]
            lines += [f"  - values: {value}" for value in values(kind.rows)]
    if card.reference_ranges and card.ranges_listed_on is not None:
        lines += ["", ranges_text(card)]
    elif card.reference_ranges:
        lines += ["", "### Reference ranges", ""] + [f"- {r}" for r in card.reference_ranges]
    if sheet.notes:
        defaults = note_defaults(sheet.notes)
        lines += ["", f"### Notes ({notes_heading(sheet.notes)})", ""] + [
            f"{n}. {support_text(s, defaults)}" for n, s in enumerate(sheet.notes, 1)
        ]
    return "\n".join(lines) + "\n"


def _term(t: Term) -> dict[str, str]:
    return {"curie": t.curie, "label": t.label, **({"everyday": t.everyday} if t.everyday else {})}


def _row(row: Row, of_kind: bool = False) -> dict[str, object]:
    return {
        "group": row.group,
        "scope": row.scope,
        "about": _term(row.about),
        "kind": row.kind,
        "relation": _term(row.relation),
        "outgoing": row.outgoing,
        "qualifiers": list(row.qualifiers),
        "notes": list(row.notes),
        "text": row_text(row, of_kind),
        "items": [
            {
                "term": _term(i.term),
                "qualifiers": list(i.qualifiers),
                "notes": list(i.notes),
                "values": list(i.values),
            }
            for i in row.items
        ],
    }


def to_dict(card: Card) -> dict[str, object]:
    """The card as plain data (the JSON output and the explorer's): the same rows, numbers and
    folded entries as the text, every folded row included (with its count)."""
    laid = sheet(card, list_all=True)
    sections = []
    for section in laid.sections:
        entries: list[dict[str, object]] = []
        for entry in section.entries:
            if isinstance(entry, Folded):
                entries.append(
                    {
                        "folded": {
                            "ancestor": _term(entry.ancestor),
                            "count": entry.count,
                            "text": folded_text(entry),
                            "rows": [_row(r) for r in entry.rows],
                        }
                    }
                )
            else:
                entries.append(_row(entry))
        sections.append({"group": section.group, "count": section.count, "entries": entries})
    return {
        "term": _term(card.term),
        "deprecated": card.deprecated,
        "definition": card.definition,
        "definition_notes": list(laid.definition_notes),
        "namesakes": [{"other": _term(n.other), "text": n.text()} for n in card.namesakes],
        "logical_definition": card.logical_definition,
        "values": card.values,
        "synonyms": card.synonyms,
        "mappings": card.mappings,
        "parents": [_term(t) for t in card.parents],
        "ancestors": [_term(t) for t in card.ancestors],
        "subtypes": [_term(t) for t in card.subtypes],
        "statements": count_items(laid),
        "sections": sections,
        "subtype_statements": [
            {
                "term": _term(k.term),
                "count": k.count,
                "rows": [_row(r, of_kind=True) for r in k.rows],
            }
            for k in laid.kinds
        ],
        "subtype_heading": kind_heading(laid) if laid.kinds else "",
        "subtypes_text": subtypes_text(laid),
        "comment": card.comment,
        "header": [{"name": name, "text": text} for name, text in header_lines(laid)],
        "key": KEY if laid.sections or laid.kinds else "",
        "reference_ranges": card.reference_ranges,
        "reference_ranges_listed_on": (
            _term(card.ranges_listed_on) if card.ranges_listed_on is not None else None
        ),
        "reference_ranges_text": ranges_text(card)
        if card.reference_ranges and card.ranges_listed_on is not None
        else "",
        "notes_heading": notes_heading(laid.notes) if laid.notes else "",
        "notes": [
            {
                "number": n,
                "quote": s.quote,
                "source": s.source,
                "evidence": s.evidence,
                "text": support_text(s, note_defaults(laid.notes)),
            }
            for n, s in enumerate(laid.notes, 1)
        ],
    }


def render(card: Card, fmt: str = "text", list_all: bool = False) -> str:
    """The card in ``fmt`` (text, json or md); ``list_all`` lists an ancestor's association records
    one by one instead of folding them (text and md; the JSON always has them)."""
    if fmt == "json":
        return json.dumps(to_dict(card), ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return render_md(sheet(card, list_all))
    return render_text(sheet(card, list_all))


def show(kg: KnowledgeGraph, term: str, fmt: str = "text", list_all: bool = False) -> str:
    """The card of ``term`` (a name, synonym, CURIE or IRI, as ``calcinosis-kg show`` takes it)
    in ``fmt`` (text, json or md); ``list_all`` as ``show --all``. Raises ``UnknownTerm`` /
    ``AmbiguousTerm`` (one line each)."""
    return render(card(kg, expand(resolve(kg, term).curie)), fmt, list_all)
