"""A class card (``answers.show.Card``) as text, JSON or Markdown.

Why a module of its own: the card's content is decided once (``answers.show``) and read by the
``show`` command and the served class page; each output here only lays it out. Every statement
line says whether it is universal (true of every member) or an association (with its frequency and
the source's wording) and whose statement it is (own, inherited from an ancestor, of a subtype).

Text and Markdown print each statement once (statements that differ only in their sentences are
one line) with its sentences as numbered notes, and each sentence once (a sentence behind several
statements keeps one number), listed under NOTES at the end: the card reads like a note, not a
dump of every axiom annotation. An ancestor's association records (context, never claimed of the
term) are folded into one line per group and ancestor with their count, unless ``list_all`` (the
``show --all`` flag); the JSON always holds them all.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

from calcinosis_kg.answers.resolve import resolve
from calcinosis_kg.answers.show import Card, Statement, Support, Term, card
from calcinosis_kg.core.prefixes import expand

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

FORMATS = ("text", "json", "md")


def _qualifiers(s: Statement) -> str:
    if s.kind == "universal":
        return "universal"
    frequency = s.frequency or "frequency not given"
    parts = [frequency if frequency.startswith("frequency") else f"frequency: {frequency}"]
    for name, value in (("source wording", s.wording), ("efficacy", s.efficacy),
                        ("letter", s.letter)):
        if value:
            parts.append(f"{name}: {value}")
    if s.knowledge_level == "observation":
        parts.append("observation")
    return "association; " + "; ".join(parts)


def _whose(s: Statement) -> str:
    if s.scope == "inherited":
        return f"inherited from {s.about.text()}"
    if s.scope == "subtype":
        return f"of subtype {s.about.text()}"
    if s.scope == "ancestor":
        return f"said of ancestor {s.about.text()}, not inherited"
    return "own"


def _claim(s: Statement) -> str:
    return f"{s.subject.text()} —{s.relation.label or s.relation.curie}→ {s.object.text()}"


def _support_line(support: Support) -> str:
    evidence = f", {support.evidence}" if support.evidence else ""
    return f"\"{support.quote}\" ({support.source}{evidence})"


def merged(statements: list[Statement]) -> list[tuple[Statement, list[Support]]]:
    """Statements in order, those that differ only in their sentences as one, with the union of
    their sentences (in first-seen order)."""
    out: dict[Statement, list[Support]] = {}
    for s in statements:
        key = replace(s, support=())
        found = out.setdefault(key, [])
        found += [sup for sup in s.support if sup not in found]
    return list(out.items())


class Notes:
    """Numbers each distinct sentence once, in the order the card first cites it."""

    def __init__(self) -> None:
        self.numbers: dict[Support, int] = {}

    def cite(self, supports: list[Support]) -> str:
        """`` [n][m]`` for the sentences, numbering any new one; "" when there are none."""
        refs = [self.numbers.setdefault(sup, len(self.numbers) + 1) for sup in supports]
        return " " + "".join(f"[{n}]" for n in refs) if refs else ""

    def lines(self, prefix: str = "") -> list[str]:
        """The numbered notes (``[n] "quote" (source, evidence)``) in citation order."""
        return [f"{prefix}[{n}] {_support_line(sup)}" for sup, n in self.numbers.items()]


@dataclass(frozen=True)
class Folded:
    """An ancestor's association records of one group, as one line with their count."""

    ancestor: Term
    count: int

    def text(self) -> str:
        """The folded line: how many records an ancestor has and how to list them."""
        return (f"{self.count} association record(s) said of ancestor {self.ancestor.text()}, "
                "not inherited (show --all lists them)")


def _folded(rows: list[tuple[Statement, list[Support]]], list_all: bool
            ) -> list[tuple[Statement, list[Support]] | Folded]:
    """``rows`` with the ancestor-context ones folded into one ``Folded`` per ancestor, at the
    place of its first one (all of them listed when ``list_all``)."""
    if list_all:
        return list(rows)
    counts: dict[Term, int] = {}
    for s, _ in rows:
        if s.scope == "ancestor":
            counts[s.about] = counts.get(s.about, 0) + 1
    out: list[tuple[Statement, list[Support]] | Folded] = []
    for s, supports in rows:
        if s.scope != "ancestor":
            out.append((s, supports))
        elif s.about in counts:
            out.append(Folded(s.about, counts.pop(s.about)))
    return out


def render_text(card: Card, list_all: bool = False) -> str:
    """Plain text: header, hierarchy, then one block per group."""
    lines = [card.term.text() + ("  [obsolete]" if card.deprecated else "")]
    if card.definition:
        lines.append(f"definition: {card.definition}")
        lines += [f"  {_support_line(s)}" for s in card.definition_support]
    if card.logical_definition:
        lines.append(f"logical definition: {card.logical_definition}")
    lines += [f"values: {value}" for value in card.values]
    if card.synonyms:
        lines.append("synonyms: " + "; ".join(card.synonyms))
    if card.mappings:
        lines.append("mappings: " + ", ".join(card.mappings))
    lines.append("parents: " + ("; ".join(t.text() for t in card.parents) or "none"))
    lines.append("subtypes: " + ("; ".join(t.text() for t in card.subtypes) or "none"))
    notes = Notes()
    for group, statements in card.groups().items():
        rows = merged(statements)
        lines += ["", f"{group.upper()} ({len(rows)})"]
        for row in _folded(rows, list_all):
            if isinstance(row, Folded):
                lines.append(f"- {row.text()}")
                continue
            s, supports = row
            lines.append(f"- {_claim(s)}  [{_qualifiers(s)}; {_whose(s)}]{notes.cite(supports)}")
            lines += [f"    values: {value}" for value in s.values]
        if group == "laboratory profile" and card.reference_ranges:
            lines.append("  reference ranges: " + "; ".join(card.reference_ranges))
    if card.reference_ranges and "laboratory profile" not in card.groups():
        lines += ["", "REFERENCE RANGES"] + [f"- {r}" for r in card.reference_ranges]
    if not card.statements:
        lines += ["", "no statements about it (only its definition and place in the hierarchy)"]
    if notes.numbers:
        lines += ["", "NOTES"] + notes.lines()
    return "\n".join(lines) + "\n"


def render_md(card: Card, list_all: bool = False) -> str:
    """Markdown: a heading per group, a bullet per statement, its sentences quoted below."""
    lines = [f"## {card.term.label or card.term.curie} (`{card.term.curie}`)", ""]
    if card.definition:
        lines.append(f"**Definition.** {card.definition}")
        lines += [f"> {_support_line(s)}" for s in card.definition_support]
        lines.append("")
    for name, values in (("Synonyms", card.synonyms), ("Mappings", card.mappings),
                         ("Parents", [t.text() for t in card.parents]),
                         ("Subtypes", [t.text() for t in card.subtypes])):
        lines.append(f"**{name}:** " + ("; ".join(values) or "none") + "  ")
    if card.logical_definition:
        lines.append(f"**Logical definition:** `{card.logical_definition}`  ")
    lines += [f"**Values:** {value}  " for value in card.values]
    notes = Notes()
    for group, statements in card.groups().items():
        lines += ["", f"### {group.capitalize()}", ""]
        for row in _folded(merged(statements), list_all):
            if isinstance(row, Folded):
                lines.append(f"- *{row.text()}*")
                continue
            s, supports = row
            lines.append(f"- {_claim(s)} — *{_qualifiers(s)}; {_whose(s)}*{notes.cite(supports)}")
            lines += [f"  - values: {value}" for value in s.values]
        if group == "laboratory profile" and card.reference_ranges:
            lines.append(f"- reference ranges: {'; '.join(card.reference_ranges)}")
    if notes.numbers:
        lines += ["", "### Notes", ""] + notes.lines("- ")
    return "\n".join(lines) + "\n"


def to_dict(card: Card) -> dict[str, object]:
    """The card as plain data, statements grouped (the JSON output)."""
    data = asdict(card)
    data.pop("statements")
    data["groups"] = {group: [asdict(s) for s in statements]
                      for group, statements in card.groups().items()}
    return data


def render(card: Card, fmt: str = "text", list_all: bool = False) -> str:
    """The card in ``fmt`` (text, json or md); ``list_all`` lists an ancestor's association records
    one by one instead of folding them (text and md; the JSON always has them)."""
    if fmt == "json":
        return json.dumps(to_dict(card), ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        return render_md(card, list_all)
    return render_text(card, list_all)


def show(kg: KnowledgeGraph, term: str, fmt: str = "text", list_all: bool = False) -> str:
    """The card of ``term`` (a name, synonym, CURIE or IRI, as ``calcinosis-kg show`` takes it)
    in ``fmt`` (text, json or md); ``list_all`` as ``show --all``. Raises ``UnknownTerm`` /
    ``AmbiguousTerm`` (one line each)."""
    return render(card(kg, expand(resolve(kg, term).curie)), fmt, list_all)
