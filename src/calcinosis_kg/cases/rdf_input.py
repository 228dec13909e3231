"""Read cases written in the case vocabulary (Turtle, N-Triples, JSON-LD) into wide rows.

Why a separate reader: RDF cases arrive as a graph, not as rows; pyoxigraph parses them (fast,
and a syntax error gives ``file:line:column``), then each ``CCKG:0000700`` node is gathered into
the same wide row the CSV and Phenopacket readers produce, so validation and classification are
one code path. Anything the row cannot hold (two sexes, two calcium values) is a field error.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import parsing
from calcinosis_kg.cases.frame import to_frame
from calcinosis_kg.cases.parsing import shown
from calcinosis_kg.cases.record import Record
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.input_limits import check_quads, read_regular_file
from calcinosis_kg.graph.loading import FORMAT_NAMES, check_jsonld_ids, syntax_error

FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".jsonld": "JSON_LD"}


def read_rdf(path: Path) -> pl.DataFrame:
    """The case rows of one RDF file, read within the loader's limits (regular file, size,
    term length; a JSON-LD ``@id`` that is no IRI is refused, never dropped)."""
    import pyoxigraph as ox

    fmt_name = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld"}[path.suffix.lower()]
    fmt = getattr(ox.RdfFormat, FORMATS[path.suffix.lower()])
    data = read_regular_file(path)
    if path.suffix.lower() == ".jsonld":
        check_jsonld_ids(path, data)
    try:
        quads = list(ox.parse(data, format=fmt, base_iri=m.CASE_BASE))
    except SyntaxError as exc:
        raise syntax_error(exc, path, FORMAT_NAMES[fmt_name]) from None
    except (ValueError, OSError) as exc:
        raise InputError(f"cannot read RDF: {parsing.clip(str(exc))}", path) from None
    check_quads(path, data, quads)
    out: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for q in quads:
        subject = _key(q.subject)
        if subject is not None:
            out[subject][q.predicate.value].append(q.object)
    cases = sorted(
        s
        for s, props in out.items()
        if any(_is(t, m.CASE_RECORD) for t in props.get(m.RDF_TYPE, []))
    )
    rows = [_row(out, iri, f"{path}:{n}") for n, iri in enumerate(cases, start=1)]
    return to_frame(rows)


def _key(term: Any) -> str | None:
    """The node key of an IRI or blank node (a literal is no node)."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return str(term)
    return None


def _is(term: Any, iri: str) -> bool:
    import pyoxigraph as ox

    return isinstance(term, ox.NamedNode) and term.value == iri


def _one(record: Record, column: str, values: list[Any]) -> Any | None:
    if len(values) > 1:
        record.error(column, f"{len(values)} values where one is allowed")
        return None
    return values[0] if values else None


def _literal(record: Record, column: str, term: Any) -> str | None:
    """The text of a literal; an IRI or blank node where a value belongs is a field error."""
    import pyoxigraph as ox

    if term is None:
        return None
    if isinstance(term, ox.Literal):
        return str(term.value)
    record.error(column, f"{shown(str(term))} is not a literal value")
    return None


def _iris(record: Record, column: str, terms: list[Any]) -> list[str]:
    """The IRIs among ``terms``, compressed to CURIEs; a literal or blank node is a field error
    (a crafted ``rdf:type "…"`` never becomes an IRI in the output)."""
    import pyoxigraph as ox

    out = []
    for term in terms:
        if isinstance(term, ox.NamedNode):
            out.append(m.compress(term.value))
        else:
            record.error(column, f"type {shown(str(term))} is not an IRI")
    return out


def _node(
    record: Record, column: str, graph: dict[str, dict[str, list[Any]]], term: Any
) -> dict[str, list[Any]]:
    if term is None:
        return {}
    key = _key(term)
    if key is None:
        record.error(column, f"{shown(str(term))} is a literal where a node is expected")
        return {}
    return graph.get(key, {})


Graph = dict[str, dict[str, list[Any]]]
VALUE_PROPERTY = {
    "calcium": m.P_CALCIUM_MMOL,
    "ionised_calcium": m.P_IONISED_MMOL,
    "phosphate": m.P_PHOSPHATE_MMOL,
}


def _kind(node: dict[str, list[Any]], prop: str) -> str:
    types = node.get(m.RDF_TYPE, [])
    if prop == m.P_PHOSPHATE:
        return "phosphate"
    if any(_is(t, m.ADJUSTED_FINDING) for t in types):
        return "calcium-adjusted"
    return (
        "ionised_calcium"
        if any(_is(t, m.IONISED_FINDING) for t in types) or m.P_IONISED_MMOL in node
        else "calcium"
    )


def _findings(record: Record, graph: Graph, props: dict[str, list[Any]]) -> None:
    """The serum findings: value, stated status (its type) and the laboratory's range (a
    case-local node linked by CCKG:0001024); default bands are judged again, never read."""
    nodes: dict[str, dict[str, list[Any]]] = {}
    for prop in (m.P_CALCIUM, m.P_PHOSPHATE):
        for term in sorted(props.get(prop, []), key=lambda t: _key(t) or str(t)):
            node = _node(record, "calcium" if prop == m.P_CALCIUM else "phosphate", graph, term)
            kind = _kind(node, prop)
            if kind in nodes:
                record.error(kind.split("-")[0], "two findings of the same kind")
                return
            nodes[kind] = node
    for analyte in ("calcium", "ionised_calcium", "phosphate"):
        if analyte not in nodes:
            continue
        finding = nodes[analyte]
        judged = (
            nodes["calcium-adjusted"]
            if analyte == "calcium" and "calcium-adjusted" in nodes
            else finding
        )
        value = _literal(
            record,
            f"{analyte}_mmol_l",
            _one(record, f"{analyte}_mmol_l", finding.get(VALUE_PROPERTY[analyte], [])),
        )
        classes = {c: s for s, c in m.STATUS_TYPES[analyte].items()}
        statuses = sorted(
            {classes[t.value] for t in judged.get(m.RDF_TYPE, []) if _key(t) in classes}
        )
        if len(statuses) > 1:
            record.error(f"{analyte}_status", f"typed both {' and '.join(statuses)}")
            continue
        low = high = unit = None
        column = f"{analyte}_reference_range"
        for target in judged.get(m.P_RANGE, []):
            key = _key(target)
            if key is not None and key.startswith(m.CASE_BASE):  # the laboratory's own range
                own = graph.get(key, {})
                low = _literal(record, column, _one(record, column, own.get(m.P_LOW, [])))
                high = _literal(record, column, _one(record, column, own.get(m.P_HIGH, [])))
                unit = (
                    _literal(record, column, _one(record, column, own.get(m.P_UNIT, [])))
                    or "mmol/L"
                )
        record.set_serum(
            analyte, value, "mmol/L", statuses[0] if statuses else None, low, high, unit
        )


def _row(graph: Graph, iri: str, source: str) -> dict:
    props = graph[iri]
    ids = props.get(m.DCT_IDENTIFIER, [])
    record = Record("", source)
    ident = _literal(record, "case_id", ids[0]) if ids else None
    record.case_id = ident if ident is not None else iri.rsplit("/", 1)[-1]
    if len(ids) != 1:
        record.error("case_id", "exactly one dcterms:identifier is required")
    v = record.values
    types = props.get(m.RDF_TYPE, [])
    v["no_conditions"] = any(_is(t, m.NO_DISEASE) for t in types)
    v["no_exposures"] = any(_is(t, m.NO_EXPOSURE) for t in types)
    sex = _literal(record, "sex", _one(record, "sex", props.get(m.P_SEX, [])))
    if sex is not None:
        v["sex"] = sex
    for column, prop in m.CASE_DECIMALS.items():
        value = _literal(record, column, _one(record, column, props.get(prop, [])))
        if value is not None:
            try:
                v[column] = parsing.number(value)
            except ValueError as exc:
                record.error(column, str(exc))
    organism = _one(record, "taxon", props.get(m.P_ORGANISM, []))
    if organism is not None:
        taxa = _iris(record, "taxon", _node(record, "taxon", graph, organism).get(m.RDF_TYPE, []))
        taxon = _one(record, "taxon", taxa)
        v["taxon"] = taxon or ""
    albumin = _literal(record, "albumin_value", _one(record, "albumin", props.get(m.P_ALBUMIN, [])))
    if albumin is not None:
        record.set_albumin(albumin, "g/L")
    _findings(record, graph, props)
    for column, (prop, _slot, _prefixes) in m.TYPED_SLOTS.items():
        items = []
        excess = parsing.too_many(len(props.get(prop, [])))
        if excess:
            record.error(column, excess)
            continue
        for term in sorted(props.get(prop, []), key=lambda t: _key(t) or str(t)):
            node = _node(record, column, graph, term)
            items += _iris(record, column, node.get(m.RDF_TYPE, []))
            if column == "treatments":
                response = _iris(record, "responses", node.get(m.P_RESPONSE, []))
                v.setdefault("responses", []).append(response[0] if response else "")
        excess = parsing.too_many(len(items))  # one node may carry many types too
        if excess:
            record.error(column, excess)
        elif items:
            v[column] = items
    reported = _iris(record, "reported_type", props.get(m.P_REPORTED, []))
    if reported:
        v["reported_type"] = reported[0]
    return record.row()
