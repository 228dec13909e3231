"""One case record while it is read: values set field by field, errors collected per field.

Why its own module: every reader (CSV, Phenopacket, Turtle) fills the same ``Record``; turning it
into the wide row needs the serum values judged (``cases.labs``), which needs the whole record,
so the record sits above both the case model (columns, units) and the judging.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from calcinosis_kg.cases import identifiers
from calcinosis_kg.cases.labs import judge
from calcinosis_kg.cases.model import (
    COLUMNS,
    HUMAN,
    QUANT,
    STATUS_WORDS,
    STATUSES,
    LabInput,
    exact_mmol_per_l,
    to_g_per_l,
    to_mmol_per_l,
)


@dataclass
class Record:
    """One case while it is read: values are set field by field, errors collected per field."""

    case_id: str
    source: str
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    labs: dict[str, LabInput] = field(default_factory=dict)

    def declare_complete(self, lists: Iterable[str]) -> None:
        """The source states that these lists ("diseases", "exposures") are complete: an empty
        one then records the absence (closed world for this record only; cases.md)."""
        self.values["lists_complete"] = set(self.values.get("lists_complete", ())) | set(lists)

    def error(self, column: str, message: str) -> None:
        """Record a problem of one field; the record becomes invalid and says why."""
        self.errors.append(f"{column}: {message}")

    def row(self) -> dict[str, Any]:
        """The wide row (``model.COLUMNS``): disease identifiers mapped to the ontology's terms
        (``cases.identifiers``), serum values judged (``cases.labs``)."""
        identifiers.apply(self.values, self.error)
        judge(self.values, self.labs, self.error)
        out: dict[str, Any] = {name: None for name in COLUMNS}
        for name, kind in COLUMNS.items():
            if kind == "list":
                out[name] = []
            elif kind == "bool":
                out[name] = False
        out.update(self.values)
        out["case_id"], out["source"] = self.case_id, self.source
        out["errors"] = list(self.errors)
        complete = out.pop("lists_complete", None) or ()
        if "diseases" in complete and not out["conditions"]:
            out["no_conditions"] = True  # the source declares its disease list complete
        if "exposures" in complete and not out["exposures"]:
            out["no_exposures"] = True
        if out.get("taxon") is None:
            out["taxon"] = HUMAN
        return out

    def set_serum(
        self,
        analyte: str,
        value: Any,
        unit: Any,
        status: str | None = None,
        low: Any = None,
        high: Any = None,
        range_unit: Any = None,
    ) -> None:
        """Record a serum value (converted to mmol/L), the laboratory's range and the stated
        status; the status is judged later, with the whole record."""
        lab = LabInput()
        if value not in (None, ""):
            try:
                lab.exact = exact_mmol_per_l(analyte, value, unit)
            except ValueError as exc:
                self.error(f"{analyte}_value", str(exc))
                return
            lab.mmol = lab.exact.quantize(QUANT)
            self.values[f"{analyte}_mmol_l"] = float(lab.mmol)
        if status not in (None, ""):
            status = STATUS_WORDS.get(str(status).strip().lower(), str(status).strip().lower())
            if status not in STATUSES:
                self.error(f"{analyte}_status", f"{status!r} is not one of {', '.join(STATUSES)}")
                return
            lab.status = status
        given = [x for x in (low, high) if x not in (None, "")]
        if len(given) == 1:
            self.error(
                f"{analyte}_reference_range",
                "give both limits of the laboratory's range (low and high)",
            )
            return
        if given:
            try:
                lo = to_mmol_per_l(analyte, low, range_unit or unit)
                hi = to_mmol_per_l(analyte, high, range_unit or unit)
            except ValueError as exc:
                self.error(f"{analyte}_reference_range", str(exc))
                return
            if not lo < hi:
                self.error(
                    f"{analyte}_reference_range",
                    f"low {lo.normalize()} is not below high {hi.normalize()} mmol/L",
                )
                return
            lab.lab_range = (lo, hi)
        if lab.mmol is not None or lab.status or lab.lab_range:
            self.labs[analyte] = lab

    def set_albumin(self, value: Any, unit: Any) -> None:
        """Serum albumin (g/L); with a total calcium it is used to adjust the calcium."""
        if value in (None, ""):
            return
        try:
            self.values["albumin_g_l"] = float(to_g_per_l(value, unit))
        except ValueError as exc:
            self.error("albumin_value", str(exc))
