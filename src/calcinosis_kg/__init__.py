"""calcinosis-kg: an OWL ontology and RDF knowledge graph of calcinosis cutis."""

#: the one place the version is written: the package metadata (pyproject ``dynamic``, read by
#: hatchling) and ``calcinosis-kg --version`` both take it from here
__version__ = "0.1.0"
