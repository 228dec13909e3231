"""Safe parsing of RDF files into one pyoxigraph Store, with owl:imports resolved only locally.

Why a module of its own: every byte that reaches a parser passes through here, so the three
"no network, no bombs" rules live in one place:

* RDF/XML is scanned before parsing. pyoxigraph expands nested entities (a 1 KB "billion laughs"
  file took 37 s and 3 GB here), so any DTD beyond simple internal entities (the ``&owl;`` style
  Protégé writes) is refused: external/parameter entities, entity values that reference other
  entities, more than ``MAX_ENTITIES`` declarations or values longer than ``MAX_ENTITY_VALUE``.
* JSON-LD remote contexts are never fetched (pyoxigraph has no document loader set).
* ``owl:imports`` resolve only through the local map in ``header.yaml`` (``ontology.imports``) or
  to an ontology already among the inputs; anything else is a warning, never a download.

Files are parsed once with pyoxigraph (about 15× faster than rdflib); an rdflib view is derived
from the Store on demand (``graph.KnowledgeGraph.graph``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import header
from calcinosis_kg.core.resources import ontology_dir
from calcinosis_kg.core.vocab import (
    OWL_IMPORTS,
    OWL_ONTOLOGY,
    OWL_VERSION_IRI,
    RDF_PARSE_TYPE_ATTRIBUTE,
    RDF_TYPE,
)
from calcinosis_kg.graph.input_limits import check_quads, read_regular_file

if TYPE_CHECKING:
    import pyoxigraph

log = logging.getLogger("calcinosis_kg")

MAX_ENTITIES = 64
MAX_ENTITY_VALUE = 512

EXTENSIONS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".owl": "xml",
    ".rdf": "xml",
    ".xml": "xml",
    ".owx": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
}
FORMAT_NAMES = {"turtle": "Turtle", "nt": "N-Triples", "xml": "RDF/XML", "json-ld": "JSON-LD"}


@dataclass
class LoadedFiles:
    """What ``load_files`` produced: the store, every file read (imports included), the digest."""

    store: pyoxigraph.Store
    files: list[Path]
    digest: str
    warnings: list[str] = field(default_factory=list)
    formats: dict[Path, str] = field(default_factory=dict)


def sniff_format(path: Path, data: bytes) -> str:
    """The RDF syntax of a file: by extension, else by its first non-blank bytes.

    ``.owl`` files are RDF/XML by convention but some tools write Turtle or OWL/XML under that
    extension, so an ``.owl``/``.xml`` file that does not start with ``<`` is sniffed too.
    """
    by_ext = EXTENSIONS.get(path.suffix.lower())
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if by_ext and by_ext != "xml":
        return by_ext
    if by_ext == "xml" and head == b"<":
        return "xml"
    if head in (b"{", b"["):
        return "json-ld"
    xml_start = re.compile(rb"\s*<(\?xml|!--|!DOCTYPE|rdf:RDF|RDF)", re.IGNORECASE)
    if head == b"<" and xml_start.match(data.lstrip(b"\xef\xbb\xbf")):
        return "xml"
    return "turtle"


_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECL = re.compile(
    r"""<!ENTITY\s+(?P<pe>%\s+)?(?P<name>[^\s%"'>]+)\s+
        (?:(?P<ext>SYSTEM|PUBLIC)\b[^>]*|"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')\s*>""",
    re.VERBOSE,
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def check_xml_safety(path: Path, data: bytes) -> None:
    """Refuse RDF/XML whose DTD could expand exponentially or reach outside the file.

    Allowed: no DOCTYPE, or an internal subset of at most ``MAX_ENTITIES`` plain general entities
    whose values are short and contain no ``&``, ``%`` or ``<`` (so no entity can nest another).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError("RDF/XML in UTF-16 is not supported; save the file as UTF-8", path)
    match = _DOCTYPE.search(data)
    if match is None:
        if b"<!ENTITY" in data.upper():
            text = data.decode("utf-8", errors="replace")
            line, col = _line_col(text, text.upper().find("<!ENTITY"))
            raise InputError("entity declaration outside a DOCTYPE refused", path, line, col)
        return
    text = data.decode("utf-8", errors="replace")
    start = len(data[: match.start()].decode("utf-8", errors="replace"))
    line, col = _line_col(text, start)
    open_bracket = text.find("[", start)
    close_decl = text.find(">", start)
    if open_bracket == -1 or (close_decl != -1 and close_decl < open_bracket):
        raise InputError("DOCTYPE with an external DTD refused (never fetched)", path, line, col)
    header = text[start + len("<!DOCTYPE") : open_bracket]
    if re.search(r"\b(SYSTEM|PUBLIC)\b", header):
        raise InputError("DOCTYPE with an external DTD refused (never fetched)", path, line, col)
    end = text.find("]", open_bracket)
    if end == -1:
        raise InputError("unterminated DOCTYPE internal subset", path, line, col)
    subset_start = open_bracket + 1
    subset = text[subset_start:end]
    count = 0
    pos = 0
    while pos < len(subset):
        chunk = subset[pos:]
        stripped = len(chunk) - len(chunk.lstrip())
        pos += stripped
        if pos >= len(subset):
            break
        where = _line_col(text, subset_start + pos)
        comment = _COMMENT.match(subset, pos)
        if comment:
            pos = comment.end()
            continue
        decl = _ENTITY_DECL.match(subset, pos)
        if decl is None:
            raise InputError(
                'DTD declaration refused (only simple <!ENTITY name "value"> is '
                "allowed in RDF/XML)",
                path,
                *where,
            )
        if decl.group("pe"):
            raise InputError(f"parameter entity '{decl.group('name')}' refused", path, *where)
        if decl.group("ext"):
            raise InputError(
                f"external entity '{decl.group('name')}' refused (XML external "
                "entities are never expanded)",
                path,
                *where,
            )
        value = decl.group("dq") if decl.group("dq") is not None else decl.group("sq")
        if any(ch in value for ch in "&%<"):
            raise InputError(
                f"entity '{decl.group('name')}' refers to other entities or markup "
                "(nested entities refused: 'billion laughs')",
                path,
                *where,
            )
        if len(value) > MAX_ENTITY_VALUE:
            raise InputError(
                f"entity '{decl.group('name')}' value longer than "
                f"{MAX_ENTITY_VALUE} characters refused",
                path,
                *where,
            )
        count += 1
        if count > MAX_ENTITIES:
            raise InputError(f"more than {MAX_ENTITIES} entity declarations refused", path, *where)
        pos = decl.end()
    if not re.match(r"\]\s*>", text[end:]):
        raise InputError(
            "malformed DOCTYPE: expected ']>' after the internal subset",
            path,
            *_line_col(text, end),
        )
    if _DOCTYPE.search(data, match.end()):
        raise InputError("more than one DOCTYPE refused", path, line, col)
    if data.upper().count(b"<!ENTITY") != count:
        raise InputError(
            "entity declaration outside the DOCTYPE internal subset refused", path, line, col
        )


_POSITION = re.compile(r"(?:(?:Parser )?error )?(?:at line (\d+) column (\d+)|at (\d+):(\d+)):?")


def syntax_error(exc: BaseException, path: Path | str, what: str) -> InputError:
    """An InputError with file, line and column from a pyoxigraph SyntaxError."""
    line = column = None
    if isinstance(exc, SyntaxError) and exc.lineno:
        line, column = exc.lineno, exc.offset
    message = str(exc.msg if isinstance(exc, SyntaxError) and exc.msg else exc)
    found = _POSITION.search(message)
    if found:
        nums = [int(g) for g in found.groups() if g is not None]
        if line is None:
            line, column = nums[0], nums[1]
        message = (message[: found.start()] + message[found.end() :]).replace("  ", " ")
    message = message.strip(" :") or "syntax error"
    if "LoadDocumentCallback" in message:
        message = "remote JSON-LD @context refused (contexts are never fetched; inline it)"
    return InputError(f"malformed {what}: {message}", path, line, column)


def _ox_format(fmt: str) -> pyoxigraph.RdfFormat:
    import pyoxigraph

    return {
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "xml": pyoxigraph.RdfFormat.RDF_XML,
        "json-ld": pyoxigraph.RdfFormat.JSON_LD,
    }[fmt]


def read_input(path: Path) -> bytes:
    """File bytes, or an InputError that names the file (regular files within the size limit;
    UTF-16 and UTF-32 are refused: every syntax read here is UTF-8)."""
    data = read_regular_file(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        raise InputError("UTF-16 input is not supported; save the file as UTF-8", path)
    return data


def check_xml_well_formed(path: Path, data: bytes) -> None:
    """Expat's well-formedness check, for the line:column pyoxigraph's RDF/XML errors lack.

    It also catches truncated files, which pyoxigraph 0.5 loads partially without an error. Runs
    after ``check_xml_safety``, so only short, flat internal entities reach it; expat never
    fetches external entities (no handler is set).
    """
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")

    def start(name: str, attributes: dict[str, str]) -> None:
        kind = attributes.get(_PARSE_TYPE)
        if kind is not None and kind not in ("Resource", "Literal", "Collection"):
            raise InputError(
                f'malformed RDF/XML: rdf:parseType="{kind}" (expected Resource, '
                "Literal or Collection)",
                path,
                parser.CurrentLineNumber,
                parser.CurrentColumnNumber + 1,
            )

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) if exc.code else str(exc)
        raise InputError(
            f"malformed RDF/XML: {message}", path, exc.lineno, exc.offset + 1
        ) from None


_PARSE_TYPE = RDF_PARSE_TYPE_ATTRIBUTE
_OWL_XML = re.compile(
    rb"<(?:\w+:)?Ontology\b[^>]*xmlns(?::\w+)?=\"http://www\.w3\.org/2002/07/owl#\""
)


def parse_file(path: Path, data: bytes, fmt: str) -> list[pyoxigraph.Quad]:
    """All quads of one file (default graph), or an InputError with line:column."""
    import pyoxigraph

    if fmt == "xml":
        check_xml_safety(path, data)
        if _OWL_XML.search(data[:4096]):
            raise InputError(
                "OWL/XML is not supported: save it as RDF/XML or Turtle (Protégé "
                "'Save as', or 'robot convert')",
                path,
            )
        check_xml_well_formed(path, data)
    elif fmt == "json-ld":
        check_jsonld_ids(path, data)
    try:
        quads = list(
            pyoxigraph.parse(
                data,
                format=_ox_format(fmt),
                base_iri=path.resolve().as_uri(),
                without_named_graphs=True,
                rename_blank_nodes=True,
            )
        )
    except SyntaxError as exc:
        raise _located(syntax_error(exc, path, FORMAT_NAMES[fmt]), data) from None
    except (ValueError, OSError) as exc:
        raise _located(InputError(f"malformed {FORMAT_NAMES[fmt]}: {exc}", path), data) from None
    except MemoryError:
        raise InputError(
            f"{FORMAT_NAMES[fmt]} with a token (IRI or literal) too large to parse refused", path
        ) from None
    check_quads(path, data, quads)
    return quads


_QUOTED_PART = re.compile(r"'([^']{2,200})'|\"([^\"]{2,200})\"|(@[A-Za-z]+)")


def _located(error: InputError, data: bytes) -> InputError:
    """``error`` with line:column when the parser gave none but quoted the offending text
    (pyoxigraph's RDF/XML and JSON-LD errors name a value, not a position)."""
    if error.line is not None:
        return error
    for found in _QUOTED_PART.finditer(error.message):
        part = next(g for g in found.groups() if g)
        where = data.find(part.encode("utf-8"))
        if where >= 0:
            text = data[:where].decode("utf-8", errors="replace")
            line = text.count("\n") + 1
            return InputError(error.message, error.path, line, len(text) - text.rfind("\n"))
    return error


def check_jsonld_ids(path: Path, data: bytes) -> None:
    """Refuse an ``@id`` that is no IRI (pyoxigraph drops such nodes silently: 0 triples)."""
    import json

    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return  # pyoxigraph reports the syntax error with its position
    stack: list[object] = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ident = node.get("@id")
            if isinstance(ident, str) and (
                not ident
                or any(c in ident for c in ' <>"{}|^`\\')
                or any(ord(c) < 0x21 for c in ident)
            ):
                text = data.decode("utf-8", errors="replace")
                raise InputError(
                    f"malformed JSON-LD: @id {ident!r} is not an IRI",
                    path,
                    *_line_col(text, max(text.find(json.dumps(ident)[1:-1]), 0)),
                )
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def import_map() -> dict[str, Path]:
    """Import IRI -> local file, from ``header.yaml`` ``ontology.imports`` (the only resolver)."""

    return {
        entry["iri"]: (ontology_dir() / entry["file"]).resolve()
        for entry in header().get("ontology", {}).get("imports", []) or []
    }


def load_files(paths: list[Path], resolve_imports: bool = True) -> LoadedFiles:
    """Parse every file once into a fresh Store; follow owl:imports only to local files."""
    import pyoxigraph

    store = pyoxigraph.Store()
    digest = hashlib.sha256()
    files: list[Path] = []
    formats: dict[Path, str] = {}
    warnings: list[str] = []
    seen: set[Path] = set()
    ontologies: set[str] = set()
    wanted: list[tuple[str, Path]] = []  # (import IRI, file that imports it)
    local = import_map() if resolve_imports else {}

    def add(path: Path) -> None:
        resolved = path.resolve()
        if resolved in seen:
            return
        data = read_input(path)
        fmt = sniff_format(path, data)
        quads = parse_file(path, data, fmt)
        seen.add(resolved)
        files.append(path)
        formats[path] = fmt
        digest.update(f"{fmt}\0{len(data)}\0".encode())
        digest.update(data)
        store.extend(quads)
        for quad in quads:
            pred, subject, obj = quad.predicate.value, quad.subject, quad.object
            if isinstance(subject, pyoxigraph.Triple) or isinstance(obj, pyoxigraph.Triple):
                continue  # RDF-star quoted triples never declare an ontology or an import
            if pred == RDF_TYPE and obj.value == OWL_ONTOLOGY or pred == OWL_VERSION_IRI:
                ontologies.add(subject.value)
                if pred == OWL_VERSION_IRI:
                    ontologies.add(obj.value)
            elif pred == OWL_IMPORTS and isinstance(obj, pyoxigraph.NamedNode):
                wanted.append((obj.value, path))

    for path in paths:
        add(Path(path))
    while resolve_imports and wanted:
        iri, importer = wanted.pop(0)
        if iri in ontologies:
            continue
        target = local.get(iri)
        if target is not None and target.is_file():
            add(target)
            ontologies.add(iri)
            continue
        message = (
            f"{importer}: owl:imports <{iri}> not resolved (imports are never fetched; "
            "pass the file with --ontology)"
        )
        if message not in warnings:
            warnings.append(message)
            log.debug("warning: %s", message)  # returned in .warnings; the CLI prints them once
    return LoadedFiles(
        store=store, files=files, digest=digest.hexdigest(), warnings=warnings, formats=formats
    )
