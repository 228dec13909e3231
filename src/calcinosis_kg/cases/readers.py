"""Read case records from the CSV layout and from GA4GH Phenopacket v2 JSON / JSON Lines.

Why records and not a frame: a registry file mixes good and bad rows, and each bad field must
be reported against its row while the rest go on (3% bad rows -> 97% classified). A record
collects its own field errors (a bad byte, a JSON line that does not parse, a Phenopacket the
bindings refuse are errors of that record); only what leaves the rest of a file unreadable (no
``case_id`` header, an unclosed quote, text that is not JSON) raises ``InputError`` ->
``file:line: message``. Files are opened and read within the limits of ``cases.parsing``.
Records are yielded in chunks so a million cases stream in bounded memory. A CSV file is read
by ``cases.csv_frame`` (vectorised, the same field rules of ``cases.csv_fields``), which hands
over to ``read_csv``/``csv_record`` only the rows it cannot read exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import parsing
from calcinosis_kg.cases.csv_fields import CURIE, fill_row
from calcinosis_kg.cases.parsing import shown
from calcinosis_kg.cases.record import Record
from calcinosis_kg.core.errors import InputError

CALCIUM_LOINC, PHOSPHATE_LOINC = "LOINC:17861-6", "LOINC:2777-1"
#: HP:0025520 Calcinosis cutis: a Phenopacket is a case when it records it observed
CALCINOSIS_CUTIS = "HP:0025520"
#: ionised calcium in blood, serum albumin (verified in HL7 FHIR value sets; cases.md)
IONISED_LOINC, ALBUMIN_LOINC = "LOINC:1994-3", "LOINC:1751-7"
ASSAYS = {CALCIUM_LOINC: "calcium", PHOSPHATE_LOINC: "phosphate", IONISED_LOINC: "ionised_calcium"}
SEX = {"MALE": "male", "FEMALE": "female", "OTHER_SEX": "other", "UNKNOWN_SEX": "unknown"}
SUFFIXES = (".csv", ".json", ".jsonl", ".ndjson", ".ttl", ".jsonld", ".nt")


def input_files(paths: Iterable[Path | str], failed: list[InputError] | None = None) -> list[Path]:
    """Expand directories (their *.csv, *.json, *.jsonl, *.ttl, *.jsonld, sorted). A FIFO, device
    or dangling link with such a name is kept, so that reading it is refused by name. A path
    that does not exist raises, or with ``failed`` is noted there and the others are kept."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(
                p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and not p.is_dir()
            )
        elif path.exists():
            out.append(path)
        elif failed is None:
            raise InputError("no such file or directory", path)
        else:
            failed.append(InputError("no such file or directory", path))
    return out


def read_records(path: Path) -> Iterator[Record]:
    """Records of one CSV or Phenopacket file (dispatch on the file suffix)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        yield from read_csv(path)
    elif suffix in (".json", ".jsonl", ".ndjson"):
        yield from read_phenopackets(path)
    else:
        raise InputError(f"cannot read {suffix or 'this'} files as case records here", path)


# ------------------------------------------------------------------------------- CSV


def read_csv(path: Path, header: list[str] | None = None, first_line: int = 1) -> Iterator[Record]:
    """Records of a CSV file; with ``header`` (already read and checked), the records from
    ``first_line`` on (the vectorised reader hands over the rest of a file it cannot read
    exactly)."""
    records = parsing.csv_records(path, first_line)
    if header is None:
        try:
            _line, cells, problems = next(records)
        except StopIteration:
            raise InputError("empty file: a header row with case_id is expected", path, 1) from None
        if problems:
            raise InputError(problems[0], path, 1)
        header = header_names(path, cells)
    for line, cells, problems in records:
        if not problems and not any(c.strip() for c in cells):
            continue
        yield csv_record(path, header, line, cells, problems)


def header_names(path: Path | str, cells: list[str]) -> list[str]:
    """The header's names, stripped and lower case; no ``case_id`` or a name given twice ends
    the file (which column would be meant?)."""
    header = [h.strip().lower() for h in cells]
    if "case_id" not in header:
        raise InputError("not a case CSV: no case_id column in the header", path, 1)
    first: dict[str, int] = {}
    for index, name in enumerate(header, start=1):
        if name and name in first:
            raise InputError(
                f"duplicate column {shown(name)} in the header (columns "
                f"{first[name]} and {index}); which one is meant?",
                path,
                1,
            )
        first[name] = index
    return header


def csv_record(
    path: Path, header: list[str], line: int, cells: list[str], problems: list[str]
) -> Record:
    """One CSV record from its cells (``header``: the names, stripped and lower case)."""
    row = dict(zip(header, (c.strip() for c in cells), strict=False))
    record = Record(row.get("case_id", ""), f"{path}:{line}")
    for problem in problems:
        record.error("row", problem)
    if cells and len(cells) != len(header):
        record.error("row", f"{len(cells)} cells for {len(header)} columns")
    if not record.case_id:
        record.error("case_id", "missing")
        record.case_id = f"line-{line}"
    fill_row(record, row)
    return record


# ------------------------------------------------------------------------------- Phenopackets


def read_phenopackets(path: Path, data: bytes | None = None) -> Iterator[Record]:
    """A Phenopacket JSON file (one object, or a list) or JSON Lines (one per line); a record
    that cannot be read is an invalid record at its line, and the others are read. ``data``:
    a JSON file's bytes, already read (``path`` then only names it)."""
    items = (
        parsing.json_items(path, data)
        if path.suffix.lower() == ".json"
        else parsing.json_lines(path)
    )
    listed = path.suffix.lower() == ".json"
    for index, (line, item, problem) in enumerate(items, start=1):
        source = f"{path}:{line}"
        placeholder = f"item-{index}" if listed else f"line-{line}"  # unique in the file
        if problem is not None:
            record = Record(placeholder, source)
            record.error("phenopacket", problem)
            yield record
        else:
            yield phenopacket_record(item, source, placeholder)


def packet_line(path: Path | str, line: int, raw: bytes | None) -> Record | None:
    """The record of one JSON Lines line (None for a blank line), as ``read_phenopackets``
    reads it: the declarative readers hand over here the lines that do not fit their schema."""
    found = parsing.json_line(line, raw)
    if found is None:
        return None
    _line, item, problem = found
    source = f"{path}:{line}"
    if problem is not None:
        record = Record(f"line-{line}", source)
        record.error("phenopacket", problem)
        return record
    return phenopacket_record(item, source, f"line-{line}")


#: what the bindings and Python raise on hostile values (huge integers, deep nesting, wrong
#: types); each is an error of the one record
_PACKET_ERRORS = (ValueError, TypeError, AttributeError, KeyError, OverflowError, RecursionError)


def phenopacket_record(item: Any, source: str, placeholder: str | None = None) -> Record:
    """One case from one Phenopacket v2 object, read through the official bindings; a record
    without an id is named ``placeholder`` (default ``line-N`` from ``source``)."""
    from google.protobuf import json_format
    from phenopackets import Phenopacket

    placeholder = placeholder or "line-" + source.rsplit(":", 1)[-1]
    if not isinstance(item, dict):
        record = Record(placeholder, source)
        record.error("phenopacket", f"a Phenopacket is a JSON object, not {_json_kind(item)}")
        return record
    ident = item.get("id", "")
    record = Record(ident if isinstance(ident, str) else "", source)
    if not isinstance(ident, str):
        record.error("case_id", f"{shown(ident)} is not a string")
    try:
        packet = json_format.ParseDict(item, Phenopacket())
    except (json_format.ParseError, *_PACKET_ERRORS) as exc:
        record.error("phenopacket", parsing.clip(" ".join(str(exc).split()), 300))
        record.case_id = record.case_id or placeholder
        return record
    if not record.case_id:
        record.error("case_id", "missing (Phenopacket id)")
        record.case_id = placeholder
    _fill_packet(record, packet)
    return record


def _json_kind(item: Any) -> str:
    return {list: "a list", str: "a string", bool: "true or false", type(None): "null"}.get(
        type(item), "a number"
    )


def _years(record: Record, column: str, age: Any) -> float | None:
    """An age's ISO 8601 duration in years; one that cannot be read is a field error."""
    duration = age.age.iso8601duration if age.HasField("age") else ""
    if not duration:
        return None
    try:
        return parsing.duration_years(duration)
    except ValueError as exc:
        record.error(column, str(exc))
        return None


def _fill_packet(record: Record, packet: Any) -> None:
    v = record.values
    subject = packet.subject
    if subject.HasField("taxonomy"):
        if CURIE.match(subject.taxonomy.id):
            v["taxon"] = subject.taxonomy.id
        else:
            record.error(
                "taxon", f"{shown(subject.taxonomy.id)} is not an identifier such as NCBITaxon:9606"
            )
    if subject.sex:
        v["sex"] = _sex_name(subject)
    if subject.HasField("time_at_last_encounter"):
        v["age_years"] = _years(record, "age_years", subject.time_at_last_encounter)
    lists: dict[str, list[str]] = {
        k: [] for k in ("conditions", "exposures", "sites", "features", "histology", "treatments")
    }
    for disease in packet.diseases:
        if disease.term.id == m.NO_CAUSE_MARKER and disease.excluded:
            v["no_conditions"] = v["no_exposures"] = True
        elif not disease.excluded:
            lists["conditions"].append(disease.term.id)
        if disease.HasField("primary_site"):
            lists["sites"].append(disease.primary_site.id)
    observed = excluded = False
    for feature in packet.phenotypic_features:
        term = feature.type.id
        if feature.excluded:
            excluded = excluded or term == CALCINOSIS_CUTIS
            continue
        if term == CALCINOSIS_CUTIS:
            observed = True  # Calcinosis cutis: the case feature; its modifiers are sites
            lists["sites"] += [mod.id for mod in feature.modifiers]
            if feature.HasField("onset"):
                v["onset_age_years"] = _years(record, "onset_age_years", feature.onset)
        elif _is_exposure(term):
            lists["exposures"].append(term)
        else:
            lists["features"].append(term)
    observed = observed or any(
        _is_calcinosis_type(d.term.id) for d in packet.diseases if not d.excluded
    )
    if excluded and not observed:
        v["not_a_case"] = (
            f"the record excludes calcinosis cutis ({CALCINOSIS_CUTIS} "
            "excluded): not a calcinosis cutis case"
        )
    elif excluded:
        record.error(
            "phenotypicFeatures",
            f"{CALCINOSIS_CUTIS} Calcinosis cutis is both observed and excluded",
        )
    elif not observed:
        v["not_a_case"] = (
            f"no calcinosis cutis phenotype ({CALCINOSIS_CUTIS}) or type "
            "recorded: not a calcinosis cutis case"
        )
    for sample in packet.biosamples:
        if sample.HasField("sampled_tissue"):
            lists["sites"].append(sample.sampled_tissue.id)
        lists["histology"] += [f.type.id for f in sample.phenotypic_features if not f.excluded]
    responses = []
    for action in packet.medical_actions:
        code = (
            action.treatment.agent.id
            if action.HasField("treatment")
            else action.procedure.code.id
            if action.HasField("procedure")
            else ""
        )
        if code:
            lists["treatments"].append(code)
            responses.append(
                action.response_to_treatment.id if action.HasField("response_to_treatment") else ""
            )
    for key, items in lists.items():
        good = []
        excess = parsing.too_many(len(items))
        if excess:
            record.error(key, excess)
            continue
        for item in items:
            if CURIE.match(item):
                good.append(item)
            else:
                record.error(key, f"{shown(item)} is not an identifier such as MONDO:0005100")
        if good:
            v[key] = sorted(set(good), key=good.index)
    bad = [r for r in responses if r and not CURIE.match(r)]
    if bad:
        record.error("responses", f"{shown(bad[0])} is not an identifier such as CCKG:0000731")
    elif any(responses):
        v["responses"] = responses
    excess = parsing.too_many(len(packet.measurements))
    if excess:
        record.error("measurements", excess)
        return
    counts: dict[str, int] = {}
    for measurement in packet.measurements:
        counts[measurement.assay.id] = counts.get(measurement.assay.id, 0) + 1
    for assay in (*ASSAYS, ALBUMIN_LOINC):
        if counts.get(assay, 0) > 1:  # never the last one silently: the order would decide
            record.error(
                "measurements", f"{counts[assay]} measurements of {assay} where one is allowed"
            )
    for measurement in packet.measurements:
        if counts[measurement.assay.id] == 1:
            _measurement(record, measurement)


def _is_calcinosis_type(term: str) -> bool:
    """A disease term that names calcinosis cutis or one of its types (CCKG:0000001-0000099,
    osteoma cutis CCKG:0000011 excepted: bone, not calcium)."""
    return bool(re.fullmatch(r"CCKG:00000\d\d", term)) and term not in (
        "CCKG:0000000",
        "CCKG:0000011",
    )


def _sex_name(subject: Any) -> str:
    from phenopackets import Sex

    return SEX.get(Sex.Name(subject.sex), "unknown")


def _is_exposure(term: str) -> bool:
    """Exposures travel as phenotypic features with our exposure classes (v2 has no exposures)."""
    if term.startswith("MAXO:"):
        return True
    if term.startswith("CCKG:") and term[5:].isdigit():
        number = int(term[5:])
        return number == 100 or 500 <= number <= 539
    return False


def _measurement(record: Record, measurement: Any) -> None:
    quantity = None
    if measurement.HasField("value") and measurement.value.HasField("quantity"):
        q = measurement.value.quantity
        quantity = Quantity(q.value, q.unit.id or q.unit.label)
        if q.HasField("reference_range"):
            r = q.reference_range
            quantity = Quantity(
                q.value, quantity.unit, r.low, r.high, r.unit.id or r.unit.label or None
            )
    measure(record, measurement.assay.id, quantity)


class Quantity(NamedTuple):
    """A measurement's quantity as the bindings give it (absent numbers are 0.0, absent texts
    ""): value, unit id or label, and the laboratory's range when one is given."""

    value: float
    unit: str
    low: float | None = None
    high: float | None = None
    range_unit: str | None = None


def measure(record: Record, assay: str, quantity: Quantity | None) -> None:
    """One Phenopacket measurement into the record: a serum analyte or albumin (others are not
    read); the declarative readers call it once per distinct measurement."""
    analyte = ASSAYS.get(assay)
    if analyte is None and assay != ALBUMIN_LOINC:
        return
    name = analyte or "albumin"
    if quantity is None:
        record.error(f"{name}_value", f"measurement {assay} has no quantity")
        return
    if analyte is None:
        record.set_albumin(quantity.value, quantity.unit)
        return
    record.set_serum(
        analyte,
        quantity.value,
        quantity.unit,
        None,
        quantity.low,
        quantity.high,
        quantity.range_unit,
    )
