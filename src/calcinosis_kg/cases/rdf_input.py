"""Read cases written in the case vocabulary (Turtle, N-Triples, JSON-LD) into wide rows.

Why a separate reader: RDF cases arrive as a graph, not as rows; pyoxigraph parses them (fast,
and a syntax error gives ``file:line:column``), then each ``CCKG:0000700`` node is gathered into
the same wide row the CSV and Phenopacket readers produce, so validation and classification are
one code path. Anything the row cannot hold (two sexes, two calcium values) is a field error.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polars as pl

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases.record import Record
from calcinosis_kg.core.errors import InputError

FORMATS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".jsonld": "JSON_LD"}


def read_rdf(path: Path) -> pl.DataFrame:
    import pyoxigraph as ox

    from calcinosis_kg.cases.frame import to_frame

    fmt = getattr(ox.RdfFormat, FORMATS[path.suffix.lower()])
    try:
        data = path.read_bytes()
        quads = list(ox.parse(data, format=fmt, base_iri=m.CASE_BASE))
    except SyntaxError as exc:
        raise InputError(f"malformed RDF: {exc.msg}", path, exc.lineno, exc.offset) from None
    except (ValueError, OSError) as exc:
        raise InputError(f"cannot read RDF: {exc}", path) from None
    out: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for q in quads:
        obj = q.object
        value: object = obj.value if isinstance(obj, ox.Literal | ox.NamedNode) else str(obj)
        out[str(q.subject.value) if isinstance(q.subject, ox.NamedNode) else str(q.subject)][
            q.predicate.value].append(value)
    cases = sorted(s for s, props in out.items() if m.CASE_RECORD in props.get(m.RDF_TYPE, []))
    rows = [_row(out, iri, f"{path}:{n}") for n, iri in enumerate(cases, start=1)]
    return to_frame(rows)


def _one(record: Record, column: str, values: list[object]) -> object | None:
    if len(values) > 1:
        record.error(column, f"{len(values)} values where one is allowed")
        return None
    return values[0] if values else None


Graph = dict[str, dict[str, list[object]]]
VALUE_PROPERTY = {"calcium": m.P_CALCIUM_MMOL, "ionised_calcium": m.P_IONISED_MMOL,
                  "phosphate": m.P_PHOSPHATE_MMOL}


def _kind(node: dict[str, list[object]], prop: str) -> str:
    types = node.get(m.RDF_TYPE, [])
    if prop == m.P_PHOSPHATE:
        return "phosphate"
    if m.ADJUSTED_FINDING in types:
        return "calcium-adjusted"
    return "ionised_calcium" if m.IONISED_FINDING in types or m.P_IONISED_MMOL in node \
        else "calcium"


def _findings(record: Record, graph: Graph, props: dict[str, list[object]]) -> None:
    """The serum findings: value, stated status (its type) and the laboratory's range (a
    case-local node linked by CCKG:0001024); default bands are judged again, never read."""
    nodes: dict[str, str] = {}
    for prop in (m.P_CALCIUM, m.P_PHOSPHATE):
        for node in sorted(str(n) for n in props.get(prop, [])):
            kind = _kind(graph.get(node, {}), prop)
            if kind in nodes:
                record.error(kind.split("-")[0], "two findings of the same kind")
                return
            nodes[kind] = node
    for analyte in ("calcium", "ionised_calcium", "phosphate"):
        if analyte not in nodes:
            continue
        finding = graph.get(nodes[analyte], {})
        judged = graph.get(nodes.get("calcium-adjusted", ""), {}) if analyte == "calcium" \
            and "calcium-adjusted" in nodes else finding
        value = _one(record, f"{analyte}_mmol_l", finding.get(VALUE_PROPERTY[analyte], []))
        classes = {c: s for s, c in m.STATUS_TYPES[analyte].items()}
        statuses = sorted({classes[t] for t in judged.get(m.RDF_TYPE, []) if t in classes})
        if len(statuses) > 1:
            record.error(f"{analyte}_status", f"typed both {' and '.join(statuses)}")
            continue
        low = high = unit = None
        for target in judged.get(m.P_RANGE, []):
            if str(target).startswith(m.CASE_BASE):  # the laboratory's own range
                own = graph.get(str(target), {})
                low = _one(record, f"{analyte}_reference_range", own.get(m.P_LOW, []))
                high = _one(record, f"{analyte}_reference_range", own.get(m.P_HIGH, []))
                unit = str(_one(record, f"{analyte}_reference_range", own.get(m.P_UNIT, []))
                           or "mmol/L")
        record.set_serum(analyte, None if value is None else str(value), "mmol/L",
                         statuses[0] if statuses else None,
                         None if low is None else str(low), None if high is None else str(high),
                         unit)


def _row(graph: Graph, iri: str, source: str) -> dict:
    props = graph[iri]
    ids = props.get(m.DCT_IDENTIFIER, [])
    record = Record(str(ids[0]) if ids else iri.rsplit("/", 1)[-1], source)
    if len(ids) != 1:
        record.error("case_id", "exactly one dcterms:identifier is required")
    v = record.values
    types = props.get(m.RDF_TYPE, [])
    v["no_conditions"], v["no_exposures"] = m.NO_DISEASE in types, m.NO_EXPOSURE in types
    sex = _one(record, "sex", props.get(m.P_SEX, []))
    if sex is not None:
        v["sex"] = str(sex)
    for column, prop in m.CASE_DECIMALS.items():
        value = _one(record, column, props.get(prop, []))
        if value is not None:
            try:
                number = float(str(value))
            except ValueError:
                number = float("nan")
            if number == number and abs(number) != float("inf"):
                v[column] = number
            else:
                record.error(column, f"{value!r} is not a number")
    organism = _one(record, "taxon", props.get(m.P_ORGANISM, []))
    if organism is not None:
        taxa = graph.get(str(organism), {}).get(m.RDF_TYPE, [])
        v["taxon"] = m.compress(str(_one(record, "taxon", taxa) or ""))
    albumin = _one(record, "albumin", props.get(m.P_ALBUMIN, []))
    if albumin is not None:
        record.set_albumin(str(albumin), "g/L")
    _findings(record, graph, props)
    for column, (prop, _slot, _prefixes) in m.TYPED_SLOTS.items():
        items = []
        for node in sorted(str(n) for n in props.get(prop, [])):
            node_types = graph.get(node, {}).get(m.RDF_TYPE, [])
            items += [m.compress(str(t)) for t in node_types]
            if column == "treatments":
                response = graph.get(node, {}).get(m.P_RESPONSE, [])
                v.setdefault("responses", []).append(m.compress(str(response[0]))
                                                     if response else "")
        if items:
            v[column] = items
    reported = props.get(m.P_REPORTED, [])
    if reported:
        v["reported_type"] = m.compress(str(reported[0]))
    return record.row()
