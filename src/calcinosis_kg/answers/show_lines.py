"""The words of a class card: row lines, header lines, notes, shared by every renderer.

Why a module of its own: the text, Markdown and JSON cards (``answers.show_render``) and the
documentation site's type pages (``publish.pages``) must print the same lines for the same layout
(``answers.show_sheet``); each formats these words (escaping, links, wrapping) and nothing else.
A row line reads ``subject —relation→ objects [qualifiers] [notes]``: universal (true of every
member) or an association (said once in the key line when its frequency is not stated), and whose
statement it is (the term by name, ``inherited from X``, ``said of ancestor X, not inherited``, or,
in a subtype's entry, ``it``).
"""

from __future__ import annotations

from collections.abc import Callable

from calcinosis_kg.answers.show import Card, Support, Term
from calcinosis_kg.answers.show_sheet import Folded, Item, Kind, Row, Section, Sheet, header_key

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


def plain(text: str) -> str:
    """Text as the text card prints it (an HTML renderer passes an escaping function instead)."""
    return text


def named(term: Term) -> str:
    """A term as the text card prints it, ``label (CURIE)`` (an HTML renderer passes a link)."""
    return term.text()


#: what a renderer does to the card's own words and to a term (text: nothing; HTML: escape, link)
Words = Callable[[str], str]
Names = Callable[[Term], str]


def whose(row: Row, word: Words = plain, name: Names = named) -> str:
    """The statement's subject as the card says it: the term itself by name, else whose it is."""
    if row.scope == "inherited":
        return f"{word('inherited from ')}{name(row.about)}"
    if row.scope == "subtype":
        return f"{word('of subtype ')}{name(row.about)}"
    if row.scope == "ancestor":
        return f"{word('said of ancestor ')}{name(row.about)}{word(', not inherited')}"
    return word(row.about.everyday or row.about.label or row.about.curie)


def cite(numbers: tuple[int, ...]) -> str:
    """``[1][3]``: note numbers as the card cites them."""
    return "".join(f"[{n}]" for n in numbers)


def item_text(item: Item, word: Words = plain, name: Names = named) -> str:
    """A term of a row with what only it says and its notes: ``x (CURIE) (wording: …) [n]``."""
    extra = f" ({'; '.join(item.qualifiers)})" if item.qualifiers else ""
    notes = f" {cite(item.notes)}" if item.notes else ""
    return name(item.term) + word(extra + notes)


def marks(qualifiers: tuple[str, ...]) -> str:
    """`` [universal]``, `` [source wording: often]``: a row's shared qualifiers without the
    defaults the key line states once (an association whose frequency is not stated)."""
    shown = [q for q in qualifiers if q not in DEFAULT_QUALIFIERS]
    if "association" in qualifiers and "frequency not stated" not in qualifiers:
        shown.insert(0, "association")  # a frequency given: say the kind with it
    return f" [{'; '.join(shown)}]" if shown else ""


def row_tokens(
    row: Row, of_kind: bool = False, word: Words = plain, name: Names = named
) -> list[str]:
    """The row's line cut between its items (each piece after the first starts with ``, ``), so
    a long row wraps between two terms, never inside one; joined they are ``row_text``. ``word``
    and ``name`` format the card's own words and the terms (an HTML page escapes and links)."""
    items = [item_text(item, word, name) for item in row.items]
    relation = word(f"—{row.relation.label or row.relation.curie}→")
    who = word("it") if of_kind else whose(row, word, name)
    end = word(marks(row.qualifiers) + (f" {cite(row.notes)}" if row.notes else ""))
    if row.outgoing:
        head = f"{relation} " if of_kind else f"{who} {relation} "
        pieces = [head + items[0], *items[1:]]
    else:
        pieces = [*items[:-1], f"{items[-1]} {relation} {who}"]
    pieces[-1] += end
    return [pieces[0], *(word(", ") + p for p in pieces[1:])]


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


def header_lines(sheet: Sheet) -> list[tuple[str, str]]:
    """(name, text) of the header's lines between the definition and the subtypes: synonyms,
    mappings (with their SSSOM predicate), parents, other superclasses, disjoint classes, each
    entry with its notes."""
    card, notes = sheet.card, sheet.header_notes

    def noted(text: str, key: str) -> str:
        return f"{text} {cite(notes[key])}" if key in notes else text

    out = []
    if card.synonyms:
        out.append(
            ("synonyms", "; ".join(noted(x, header_key("synonym", x)) for x in card.synonyms))
        )
    if card.mappings:
        mapped = card.mapping_predicates
        out.append(
            (
                "mappings",
                ", ".join(f"{x} ({mapped[x]})" if x in mapped else x for x in card.mappings),
            )
        )
    parents = [noted(t.text(), header_key("parent", t.curie)) for t in card.parents]
    out.append(("parents", "; ".join(parents) or "none"))
    if card.also:
        also = [noted(text, header_key("also", text)) for text, _ in card.also]
        out.append(("also a kind of", "; ".join(also)))
    if card.distinct:
        distinct = [noted(t.text(), header_key("distinct", t.curie)) for t, _ in card.distinct]
        out.append(("distinct from", "; ".join(distinct)))
    return out


def subtypes_text(sheet: Sheet) -> str:
    """The header's subtypes: each by name, or (those with an entry below) only their number;
    empty when every subtype has its entry below (the line is left out)."""
    listed = {kind.term for kind in sheet.kinds}
    rest = [t.text() for t in sheet.card.subtypes if t not in listed]
    if not listed:
        return "; ".join(rest) or "none"
    if not rest:
        return ""  # every subtype has its entry: the SUBTYPES heading counts them
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
    said = [x for x in (source and f"source: {source}", evidence and f"evidence {evidence}") if x]
    return f"{', '.join(said)}, unless named" if said else "each with its source"


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


def kind_tokens(kind: Kind, word: Words = plain, name: Names = named) -> list[str]:
    """A subtype's rows as tokens, rows separated by `` · ``."""
    tokens: list[str] = []
    for row in kind.rows:
        pieces = row_tokens(row, True, word, name)
        tokens += [(" · " if tokens else "") + pieces[0], *pieces[1:]]
    return tokens


def entries(section: Section, listed_all: bool) -> list[Row | Folded]:
    """What to print of a section: rows, and a folded entry as one line or (``listed_all``) as its rows."""
    out: list[Row | Folded] = []
    for entry in section.entries:
        if isinstance(entry, Folded) and listed_all:
            out += list(entry.rows)
        else:
            out.append(entry)
    return out


def values(rows: tuple[Row, ...] | list[Row]) -> list[str]:
    """The laboratory values of the rows' items (printed under the row or the entry)."""
    return [value for row in rows for item in row.items for value in item.values]
