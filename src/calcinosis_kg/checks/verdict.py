"""HermiT's verdict as plain data: ``ReasoningResult`` and ``ReasoningError``.

Kept apart from running HermiT (``hermit``) and from explaining its verdicts (``explain``) so both
can use the result type without importing each other; stdlib only, no RDF library.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.hierarchy import ancestor_map
from calcinosis_kg.core.vocab import OWL_THING


@dataclass
class ReasoningResult:
    """What HermiT concluded. ``consistent`` is None when HermiT could not run (see ``error``)."""

    consistent: bool | None
    unsatisfiable: list[str] = field(default_factory=list)
    inferred_subclass_pairs: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    #: HermiT's direct (transitively reduced) class hierarchy, asserted and inferred
    direct_pairs: list[tuple[str, str]] = field(default_factory=list)
    #: groups of named classes HermiT found equivalent (owl:Nothing groups excluded)
    equivalent_groups: list[list[str]] = field(default_factory=list)
    #: inferred equivalences not asserted between the two named classes
    inferred_equivalent_pairs: list[tuple[str, str]] = field(default_factory=list)
    explanations: dict[str, str] = field(default_factory=dict)
    #: (entity, reason) for what makes an inconsistent ontology inconsistent, where found
    culprits: list[tuple[str, str]] = field(default_factory=list)
    error: str = ""
    java_missing: bool = False

    def entails(self, sub: str, sup: str) -> bool:
        """True if ``sub ⊑ sup`` is entailed (by HermiT's hierarchy, through equivalences)."""
        if sub == sup or sup == OWL_THING or sub in self.unsatisfiable:
            return True
        return sup in self.ancestors().get(sub, set())

    def ancestors(self) -> dict[str, set[str]]:
        """Each named class HermiT placed to all its entailed superclasses (through equivalences;
        the class itself excluded)."""
        cached = getattr(self, "_anc_cache", None)
        if cached is not None:
            return cached
        parents: dict[str, set[str]] = defaultdict(set)
        for a, b in self.direct_pairs:
            parents[a].add(b)
        for group in self.equivalent_groups:
            for a in group:
                parents[a].update(x for x in group if x != a)
        anc = ancestor_map(parents)
        object.__setattr__(self, "_anc_cache", anc)
        return anc


class ReasoningError(InputError):
    """HermiT could not produce a hierarchy (inconsistent ontology, no Java, HermiT error)."""

    exit_code = 1
