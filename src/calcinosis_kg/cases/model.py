"""The case model: one wide row per case, the RDF it stands for, and exact unit conversion.

Why one module: every reader (CSV, Phenopacket, Turtle), the SHACL fast path, the criteria
compiler and the writers must agree on the same columns, the same case-model properties
(CCKG:0001100-0001199, ``ontology/src/terms/case_criteria.yaml``) and the same units; declaring
them once keeps the fast path and the RDF that HermiT and pySHACL see in lock-step.

Units are converted with ``decimal`` (exact, then quantised to 6 places) and never guessed:
calcium (total or ionised) 1 mmol/L = 4.008 mg/dL = 2 mEq/L; phosphate 1 mmol/L = 3.097 mg/dL,
and phosphate in mEq/L is refused (its valence depends on pH); albumin 1 g/dL = 10 g/L. An
unknown or missing unit is an invalid field. A record keeps what was measured (``LabInput``);
``cases.labs`` judges it against the laboratory's range or a default band when the row is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from calcinosis_kg.cases.parsing import number_syntax
from calcinosis_kg.core import prefixes, vocab
from calcinosis_kg.core.prefixes import prefix_map

CCKG = vocab.CCKG
CASE_BASE = vocab.CCKG_CASE
OBO = vocab.OBO
RDF_TYPE = vocab.RDF_TYPE
XSD = vocab.XSD
DCT_IDENTIFIER = vocab.DC_IDENTIFIER


def cckg(n: int) -> str:
    """The IRI of ``CCKG:n`` (zero-padded to seven digits)."""
    return f"{CCKG}{n:07d}"


CASE_RECORD = cckg(700)
NO_DISEASE = cckg(701)
NO_EXPOSURE = cckg(702)
PHOSPHATE_NORMAL = cckg(703)
LAB_FINDING = cckg(451)
CALCIUM_RAISED = cckg(610)
CALCIUM_NORMAL = cckg(611)
ADJUSTED_FINDING = cckg(454)
IONISED_FINDING = cckg(455)
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
P_LOW, P_HIGH, P_UNIT = cckg(1021), cckg(1022), cckg(1023)
P_RANGE = cckg(1024)
P_IONISED_MMOL = cckg(1029)
P_ALBUMIN = cckg(1030)

#: judged status -> the type a finding of that analyte gets (asserted, like CCKG:0000703)
STATUS_TYPES = {
    "calcium": {"raised": CALCIUM_RAISED, "normal": CALCIUM_NORMAL},
    "ionised_calcium": {"raised": CALCIUM_RAISED, "normal": CALCIUM_NORMAL},
    "phosphate": {"raised": PHOSPHATE_RAISED, "normal": PHOSPHATE_NORMAL},
}

SEXES = ("male", "female", "other", "unknown")
STATUSES = ("raised", "normal", "low")
#: other words for a status that mean exactly one of STATUSES
STATUS_WORDS = {
    "high": "raised",
    "elevated": "raised",
    "increased": "raised",
    "above": "raised",
    "within range": "normal",
    "in range": "normal",
    "decreased": "low",
    "below": "low",
}
RESPONSES = {
    "complete": "CCKG:0000731",
    "partial": "CCKG:0000732",
    "none": "CCKG:0000733",
    "progression": "CCKG:0000734",
}

#: wide columns, in output order, with their polars dtype name ("list" = list of str)
COLUMNS: dict[str, str] = {
    "case_id": "str",
    "source": "str",
    "taxon": "str",
    "sex": "str",
    "age_years": "float",
    "onset_age_years": "float",
    "calcium_mmol_l": "float",
    "calcium_status": "str",
    "albumin_g_l": "float",
    "calcium_adjusted_mmol_l": "float",
    "calcium_judged_mmol_l": "float",
    "calcium_range": "str",
    "calcium_lab_low": "float",
    "calcium_lab_high": "float",
    "ionised_calcium_mmol_l": "float",
    "ionised_calcium_status": "str",
    "ionised_calcium_range": "str",
    "ionised_calcium_lab_low": "float",
    "ionised_calcium_lab_high": "float",
    "phosphate_mmol_l": "float",
    "phosphate_status": "str",
    "phosphate_range": "str",
    "phosphate_lab_low": "float",
    "phosphate_lab_high": "float",
    "ranges": "str",
    "identifiers": "str",
    "egfr": "float",
    "lesion_size_mm": "float",
    "conditions": "list",
    "no_conditions": "bool",
    "exposures": "list",
    "no_exposures": "bool",
    "sites": "list",
    "features": "list",
    "histology": "list",
    "treatments": "list",
    "responses": "list",
    "reported_type": "str",
    "not_a_case": "str",
    "errors": "list",
}

#: vocabularies a recorded disease may come from besides MONDO, DOID, HP and CCKG; their
#: identifiers are mapped to the ontology's terms by ``cases.identifiers`` (namespaces from the
#: curated prefix map, ontology/src/header.yaml)
DISEASE_VOCABULARIES = (
    "OMIM",
    "OMIMPS",
    "Orphanet",
    "ICD10WHO",
    "ICD10CM",
    "NCIT",
    "MESH",
    "UMLS",
    "SCTID",
)
#: list columns -> (predicate, node slot, allowed CURIE prefixes) : one typed node per item
TYPED_SLOTS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "conditions": (
        P_CONDITION,
        "condition",
        ("MONDO", "DOID", "HP", "CCKG", *DISEASE_VOCABULARIES),
    ),
    "exposures": (P_EXPOSURE, "exposure", ("CCKG", "MAXO")),
    "sites": (P_SITE, "site", ("UBERON", "CCKG")),
    "features": (P_FEATURE, "feature", ("HP", "CCKG")),
    "histology": (P_HISTOLOGY, "histology", ("CCKG", "HP")),
    "treatments": (P_TREATMENT, "treatment", ("CHEBI", "MAXO", "CCKG")),
}
#: scalar decimal columns on the case node
CASE_DECIMALS: dict[str, str] = {
    "age_years": P_AGE,
    "onset_age_years": P_ONSET,
    "egfr": P_EGFR,
    "lesion_size_mm": P_SIZE,
}

#: the prefixes a case record may use (a policy: a subset of the curated map, whose namespaces
#: they take); the conversion itself is done by ``core.prefixes``
CASE_PREFIXES = (
    "CCKG",
    "MONDO",
    "DOID",
    "HP",
    "UBERON",
    "CHEBI",
    "MAXO",
    "NCBITaxon",
    "RO",
    "GO",
    *DISEASE_VOCABULARIES,
)
PREFIXES = {p: prefix_map()[p] for p in CASE_PREFIXES}


def expand(curie: str) -> str:
    """CURIE -> IRI for the prefixes a case may use (an IRI passes through)."""
    if curie.startswith(("http://", "https://")):
        return curie
    prefix, _, local = curie.partition(":")
    if prefix not in PREFIXES or not local:
        raise ValueError(f"unknown identifier prefix in {curie!r}")
    return prefixes.expand(curie, PREFIXES)


def compress(iri: str) -> str:
    """IRI -> CURIE under the case prefixes (longest namespace first), else the IRI."""
    return prefixes.compress(iri, PREFIXES)


# ------------------------------------------------------------------------------- units

CALCIUM_FACTORS = {"mmol/l": Decimal(1), "mg/dl": Decimal("4.008"), "meq/l": Decimal(2)}
PHOSPHATE_FACTORS = {"mmol/l": Decimal(1), "mg/dl": Decimal("3.097")}
ALBUMIN_FACTORS = {"g/l": Decimal(1), "g/dl": Decimal("0.1")}  # value / factor = g/L
QUANT = Decimal("0.000001")
#: analytes measured as calcium (same units and factors)
CALCIUM_ANALYTES = ("calcium", "ionised_calcium")


def normalise_unit(unit: str) -> str:
    """A unit as the factor tables key it: ``UCUM:`` dropped, spaces removed, lower case."""
    text = unit.strip()
    if text.upper().startswith("UCUM:"):
        text = text[5:]
    return text.replace(" ", "").lower()


def _number(value: str | float | Decimal) -> Decimal:
    try:
        number = Decimal(number_syntax(str(value)))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite() or abs(number) >= 10**6:
        raise ValueError(f"{value!r} is not a plausible finite number")
    return number


def to_mmol_per_l(analyte: str, value: str | float | Decimal, unit: str | None) -> Decimal:
    """Convert a serum value to mmol/L exactly; raise ValueError with a user message."""
    return exact_mmol_per_l(analyte, value, unit).quantize(QUANT)


def exact_mmol_per_l(analyte: str, value: str | float | Decimal, unit: str | None) -> Decimal:
    """``to_mmol_per_l`` before rounding to 6 places (for values computed further)."""
    number = _number(value)
    if unit is None or not str(unit).strip():
        raise ValueError(
            f"no unit given ({', '.join(_unit_names(analyte))}); a unit is never guessed"
        )
    key = normalise_unit(str(unit))
    factors = CALCIUM_FACTORS if analyte in CALCIUM_ANALYTES else PHOSPHATE_FACTORS
    if analyte == "phosphate" and key == "meq/l":
        raise ValueError(
            "phosphate in mEq/L is refused: its valence depends on pH; give mmol/L or mg/dL"
        )
    if key not in factors:
        raise ValueError(f"unknown unit {unit!r} (use {', '.join(_unit_names(analyte))})")
    return number / factors[key]


def to_g_per_l(value: str | float | Decimal, unit: str | None) -> Decimal:
    """Serum albumin in g/L (exact); raise ValueError with a user message."""
    number = _number(value)
    key = normalise_unit(str(unit or ""))
    if key not in ALBUMIN_FACTORS:
        raise ValueError(
            f"unknown or missing albumin unit {unit!r} (use g/L or g/dL); a unit is never guessed"
        )
    return (number / ALBUMIN_FACTORS[key]).quantize(QUANT)


def _unit_names(analyte: str) -> list[str]:
    return ["mmol/L", "mg/dL"] + (["mEq/L"] if analyte in CALCIUM_ANALYTES else [])


def status_from_range(value: Decimal, low: Decimal, high: Decimal) -> str:
    """``raised``, ``low`` or ``normal`` against the inclusive range ``low``–``high``."""
    return "raised" if value > high else "low" if value < low else "normal"


# ------------------------------------------------------------------------------- records


@dataclass
class LabInput:
    """One serum measurement as read: value in mmol/L, the laboratory's range, the status the
    record states. Judging it (``cases.labs``) waits until the whole record (age, sex, species,
    albumin) is read."""

    mmol: Decimal | None = None
    exact: Decimal | None = None  # mmol/L before rounding (the albumin adjustment uses it)
    status: str | None = None
    lab_range: tuple[Decimal, Decimal] | None = None
