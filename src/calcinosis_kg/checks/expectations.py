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

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

EXPECTED_FILE = "expected_inferences.yaml"


@dataclass(frozen=True)
class ExpectedInference:
    subclass: str
    superclass: str
    why: str


def expected_inferences_file(kg: KnowledgeGraph) -> Path | None:
    """``expected_inferences.yaml`` beside the first ontology file (bundled: ontology/)."""
    if not kg.files:
        return None
    candidate = Path(kg.files[0]).parent / EXPECTED_FILE
    return candidate if candidate.is_file() else None


def load_expected(path: Path) -> list[ExpectedInference]:
    """Parse the expected-inference list (``[{subclass, superclass, why}]``, CURIEs or IRIs)."""
    import yaml

    from calcinosis_kg.core.prefixes import expand

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path,
                         mark.line + 1 if mark else None,
                         mark.column + 1 if mark else None) from exc
    if isinstance(data, dict):
        data = data.get("expected_inferences", data.get("inferences", []))
    if not isinstance(data, list):
        raise InputError("expected a list of {subclass, superclass, why}", path)
    out = []
    for i, item in enumerate(data, 1):
        if not isinstance(item, dict) or "subclass" not in item or "superclass" not in item:
            raise InputError(f"entry {i} needs 'subclass' and 'superclass'", path)
        try:
            out.append(ExpectedInference(expand(str(item["subclass"])),
                                         expand(str(item["superclass"])),
                                         str(item.get("why", "")).strip()))
        except ValueError as exc:
            raise InputError(f"entry {i}: {exc}", path) from exc
    return out

