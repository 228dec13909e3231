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
from calcinosis_kg.answers.show_sheet import (
    Folded,
    Item,
    Kind,
    Row,
    Section,
    Sheet,
    count_items,
    sheet,
)
from calcinosis_kg.core.prefixes import expand

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

FORMATS = ("text", "json", "md")
FOLD_HINT = "(show --all lists them)"
#: what most rows are, said once in the key line instead of on every row
DEFAULT_QUALIFIERS = ("association", "frequency not stated")
KEY = (
    "key: a statement is an association record (a source says it of some cases; frequency not "
    "stated) unless marked [universal] (true of every case)"
)
#: the text card's widest line of statements or notes (a subtype's entry and the notes wrap at a
#: statement or note boundary, never inside one; a single longer statement or quote stays whole)
WIDTH = 250


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


def marks(qualifiers: tuple[str, ...]) -> str:
    """`` [universal]``, `` [source wording: often]``: a row's shared qualifiers without the
    defaults the key line states once (an association whose frequency is not stated)."""
    shown = [q for q in qualifiers if q not in DEFAULT_QUALIFIERS]
    if "association" in qualifiers and "frequency not stated" not in qualifiers:
        shown.insert(0, "association")  # a frequency given: say the kind with it
    return f" [{'; '.join(shown)}]" if shown else ""


def row_tokens(row: Row, of_kind: bool = False) -> list[str]:
    """The row's line cut between its items (each piece after the first starts with ``, ``), so
    a long row wraps between two terms, never inside one; joined they are ``row_text``."""
    items = [item_text(item) for item in row.items]
    relation = f"—{row.relation.label or row.relation.curie}→"
    who = "it" if of_kind else whose(row)
    end = f"{marks(row.qualifiers)}" + (f" {cite(row.notes)}" if row.notes else "")
    if row.outgoing:
        head = f"{relation} " if of_kind else f"{who} {relation} "
        pieces = [head + items[0], *items[1:]]
    else:
        pieces = [*items[:-1], f"{items[-1]} {relation} {who}"]
    pieces[-1] += end
    return [pieces[0], *(", " + p for p in pieces[1:])]


def row_text(row: Row, of_kind: bool = False) -> str:
    """``subject —relation→ objects [qualifiers] [notes]``: one line for the whole row; in a
    subtype's entry (``of_kind``) the subtype is the entry's name, ``—relation→ objects`` or
    ``subjects —relation→ it``."""
    return "".join(row_tokens(row, of_kind))


def folded_text(entry: Folded) -> str:
    """The one line of an ancestor's folded association records, with their count."""
    records = "record" if entry.count == 1 else "records"
    return (
        f"{entry.count} association {records} said of ancestor {entry.ancestor.text()}, "
        f"not inherited {FOLD_HINT}"
    )


def kind_heading(sheet: Sheet) -> str:
    """``subtypes (14, 82 statements)``: the heading of the subtypes' entries."""
    count = sum(k.count for k in sheet.kinds)
    return f"subtypes ({len(sheet.kinds)}, {count} statement{'' if count == 1 else 's'})"


def subtypes_text(sheet: Sheet) -> str:
    """The header's subtypes: each by name, or (those with an entry below) only their number."""
    listed = {kind.term for kind in sheet.kinds}
    rest = [t.text() for t in sheet.card.subtypes if t not in listed]
    if not listed:
        return "; ".join(rest) or "none"
    if not rest:
        return f"{len(listed)} (each with its statements under SUBTYPES)"
    count = len(sheet.card.subtypes)
    return f"{count} ({len(listed)} with statements under SUBTYPES); without: {'; '.join(rest)}"


def ranges_text(card: Card) -> str:
    """The reference ranges on a card that only summarises them (where they are listed)."""
    where = card.ranges_listed_on
    assert where is not None
    return (
        f"reference ranges: {len(card.reference_ranges)} (of the laboratory tests, not of the "
        f"disease), listed on the card of {where.text()}: show {where.curie}"
    )


def note_defaults(notes: list[Support]) -> tuple[str, str]:
    """The source and evidence code most notes share, said once in the notes' heading."""
    if not notes:
        return "", ""
    sources = [n.source for n in notes]
    codes = [n.evidence for n in notes]
    return (
        max(sorted(set(sources)), key=sources.count),
        max(sorted(set(codes)), key=codes.count),
    )


def notes_heading(notes: list[Support]) -> str:
    """``source: article, evidence ECO:0000033, unless named``."""
    source, evidence = note_defaults(notes)
    said = ", ".join(x for x in (f"source: {source}", evidence and f"evidence {evidence}") if x)
    return f"{said}, unless named"


def support_text(support: Support, defaults: tuple[str, str] = ("", "")) -> str:
    """A note: the quoted sentence, its source by short name and its evidence code (each left
    out where it is the default the notes' heading names)."""
    named = [
        x
        for x, default in zip((support.source, support.evidence), defaults, strict=True)
        if x and x != default
    ]
    return f'"{support.quote}"' + (f" ({', '.join(named)})" if named else "")


def packed(tokens: list[str], first: str, indent: str = "    ") -> list[str]:
    """``first`` and the ``tokens`` (each after the first starting with its separator) on lines of
    at most ``WIDTH`` characters, broken only between two tokens (the separator's mark ends the
    line); a token longer than the width stays whole on its line."""
    lines: list[str] = []
    line = first
    for i, token in enumerate(tokens):
        if i and len(line) + len(token) > WIDTH - 2:  # room for the mark of a later break
            bare = token.lstrip(", ·")
            lines.append(line + token[: len(token) - len(bare)].rstrip())
            line = indent + bare
        else:
            line += token
    return [*lines, line]


def kind_tokens(kind: Kind) -> list[str]:
    """A subtype's rows as tokens, rows separated by `` · ``."""
    tokens: list[str] = []
    for row in kind.rows:
        pieces = row_tokens(row, of_kind=True)
        tokens += [(" · " if tokens else "") + pieces[0], *pieces[1:]]
    return tokens


def _entries(section: Section, listed_all: bool) -> list[Row | Folded]:
    """What to print: rows, and a folded entry as one line or (``listed_all``) as its rows."""
    out: list[Row | Folded] = []
    for entry in section.entries:
        if isinstance(entry, Folded) and listed_all:
            out += list(entry.rows)
        else:
            out.append(entry)
    return out


def _values(rows: tuple[Row, ...] | list[Row]) -> list[str]:
    return [value for row in rows for item in row.items for value in item.values]


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
    if card.synonyms:
        lines.append("synonyms: " + "; ".join(card.synonyms))
    if card.mappings:
        lines.append("mappings: " + ", ".join(card.mappings))
    lines.append("parents: " + ("; ".join(t.text() for t in card.parents) or "none"))
    lines.append(f"subtypes: {subtypes_text(sheet)}")
    if sheet.sections or sheet.kinds:
        lines.append(KEY)
    for section in sheet.sections:
        lines.append(f"{section.group.upper()} ({section.count})")
        for entry in _entries(section, sheet.listed_all):
            if isinstance(entry, Folded):
                lines.append(f"- {folded_text(entry)}")
                continue
            lines += packed(row_tokens(entry), "- ")
            lines += [f"    values: {value}" for value in _values([entry])]
    if sheet.kinds:
        lines.append("SUBTYPES " + kind_heading(sheet).removeprefix("subtypes "))
        for kind in sheet.kinds:
            lines += packed(kind_tokens(kind), f"- {kind.term.text()}: ")
            lines += [f"    values: {value}" for value in _values(kind.rows)]
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
    for name, values in (
        ("Synonyms", card.synonyms),
        ("Mappings", card.mappings),
        ("Parents", [t.text() for t in card.parents]),
        ("Subtypes", [subtypes_text(sheet)]),
    ):
        lines.append(f"**{name}:** " + ("; ".join(values) or "none") + "  ")
    if card.logical_definition:
        lines.append(f"**Logical definition:** `{card.logical_definition}`  ")
    lines += [f"**Values:** {value}  " for value in card.values]
    if sheet.sections or sheet.kinds:
        lines += ["", f"*{KEY}*"]
    for section in sheet.sections:
        lines += ["", f"### {section.group.capitalize()} ({section.count})", ""]
        for entry in _entries(section, sheet.listed_all):
            if isinstance(entry, Folded):
                lines.append(f"- *{folded_text(entry)}*")
                continue
            lines.append(f"- {row_text(entry)}")
            lines += [f"  - values: {value}" for value in _values([entry])]
    if sheet.kinds:
        lines += ["", f"### {kind_heading(sheet).capitalize()}", ""]
        for kind in sheet.kinds:
            lines.append(f"- **{kind.term.text()}**")
            lines += [f"  - {row_text(row, of_kind=True)}" for row in kind.rows]
            lines += [f"  - values: {value}" for value in _values(kind.rows)]
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
