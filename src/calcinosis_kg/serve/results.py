"""Content negotiation and the result formats of the SPARQL 1.1 Protocol.

Why written here rather than left to pyoxigraph's serialisers: the server cuts results at a row
limit and must say so inside the response (never a silent truncation), so SELECT results are
written from the rows actually kept, with the limit in a ``limits`` member (JSON) or a ``link``
(XML) besides the ``X-Row-Limit`` / ``X-Rows-Truncated`` headers. Triples (CONSTRUCT, DESCRIBE)
are sorted, so the same query gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from calcinosis_kg.core.vocab import XSD_STRING

if TYPE_CHECKING:
    from calcinosis_kg.serve.dataset import Answer

SELECT_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle",
    "application/n-triples": "ntriples", "text/plain": "ntriples",
    "application/ld+json": "jsonld", "application/json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
         "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
         "ntriples": "application/n-triples", "jsonld": "application/ld+json",
         "rdfxml": "application/rdf+xml"}
# ``format=`` query argument (what many endpoints accept besides Accept)
SHORT = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle",
         "ttl": "turtle", "nt": "ntriples", "ntriples": "ntriples", "n-triples": "ntriples",
         "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml"}


class NotAcceptable(Exception):
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
    """The format key (``json``, ``turtle`` …) for a result of ``form``."""
    table = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES
    if form == "ASK":
        table = {k: v for k, v in SELECT_TYPES.items() if v in ("json", "xml")}
    default = "turtle" if table is GRAPH_TYPES else "json"
    if requested:
        key = SHORT.get(requested.lower()) or table.get(requested.lower()) or ""
        if key not in table.values():
            raise NotAcceptable(f"format={requested} cannot carry a {form} result "
                                f"(use one of: {', '.join(sorted(set(table.values())))})")
        return key
    if not accept:
        return default
    for media, _ in _accepted(accept):
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    raise NotAcceptable(f"cannot answer a {form} query as {accept} (offered: "
                        f"{', '.join(k for k in table if not k.startswith('application/x-'))})")


def _json_term(term: object) -> dict[str, str]:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
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
    return f"urn:calcinosis-kg:row-limit:{row_limit}:{'truncated' if truncated else 'complete'}"


def write(answer: Answer, fmt: str, row_limit: int, timeout: float) -> bytes:
    """The answer's bytes in format ``fmt`` (see ``negotiate``)."""
    import pyoxigraph

    limits = {"rowLimit": row_limit, "truncated": answer.truncated, "timeoutSeconds": timeout}
    if answer.form == "ASK":
        if fmt == "xml":
            return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head/><boolean>{str(answer.boolean).lower()}</boolean></sparql>\n").encode()
        return json.dumps({"head": {}, "boolean": answer.boolean}).encode() + b"\n"
    if answer.form in ("CONSTRUCT", "DESCRIBE"):
        from calcinosis_kg.core.prefixes import prefix_map

        rdf_format = {"turtle": pyoxigraph.RdfFormat.TURTLE,
                      "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
                      "jsonld": pyoxigraph.RdfFormat.JSON_LD,
                      "rdfxml": pyoxigraph.RdfFormat.RDF_XML}[fmt]
        triples = sorted(answer.triples, key=str)
        prefixes = prefix_map() if fmt in ("turtle", "rdfxml") else None
        return pyoxigraph.serialize(triples, format=rdf_format, prefixes=prefixes) or b""
    names = answer.variables
    if fmt == "json":
        bindings = [{n: _json_term(t) for n, t in zip(names, row, strict=True) if t is not None}
                    for row in answer.rows]
        return json.dumps({"head": {"vars": names, "link": [limit_link(row_limit,
                                                                        answer.truncated)]},
                           "results": {"bindings": bindings}, "limits": limits},
                          ensure_ascii=False).encode() + b"\n"
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
               "<head>"]
        out += [f"<variable name={quoteattr(n)}/>" for n in names]
        out.append(f"<link href={quoteattr(limit_link(row_limit, answer.truncated))}/>")
        out.append("</head><results>")
        for row in answer.rows:
            out.append("<result>")
            out += [f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>"
                    for n, t in zip(names, row, strict=True) if t is not None]
            out.append("</result>\n")
        out.append("</results></sparql>\n")
        return "".join(out).encode()
    if fmt == "csv":
        stream = io.StringIO()
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([_csv_value(t) for t in row] for row in answer.rows)
        return stream.getvalue().encode()
    lines = ["\t".join("?" + n for n in names)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in answer.rows]
    return ("\n".join(lines) + "\n").encode()


def _csv_value(term: object) -> str:
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        return "_:" + term.value
    return str(getattr(term, "value", term))
