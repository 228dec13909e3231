"""Turn what a person types (a CURIE, an IRI, a label or a synonym) into exactly one term.

Why a module of its own: ``show TERM`` and every ``--bind VAR=VALUE`` must read names the same
way, and a name that fits several terms must never silently pick one (or match nothing). The
rules, in order: ``<iri>``, ``http(s)://…`` and CURIEs with a curated prefix are taken as given;
otherwise the text is compared case-insensitively (whitespace and punctuation collapsed) with
every label, then with every synonym, then word by word (``search``); a label of the ontology's
own term beats an imported term's same label (``calcinosis cutis`` is CCKG:0000001, the disease;
HP:0025520 *Calcinosis cutis*, the phenotype, is reached by its CURIE, and each card says how the
two differ). One term → resolved;
several → ``AmbiguousTerm`` listing them; none → ``UnknownTerm`` with the nearest names. The
user's text is matched in Python and never pasted into a query.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import compress, expand
from calcinosis_kg.core.vocab import (
    BIOLINK_ASSOCIATION,
    CCKG,
    OWL_DEPRECATED,
    RDF_TYPE,
    RDFS_LABEL,
    SKOS_ALT_LABEL,
    SYNONYM_SCOPES,
)
from calcinosis_kg.graph.sparql_text import parse_term

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

_NAME_PROPERTIES = (RDFS_LABEL, *SYNONYM_SCOPES, SKOS_ALT_LABEL)
_CURIE = re.compile(r"^[A-Za-z][\w.-]*:\S*$")
_TYPED = re.compile(r"^([+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|true|false)$")
MAX_CANDIDATES = 10
#: CCKG:0000700-0000799 classify patient case records (docs/readme/cases.md): reachable by CURIE
#: or full label, but a word such as "dystrophic" names the disease, not "case of dystrophic …"
CASE_MODEL_PREFIX = CCKG + "00007"


@dataclass(frozen=True)
class Candidate:
    """A term a name may refer to: CURIE, label, and the name that matched."""

    curie: str
    label: str
    matched: str = ""

    def describe(self) -> str:
        """One line for a "did you mean" list: CURIE, label, and the synonym that matched."""
        via = f" (synonym: {self.matched})" if self.matched and self.matched != self.label else ""
        return f"{self.curie} {self.label}{via}".rstrip()


class UnknownTerm(InputError):
    """No term has this name (the message lists the nearest names, if any)."""

    def __init__(self, text: str, suggestions: list[Candidate]) -> None:
        self.suggestions = suggestions
        hint = (
            "; did you mean: " + "; ".join(c.describe() for c in suggestions)
            if suggestions
            else "; try 'calcinosis-kg search WORDS'"
        )
        super().__init__(f"no term is named '{text}'{hint}")


class AmbiguousTerm(InputError):
    """Several terms have this name: the message lists them (at most ``MAX_CANDIDATES``)."""

    def __init__(self, text: str, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        shown = "; ".join(c.describe() for c in candidates[:MAX_CANDIDATES])
        more = len(candidates) - MAX_CANDIDATES
        tail = f"; and {more} more" if more > 0 else ""
        super().__init__(
            f"'{text}' matches {len(candidates)} terms: {shown}{tail}; "
            "give a CURIE or the full label"
        )


def normalise(text: str) -> str:
    """Case-folded words: ``"Systemic  Sclerosis"`` and ``"systemic-sclerosis"`` compare equal."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


@dataclass(frozen=True)
class NameIndex:
    """Names -> the terms they name: the one name lookup of ``show``/``--bind`` (``resolve``
    here) and of case records (``cases.vocab``), whose differences are its options.

    ``tiers`` are searched in order and the first that holds the name wins (``show``: labels,
    then synonyms; case records: one tier of labels, exact and related synonyms and verified
    table names). ``normalise`` says when two names are the same (``normalise`` here collapses
    punctuation; case records keep it). Each name keeps ``{term: the name as written}``, in the
    order first seen (a term given the same name twice keeps the last spelling).
    """

    normalise: Callable[[str], str]
    tiers: tuple[dict[str, dict[str, str]], ...]

    @classmethod
    def of(
        cls, tiers: Iterable[Iterable[tuple[str, str]]], normalise: Callable[[str], str]
    ) -> NameIndex:
        """An index of ``(term, name)`` pairs, one iterable per tier."""
        built = []
        for entries in tiers:
            tier: dict[str, dict[str, str]] = {}
            for term, name in entries:
                tier.setdefault(normalise(name), {})[term] = name
            built.append(tier)
        return cls(normalise, tuple(built))

    def exact(
        self, text: str, plural: bool = False, own: Callable[[str], bool] | None = None
    ) -> dict[str, str]:
        """``{term: matched name}`` of the first tier holding ``text`` (normalised); with
        ``plural``, "elbows" is read as "elbow" when only the singular is a name; with ``own``,
        the one term of the first tier it accepts beats that tier's namesakes."""
        key = self.normalise(text)
        for i, tier in enumerate(self.tiers):
            if key in tier:
                found = tier[key]
                mine = [t for t in found if own(t)] if own is not None and i == 0 else []
                return {mine[0]: found[mine[0]]} if len(mine) == 1 else found
        if plural and key.endswith("s"):
            return self.exact(key[:-1])
        return {}

    def first_term(self, name: str) -> str:
        """The term first seen with the normalised ``name`` (labels before synonyms)."""
        return next(iter(next(t[name] for t in self.tiers if name in t)))

    def names(self, unambiguous: bool = False) -> list[str]:
        """Every normalised name, first seen first (with ``unambiguous``: of one term only)."""
        out: dict[str, None] = {}
        for tier in self.tiers:
            out.update((n, None) for n, terms in tier.items() if not unambiguous or len(terms) == 1)
        return list(out)

    def close(self, text: str, n: int, cutoff: float, unambiguous: bool = False) -> list[str]:
        """The normalised names spelled nearest ``text`` (difflib), best first."""
        return difflib.get_close_matches(
            self.normalise(text), self.names(unambiguous), n=n, cutoff=cutoff
        )


def _index(names: list[tuple[str, str, bool]]) -> NameIndex:
    """Labels, then synonyms, of the graph's terms (``show`` and ``--bind``)."""
    return NameIndex.of(
        (
            [(i, n) for i, n, is_label in names if is_label],
            [(i, n) for i, n, is_label in names if not is_label],
        ),
        normalise,
    )


def _names(kg: KnowledgeGraph) -> list[tuple[str, str, bool]]:
    """(iri, name, is_label) for every labelled or synonymed IRI except association records."""
    import pyoxigraph

    store = kg.store
    records = {
        q.subject.value
        for q in store.quads_for_pattern(
            None, pyoxigraph.NamedNode(RDF_TYPE), pyoxigraph.NamedNode(BIOLINK_ASSOCIATION)
        )
        if isinstance(q.subject, pyoxigraph.NamedNode)
    }
    out = []
    for prop in _NAME_PROPERTIES:
        for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(prop), None):
            if (
                isinstance(quad.subject, pyoxigraph.NamedNode)
                and isinstance(quad.object, pyoxigraph.Literal)
                and quad.subject.value not in records
            ):
                out.append((quad.subject.value, quad.object.value, prop == RDFS_LABEL))
    return out


def _deprecated(kg: KnowledgeGraph) -> set[str]:
    import pyoxigraph

    return {
        q.subject.value
        for q in kg.store.quads_for_pattern(None, pyoxigraph.NamedNode(OWL_DEPRECATED), None)
        if isinstance(q.subject, pyoxigraph.NamedNode)
        and isinstance(q.object, pyoxigraph.Literal)
        and q.object.value == "true"
    }


def in_graph(kg: KnowledgeGraph, iri: str) -> bool:
    """Whether ``iri`` occurs in any triple of the graph (as subject, predicate or object)."""
    import pyoxigraph

    node = pyoxigraph.NamedNode(iri)
    store = kg.store
    return (
        any(True for _ in store.quads_for_pattern(node, None, None))
        or any(True for _ in store.quads_for_pattern(None, None, node))
        or any(True for _ in store.quads_for_pattern(None, node, None))
    )


def looks_like_identifier(text: str) -> bool:
    """``<iri>``, ``http(s)://…``, ``urn:…`` or ``PREFIX:local`` (not checked against the graph)."""
    text = text.strip()
    return (
        (text.startswith("<") and text.endswith(">"))
        or text.startswith(("http://", "https://", "urn:"))
        or bool(_CURIE.match(text))
    )


def _identifier(text: str) -> str | None:
    """The IRI a CURIE/IRI spells, or None when ``text`` is not one (unknown prefix → None)."""

    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    if text.startswith(("http://", "https://", "urn:")):
        return text
    if _CURIE.match(text) and " " not in text:
        try:
            return expand(text)
        except ValueError:
            return None
    return None


def candidates(kg: KnowledgeGraph, text: str) -> list[Candidate]:
    """Every term ``text`` may name, best match first (exact label, exact synonym, words)."""

    labels = kg.labels
    iri = _identifier(text)
    if iri is not None:
        return [Candidate(compress(iri), labels.get(iri, ""))] if in_graph(kg, iri) else []
    wanted = normalise(text)
    if not wanted:
        return []
    names = _names(kg)
    # the ontology's own term beats an imported namesake (a label only)
    exact = _index(names).exact(wanted, own=lambda i: i.startswith(CCKG))
    if exact:
        return sorted(
            (Candidate(compress(i), labels.get(i, ""), n) for i, n in exact.items()),
            key=lambda c: (c.label.casefold(), c.curie),
        )
    words = wanted.split()
    found: dict[str, str] = {}
    obsolete = _deprecated(kg)
    for iri, name, _ in names:
        if iri in obsolete or iri.startswith(CASE_MODEL_PREFIX):
            continue
        tokens = normalise(name).split()
        if all(any(tok.startswith(w) for tok in tokens) for w in words):
            found.setdefault(iri, name)
    return sorted(
        (Candidate(compress(i), labels.get(i, ""), n) for i, n in found.items()),
        key=lambda c: (len(c.label), c.label.casefold(), c.curie),
    )


def suggestions(kg: KnowledgeGraph, text: str, n: int = 3) -> list[Candidate]:
    """The names closest to ``text`` (for a typo), best first."""

    index = _index(_names(kg))
    labels = kg.labels
    return [
        Candidate(compress(index.first_term(c)), labels.get(index.first_term(c), ""), c)
        for c in index.close(text, n, cutoff=0.6)
    ]


def resolve(kg: KnowledgeGraph, text: str) -> Candidate:
    """The one term ``text`` (a label, synonym, CURIE or IRI) names, as a ``Candidate`` with its
    ``curie``, ``label`` and the name that ``matched``; ``AmbiguousTerm`` / ``UnknownTerm``
    (both ``InputError``, one line, naming close spellings) otherwise."""

    iri = _identifier(text)
    found = candidates(kg, text)
    if len(found) == 1:
        return found[0]
    if found:
        raise AmbiguousTerm(text, found)
    if iri is None and _CURIE.match(text.strip()) and " " not in text.strip():
        prefix = text.strip().split(":", 1)[0]
        raise InputError(f"unknown prefix '{prefix}:' in {text}")
    raise UnknownTerm(compress(iri) if iri else text, [] if iri else suggestions(kg, text))


def is_name(value: str) -> bool:
    """Whether a ``--bind`` value is a name to resolve (not quoted, a number or an identifier)."""
    stripped = value.strip()
    return (
        bool(stripped)
        and not stripped.startswith('"')
        and not _TYPED.match(stripped)
        and not looks_like_identifier(stripped)
    )


def resolve_bind_value(kg: KnowledgeGraph, value: str) -> tuple[str, str | None]:
    """A ``--bind`` value ready for ``graph.sparql`` and a note for stderr (or None).

    Quoted literals and numbers pass unchanged; a CURIE or IRI passes unchanged but is warned
    about when the graph does not hold it; any other text must name exactly one term and becomes
    its CURIE (the note says which term it was taken as).
    """
    stripped = value.strip()
    if stripped.startswith('"') or _TYPED.match(stripped):
        if stripped.startswith('"') and not _literal_in_graph(kg, stripped):
            return value, f"{stripped} does not occur in the graph: the query may return no rows"
        return value, None
    iri = _identifier(stripped)
    if looks_like_identifier(stripped):
        if iri is not None and not in_graph(kg, iri):
            return value, (f"{stripped} does not occur in the graph: the query may return no rows")
        return value, None
    found = resolve(kg, stripped)
    return found.curie, f"taken as {found.curie} ({found.label})"


def _literal_in_graph(kg: KnowledgeGraph, value: str) -> bool:
    """Whether a quoted ``--bind`` literal occurs as an object (its text, any tag or type)."""
    import pyoxigraph

    term = parse_term(value)
    if not isinstance(term, pyoxigraph.Literal):
        return True
    text = term.value
    return any(
        isinstance(q.object, pyoxigraph.Literal) and q.object.value == text
        for q in kg.store.quads_for_pattern(None, None, None)
    )
