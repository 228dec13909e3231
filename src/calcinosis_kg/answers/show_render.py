"""The renderers of a class card: text, Markdown and JSON, one per format, from one layout.

Why a module of its own: what the card says is decided once (``answers.show``) and laid out once
(``answers.show_sheet``: rows, folded ancestors, note numbers); each renderer here only formats
that layout, so the outputs cannot drift apart (the explorer page renders the JSON). A row line
reads ``subject —relation→ objects  [qualifiers] [notes]``: universal (true of every member) or
association (with its frequency and the source's wording), and whose statement it is (the term
by name, ``of subtype X``, ``inherited from X``, ``said of ancestor X, not inherited``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from calcinosis_kg.answers.resolve import resolve
from calcinosis_kg.answers.show import Card, Support, Term, card
from calcinosis_kg.answers.show_sheet import Folded, Item, Row, Section, Sheet, count_items, sheet
from calcinosis_kg.core.prefixes import expand

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

FORMATS = ("text", "json", "md")
FOLD_HINT = "(show --all lists them)"


def whose(row: Row) -> str:
    """The statement's subject as the card says it: the term itself by name, else whose it is."""
    if row.scope == "inherited":
        return f"inherited from {row.about.text()}"
    if row.scope == "subtype":
        return f"of subtype {row.about.text()}"
    if row.scope == "ancestor":
        return f"said of ancestor {row.about.text()}, not inherited"
    return row.about.everyday or row.about.label or row.about.curie


def cite(numbers: tuple[int, ...]) -> str:
    """``[1][3]``: note numbers as the card cites them."""
    return "".join(f"[{n}]" for n in numbers)


def item_text(item: Item) -> str:
    """A term of a row with what only it says and its notes: ``x (CURIE) (wording: …) [n]``."""
    extra = f" ({'; '.join(item.qualifiers)})" if item.qualifiers else ""
    notes = f" {cite(item.notes)}" if item.notes else ""
    return item.term.text() + extra + notes


def row_text(row: Row) -> str:
    """``subject —relation→ objects  [qualifiers] [notes]``: one line for the whole row."""
    items = ", ".join(item_text(item) for item in row.items)
    relation = f"—{row.relation.label or row.relation.curie}→"
    claim = (
        f"{whose(row)} {relation} {items}" if row.outgoing else f"{items} {relation} {whose(row)}"
    )
    notes = f" {cite(row.notes)}" if row.notes else ""
    return f"{claim}  [{'; '.join(row.qualifiers)}]{notes}"


def folded_text(entry: Folded) -> str:
    """The one line of an ancestor's folded association records, with their count."""
    records = "record" if entry.count == 1 else "records"
    return (
        f"{entry.count} association {records} said of ancestor {entry.ancestor.text()}, "
        f"not inherited {FOLD_HINT}"
    )


def support_text(support: Support) -> str:
    """A note: the quoted sentence, its source by short name and its evidence code."""
    evidence = f", {support.evidence}" if support.evidence else ""
    return f'"{support.quote}" ({support.source}{evidence})'


def _entries(section: Section, listed_all: bool) -> list[Row | Folded]:
    """What to print: rows, and a folded entry as one line or (``listed_all``) as its rows."""
    out: list[Row | Folded] = []
    for entry in section.entries:
        if isinstance(entry, Folded) and listed_all:
            out += list(entry.rows)
        else:
            out.append(entry)
    return out


def render_text(sheet: Sheet) -> str:
    """Plain text: header, hierarchy, one block per group, the notes."""
    card = sheet.card
    lines = [card.term.text() + ("  [obsolete]" if card.deprecated else "")]
    if card.definition:
        lines.append(f"definition: {card.definition} {cite(sheet.definition_notes)}".rstrip())
    lines += [f"not the same as {n.other.text()}: {n.text()}" for n in card.namesakes]
    if card.logical_definition:
        lines.append(f"logical definition: {card.logical_definition}")
    lines += [f"values: {value}" for value in card.values]
    if card.synonyms:
        lines.append("synonyms: " + "; ".join(card.synonyms))
    if card.mappings:
        lines.append("mappings: " + ", ".join(card.mappings))
    lines.append("parents: " + ("; ".join(t.text() for t in card.parents) or "none"))
    lines.append("subtypes: " + ("; ".join(t.text() for t in card.subtypes) or "none"))
    for section in sheet.sections:
        lines.append(f"{section.group.upper()} ({section.count})")
        for entry in _entries(section, sheet.listed_all):
            if isinstance(entry, Folded):
                lines.append(f"- {folded_text(entry)}")
                continue
            lines.append(f"- {row_text(entry)}")
            lines += [f"    values: {value}" for item in entry.items for value in item.values]
        if section.group == "laboratory profile" and card.reference_ranges:
            lines.append("  reference ranges: " + "; ".join(card.reference_ranges))
    if card.reference_ranges and "laboratory profile" not in card.groups():
        lines += ["REFERENCE RANGES"] + [f"- {r}" for r in card.reference_ranges]
    if not card.statements:
        lines.append("no statements about it (only its definition and place in the hierarchy)")
    if sheet.notes:
        lines += ["NOTES"] + [f"[{n}] {support_text(s)}" for n, s in enumerate(sheet.notes, 1)]
    return "\n".join(lines) + "\n"


def render_md(sheet: Sheet) -> str:
    """Markdown: a heading per group, a bullet per row, the notes as a numbered list."""
    card = sheet.card
    lines = [f"## {card.term.label or card.term.curie} (`{card.term.curie}`)", ""]
    if card.definition:
        lines += [f"**Definition.** {card.definition} {cite(sheet.definition_notes)}".rstrip(), ""]
    lines += [f"**Not the same as** {n.other.text()}: {n.text()}  " for n in card.namesakes]
    for name, values in (
        ("Synonyms", card.synonyms),
        ("Mappings", card.mappings),
        ("Parents", [t.text() for t in card.parents]),
        ("Subtypes", [t.text() for t in card.subtypes]),
    ):
        lines.append(f"**{name}:** " + ("; ".join(values) or "none") + "  ")
    if card.logical_definition:
        lines.append(f"**Logical definition:** `{card.logical_definition}`  ")
    lines += [f"**Values:** {value}  " for value in card.values]
    for section in sheet.sections:
        lines += ["", f"### {section.group.capitalize()} ({section.count})", ""]
        for entry in _entries(section, sheet.listed_all):
            if isinstance(entry, Folded):
                lines.append(f"- *{folded_text(entry)}*")
                continue
            lines.append(f"- {row_text(entry)}")
            lines += [f"  - values: {value}" for item in entry.items for value in item.values]
        if section.group == "laboratory profile" and card.reference_ranges:
            lines.append(f"- reference ranges: {'; '.join(card.reference_ranges)}")
    if sheet.notes:
        lines += ["", "### Notes", ""] + [
            f"{n}. {support_text(s)}" for n, s in enumerate(sheet.notes, 1)
        ]
    return "\n".join(lines) + "\n"


def _term(t: Term) -> dict[str, str]:
    return {"curie": t.curie, "label": t.label, **({"everyday": t.everyday} if t.everyday else {})}


def _row(row: Row) -> dict[str, object]:
    return {
        "scope": row.scope,
        "about": _term(row.about),
        "kind": row.kind,
        "relation": _term(row.relation),
        "outgoing": row.outgoing,
        "qualifiers": list(row.qualifiers),
        "notes": list(row.notes),
        "text": row_text(row),
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
        "reference_ranges": card.reference_ranges,
        "notes": [
            {"number": n, "quote": s.quote, "source": s.source, "evidence": s.evidence}
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
