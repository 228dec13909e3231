"""Serve the knowledge graph over HTTP and push it to other triple stores.

Why a wing of its own (above ``publish``, beside ``cases``): serving is a long-running process
with network-facing limits (query guard, timeouts, row and size limits) that no batch stage
needs, and pushing speaks the SPARQL 1.1 Graph Store Protocol to servers we do not control.
``app`` is the HTTP server (SPARQL 1.1 Protocol + explorer page), ``guard`` refuses what a
read-only endpoint must never run, ``dataset`` assembles the named graphs, ``results`` writes
the negotiated result formats, ``push`` uploads graphs to a remote store.
"""
