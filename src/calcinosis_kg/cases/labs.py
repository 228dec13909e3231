"""Judge a record's serum values: the laboratory's range, else the default band for the patient.

Why here, once per record: a value is raised or normal only against a reference range, and the
right one depends on the whole record (age, sex, species, albumin), which a reader fills field
by field. The rules, in order (docs/readme/cases.md "Reference intervals"):

1. The laboratory's own range (CSV ``*_ref_low``/``*_ref_high``, Phenopacket ``referenceRange``)
   always wins.
2. Otherwise the default band (``intervals.choose``) for the patient's age and sex; none for a
   non-human patient; the adult default when the age is not recorded (the note says so).
3. With serum albumin recorded, total calcium is adjusted first (Payne et al. 1973,
   PMID:4758544): adjusted calcium (mg/100 ml) = calcium (mg/100 ml) - albumin (g/100 ml) + 4.0.
4. A status the record states must agree with the judged one (else a field error); with no
   range to judge against, the stated status stands and the value stays unjudged.
5. An observed HP:0003072 Hypercalcemia / HP:0002905 Hyperphosphatemia states a raised level
   (how a Phenopacket says it) and must agree with a judged one.

Each judgement is written to the row (``<analyte>_status``, ``<analyte>_range`` = band CURIE or
``lab``) and to the ``ranges`` text that every output format shows.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from calcinosis_kg.cases import intervals
from calcinosis_kg.cases import model as m

NAMES = {"calcium": "calcium", "ionised_calcium": "ionised calcium", "phosphate": "phosphate"}
ORDER = ("calcium", "ionised_calcium", "phosphate")
CALCIUM_MG_PER_MMOL = Decimal("4.008")
PHENOTYPES = {"HP:0003072": ("calcium", "ionised_calcium"), "HP:0002905": ("phosphate",)}


def payne_adjusted(calcium_mmol: Decimal, albumin_g_l: Decimal) -> Decimal:
    """Albumin-adjusted total calcium in mmol/L: Payne's formula applied in its own units
    (calcium mg/100 ml, albumin g/100 ml), converted exactly (1 mmol/L = 4.008 mg/dL)."""
    albumin_g_dl = albumin_g_l / 10
    adjusted_mg = calcium_mmol * CALCIUM_MG_PER_MMOL - albumin_g_dl + Decimal("4.0")
    return (adjusted_mg / CALCIUM_MG_PER_MMOL).quantize(m.QUANT)


def _mmol(value: Decimal) -> str:
    return f"{value.normalize():f} mmol/L"


#: report a field error: (column, message)
ErrorSink = Callable[[str, str], None]


def judge(
    values: dict[str, Any],
    labs: dict[str, m.LabInput],
    error: ErrorSink,
    choose: Callable[[str], Chooser] | None = None,
) -> None:
    """Set every judged status, its range and the ``ranges`` text in ``values`` (a record's
    fields), from its measured ``labs``; a contradiction goes to ``error``. ``choose``: each
    analyte's default band when a reader chose it already (once per distinct patient kind)."""
    notes: list[str] = []
    if labs:
        bands = intervals.default_bands()
        for analyte in ORDER:
            lab = labs.get(analyte)
            chooser = choose(analyte) if choose else _chooser(bands, analyte, values)
            note = judge_one(values, error, analyte, lab, chooser) if lab is not None else ""
            if note:
                notes.append(note)
    phenotypes(values, error, notes)
    if notes:
        values["ranges"] = "; ".join(notes)


#: the default band for the patient, asked only when one is needed: (band or None, why)
Chooser = Callable[[], tuple[intervals.Band | None, str]]


def _chooser(bands: tuple[intervals.Band, ...], analyte: str, v: dict[str, Any]) -> Chooser:
    return lambda: intervals.choose(
        bands, analyte, v.get("age_years"), v.get("sex"), v.get("taxon")
    )


def judge_one(
    v: dict[str, Any], error: ErrorSink, analyte: str, lab: m.LabInput, choose: Chooser
) -> str:
    """Judge one analyte of a record (``v``: its fields; ``choose``: its default band, so a
    vectorised reader can choose once per distinct patient kind); returns its note."""
    name = NAMES[analyte]
    value = lab.mmol
    shown = name
    if analyte == "calcium" and value is not None:
        albumin = v.get("albumin_g_l")
        if albumin is not None:
            value = payne_adjusted(lab.exact or value, Decimal(str(albumin)))
            v["calcium_adjusted_mmol_l"] = float(value)
            shown = f"calcium (albumin-adjusted for {albumin:g} g/L, Payne 1973)"
        v["calcium_judged_mmol_l"] = float(value)
    if value is None:
        if lab.status:
            v[f"{analyte}_status"] = lab.status
            return f"{name} {lab.status}: as recorded"
        return ""
    if lab.lab_range is not None:
        low, high = lab.lab_range
        range_id, text = intervals.LAB, f"the laboratory's range {low.normalize():f}-{_mmol(high)}"
        v[f"{analyte}_lab_low"], v[f"{analyte}_lab_high"] = float(low), float(high)
    else:
        band, why = choose()
        if band is None:
            if lab.status:
                v[f"{analyte}_status"] = lab.status
                return f"{shown} {_mmol(value)} {lab.status}: as recorded ({why})"
            return f"{shown} {_mmol(value)} not judged: {why}"
        low, high, range_id = band.low, band.high, band.curie
        text = band.describe() + (f" ({why})" if why else "")
    derived = m.status_from_range(value, low, high)
    if lab.status and lab.status != derived:
        error(
            f"{analyte}_status",
            f"{lab.status!r} contradicts {shown} {_mmol(value)} ({derived} against {text})",
        )
        return ""
    v[f"{analyte}_status"], v[f"{analyte}_range"] = derived, range_id
    return f"{shown} {_mmol(value)} {derived} against {text}"


def phenotypes(values: dict[str, Any], error: ErrorSink, notes: list[str]) -> None:
    """Agree an observed Hypercalcemia / Hyperphosphatemia feature with the judged levels, or
    state a raised level when none is judged or recorded."""
    features = values.get("features") or []
    for term, analytes in PHENOTYPES.items():
        if term not in features:
            continue
        judged = [s for a in analytes if (s := values.get(f"{a}_status")) is not None]
        if judged and "raised" not in judged:
            error("features", f"{term} contradicts the recorded {NAMES[analytes[0]]} ({judged[0]})")
        elif not judged:
            values[f"{analytes[0]}_status"] = "raised"
            notes.append(f"{NAMES[analytes[0]]} raised: {term} recorded")
