"""The fact ledger (``ontology/src/facts.tsv``): every atomic fact with its source and quote.

Why a module of its own: the ledger is the evidence every relationship axiom and definition of
the terms YAML names by fact id; the compiler turns a named fact into axiom annotations (source,
verbatim supporting quote, ECO evidence code), and tests read the ledger on its own to prove
that every quote is verbatim and every fact is used.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from calcinosis_kg.core.errors import InputError


@dataclass(frozen=True)
class Fact:
    """One row of the fact ledger."""

    id: str
    source: str
    eco: str
    quote: str
    statement: str


def load_facts(path: Path) -> dict[str, Fact]:
    """Read the fact ledger; each row is one atomic fact with its verbatim quote."""
    facts: dict[str, Fact] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        for line_no, row in enumerate(reader, start=2):
            try:
                fact = Fact(
                    id=row["fact_id"].strip(),
                    source=row["source"].strip(),
                    eco=row["eco"].strip(),
                    quote=row["quote"].strip(),
                    statement=row["statement"].strip(),
                )
            except (KeyError, AttributeError) as exc:
                raise InputError(f"malformed fact ledger row: {exc}", path, line_no) from exc
            if fact.id in facts:
                raise InputError(f"duplicate fact id {fact.id}", path, line_no)
            if not fact.quote:
                raise InputError(f"fact {fact.id} has no quote", path, line_no)
            facts[fact.id] = fact
    return facts
