"""The identity of a release: ontology IRI, version IRI and the date the release carries.

Why a module of its own: the release writer (``release``) and the SSSOM mapping set (``sssom``)
both stamp their files with it, and neither may import the other. The date comes from the
ontology header's version (``owl:versionInfo`` or ``owl:versionIRI``), never the clock, so a
release is a pure function of its input files.

>>> info = ReleaseInfo("https://w3id.org/x/x.owl", "https://w3id.org/x/releases/2026-01-02/x.owl",
...                    "2026-01-02")
>>> info.date, info.variant_iri("base")
('2026-01-02', 'https://w3id.org/x/calcinosis-kg-base.owl')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.vocab import (
    OWL_IMPORTS,
    OWL_ONTOLOGY,
    OWL_VERSION_INFO,
    OWL_VERSION_IRI,
    RDF_TYPE,
)

if TYPE_CHECKING:
    from rdflib import Graph

STEM = "calcinosis-kg"
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class ReleaseInfo:
    """Identity of one release: where its IRIs come from and the date it carries."""

    ontology_iri: str
    version_iri: str
    version: str

    @property
    def date(self) -> str:
        """The ISO date (``YYYY-MM-DD``) of the version."""
        match = _DATE.search(self.version) or _DATE.search(self.version_iri)
        if match is None:
            raise InputError(f"ontology {self.ontology_iri} has no dated version (YYYY-MM-DD)")
        return match.group(0)

    def variant_iri(self, variant: str) -> str:
        """The ontology IRI of a variant (``…/calcinosis-kg-base.owl``)."""
        return with_stem(self.ontology_iri, f"{STEM}-{variant}")

    def variant_version_iri(self, variant: str) -> str:
        """The dated version IRI of a variant, beside the main version IRI."""
        return with_stem(self.version_iri, f"{STEM}-{variant}")


def with_stem(iri: str, stem: str) -> str:
    """``iri`` with its last path segment's name replaced by ``stem`` (suffix kept, else .owl)."""
    head, _, last = iri.rpartition("/")
    suffix = last[last.rfind(".") :] if "." in last else ".owl"
    return f"{head}/{stem}{suffix}"


def main_ontology(graph: Graph, path_hint: str = "") -> str:
    """The IRI of the ontology header of ``graph`` that no other header imports (first by IRI)."""
    from rdflib import URIRef

    imported = set(graph.objects(None, URIRef(OWL_IMPORTS)))
    heads = sorted(
        str(s)
        for s in graph.subjects(URIRef(RDF_TYPE), URIRef(OWL_ONTOLOGY))
        if isinstance(s, URIRef) and s not in imported
    )
    if not heads:
        raise InputError("no owl:Ontology header found", path_hint or None)
    return heads[0]


def release_info(graph: Graph, path_hint: str = "") -> ReleaseInfo:
    """Ontology IRI, version IRI and version (a date) of the main ontology of ``graph``."""
    from rdflib import URIRef

    iri = main_ontology(graph, path_hint)
    version_iri = graph.value(URIRef(iri), URIRef(OWL_VERSION_IRI))
    version = graph.value(URIRef(iri), URIRef(OWL_VERSION_INFO))
    version_text = str(version) if version is not None else ""
    version_iri_text = str(version_iri) if version_iri is not None else ""
    dated = _DATE.search(version_text) or _DATE.search(version_iri_text)
    if dated is None:
        raise InputError(
            f"ontology {iri} has no dated owl:versionInfo or owl:versionIRI (YYYY-MM-DD); "
            "the release date is taken from the header, never the clock",
            path_hint or None,
        )
    if not version_iri_text:
        version_iri_text = with_stem(iri, STEM).replace(
            "/" + STEM, f"/releases/{version_text}/{STEM}", 1
        )
    return ReleaseInfo(iri, version_iri_text, version_text or dated.group(0))
