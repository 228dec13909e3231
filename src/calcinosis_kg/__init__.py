"""calcinosis-kg: an OWL ontology and RDF knowledge graph of calcinosis cutis."""

__version__ = "0.1.0"
