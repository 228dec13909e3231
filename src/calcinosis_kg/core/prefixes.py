"""The curated CURIE prefix map, read from ``ontology/src/header.yaml`` (never copied in code),
and the one place CURIEs are expanded and compressed.

Every conversion goes through a ``curies`` converter: over the curated map by default, or over a
caller's own map when a policy needs one (the prefixes a case record may use, the namespaces of
the shapes, a JSON-LD context). Callers keep their policy; the conversion is done here.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.resources import source_dir
from calcinosis_kg.core.yamlio import read_yaml

if TYPE_CHECKING:
    import curies


class UnknownPrefix(InputError, ValueError):
    """A CURIE whose prefix the map does not hold (a ``ValueError`` too, as it always was)."""


@cache
def header() -> dict:
    """The parsed ontology header (IRI, version, title, prefixes, sources)."""
    return read_yaml(source_dir() / "header.yaml", {})


def prefix_map() -> dict[str, str]:
    """Prefix -> namespace IRI, in the curated order."""
    return dict(header()["prefixes"])


def converter(prefixes: Mapping[str, str] | None = None) -> curies.Converter:
    """A ``curies`` converter over the curated prefix map, or over ``prefixes`` (cached by its
    items, so a caller may pass the same dict again at no cost)."""
    if prefixes is None:
        return _curated()
    return _converter(tuple(prefixes.items()))


@cache
def _curated() -> curies.Converter:
    return _converter(tuple(prefix_map().items()))


@cache
def _converter(items: tuple[tuple[str, str], ...]) -> curies.Converter:
    # lazy: curies (with pydantic) costs 170-530 ms cumulative after rdflib (-X importtime,
    # load 8-10); paid when a CURIE is first converted, never by `--help`
    import curies

    return curies.Converter.from_prefix_map(dict(items))


def expand(curie: str, prefixes: Mapping[str, str] | None = None) -> str:
    """Expand a CURIE with the curated map (or ``prefixes``); full IRIs (``http…``, ``urn:``)
    pass through unchanged.

    An unknown prefix is an error (``UnknownPrefix``, an ``InputError``) rather than a guess,
    so a typo never becomes a new IRI.

    >>> expand("HP:0001250")
    'http://purl.obolibrary.org/obo/HP_0001250'
    >>> expand("https://example.org/x")
    'https://example.org/x'
    >>> expand("NOPE:1")
    Traceback (most recent call last):
    ...
    calcinosis_kg.core.prefixes.UnknownPrefix: unknown CURIE prefix in 'NOPE:1'
    """
    if curie.startswith(("http://", "https://", "urn:")):
        return curie
    iri = converter(prefixes).expand(curie)
    if iri is None:
        raise UnknownPrefix(f"unknown CURIE prefix in {curie!r}")
    return iri


def compress(iri: str, prefixes: Mapping[str, str] | None = None) -> str:
    """CURIE for an IRI when a curated prefix (or one of ``prefixes``) covers it, else the IRI
    itself. The longest covering namespace wins.

    >>> compress("http://purl.obolibrary.org/obo/HP_0001250")
    'HP:0001250'
    >>> compress("https://example.org/x")
    'https://example.org/x'
    """
    return converter(prefixes).compress(iri) or iri


def split(iri: str, prefixes: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """``(prefix, local name)`` under the longest covering namespace, or None when none covers
    ``iri``: for callers whose policy also judges the local name (it may be empty)."""
    pair = converter(prefixes).parse_uri(iri)
    return None if pair is None else (pair.prefix, pair.identifier)
