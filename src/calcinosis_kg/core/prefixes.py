"""The curated CURIE prefix map, read from ``ontology/src/header.yaml`` (never copied in code)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from calcinosis_kg.core.resources import source_dir
from calcinosis_kg.core.yamlio import read_yaml

if TYPE_CHECKING:
    import curies


@cache
def header() -> dict:
    """The parsed ontology header (IRI, version, title, prefixes, sources)."""
    return read_yaml(source_dir() / "header.yaml", {})


def prefix_map() -> dict[str, str]:
    """Prefix -> namespace IRI, in the curated order."""
    return dict(header()["prefixes"])


@cache
def converter() -> curies.Converter:
    """A ``curies`` converter over the curated prefix map (expand/compress CURIEs)."""
    import curies

    return curies.Converter.from_prefix_map(prefix_map())


def expand(curie: str) -> str:
    """Expand a CURIE with the curated map; full IRIs (``http…``) pass through unchanged.

    An unknown prefix is an error rather than a guess, so a typo never becomes a new IRI.

    >>> expand("HP:0001250")
    'http://purl.obolibrary.org/obo/HP_0001250'
    >>> expand("https://example.org/x")
    'https://example.org/x'
    >>> expand("NOPE:1")
    Traceback (most recent call last):
    ...
    ValueError: unknown CURIE prefix in 'NOPE:1'
    """
    if curie.startswith(("http://", "https://", "urn:")):
        return curie
    iri = converter().expand(curie)
    if iri is None:
        raise ValueError(f"unknown CURIE prefix in {curie!r}")
    return iri


def compress(iri: str) -> str:
    """CURIE for an IRI when a curated prefix covers it, else the IRI itself.

    >>> compress("http://purl.obolibrary.org/obo/HP_0001250")
    'HP:0001250'
    >>> compress("https://example.org/x")
    'https://example.org/x'
    """
    return converter().compress(iri) or iri
