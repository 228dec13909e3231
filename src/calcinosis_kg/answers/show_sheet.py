"""The class card laid out once for every format: statements grouped into rows, sentences numbered.

Why a module of its own: the text, Markdown and JSON outputs and the explorer page (which renders
the JSON) must say the same thing in the same order with the same note numbers; deciding the
layout here, once, leaves each renderer (``answers.show_render``) with formatting only, as a
serializer per format does.

The layout: the statements of one subject about the card's term (its own, of one subtype, inherited
from one ancestor) with one relation and one kind (universal or association) are one ``Row``
listing the terms at the other end (``Item``), each with what is particular to it (the source's
wording, the efficacy …) and its notes; what every item shares is said once on the row. A
statement stays one item, so a row never hides a fact: the items of a card are its statements
(``count_items``). An ancestor's association records (context, never claimed of the term) are one
``Folded`` entry per group and ancestor, with their count; the rows inside are listed on request
(``show --all``) and are always in the JSON. A subtype's statements are one ``Kind`` entry per
subtype, its rows in group order (what is said of one kind read together, as a clinician's note
lists the forms of a disease, and the subtype's name said once instead of on every row). Each
distinct sentence is one numbered note, numbered in the order the card first cites it (the
definition's sentences, the sections, then the subtypes).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from calcinosis_kg.answers.show_reader import Support, Term

if TYPE_CHECKING:
    from calcinosis_kg.answers.show import Card, Statement


@dataclass(frozen=True)
class Item:
    """One statement in a row: the term at the other end, what only it says, its notes."""

    term: Term
    qualifiers: tuple[str, ...] = ()
    notes: tuple[int, ...] = ()
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """Statements of one subject (``about``, in ``scope``), one relation and one kind."""

    group: str
    scope: str
    about: Term
    kind: str
    relation: Term
    outgoing: bool  # the about term is the subject (else the items are the subjects)
    qualifiers: tuple[str, ...]  # shared by every item
    notes: tuple[int, ...]  # shared by every item, cited once for the row
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Folded:
    """An ancestor's association records of one group: one line with their count."""

    ancestor: Term
    count: int
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Kind:
    """What is said of one subtype: its rows, in group order (``show_groups.GROUPS``)."""

    term: Term
    rows: tuple[Row, ...]

    @property
    def count(self) -> int:
        """Its statements (each item is one)."""
        return sum(len(row.items) for row in self.rows)


@dataclass
class Section:
    """One group of the card (``show_groups.GROUPS``); ``count`` is its number of statements."""

    group: str
    count: int
    entries: list[Row | Folded] = field(default_factory=list)


@dataclass
class Sheet:
    """The card as laid out: note numbers, sections of rows; ``notes[n - 1]`` is note n."""

    card: Card
    definition_notes: tuple[int, ...]
    sections: list[Section]
    notes: list[Support]
    listed_all: bool  # folded rows numbered and meant to be listed
    kinds: list[Kind] = field(default_factory=list)  # the subtypes' statements, per subtype
    #: the header's notes: of each parent, synonym, other superclass and disjoint class
    header_notes: dict[str, tuple[int, ...]] = field(default_factory=dict)


def qualifier_parts(s: Statement) -> tuple[str, ...]:
    """What kind of statement it is: universal, or an association with its frequency, the
    source's wording, efficacy, acronym letter and whether it is an observation."""
    if s.kind == "universal":
        return ("universal",)
    frequency = s.frequency or "frequency not given"
    parts = [
        "association",
        frequency if frequency.startswith("frequency") else f"frequency: {frequency}",
    ]
    for name, value in (
        ("source wording", s.wording),
        ("efficacy", s.efficacy),
        ("letter", s.letter),
    ):
        if value:
            parts.append(f"{name}: {value}")
    if s.knowledge_level == "observation":
        parts.append("observation")
    return tuple(parts)


def merged(statements: list[Statement]) -> list[tuple[Statement, list[Support]]]:
    """Statements in order, those that differ only in their sentences as one, with the union of
    their sentences (in first-seen order)."""
    out: dict[Statement, list[Support]] = {}
    for s in statements:
        found = out.setdefault(replace(s, support=()), [])
        found += [sup for sup in s.support if sup not in found]
    return list(out.items())


class _Numbers:
    def __init__(self) -> None:
        self.numbers: dict[Support, int] = {}

    def cite(self, supports: list[Support] | tuple[Support, ...]) -> tuple[int, ...]:
        return tuple(
            dict.fromkeys(self.numbers.setdefault(sup, len(self.numbers) + 1) for sup in supports)
        )


def _rows(
    group: str, statements: list[tuple[Statement, list[Support]]]
) -> list[tuple[Row, list[list[Support]]]]:
    """Rows in first-seen order; each with its items' sentences (numbered later, in order)."""
    keyed: dict[tuple, tuple[list[Statement], list[list[Support]]]] = {}
    for s, supports in statements:
        outgoing = s.subject == s.about
        key = (s.scope, s.about, s.kind, s.relation, outgoing)
        found = keyed.setdefault(key, ([], []))
        found[0].append(s)
        found[1].append(supports)
    out: list[tuple[Row, list[list[Support]]]] = []
    for (scope, about, kind, relation, outgoing), (members, sentences) in keyed.items():
        parts = [qualifier_parts(s) for s in members]
        shared = tuple(p for p in parts[0] if all(p in other for other in parts))
        items = tuple(
            Item(
                term=s.object if outgoing else s.subject,
                qualifiers=tuple(p for p in own if p not in shared),
                values=s.values,
            )
            for s, own in zip(members, parts, strict=True)
        )
        row = Row(group, scope, about, kind, relation, outgoing, shared, (), items)
        out.append((row, sentences))
    return out


def _numbered(row: Row, supports: list[list[Support]], numbers: _Numbers) -> Row:
    cited = [numbers.cite(sup) for sup in supports]
    if len(set(cited)) == 1:
        return replace(row, notes=cited[0])
    return replace(
        row,
        items=tuple(
            replace(item, notes=notes) for item, notes in zip(row.items, cited, strict=True)
        ),
    )


def sheet(card: Card, list_all: bool = False) -> Sheet:
    """The layout of ``card``; ``list_all`` numbers the folded rows' sentences too (they are
    listed: ``show --all`` and the JSON), else only what is shown is numbered."""
    numbers = _Numbers()
    definition_notes = numbers.cite(card.definition_support)
    header_notes = {
        key: notes for key, supports in header_supports(card) if (notes := numbers.cite(supports))
    }
    sections = []
    of_kinds: dict[Term, list[tuple[Row, list[list[Support]]]]] = {}
    for group, statements in card.groups().items():
        rows = _rows(group, merged(statements))
        placed: list[tuple[Row, list[list[Support]]] | Term] = []
        folded: dict[Term, list[tuple[Row, list[list[Support]]]]] = {}
        for row, supports in rows:
            if row.scope == "subtype":
                of_kinds.setdefault(row.about, []).append((row, supports))
                continue
            if row.scope != "ancestor":
                placed.append((row, supports))
                continue
            if row.about not in folded:
                placed.append(row.about)
            folded.setdefault(row.about, []).append((row, supports))
        if not placed:
            continue
        section = Section(group, 0)
        for entry in placed:
            if isinstance(entry, Term):
                inner = tuple(
                    _numbered(r, sup, numbers) if list_all else r for r, sup in folded[entry]
                )
                section.entries.append(Folded(entry, sum(len(r.items) for r in inner), inner))
            else:
                section.entries.append(_numbered(*entry, numbers))
        section.count = sum(
            len(r.items)
            for e in section.entries
            for r in (e.rows if isinstance(e, Folded) else (e,))
        )
        sections.append(section)
    order = {t: i for i, t in enumerate(card.subtypes)}
    kinds = [
        Kind(term, tuple(_numbered(r, sup, numbers) for r, sup in of_kinds[term]))
        for term in sorted(of_kinds, key=lambda t: (order.get(t, len(order)), t.curie))
    ]
    cited = list(numbers.numbers)
    return Sheet(card, definition_notes, sections, cited, list_all, kinds, header_notes)


def header_supports(card: Card) -> list[tuple[str, tuple[Support, ...]]]:
    """The sentences of the header's lines, keyed as ``header_key`` names them, in print order:
    parents, synonyms, other superclasses, disjoint classes."""
    return [
        *((header_key("parent", t.curie), card.parent_support.get(t, ())) for t in card.parents),
        *((header_key("synonym", x), card.synonym_support.get(x, ())) for x in card.synonyms),
        *((header_key("also", text), sup) for text, sup in card.also),
        *((header_key("distinct", t.curie), sup) for t, sup in card.distinct),
    ]


def header_key(kind: str, what: str) -> str:
    """The key of a header entry's notes in ``Sheet.header_notes``."""
    return f"{kind}:{what}"


def count_items(sheet: Sheet) -> int:
    """Statements on the sheet (each item is one), folded rows included."""
    total = sum(kind.count for kind in sheet.kinds)
    for section in sheet.sections:
        for entry in section.entries:
            rows = entry.rows if isinstance(entry, Folded) else (entry,)
            total += sum(len(row.items) for row in rows)
    return total
