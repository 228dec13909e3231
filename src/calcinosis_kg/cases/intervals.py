"""Default reference intervals: which published band applies to a patient, read from the ontology.

Why a module: a serum value without the laboratory's own range can only be judged against a
published interval that fits the patient (a total calcium of 2.65 mmol/L is normal at 3 years
and raised in an adult). The bands are DATA of the ontology (individuals with CCKG:0001021-0001028,
curated in ``ontology/src/terms/reference_intervals.yaml``, each datum citing its source and quoted
table row), read once per process from the built ontology; nothing here states a number. Limits
are taken in the unit the source states and converted to mmol/L exactly like the values
(``model.to_mmol_per_l``). Ages are half-open: lower limit inclusive, upper limit exclusive.

Choice, in order: the laboratory's own range always wins (the caller passes it); a non-human
patient gets no default (the sources are human); with no recorded age the band without an upper
age limit (the adult default) applies and the note says so; a band that names a sex applies only
to that sex, and a sex-specific partition with the sex unrecorded gives no band.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from calcinosis_kg.cases import model as m
from calcinosis_kg.core.prefixes import header
from calcinosis_kg.graph.knowledge import load

#: analyte as the ontology names it -> the case model's column prefix and unit factors
ANALYTES = {
    "total calcium": "calcium",
    "phosphate": "phosphate",
    "ionised calcium": "ionised_calcium",
}
CONVERT_AS = {"calcium": "calcium", "ionised_calcium": "calcium", "phosphate": "phosphate"}
LAB = "lab"

BAND_QUERY = f"""
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?band ?analyte ?low ?high ?unit ?agelo ?agehi ?sex ?label ?src WHERE {{
  ?band <{m.cckg(1025)}> ?analyte ; <{m.cckg(1021)}> ?low ; <{m.cckg(1022)}> ?high ;
        <{m.cckg(1023)}> ?unit ; rdfs:label ?label .
  OPTIONAL {{ ?band <{m.cckg(1026)}> ?agelo }}
  OPTIONAL {{ ?band <{m.cckg(1027)}> ?agehi }}
  OPTIONAL {{ ?band <{m.cckg(1028)}> ?sex }}
  OPTIONAL {{ ?ax owl:annotatedSource ?band ; owl:annotatedProperty <{m.cckg(1022)}> ;
              <http://purl.org/dc/terms/source> ?src }}
}}"""


@dataclass(frozen=True)
class Band:
    """One default reference interval (an individual of the ontology)."""

    curie: str
    analyte: str  # calcium | phosphate | ionised_calcium
    low: Decimal  # mmol/L, exact conversion of the stated limit
    high: Decimal
    stated: str  # the limits as the source states them, e.g. "8.8-10.8 mg/dL"
    age_low: Decimal | None
    age_high: Decimal | None
    sex: str | None
    label: str
    source: str  # short citation of the source of its limits

    def applies(self, age: Decimal, sex: str | None) -> bool:
        """Whether the range is the one for a patient of this age (years) and sex (unset bounds
        match anyone)."""
        return (
            (self.age_low is None or age >= self.age_low)
            and (self.age_high is None or age < self.age_high)
            and (self.sex is None or self.sex == sex)
        )

    def describe(self) -> str:
        """The range as a result cites it: CURIE, label, the limits as stated, and their source."""
        return f"{self.curie} {self.label} ({self.stated}; {self.source})"


def _source_names() -> dict[str, str]:
    """Source IRI -> short citation: the header's declared sources, PMIDs as CURIEs."""

    out = {}
    for key, source in header().get("sources", {}).items():
        out[source["iri"]] = source.get("short", key)
    return out


def bands_from(store: Any) -> tuple[Band, ...]:
    """Every default band in ``store`` (a built ontology), sorted by analyte and age."""
    names = _source_names()
    found: dict[str, Band] = {}
    for row in store.query(BAND_QUERY):
        analyte = ANALYTES.get(row["analyte"].value)
        if analyte is None:
            raise ValueError(
                f"reference range {row['band'].value}: unknown analyte {row['analyte'].value!r}"
            )
        unit = row["unit"].value
        low, high = Decimal(row["low"].value), Decimal(row["high"].value)
        src = row["src"].value if row["src"] is not None else ""
        source = names.get(src) or m.compress(
            src.replace("http://identifiers.org/pubmed/", "PMID:")
        )
        curie = m.compress(row["band"].value)
        found[curie] = Band(
            curie,
            analyte,
            m.to_mmol_per_l(CONVERT_AS[analyte], low, unit),
            m.to_mmol_per_l(CONVERT_AS[analyte], high, unit),
            f"{low.normalize():f}-{high.normalize():f} {unit}",
            Decimal(row["agelo"].value) if row["agelo"] is not None else None,
            Decimal(row["agehi"].value) if row["agehi"] is not None else None,
            row["sex"].value if row["sex"] is not None else None,
            row["label"].value,
            source,
        )
    return tuple(
        sorted(
            found.values(), key=lambda b: (b.analyte, b.age_low or Decimal(0), b.sex or "", b.curie)
        )
    )


@cache
def default_bands() -> tuple[Band, ...]:
    """The bands of the bundled ontology (read once per process)."""

    return bands_from(load().store)


def choose(
    bands: tuple[Band, ...], analyte: str, age: float | None, sex: str | None, taxon: str | None
) -> tuple[Band | None, str]:
    """The default band for a patient, or (None, why none applies); a note when it is a
    fallback (age not recorded)."""
    if taxon not in (None, m.HUMAN):
        return (
            None,
            f"no default {analyte.replace('_', ' ')} range for {taxon} (the sources "
            "are human reference intervals)",
        )
    own = [b for b in bands if b.analyte == analyte]
    if age is None:
        adult = [b for b in own if b.age_high is None and (b.sex is None or b.sex == sex)]
        if len(adult) == 1:
            return adult[0], "age not recorded: adult default"
        return None, "age not recorded and no single adult default"
    years = Decimal(str(age))
    fitting = [b for b in own if b.applies(years, sex)]
    specific = [b for b in fitting if b.sex is not None]
    chosen = specific or fitting
    if len(chosen) == 1:
        return chosen[0], ""
    if not chosen and any(b.sex is not None and b.applies(years, b.sex) for b in own):
        return (
            None,
            f"the {analyte.replace('_', ' ')} ranges for age {age:g} are sex-specific "
            "and the sex is not recorded",
        )
    if not chosen:
        return None, f"no verified default {analyte.replace('_', ' ')} range for age {age:g} years"
    return None, f"{len(chosen)} default ranges overlap at age {age:g}"  # a curation error
