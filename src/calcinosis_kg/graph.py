"""The one loaded graph that every stage shares: parse once, hand out rdflib and pyoxigraph views.

Contract used by all stages: ``load(paths)`` returns a ``KnowledgeGraph`` with ``files`` (the inputs,
imports resolved locally), ``digest`` (content hash of every input, the cache key), ``graph`` (an
rdflib Graph, built lazily) and ``store`` (a pyoxigraph Store, built lazily).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.resources import default_ontology_files

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib


@dataclass
class KnowledgeGraph:
    files: list[Path]
    _ntriples: bytes = field(repr=False, default=b"")

    @cached_property
    def digest(self) -> str:
        h = hashlib.sha256()
        for path in self.files:
            h.update(str(path.name).encode())
            h.update(path.read_bytes())
        return h.hexdigest()

    @cached_property
    def graph(self) -> rdflib.Graph:
        import rdflib

        g = rdflib.Graph()
        for path in self.files:
            g.parse(path, format=_format_of(path))
        return g

    @cached_property
    def store(self) -> pyoxigraph.Store:
        import pyoxigraph

        store = pyoxigraph.Store()
        for path in self.files:
            store.bulk_load(path=str(path), format=_ox_format_of(path))
        return store


_FORMATS = {".ttl": "turtle", ".nt": "nt", ".owl": "xml", ".rdf": "xml", ".xml": "xml",
            ".jsonld": "json-ld", ".json": "json-ld"}


def _format_of(path: Path) -> str:
    return _FORMATS.get(path.suffix.lower(), "turtle")


def _ox_format_of(path: Path):
    import pyoxigraph

    return {
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "xml": pyoxigraph.RdfFormat.RDF_XML,
        "json-ld": pyoxigraph.RdfFormat.JSON_LD,
    }[_format_of(path)]


def load(paths: Sequence[Path | str] | None = None) -> KnowledgeGraph:
    """Load the bundled ontology (with its import module) or the given files."""
    files = [Path(p) for p in paths] if paths else default_ontology_files()
    return KnowledgeGraph(files=files)
