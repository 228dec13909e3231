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


def _one(record: m.Record, column: str, values: list[object]) -> object | None:
    if len(values) > 1:
        record.error(column, f"{len(values)} values where one is allowed")
        return None
    return values[0] if values else None


def _row(graph: dict[str, dict[str, list[object]]], iri: str, source: str) -> dict:
    props = graph[iri]
    ids = props.get(m.DCT_IDENTIFIER, [])
    record = m.Record(str(ids[0]) if ids else iri.rsplit("/", 1)[-1], source)
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
    for analyte, prop, value_prop, classes in (
            ("calcium", m.P_CALCIUM, m.P_CALCIUM_MMOL,
             {m.CALCIUM_RAISED: "raised", m.CALCIUM_NORMAL: "normal"}),
            ("phosphate", m.P_PHOSPHATE, m.P_PHOSPHATE_MMOL,
             {m.PHOSPHATE_RAISED: "raised", m.PHOSPHATE_NORMAL: "normal"})):
        node = _one(record, analyte, props.get(prop, []))
        if node is None:
            continue
        finding = graph.get(str(node), {})
        value = _one(record, f"{analyte}_mmol_l", finding.get(value_prop, []))
        statuses = [classes[t] for t in finding.get(m.RDF_TYPE, []) if t in classes]
        if value is not None:
            record.set_serum(analyte, str(value), "mmol/L")
            if statuses and analyte == "phosphate":
                v["phosphate_status"] = statuses[0]
        elif statuses:
            v[f"{analyte}_status"] = statuses[0]
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
