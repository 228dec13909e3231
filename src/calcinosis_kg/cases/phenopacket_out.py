"""A case row as a GA4GH Phenopacket v2 object (JSON, camelCase), in the documented layout.

Why its own module: the layout is a contract (docs/readme/cases.md) that the reader in
``readers.py`` parses back through the official ``phenopackets`` bindings; keeping the writer
small and separate makes that round trip easy to test. Where v2 has no field (exposures, the
recorded absence of any cause) the layout uses verified or project identifiers only:
exposures are phenotypic features typed by our exposure classes (CCKG:0000100, 0000500-0000539),
lesion sites are modifiers of HP:0025520 "Calcinosis cutis", histopathology findings are
phenotypic features of a biosample, and "no underlying disease or exposure" is the disease
CCKG:0000608 "cause of calcinosis cutis" with ``excluded: true``.
"""

from __future__ import annotations

from typing import Any

from calcinosis_kg.cases.model import RESPONSES

CALCINOSIS_CUTIS = {"id": "HP:0025520", "label": "Calcinosis cutis"}
ASSAYS = {
    "calcium": {"id": "LOINC:17861-6", "label": "Calcium [Mass/volume] in Serum or Plasma"},
    "ionised_calcium": {"id": "LOINC:1994-3", "label": "Calcium.ionized [Moles/volume] in Blood"},
    "phosphate": {"id": "LOINC:2777-1", "label": "Phosphate [Mass/volume] in Serum or Plasma"},
    "albumin": {"id": "LOINC:1751-7", "label": "Albumin [Mass/volume] in Serum or Plasma"},
}
UCUM = {
    "mmol/L": "UCUM:mmol/L",
    "mg/dL": "UCUM:mg/dL",
    "mEq/L": "UCUM:meq/L",
    "g/L": "UCUM:g/L",
    "g/dL": "UCUM:g/dL",
}
SEX = {"male": "MALE", "female": "FEMALE", "other": "OTHER_SEX", "unknown": "UNKNOWN_SEX"}


def _term(curie: str, labels: dict[str, str]) -> dict[str, str]:
    return {"id": curie, "label": labels.get(curie, curie)}


def _list(value: Any) -> list[str]:
    return [v for v in value if v] if isinstance(value, list) else []


def phenopacket(row: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """One wide case row as a GA4GH Phenopacket (v2 JSON): subject, calcinosis cutis with its
    sites, diseases, measurements with their ranges, biopsy findings and treatments."""
    subject: dict[str, Any] = {
        "id": f"{row['case_id']}-subject",
        "taxonomy": _term(row.get("taxon") or "NCBITaxon:9606", labels),
    }
    if row.get("sex"):
        subject["sex"] = SEX.get(str(row["sex"]), str(row["sex"]))
    if row.get("age_years") not in (None, ""):
        subject["timeAtLastEncounter"] = {"age": {"iso8601duration": f"P{row['age_years']}Y"}}
    feature = {
        "type": CALCINOSIS_CUTIS,
        "modifiers": [_term(s, labels) for s in _list(row.get("sites"))],
    }
    features = [feature] + [{"type": _term(f, labels)} for f in _list(row.get("features"))]
    features += [{"type": _term(e, labels)} for e in _list(row.get("exposures"))]
    packet: dict[str, Any] = {
        "id": row["case_id"],
        "subject": subject,
        "phenotypicFeatures": features,
    }
    diseases: list[dict[str, Any]] = [
        {"term": _term(d, labels)} for d in _list(row.get("diseases"))
    ]
    if row.get("diseases") == "none" and row.get("exposures") == "none":
        diseases.append(
            {"term": {"id": "CCKG:0000608", "label": "cause of calcinosis cutis"}, "excluded": True}
        )
    if diseases:
        packet["diseases"] = diseases
    measurements = []
    for analyte in ("calcium", "ionised_calcium", "phosphate", "albumin"):
        value = row.get(f"{analyte}_value")
        if value in (None, ""):
            continue
        unit = str(row.get(f"{analyte}_unit") or "")
        quantity: dict[str, Any] = {
            "unit": {"id": UCUM.get(unit, unit), "label": unit},
            "value": float(value),
        }
        if row.get(f"{analyte}_ref_low") not in (None, ""):
            quantity["referenceRange"] = {
                "unit": {"id": UCUM.get(unit, unit), "label": unit},
                "low": float(row[f"{analyte}_ref_low"]),
                "high": float(row[f"{analyte}_ref_high"]),
            }
        measurements.append({"assay": ASSAYS[analyte], "value": {"quantity": quantity}})
    if measurements:
        packet["measurements"] = measurements
    if _list(row.get("histology")):
        packet["biosamples"] = [
            {
                "id": f"{row['case_id']}-biopsy",
                "phenotypicFeatures": [
                    {"type": _term(h, labels)} for h in _list(row.get("histology"))
                ],
            }
        ]
    actions = []
    responses = _list(row.get("responses"))
    for i, code in enumerate(_list(row.get("treatments"))):
        action: dict[str, Any] = (
            {"treatment": {"agent": _term(code, labels)}}
            if code.startswith("CHEBI:")
            else {"procedure": {"code": _term(code, labels)}}
        )
        if i < len(responses) and responses[i] in RESPONSES:
            action["responseToTreatment"] = {
                "id": RESPONSES[responses[i]],
                "label": responses[i] + " response",
            }
        actions.append(action)
    if actions:
        packet["medicalActions"] = actions
    packet["metaData"] = {
        "created": "2026-01-01T00:00:00Z",
        "createdBy": "calcinosis-kg synth",
        "phenopacketSchemaVersion": "2.0",
        "resources": [],
    }
    return packet
