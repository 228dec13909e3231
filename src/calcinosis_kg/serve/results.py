"""Content negotiation and the result formats of the SPARQL 1.1 Protocol.

Why written here rather than left to pyoxigraph's serialisers: the server cuts results at a row
limit and must say so inside the response (never a silent truncation), so SELECT results are
written from the rows actually kept, with the limit in a ``limits`` member (JSON) or a ``link``
(XML) besides the ``X-Row-Limit`` / ``X-Rows-Truncated`` headers. Triples (CONSTRUCT, DESCRIBE)
are sorted, so the same query gives the same bytes. Writers hand their bytes to ``emit`` piece by
piece (``write_to``), so a server streams a large answer instead of holding it twice.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from calcinosis_kg.core.errors import CalcinosisKGError
from calcinosis_kg.core.prefixes import compress, prefix_map
from calcinosis_kg.core.vocab import XSD_STRING

if TYPE_CHECKING:
    from calcinosis_kg.serve.dataset import Answer

SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


def media_type(fmt: str) -> str:
    """The Content-Type of an answer in format ``fmt``."""
    return MEDIA[fmt] + ("; charset=utf-8" if fmt in ("csv", "tsv", "turtle") else "")


# ``format=`` query argument (what many endpoints accept besides Accept)
SHORT = {
    "json": "json",
    "xml": "xml",
    "csv": "csv",
    "tsv": "tsv",
    "turtle": "turtle",
    "ttl": "turtle",
    "nt": "ntriples",
    "ntriples": "ntriples",
    "n-triples": "ntriples",
    "jsonld": "jsonld",
    "json-ld": "jsonld",
    "rdfxml": "rdfxml",
}


class NotAcceptable(CalcinosisKGError):
    """No format the client accepts can carry this kind of result."""


def _accepted(accept: str) -> list[tuple[str, float]]:
    """Media ranges of an Accept header, best first (q-values honoured, order kept on ties)."""
    ranges = []
    for index, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((fields[0].lower(), q, index))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, q) for media, q, _ in ranges if q > 0]


def negotiate(form: str, accept: str | None, requested: str | None = None) -> str:
    """The format key (``json``, ``turtle`` …) for a result of ``form``.

    ``format=`` wins over Accept, except when it names a results format (``xml``, ``json``) for a
    graph result and Accept names an RDF format: SPARQLWrapper asks for a CONSTRUCT in RDF/XML
    with ``format=xml`` and ``Accept: application/rdf+xml``, and means the Accept. Without such an
    Accept, ``format=xml`` / ``json`` for a graph means RDF/XML / JSON-LD."""
    table = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES
    if form == "ASK":
        table = {k: v for k, v in SELECT_TYPES.items() if v in ("json", "xml")}
    default = "turtle" if table is GRAPH_TYPES else "json"
    if requested:
        key = SHORT.get(requested.lower()) or table.get(requested.lower()) or ""
        if table is GRAPH_TYPES and key not in table.values():
            explicit = _explicit(accept, table)
            if explicit:
                return explicit
            key = {"xml": "rdfxml", "json": "jsonld"}.get(key, key)
        if key not in table.values():
            raise NotAcceptable(
                f"format={requested} cannot carry a {form} result "
                f"(use one of: {', '.join(sorted(set(table.values())))})"
            )
        return key
    if not accept:
        return default
    for media, _ in _accepted(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    raise NotAcceptable(
        f"cannot answer a {form} query as {accept} (offered: "
        f"{', '.join(k for k in table if not k.startswith('application/x-'))})"
    )


def _explicit(accept: str | None, table: dict[str, str]) -> str | None:
    """The best format of ``table`` that Accept names by its own media type (no wildcard)."""
    for media, _ in _accepted(accept or ""):
        if media in table:
            return table[media]
    return None


#: JSON text of recently written terms (a point query's predicates and classes recur); bounded
_FRAGMENTS: dict[object, str] = {}
_FRAGMENTS_MAX = 50_000


def _fragments() -> Callable[[object], str]:
    """A term's JSON text as ``json.dumps(_json_term(term))`` writes it, remembered."""
    cache, dumps = _FRAGMENTS, json.dumps

    def fragment(term: object) -> str:
        found = cache.get(term)
        if found is None:
            found = dumps(_json_term(term), ensure_ascii=False)
            if len(cache) >= _FRAGMENTS_MAX:
                cache.clear()
            cache[term] = found
        return found

    return fragment


def _json_term(term: object) -> dict[str, str]:
    import pyoxigraph

    if type(term) is pyoxigraph.NamedNode:
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    assert isinstance(term, pyoxigraph.Literal)
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: object) -> str:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    assert isinstance(term, pyoxigraph.Literal)
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def limit_link(row_limit: int, truncated: bool) -> str:
    """The result's ``link`` saying whether the row limit cut it: a client can tell a complete
    answer from a truncated one."""
    return f"urn:calcinosis-kg:row-limit:{row_limit}:{'truncated' if truncated else 'complete'}"


def write(
    answer: Answer, fmt: str, row_limit: int, timeout: float, labels: dict[str, str] | None = None
) -> bytes:
    """The answer's bytes in format ``fmt`` (see ``negotiate``)."""
    parts: list[bytes] = []
    write_to(answer, fmt, row_limit, timeout, parts.append, labels)
    return b"".join(parts)


def write_to(
    answer: Answer,
    fmt: str,
    row_limit: int,
    timeout: float,
    emit: Callable[[bytes], object],
    labels: dict[str, str] | None = None,
) -> None:
    """Write the answer in format ``fmt`` to ``emit``, a piece at a time. ``labels`` (SELECT as
    JSON only): add ``labels`` {IRI: rdfs:label} and ``curies`` {IRI: CURIE} for every IRI in
    the rows (the explorer page's tables)."""
    import pyoxigraph

    limits = {"rowLimit": row_limit, "truncated": answer.truncated, "timeoutSeconds": timeout}
    if answer.form == "ASK":
        if fmt == "xml":
            emit(
                (
                    '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head/><boolean>{str(answer.boolean).lower()}</boolean></sparql>\n"
                ).encode()
            )
        else:
            emit(json.dumps({"head": {}, "boolean": answer.boolean}).encode() + b"\n")
        return
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        rdf_format = {
            "turtle": pyoxigraph.RdfFormat.TURTLE,
            "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
            "jsonld": pyoxigraph.RdfFormat.JSON_LD,
            "rdfxml": pyoxigraph.RdfFormat.RDF_XML,
        }[fmt]
        triples = sorted(answer.triples, key=str)
        prefixes = prefix_map() if fmt in ("turtle", "rdfxml") else None
        pyoxigraph.serialize(
            triples,
            _Sink(emit),  # type: ignore[arg-type]
            format=rdf_format,
            prefixes=prefixes,
        )
        return
    names = answer.variables
    batch = _Batch(emit)
    if fmt == "json":
        start, keys, end = _json_frame(tuple(names), row_limit, answer.truncated, timeout)
        batch.add(start)
        term = _fragments()
        for at in range(0, len(answer.rows), 512):  # one piece per 512 rows, not per row
            # lists, not generators, inside join: measured faster for a point query's rows
            batch.add(
                (", " if at else "")
                + ", ".join(
                    [
                        "{"
                        + ", ".join(
                            [k + term(t) for k, t in zip(keys, row, strict=True) if t is not None]
                        )
                        + "}"
                        for row in answer.rows[at : at + 512]
                    ]
                )
            )
        if labels is None:
            batch.add(end)
        else:
            tail: dict[str, object] = {"limits": limits}
            tail.update(_labelled(answer, labels))
            batch.add("]}, " + json.dumps(tail, ensure_ascii=False)[1:] + "\n")
    elif fmt == "xml":
        batch.add(
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            "<head>"
            + "".join(f"<variable name={quoteattr(n)}/>" for n in names)
            + f"<link href={quoteattr(limit_link(row_limit, answer.truncated))}/>"
            + "</head><results>"
        )
        for row in answer.rows:
            batch.add(
                "<result>"
                + "".join(
                    f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                    for n, t in zip(names, row, strict=True)
                    if t is not None
                )
                + "</result>\n"
            )
        batch.add("</results></sparql>\n")
    elif fmt == "csv":
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(names)
        for row in answer.rows:
            writer.writerow([_csv_value(t) for t in row])
            if stream.tell() > _Batch.SIZE:
                batch.add(stream.getvalue())
                stream.seek(0)
                stream.truncate()
        batch.add(stream.getvalue())
    else:
        batch.add("\t".join("?" + n for n in names) + "\n")
        for row in answer.rows:
            batch.add("\t".join("" if t is None else str(t) for t in row) + "\n")
    batch.flush()


@functools.lru_cache(maxsize=256)  # a server writes the same heads again and again
def _json_frame(
    names: tuple[str, ...], row_limit: int, truncated: bool, timeout: float
) -> tuple[str, tuple[str, ...], str]:
    """A JSON SELECT result's opening (head), its variables' keys and its closing (the
    ``limits`` member without labels)."""
    head = {"vars": list(names), "link": [limit_link(row_limit, truncated)]}
    limits = {"rowLimit": row_limit, "truncated": truncated, "timeoutSeconds": timeout}
    return (
        '{"head": ' + json.dumps(head, ensure_ascii=False) + ', "results": {"bindings": [',
        tuple(json.dumps(n, ensure_ascii=False) + ": " for n in names),
        "]}, " + json.dumps({"limits": limits}, ensure_ascii=False)[1:] + "\n",
    )


class _Batch:
    """Collects text pieces and emits them as UTF-8 blocks of about ``SIZE`` bytes."""

    SIZE = 32 << 10

    def __init__(self, emit: Callable[[bytes], object]) -> None:
        self.emit = emit
        self.parts: list[str] = []
        self.size = 0

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.emit("".join(self.parts).encode())
            self.parts, self.size = [], 0


class _Sink:
    """A binary file-like object for pyoxigraph's serialiser that hands each write to ``emit``."""

    def __init__(self, emit: Callable[[bytes], object]) -> None:
        self.emit = emit

    def write(self, data: bytes) -> int:
        self.emit(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def _labelled(answer: Answer, labels: dict[str, str]) -> dict[str, dict[str, str]]:
    import pyoxigraph

    iris = sorted(
        {t.value for row in answer.rows for t in row if isinstance(t, pyoxigraph.NamedNode)}
    )
    return {
        "labels": {iri: labels[iri] for iri in iris if iri in labels},
        "curies": {iri: compress(iri) for iri in iris if compress(iri) != iri},
    }


def _csv_value(term: object) -> str:
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return "_:" + term.value
    return str(getattr(term, "value", term))
