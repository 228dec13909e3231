"""A runner of the W3C SPARQL 1.1 Protocol tests (``tests/sparql-protocol-tests/``, the suite's
manifest and data unchanged): each test's requests are sent as written (method, path, headers,
body bytes in the stated encoding) with ``http.client``, so nothing is added behind the test's
back, and each response is checked for its status class, result format and ASK answer."""

from __future__ import annotations

import http.client as httpclient
import io
from dataclasses import dataclass, field
from pathlib import Path

SUITE = Path(__file__).parent / "sparql-protocol-tests"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
#: the graph IRIs the tests name, and the file each is loaded from (data0: an empty graph)
GRAPHS = {f"http://kasei.us/2009/09/sparql/data/data{n}.rdf": f"data{n}.nt" for n in range(4)}

RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
}  # Oxigraph's default: N-Triples plus graphs


@dataclass
class Request:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes | None
    statuses: set[int]  # status classes: 2, 3, 4
    result_format: str | None
    boolean: bool | None


@dataclass
class Test:
    name: str
    label: str
    requests: list[Request] = field(default_factory=list)

    @property
    def is_update(self) -> bool:
        """An update test: its first request is the update, the others check its effect."""
        return "update" in self.name


def data_files(folder: Path) -> list[tuple[str, Path]]:
    """(graph IRI, file) for every graph the tests name; data0 is written as an empty file."""
    (folder / "data0.nt").write_bytes(b"")
    out = []
    for iri, name in GRAPHS.items():
        source = SUITE / name
        path = folder / name
        if source.exists():
            path.write_bytes(source.read_bytes())
        out.append((iri, path))
    return out


def tests() -> list[Test]:
    """Every test of the manifest, in the manifest's order."""
    import rdflib
    from rdflib.collection import Collection

    graph = rdflib.Graph().parse(SUITE / "manifest.ttl", format="turtle")
    mf, ht, cnt = rdflib.Namespace(MF), rdflib.Namespace(HT), rdflib.Namespace(CNT)
    manifest = next(graph.subjects(rdflib.RDF.type, mf.Manifest))
    out = []
    for entry in Collection(graph, graph.value(manifest, mf.entries)):
        test = Test(str(entry).rsplit("#", 1)[-1], str(graph.value(entry, mf.name)))
        action = graph.value(entry, mf.action)
        for node in Collection(graph, graph.value(action, ht.requests)):
            headers = []
            listed = graph.value(node, ht.headers)
            for header in Collection(graph, listed) if listed else []:
                headers.append(
                    (
                        str(graph.value(header, ht.fieldName)),
                        str(graph.value(header, ht.fieldValue)),
                    )
                )
            body = None
            content = graph.value(node, ht.body)
            if content is not None:
                encoding = str(graph.value(content, cnt.characterEncoding) or "UTF-8")
                body = str(graph.value(content, cnt.chars)).encode(encoding.lower())
            response = graph.value(node, ht.resp)
            statuses = {
                int(str(s).rsplit("StatusCode", 1)[1][0])
                for s in graph.objects(response, mf.expectedStatus)
            }
            fmt = graph.value(response, mf.expectedFormat)
            boolean = graph.value(response, mf.expectedBoolean)
            test.requests.append(
                Request(
                    str(graph.value(node, ht.methodName)),
                    str(graph.value(node, ht.absolutePath)),
                    headers,
                    body,
                    statuses,
                    None if fmt is None else str(fmt),
                    None if boolean is None else bool(boolean.toPython()),
                )
            )
        out.append(test)
    return out


def send(address: str, path: str, request: Request) -> tuple[int, str, bytes]:
    """(status, media type, body) of one request sent exactly as the test writes it."""
    connection = httpclient.HTTPConnection(address, timeout=60)
    try:
        connection.putrequest(request.method, path, skip_accept_encoding=True)
        for name, value in request.headers:
            connection.putheader(name, value)
        if request.body is not None:
            connection.putheader("Content-Length", str(len(request.body)))
        connection.endheaders(request.body)
        response = connection.getresponse()
        media = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
        return response.status, media, response.read()
    finally:
        connection.close()


def check(request: Request, status: int, media: str, body: bytes) -> str | None:
    """None when the response is what the test expects, else why not."""
    if status // 100 not in request.statuses:
        return f"status {status}, expected {sorted(request.statuses)}xx: {body[:200]!r}"
    if request.result_format in ("boolean", "tabular"):
        if media not in RESULT_TYPES:
            return f"{media} is not a SPARQL results format"
        from rdflib.query import Result

        fmt = {"text/csv": "csv", "text/tab-separated-values": "tsv"}.get(
            media, "json" if "json" in media else "xml"
        )
        result = Result.parse(io.BytesIO(body), format=fmt)
        if request.result_format == "boolean" and result.type != "ASK":
            return f"not a boolean result: {result.type}"
        if request.boolean is not None and result.askAnswer is not request.boolean:
            return f"ASK gave {result.askAnswer}, expected {request.boolean}"
    if request.result_format == "RDF":
        if media not in RDF_TYPES:
            return f"{media} is not an RDF format"
        import rdflib

        rdflib.Graph().parse(data=body, format=RDF_TYPES[media])
    return None
