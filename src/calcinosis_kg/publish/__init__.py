"""publish: artifacts other people and tools read.

Takes: a ``KnowledgeGraph`` (asserted, or with the inferred hierarchy from ``checks.inferred``).
Gives: byte-identical exports (``export``), ODK-style release artifacts (``release``, stamped by
``release_info``; ``obo``, ``kgx``, ``sssom``), release notes (``diff``) and the documentation
site (``docs`` lays it out from ``site_data``, ``pages``, ``pylode_page`` and ``diagrams``).
Never imports: cases, serve, cli.
"""
