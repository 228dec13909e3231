"""publish: artifacts other people and tools read.

Takes: a ``KnowledgeGraph`` (asserted, or with the inferred hierarchy from ``checks``). Gives:
byte-identical exports (``export``), ODK-style release artifacts (``release``, ``obo``, ``kgx``,
``sssom``), release notes (``diff``) and the documentation site (``docs``, ``diagrams``).
Never imports: cases, serve, cli.
"""
