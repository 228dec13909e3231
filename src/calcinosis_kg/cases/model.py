"""The case model: one wide row per case, the RDF it stands for, and exact unit conversion.

Why one module: every reader (CSV, Phenopacket, Turtle), the SHACL fast path, the criteria
compiler and the writers must agree on the same columns, the same case-model properties
(CCKG:0001100-0001199, ``ontology/src/terms/case_criteria.yaml``) and the same units; declaring
them once keeps the fast path and the RDF that HermiT and pySHACL see in lock-step.

Units are converted with ``decimal`` (exact, then quantised to 6 places) and never guessed:
calcium 1 mmol/L = 4.008 mg/dL = 2 mEq/L; phosphate 1 mmol/L = 3.097 mg/dL, and phosphate in
mEq/L is refused (its valence depends on pH). An unknown or missing unit is an invalid field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from calcinosis_kg.core import vocab

CCKG = vocab.CCKG
CASE_BASE = vocab.CCKG_CASE
OBO = vocab.OBO
RDF_TYPE = vocab.RDF_TYPE
XSD = vocab.XSD
DCT_IDENTIFIER = vocab.DC_IDENTIFIER


def cckg(n: int) -> str:
    return f"{CCKG}{n:07d}"


CASE_RECORD = cckg(700)
NO_DISEASE = cckg(701)
NO_EXPOSURE = cckg(702)
PHOSPHATE_NORMAL = cckg(703)
LAB_FINDING = cckg(451)
CALCIUM_RAISED = cckg(610)
CALCIUM_NORMAL = cckg(611)
PHOSPHATE_RAISED = OBO + "HP_0002905"
HUMAN = "NCBITaxon:9606"
#: "cause of calcinosis cutis" excluded in a Phenopacket = no underlying disease and no exposure
NO_CAUSE_MARKER = "CCKG:0000608"

P_TYPE = cckg(1100)
P_ORGANISM = cckg(1101)
P_SEX = cckg(1102)
P_AGE = cckg(1103)
P_ONSET = cckg(1104)
P_CALCIUM = cckg(1105)
P_PHOSPHATE = cckg(1106)
P_PHOSPHATE_MMOL = cckg(1107)
P_CONDITION = cckg(1108)
P_EXPOSURE = cckg(1109)
P_SITE = cckg(1110)
P_FEATURE = cckg(1111)
P_HISTOLOGY = cckg(1112)
P_TREATMENT = cckg(1113)
P_RESPONSE = cckg(1114)
P_EGFR = cckg(1115)
P_SIZE = cckg(1116)
P_REPORTED = cckg(1117)
P_CALCIUM_MMOL = cckg(1020)

SEXES = ("male", "female", "other", "unknown")
STATUSES = ("raised", "normal", "low")
#: other words for a status that mean exactly one of STATUSES
STATUS_WORDS = {"high": "raised", "elevated": "raised", "increased": "raised", "above": "raised",
                "within range": "normal", "in range": "normal", "decreased": "low",
                "below": "low"}
RESPONSES = {"complete": "CCKG:0000731", "partial": "CCKG:0000732", "none": "CCKG:0000733",
             "progression": "CCKG:0000734"}

#: wide columns, in output order, with their polars dtype name ("list" = list of str)
COLUMNS: dict[str, str] = {
    "case_id": "str", "source": "str", "taxon": "str", "sex": "str", "age_years": "float",
    "onset_age_years": "float", "calcium_mmol_l": "float", "calcium_status": "str",
    "phosphate_mmol_l": "float", "phosphate_status": "str", "egfr": "float",
    "lesion_size_mm": "float", "conditions": "list", "no_conditions": "bool",
    "exposures": "list", "no_exposures": "bool", "sites": "list", "features": "list",
    "histology": "list", "treatments": "list", "responses": "list", "reported_type": "str",
    "errors": "list",
}

#: list columns -> (predicate, node slot, allowed CURIE prefixes) : one typed node per item
TYPED_SLOTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "conditions": (P_CONDITION, "condition", ("MONDO", "DOID", "CCKG")),
    "exposures": (P_EXPOSURE, "exposure", ("CCKG", "MAXO")),
    "sites": (P_SITE, "site", ("UBERON", "CCKG")),
    "features": (P_FEATURE, "feature", ("HP", "CCKG")),
    "histology": (P_HISTOLOGY, "histology", ("CCKG", "HP")),
    "treatments": (P_TREATMENT, "treatment", ("CHEBI", "MAXO", "CCKG")),
}
#: scalar decimal columns on the case node
CASE_DECIMALS: dict[str, str] = {"age_years": P_AGE, "onset_age_years": P_ONSET,
                                 "egfr": P_EGFR, "lesion_size_mm": P_SIZE}

PREFIXES = {"CCKG": CCKG, "MONDO": OBO + "MONDO_", "DOID": OBO + "DOID_", "HP": OBO + "HP_",
            "UBERON": OBO + "UBERON_", "CHEBI": OBO + "CHEBI_", "MAXO": OBO + "MAXO_",
            "NCBITaxon": OBO + "NCBITaxon_", "RO": OBO + "RO_", "GO": OBO + "GO_"}


def expand(curie: str) -> str:
    """CURIE -> IRI for the prefixes a case may use (an IRI passes through)."""
    if curie.startswith(("http://", "https://")):
        return curie
    prefix, _, local = curie.partition(":")
    if prefix not in PREFIXES or not local:
        raise ValueError(f"unknown identifier prefix in {curie!r}")
    return PREFIXES[prefix] + local


def compress(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


# ------------------------------------------------------------------------------- units

CALCIUM_FACTORS = {"mmol/l": Decimal(1), "mg/dl": Decimal("4.008"), "meq/l": Decimal(2)}
PHOSPHATE_FACTORS = {"mmol/l": Decimal(1), "mg/dl": Decimal("3.097")}
QUANT = Decimal("0.000001")


def normalise_unit(unit: str) -> str:
    text = unit.strip()
    if text.upper().startswith("UCUM:"):
        text = text[5:]
    return text.replace(" ", "").lower()


def to_mmol_per_l(analyte: str, value: str | float | Decimal, unit: str | None) -> Decimal:
    """Convert a serum value to mmol/L exactly; raise ValueError with a user message."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite() or abs(number) >= 10**6:
        raise ValueError(f"{value!r} is not a plausible finite number")
    if unit is None or not str(unit).strip():
        raise ValueError("no unit given (mmol/L, mg/dL or mEq/L); a unit is never guessed")
    key = normalise_unit(str(unit))
    factors = CALCIUM_FACTORS if analyte == "calcium" else PHOSPHATE_FACTORS
    if analyte == "phosphate" and key == "meq/l":
        raise ValueError("phosphate in mEq/L is refused: its valence depends on pH; "
                         "give mmol/L or mg/dL")
    if key not in factors:
        raise ValueError(f"unknown unit {unit!r} (use {', '.join(_unit_names(analyte))})")
    return (number / factors[key]).quantize(QUANT)


def _unit_names(analyte: str) -> list[str]:
    return ["mmol/L", "mg/dL"] + (["mEq/L"] if analyte == "calcium" else [])


def status_from_range(value: Decimal, low: Decimal, high: Decimal) -> str:
    return "raised" if value > high else "low" if value < low else "normal"


# ------------------------------------------------------------------------------- records


@dataclass
class Record:
    """One case while it is read: values are set field by field, errors collected per field."""

    case_id: str
    source: str
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def error(self, column: str, message: str) -> None:
        self.errors.append(f"{column}: {message}")

    def lab_phenotypes(self) -> None:
        """A recorded HP:0003072 Hypercalcemia / HP:0002905 Hyperphosphatemia states a raised
        serum level (how a Phenopacket says it: v2 measurements have no interpretation); it
        must agree with a recorded value or status."""
        features = self.values.get("features") or []
        for analyte, term in (("calcium", "HP:0003072"), ("phosphate", "HP:0002905")):
            if term not in features:
                continue
            status = self.values.get(f"{analyte}_status")
            value = self.values.get(f"{analyte}_mmol_l")
            if analyte == "calcium" and value is not None:
                status = "raised" if value > 2.6 else "normal" if value >= 2.1 else "low"
            if status not in (None, "raised"):
                self.error("features", f"{term} contradicts the recorded {analyte} ({status})")
            elif value is None or analyte == "phosphate":
                self.values[f"{analyte}_status"] = "raised"

    def row(self) -> dict[str, Any]:
        self.lab_phenotypes()
        out: dict[str, Any] = {name: None for name in COLUMNS}
        for name, kind in COLUMNS.items():
            if kind == "list":
                out[name] = []
            elif kind == "bool":
                out[name] = False
        out.update(self.values)
        out["case_id"], out["source"] = self.case_id, self.source
        out["errors"] = list(self.errors)
        if out.get("taxon") is None:
            out["taxon"] = HUMAN
        return out

    def set_serum(self, analyte: str, value: Any, unit: Any, status: str | None = None,
                  low: Any = None, high: Any = None, range_unit: Any = None) -> None:
        """Record a serum value (converted to mmol/L) and its status, or the status alone."""
        column = f"{analyte}_value"
        mmol: Decimal | None = None
        if value not in (None, ""):
            try:
                mmol = to_mmol_per_l(analyte, value, unit)
            except ValueError as exc:
                self.error(column, str(exc))
                return
            self.values[f"{analyte}_mmol_l"] = float(mmol)
        if status not in (None, ""):
            status = STATUS_WORDS.get(str(status).strip().lower(), str(status).strip().lower())
            if status not in STATUSES:
                self.error(f"{analyte}_status", f"{status!r} is not one of {', '.join(STATUSES)}")
                return
        if analyte == "phosphate" and mmol is not None and low not in (None, "") \
                and high not in (None, ""):
            try:
                lo = to_mmol_per_l(analyte, low, range_unit or unit)
                hi = to_mmol_per_l(analyte, high, range_unit or unit)
            except ValueError as exc:
                self.error("phosphate_reference_range", str(exc))
                return
            derived = status_from_range(mmol, lo, hi)
            if status and status != derived:
                self.error("phosphate_status", f"{status!r} contradicts the value and its "
                           f"reference range ({derived})")
                return
            status = derived
        if analyte == "calcium" and mmol is not None and status:
            derived = status_from_range(mmol, Decimal("2.1"), Decimal("2.6"))
            if status != derived:
                self.error("calcium_status", f"{status!r} contradicts {mmol.normalize()} mmol/L "
                           f"({derived} against the reference range 2.1-2.6 mmol/L)")
                return
            status = None  # the value alone says it; HermiT derives it from CCKG:0001020
        if status:
            self.values[f"{analyte}_status"] = status
