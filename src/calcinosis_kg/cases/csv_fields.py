"""The CSV layout's field rules: one function per group of cells, filling a ``Record``.

Why a table of groups: a rule reads only its own cells (the taxon cell, one analyte's five lab
cells …), so the same function serves the record reader (every group, row by row) and the
vectorised reader (``cases.csv_frame``: each group once per distinct combination of its cells,
joined back to the rows by polars). One implementation per rule, whatever the reader; the
``GROUPS`` table says which cells each rule reads, in the order the errors of a row are listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from calcinosis_kg.cases import model as m
from calcinosis_kg.cases import parsing
from calcinosis_kg.cases.parsing import shown
from calcinosis_kg.cases.record import Record
from calcinosis_kg.cases.vocab import resolve

CURIE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[A-Za-z0-9_.:-]+\Z")  # \Z: no "\n" after
CSV_COLUMNS = (
    "case_id",
    "taxon",
    "sex",
    "age_years",
    "onset_age_years",
    "calcium_value",
    "calcium_unit",
    "calcium_ref_low",
    "calcium_ref_high",
    "calcium_status",
    "albumin_value",
    "albumin_unit",
    "ionised_calcium_value",
    "ionised_calcium_unit",
    "ionised_calcium_ref_low",
    "ionised_calcium_ref_high",
    "phosphate_value",
    "phosphate_unit",
    "phosphate_ref_low",
    "phosphate_ref_high",
    "phosphate_status",
    "egfr",
    "lesion_size_mm",
    "diseases",
    "exposures",
    "sites",
    "features",
    "histology",
    "treatments",
    "responses",
    "reported_type",
)
LIST_CELLS = {
    "diseases": "conditions",
    "exposures": "exposures",
    "sites": "sites",
    "features": "features",
    "histology": "histology",
    "treatments": "treatments",
}
NUMBER_CELLS = ("age_years", "onset_age_years", "egfr", "lesion_size_mm")
ANALYTES = ("calcium", "ionised_calcium", "phosphate")
EXAMPLES = {
    "taxon": "NCBITaxon:9615",
    "diseases": "MONDO:0005100",
    "exposures": "CCKG:0000502",
    "sites": "UBERON:0001300",
    "features": "HP:0012531",
    "histology": "CCKG:0000419",
    "treatments": "CHEBI:101278",
    "reported_type": "CCKG:0000002",
}
SEX_WORDS = {"m": "male", "f": "female"}
#: the words of the ``lists_complete`` column and the lists they close
COMPLETE_WORDS = {
    "yes": ("diseases", "exposures"),
    "true": ("diseases", "exposures"),
    "all": ("diseases", "exposures"),
    "diseases": ("diseases",),
    "exposures": ("exposures",),
    "no": (),
    "false": (),
}


def serum_cells(analyte: str) -> tuple[str, ...]:
    """The five cells of one analyte, in the order ``fill_serum`` takes them."""
    return tuple(f"{analyte}_{x}" for x in ("value", "unit", "status", "ref_low", "ref_high"))


def curies(record: Record, column: str, cell: str) -> list[str]:
    """The identifiers of a ``;`` list cell; a name is resolved through the ontology's labels
    (``vocab.resolve``), anything else is a field error."""
    items = [x.strip() for x in cell.split(";") if x.strip()]
    good: list[str] = []
    excess = parsing.too_many(len(items))
    if excess:
        record.error(column, excess)
        return good
    for item in items:
        if CURIE.match(item):
            good.append(item)
            continue
        curie, reason = resolve(item)
        if curie is not None:
            good.append(curie)
            if reason:  # a name read as a broader verified term: the row says so
                record.values.setdefault("name_notes", []).append(reason)
        else:
            record.error(
                column, f"{shown(item)} {reason} (e.g. {EXAMPLES.get(column, 'MONDO:0005100')})"
            )
    return good


def fill_taxon(record: Record, cell: str | None) -> None:
    """``taxon``: one species, a CURIE or a name the ontology knows."""
    if cell:
        taxa = curies(record, "taxon", cell)
        if len(taxa) == 1:
            record.values["taxon"] = taxa[0]
        elif taxa:
            record.error("taxon", "one species per case")


def fill_sex(record: Record, cell: str | None) -> None:
    """``sex``: ``m``/``f`` spelt out; any other word kept for the shapes to judge."""
    if cell:
        record.values["sex"] = SEX_WORDS.get(cell.strip().lower(), cell.strip().lower())


def fill_number(column: str) -> Callable[[Record, str | None], None]:
    """The rule of a plain number cell (age, eGFR, lesion size): ``parsing.number`` or a field
    error saying why."""

    def fill(record: Record, cell: str | None) -> None:
        if cell:
            try:
                record.values[column] = parsing.number(cell)
            except ValueError as exc:
                record.error(column, str(exc))

    return fill


def fill_serum(analyte: str) -> Callable[..., None]:
    """The rule of one analyte's five cells: ``Record.set_serum`` converts and judges them."""

    def fill(
        record: Record,
        value: str | None,
        unit: str | None,
        status: str | None,
        low: str | None,
        high: str | None,
    ) -> None:
        record.set_serum(analyte, value, unit, status, low, high)

    return fill


def fill_albumin(record: Record, value: str | None, unit: str | None) -> None:
    """``albumin_value``/``albumin_unit`` (g/L): with a total calcium, it adjusts the calcium."""
    record.set_albumin(value, unit)


def fill_list(cell_name: str) -> Callable[[Record, str | None], None]:
    """The rule of a ``;`` list cell; ``none``/``no`` in diseases or exposures records their
    stated absence, not an empty list."""
    column = LIST_CELLS[cell_name]

    def fill(record: Record, text: str | None) -> None:
        text = text or ""
        if column in ("conditions", "exposures") and text.strip().lower() in ("none", "no"):
            record.values["no_conditions" if column == "conditions" else "no_exposures"] = True
            return
        if text:
            record.values[column] = curies(record, cell_name, text)

    return fill


def fill_responses(record: Record, cell: str | None, treatments: list[str]) -> None:
    """``responses``: one word per treatment (``treatments``: the row's treatments as read)."""
    responses = [x.strip().lower() for x in (cell or "").split(";")]
    if any(responses):
        bad = [r for r in responses if r and r not in m.RESPONSES]
        if bad:
            record.error("responses", f"{bad[0]!r} is not one of {', '.join(m.RESPONSES)}")
        elif len(responses) > len(treatments):
            record.error("responses", "more responses than treatments")
        else:
            record.values["responses"] = [m.RESPONSES.get(r, "") for r in responses]


def fill_complete(record: Record, cell: str | None) -> None:
    """``lists_complete``: the source's statement that its disease and/or exposure lists are
    complete (a registry form where an unticked box means absent)."""
    if not cell:
        return
    out: set[str] = set()
    for word in (w.strip().lower() for w in cell.split(";") if w.strip()):
        if word not in COMPLETE_WORDS:
            record.error(
                "lists_complete", f"{shown(word)} is not one of yes, no, diseases, exposures"
            )
            return
        out.update(COMPLETE_WORDS[word])
    if out:
        record.declare_complete(out)


def fill_reported(record: Record, cell: str | None) -> None:
    """``reported_type``: the diagnosis the source reports, kept beside (never used for) the
    inferred type."""
    if cell:
        reported = curies(record, "reported_type", cell)
        if reported:
            record.values["reported_type"] = reported[0]


@dataclass(frozen=True)
class Group:
    """One rule: the cells it reads (in its arguments' order) and the function filling a
    record from them."""

    name: str
    cells: tuple[str, ...]
    fill: Callable[..., None]


#: every rule of the layout, in the order ``fill_row`` applies them (= the order of a row's
#: errors); ``responses`` reads the treatments read before it, so it is applied by ``fill_row``
GROUPS: tuple[Group, ...] = (
    Group("taxon", ("taxon",), fill_taxon),
    Group("sex", ("sex",), fill_sex),
    *(Group(c, (c,), fill_number(c)) for c in NUMBER_CELLS),
    *(Group(a, serum_cells(a), fill_serum(a)) for a in ANALYTES),
    Group("albumin", ("albumin_value", "albumin_unit"), fill_albumin),
    *(Group(c, (c,), fill_list(c)) for c in LIST_CELLS),
)
TAIL: tuple[Group, ...] = (
    Group("lists_complete", ("lists_complete",), fill_complete),
    Group("reported_type", ("reported_type",), fill_reported),
)
#: every cell a rule reads
READ_CELLS = ("case_id", *dict.fromkeys(c for g in (*GROUPS, *TAIL) for c in g.cells), "responses")


def fill_row(record: Record, row: dict[str, str]) -> None:
    """Every rule of the layout on one row (cells stripped; a column the header lacks is None,
    which a message may show: "unknown or missing albumin unit None")."""
    for group in GROUPS:
        group.fill(record, *(row.get(c) for c in group.cells))
    fill_responses(record, row.get("responses"), record.values.get("treatments", []))
    for group in TAIL:
        group.fill(record, *(row.get(c) for c in group.cells))
