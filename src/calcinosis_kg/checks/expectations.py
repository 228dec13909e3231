"""Expected inferences: the entailments curators list in ``expected_inferences.yaml``.

The file sits beside the first ontology file (bundled: ``ontology/``) and names, as CURIEs or
IRIs, subclass relations nobody asserted but HermiT must entail, each with why; the reasoning
stage fails when one goes missing. This module only finds and parses the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import expand
from calcinosis_kg.core.yamlio import read_yaml

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

EXPECTED_FILE = "expected_inferences.yaml"


@dataclass(frozen=True)
class ExpectedInference:
    """A subsumption the reasoner must infer, with the reason a curator gave for expecting it."""

    subclass: str
    superclass: str
    why: str


def beside_first_ontology(kg: KnowledgeGraph, name: str) -> Path | None:
    """The file ``name`` beside the first ontology file (bundled: ontology/), if it exists."""
    if not kg.files:
        return None
    candidate = Path(kg.files[0]).parent / name
    return candidate if candidate.is_file() else None


def expected_inferences_file(kg: KnowledgeGraph) -> Path | None:
    """``expected_inferences.yaml`` beside the first ontology file."""
    return beside_first_ontology(kg, EXPECTED_FILE)


def load_expected(path: Path) -> list[ExpectedInference]:
    """Parse the expected-inference list (``[{subclass, superclass, why}]``, CURIEs or IRIs)."""

    data = read_yaml(path, [])
    if isinstance(data, dict):
        data = data.get("expected_inferences", data.get("inferences", []))
    if not isinstance(data, list):
        raise InputError("expected a list of {subclass, superclass, why}", path)
    out = []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict) or "subclass" not in item or "superclass" not in item:
            raise InputError(f"entry {i} needs 'subclass' and 'superclass'", path)
        try:
            out.append(
                ExpectedInference(
                    expand(str(item["subclass"])),
                    expand(str(item["superclass"])),
                    str(item.get("why", "")).strip(),
                )
            )
        except ValueError as exc:
            raise InputError(f"entry {i}: {exc}", path) from exc
    return out
