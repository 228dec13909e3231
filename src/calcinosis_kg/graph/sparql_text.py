"""A query's text and a user's values, read before any engine sees them.

Why a module of its own: these checks run for every engine (local or remote) and must not depend
on any of them. The query text is scanned lexically (strings, IRIs and comments blanked) to find
its variables (whether a query is ALLOWED is decided on the parsed query, ``query_guard``: a text
scan cannot guard SPARQL). Values given
with ``--bind`` become RDF terms (pyoxigraph terms) that engines pass as substitutions or as a
serialised ``VALUES`` block: they are never pasted into the query text.

>>> sorted(query_variables('SELECT ?s WHERE { ?s rdfs:label "?not" } # ?no'))
['s']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.core.vocab import XSD

if TYPE_CHECKING:
    import pyoxigraph

    Term = pyoxigraph.NamedNode | pyoxigraph.Literal

_VAR = re.compile(r"[?$]([A-Za-z_0-9\u00B7\u00C0-\uFFFF]+)")
# strings (long and short), IRIs and comments: removed before looking for keywords and variables
_LEXICAL = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n]*",
)
_CURIE = re.compile(r"^([A-Za-z][\w.-]*)?:(\S*)$")
_QUOTED = re.compile(r'^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z][A-Za-z0-9-]*)|\^\^(\S+))?$')
# bare numbers and booleans, with the XSD datatype they are bound as
_TYPED = (
    (re.compile(r"^[+-]?\d+$"), "integer"),
    (re.compile(r"^[+-]?\d*\.\d+$"), "decimal"),
    (re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)[eE][+-]?\d+$"), "double"),
    (re.compile(r"^(true|false)$"), "boolean"),
)


class QueryRefused(InputError):
    """A query asks for something never allowed here (network access, an update)."""


# ---------------------------------------------------------------------------------------------
# lexical checks


def strip_lexical(text: str) -> str:
    """The query with strings, IRIs and comments blanked (keywords and variables remain)."""
    return _LEXICAL.sub(lambda m: " " * len(m.group(0)), text)


def query_variables(text: str) -> set[str]:
    """Every variable name the query mentions (``?x`` and ``$x``)."""
    return set(_VAR.findall(strip_lexical(text)))


def header_variables(text: str) -> tuple[str, ...]:
    """The variables named in a header line (``?var (what it is) …``), in order, once each."""
    return tuple(dict.fromkeys(_VAR.findall(text)))


def keyword_position(text: str, keyword: str) -> tuple[int | None, int | None]:
    """line, column of ``keyword`` outside strings, IRIs and comments (for messages only: the
    decision to refuse is taken on the parsed query by ``query_guard``)."""
    found = re.search(rf"(?<![\w:?$]){keyword}(?![\w:])", strip_lexical(text), re.IGNORECASE)
    if not found:
        return None, None
    line = text.count("\n", 0, found.start()) + 1
    return line, found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1


# ---------------------------------------------------------------------------------------------
# bindings


def _iri(text: str) -> pyoxigraph.NamedNode:
    import pyoxigraph

    try:
        return pyoxigraph.NamedNode(text)
    except ValueError as exc:
        raise InputError(f"invalid IRI <{text}>: {exc}") from None


def _datatype(value: str) -> pyoxigraph.NamedNode:
    """The datatype after ``^^``: an ``<iri>``, an IRI or a CURIE of a curated prefix."""
    import pyoxigraph

    term = parse_term(value)
    if not isinstance(term, pyoxigraph.NamedNode):
        raise InputError(f"datatype {value} is not an IRI (use xsd:type or <iri>)")
    return term


def parse_term(value: str) -> Term:
    """A ``--bind`` value as an RDF term.

    ``<iri>``, ``http(s)://…`` and CURIEs with a curated prefix → IRI; ``"text"``, ``"text"@en``,
    ``"text"^^xsd:type`` → literal; ``12`` / ``1.5`` / ``1e3`` / ``true`` → typed literal; any other
    bare text → plain string literal. ``Foo:bar`` with an unknown prefix is an error, not a
    literal, so a mistyped CURIE never silently matches nothing.
    """
    import pyoxigraph

    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1])
    if value.startswith('"'):
        quoted = _QUOTED.match(value)
        if not quoted:
            raise InputError(
                f'cannot read literal {value}: use "text", "text"@en or "text"^^xsd:type'
            )
        text = re.sub(r"\\(.)", r"\1", quoted.group(1))
        try:
            if quoted.group(2):
                return pyoxigraph.Literal(text, language=quoted.group(2))
            if quoted.group(3):
                return pyoxigraph.Literal(text, datatype=_datatype(quoted.group(3)))
            return pyoxigraph.Literal(text)
        except ValueError as exc:  # e.g. a language tag "en-" with an empty subtag
            raise InputError(f"cannot read literal {value}: {exc}") from None
    if value.startswith(("http://", "https://", "urn:")):
        return _iri(value)
    for pattern, datatype in _TYPED:
        if pattern.match(value):
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + datatype))
    if _CURIE.match(value):
        try:
            return _iri(expand(value))
        except ValueError:
            prefix = value.split(":", 1)[0]
            raise InputError(
                f"unknown prefix '{prefix}:' in {value} (quote it to bind a literal: '\"{value}\"')"
            ) from None
    return pyoxigraph.Literal(value)


def parse_bindings(
    bindings: Mapping[str, object] | None, text: str, source: str = "<query>"
) -> dict[str, Term]:
    """Variable -> RDF term; every variable must occur in the query."""
    import pyoxigraph

    if not bindings:
        return {}
    known = query_variables(text)
    terms: dict[str, Term] = {}
    for raw_name, raw_value in bindings.items():
        name = raw_name.lstrip("?$")
        if name not in known:
            listed = ", ".join("?" + v for v in sorted(known)) or "none"
            raise InputError(
                f"--bind {name}: the query has no variable ?{name} (variables: {listed})", source
            )
        if isinstance(raw_value, pyoxigraph.NamedNode | pyoxigraph.Literal):
            terms[name] = raw_value
        else:
            terms[name] = parse_term(str(raw_value))
    return terms


def parse_bind_options(options: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``["VAR=VALUE", …]`` (from ``--bind``) -> {VAR: VALUE}.

    >>> parse_bind_options(["class=CCKG:0000001", "?n=3"])
    {'class': 'CCKG:0000001', 'n': '3'}
    """
    out: dict[str, str] = {}
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--bind {option!r}: expected VAR=VALUE")
        out[name.strip().lstrip("?$")] = value
    return out


def values_block(bindings: Mapping[str, Term]) -> str:
    """A ``VALUES`` clause of N-Triples-serialised terms (pyoxigraph escapes them)."""
    if not bindings:
        return ""
    names = list(bindings)
    return (
        "VALUES ("
        + " ".join("?" + n for n in names)
        + ") { ("
        + " ".join(str(bindings[n]) for n in names)
        + ") }"
    )


_FORM = re.compile(r"(?<![\w:?$])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:])", re.IGNORECASE)


def _closing(stripped: str, opening: int) -> int:
    """Index of the ``}`` that closes the ``{`` at ``opening`` (strings etc. already blanked)."""
    depth = 0
    for index in range(opening, len(stripped)):
        depth += {"{": 1, "}": -1}.get(stripped[index], 0)
        if depth == 0:
            return index
    raise InputError("unbalanced braces in the query")


def where_group_start(text: str) -> int:
    """The index just after the ``{`` that opens the query's WHERE group.

    Read on the lexically blanked text (strings, IRIs and comments cannot hold the braces or
    keywords found): the first ``{`` after the query form, past a CONSTRUCT template (the short
    ``CONSTRUCT WHERE`` cannot take VALUES: an error). Only for a text the guard
    (``query_guard.check_query``) has parsed as a query.
    """
    stripped = strip_lexical(text)
    form = _FORM.search(stripped)
    if form is None:
        raise InputError("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    position = form.end()
    if form.group(1).upper() == "CONSTRUCT":
        template = re.compile(r"\s*\{").match(stripped, position)
        if template is None:  # CONSTRUCT WHERE { triples }: its group may hold triples only
            raise InputError(
                "bound values need the long form CONSTRUCT { template } WHERE "
                "{ … } (the short CONSTRUCT WHERE allows no VALUES)"
            )
        position = _closing(stripped, template.end() - 1) + 1
    brace = stripped.find("{", position)
    if brace < 0:
        raise InputError("the query has no WHERE group to bind values in")
    return brace + 1


def with_values(text: str, bindings: Mapping[str, Term]) -> str:
    """``text`` with ``bindings`` as a ``VALUES`` block of serialised terms opening its WHERE group.

    Why inside the group and not after the query: a trailing VALUES is joined after grouping and
    aggregation (it cannot narrow what an aggregate counts), and some stores ignore it (Virtuoso
    7.2.5 returned every class for cq12); first in the WHERE group it is joined with the pattern
    before anything else, which is what binding a parameter means (as pyoxigraph's substitutions
    do). The values are RDF
    terms serialised by pyoxigraph; the user's text is never pasted.
    """
    if not bindings:
        return text
    at = where_group_start(text)
    return text[:at] + " " + values_block(bindings) + "\n" + text[at:]
