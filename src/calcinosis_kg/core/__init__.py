"""core: what every layer stands on.

Takes: nothing but the bundled data folders. Gives: user-facing errors (``errors``), vocabulary
IRIs (``vocab``), the one module that locates ``ontology/``, ``shapes/`` and ``queries/``
(``resources``), the curated prefix map (``prefixes``), OWL class expressions as trees and text
(``expressions``) and deterministic serialisation with atomic writes (``serialize``).
Never imports: any other layer of calcinosis_kg, or click.
"""
