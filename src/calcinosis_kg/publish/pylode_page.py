"""The ontology reference page: pyLODE's OntPub HTML of the loaded graph, made deterministic.

Why a module of its own: pyLODE needs several work-arounds (listed in ``pylode_html``), each tied
to pyLODE 3.3.4's internals; keeping them together keeps the rest of the site free of them.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.expressions import RdflibSource, operand_text, parse
from calcinosis_kg.core.prefixes import compress, prefix_map
from calcinosis_kg.core.serialize import canonicalize
from calcinosis_kg.core.vocab import CCKG
from calcinosis_kg.graph.knowledge import label_of
from calcinosis_kg.publish.pages import esc

if TYPE_CHECKING:
    import re

    from rdflib import Graph
    from rdflib.term import Node

    from calcinosis_kg.graph.knowledge import KnowledgeGraph


def pylode_html(kg: KnowledgeGraph) -> str:
    """pyLODE (OntPub profile) documentation of the loaded graph, deterministic.

    pyLODE is given one merged graph (ontology + local import module) so external terms show
    their labels. Work-arounds: the import module's own owl:Ontology header is dropped
    (with two headers pyLODE picks the title at random), blank nodes get canonical labels and
    pyLODE sorts subjects (else its output changes with PYTHONHASHSEED), members of a union or
    intersection keep their list order (see ``_InsertionOrderedSet``), the CCKG namespace is
    declared with vann:preferredNamespaceUri (else pyLODE shows an ``ns1:`` prefix), and the
    root-logger set-up pyLODE does on import is undone (it would turn on DEBUG logging for the
    whole CLI).
    """
    from rdflib import Literal
    from rdflib.namespace import OWL as RDFLIB_OWL
    from rdflib.namespace import RDF, VANN, XSD

    ontpub = _import_pylode()
    graph = canonicalize(kg.graph)
    imported = set(graph.objects(None, RDFLIB_OWL.imports))
    for header in set(graph.subjects(RDF.type, RDFLIB_OWL.Ontology)) & imported:
        graph.remove((header, None, None))
    # without a declared namespace pyLODE invents an "ns1:" prefix for the ontology IRI
    namespace = prefix_map().get("CCKG", CCKG)
    for header in graph.subjects(RDF.type, RDFLIB_OWL.Ontology):
        if (header, VANN.preferredNamespaceUri, None) not in graph:
            graph.add((header, VANN.preferredNamespaceUri, Literal(namespace, datatype=XSD.anyURI)))
            graph.add((header, VANN.preferredNamespacePrefix, Literal("CCKG")))
    try:
        page = _fast_ontpub(ontpub)(graph, sort_subjects=True).make_html()
    except Exception as exc:  # pyLODE raises PylodeError (or a plain error) on odd input
        raise InputError(
            f"pyLODE could not document the ontology: {exc}", kg.files[0] if kg.files else None
        ) from exc
    return _unlink_blank_nodes(page, graph)


def _unlink_blank_nodes(page: str, graph: Graph) -> str:
    """pyLODE shows a nested anonymous class (a union inside a restriction) as a link to the
    blank node's label, a dead link; replace it by the class expression in words."""
    import re

    from rdflib import BNode, URIRef

    source = RdflibSource(graph)

    def words(node: Node) -> str:
        return operand_text(
            parse(source, node), lambda iri: label_of(graph, URIRef(iri)) or compress(iri)
        )

    labels = {str(node): node for node in graph.all_nodes() if isinstance(node, BNode)}

    def replace(match: re.Match[str]) -> str:
        node = labels.get(html.unescape(match.group(1)))
        if node is None:
            return match.group(0)
        return f'<span class="anonymous">{esc(words(node))}</span>'

    return re.sub(r'<a href="([^"#:/]+)">\1</a>', replace, page)


def _fast_ontpub(ontpub: Any) -> Any:
    """pyLODE's OntPub with a linear namespace section.

    OntPub._make_namespaces loops over every namespace for every term of every triple (666k
    rdflib calls, 4–6 s of the 7 s on our ontology); this computes the same prefixes from the
    distinct terms and renders the same HTML."""
    from itertools import chain

    from dominate.tags import code, dd, div, dl, dt, h2

    class FastOntPub(ontpub.OntPub):
        def _make_namespaces(self) -> None:
            ont = self.ont
            terms = {str(n) for n in chain(ont.subjects(), ont.predicates(), ont.objects())}
            nses = {
                prefix: str(ns)
                for prefix, ns in ont.namespaces()
                if any(term.startswith(str(ns)) for term in terms)
            }
            with self.content, div(id="namespaces"):
                h2("Namespaces")
                with dl():
                    self.toc.setdefault("namespaces", [])
                    for prefix, ns in sorted(nses.items()):
                        p_ = prefix if prefix != "" else ":"
                        dt(p_, id=p_)
                        dd(code(ns))
                        self.toc["namespaces"].append(("#" + prefix, prefix))

    return FastOntPub


class _InsertionOrderedSet(list):
    """Stands in for ``set()`` inside pyLODE's utils module: pyLODE collects the members of a
    union/intersection into a set of HTML elements (hashed by memory address), so their order
    changed from run to run; this keeps the RDF list order instead."""

    def add(self, item: Any) -> None:
        if item not in self:
            self.append(item)


def _open_cache_optional(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
    """``open`` for pyLODE's utils module: its background-ontology pickle is written into its own
    package folder, which fails on a read-only install; pyLODE skips the cache on
    FileNotFoundError only, so any failed write is reported as that (read errors unchanged)."""
    try:
        return open(file, mode, *args, **kwargs)  # noqa: SIM115 (the caller closes it)
    except OSError as exc:
        if "w" in mode and not isinstance(exc, FileNotFoundError):
            raise FileNotFoundError(exc.errno, exc.strerror, file) from None
        raise


def _import_pylode() -> Any:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from pylode import utils as pylode_utils
        from pylode.profiles import ontpub
    except ImportError as exc:
        raise InputError("pyLODE is not installed: pip install 'pylode==3.3.4'") from exc
    finally:
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    # module globals shadow builtins: only pyLODE's utils module sees the ordered stand-in
    pylode_utils.set = _InsertionOrderedSet
    pylode_utils.open = _open_cache_optional
    return ontpub
