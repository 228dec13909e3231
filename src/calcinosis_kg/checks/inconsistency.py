"""Why an ontology is inconsistent, as far as the asserted axioms tell: the individuals (or the
class axioms) to blame.

Why a module of its own: HermiT says only *that* the ontology is inconsistent. This reads the
individuals typed with declared-disjoint classes and the data values outside a property's range
from ``explain.Axioms``; failing that it runs the reasoner it is given (``hermit.reason``) once
more on the class axioms alone. Best effort, never a verdict of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from calcinosis_kg.checks.explain import Axioms, loaded_store
from calcinosis_kg.checks.verdict import ReasoningResult
from calcinosis_kg.core.vocab import OWL, OWL_NOTHING, RDF, RDF_TYPE, RDFS, XSD
from calcinosis_kg.graph.knowledge import KnowledgeGraph

#: how ``explain_inconsistency`` runs HermiT again (``hermit.reason``, passed in by the caller)
Reasoner = Callable[[KnowledgeGraph], ReasoningResult]


def explain_inconsistency(kg: KnowledgeGraph, reason: Reasoner) -> list[tuple[str, str]]:
    """Individuals (or axioms) that make the ontology inconsistent, as far as can be found.

    First individuals typed with declared-disjoint classes; failing that, ``reason`` (HermiT) is
    run again on the class axioms alone, and individuals typed with a class found unsatisfiable
    are named.
    """
    axioms = Axioms.of(kg)
    culprits: list[tuple[str, str]] = []
    individuals = axioms.individuals()
    for ind in individuals:
        if OWL_NOTHING in axioms.objects(ind, RDF_TYPE):
            culprits.append((ind, "is asserted to be an instance of owl:Nothing"))
            continue
        classes: set[str] = set()
        for t in axioms.objects(ind, RDF_TYPE):
            if Axioms.named(t) and not t.startswith(OWL):
                classes.add(t)
                classes |= axioms.told_superclasses(t)[0]
        clash = axioms.disjoint_clash(classes)
        if clash:
            a, b = clash
            culprits.append(
                (
                    ind,
                    f"is an instance of both {axioms.show(a)} and "
                    f"{axioms.show(b)}, which are declared disjoint",
                )
            )
    culprits += _data_value_clashes(axioms, individuals)
    if culprits:
        return culprits
    tbox = _tbox_only(kg, set(individuals), reason)
    if tbox is None:
        return culprits
    if tbox.consistent is False:
        return [("", "the class axioms alone are inconsistent (no individual needed)")]
    bad = set(tbox.unsatisfiable)
    for ind in individuals:
        for t in axioms.objects(ind, RDF_TYPE):
            if t in bad:
                culprits.append(
                    (
                        ind,
                        f"is an instance of {axioms.show(t)}, which is "
                        f"{tbox.explanations.get(t, 'unsatisfiable')}",
                    )
                )
    return culprits


_INTEGERS = {
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "nonPositiveInteger",
    "negativeInteger",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
}
_STRINGS = {"string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN"}
#: range datatype -> literal datatypes (local names in xsd:) whose values it contains
_COMPATIBLE = {
    "decimal": _INTEGERS | {"decimal"},
    "integer": _INTEGERS,
    "string": _STRINGS,
    "normalizedString": _STRINGS - {"string"},
}
_ANY_LITERAL = {RDFS + "Literal", RDF + "PlainLiteral"}


def _data_value_clashes(axioms: Axioms, individuals: list[str]) -> list[tuple[str, str]]:
    """Data property values outside the property's declared datatype range, and several
    different values of a functional data property."""
    import pyoxigraph as ox

    out: list[tuple[str, str]] = []
    for ind in individuals:
        for prop, values in sorted(axioms.triples.get(ind, {}).items()):
            literals = [v for v in values if isinstance(v, ox.Literal)]
            if not literals:
                continue
            for rng in axioms.objects(prop, RDFS + "range"):
                if not (isinstance(rng, str) and rng.startswith(XSD)) or rng in _ANY_LITERAL:
                    continue
                allowed = _COMPATIBLE.get(rng[len(XSD) :], {rng[len(XSD) :]})
                for lit in literals:
                    dt = lit.datatype.value
                    if not (dt.startswith(XSD) and dt[len(XSD) :] in allowed):
                        out.append(
                            (
                                ind,
                                f"value {axioms.show(lit)} of {axioms.show(prop)} is "
                                f"not in its range {axioms.show(rng)}",
                            )
                        )
            functional = OWL + "FunctionalProperty" in axioms.objects(prop, RDF_TYPE)
            distinct = {_literal_value(lit) for lit in literals}
            if functional and len(distinct) > 1:
                shown = ", ".join(sorted(axioms.show(lit) for lit in literals))
                out.append(
                    (
                        ind,
                        f"has {len(distinct)} different values ({shown}) of the "
                        f"functional property {axioms.show(prop)}",
                    )
                )
    return out


def _literal_value(lit: Any) -> object:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(lit.value)
    except (InvalidOperation, ValueError):
        return (lit.value, lit.datatype.value, lit.language)


def _tbox_only(
    kg: KnowledgeGraph, individuals: set[str], reason: Reasoner
) -> ReasoningResult | None:
    """Reason over ``kg`` minus the triples about individuals (None if there are none)."""
    if not individuals:
        return None
    import pyoxigraph as ox

    store = loaded_store(kg)
    sub = ox.Store()
    sub.extend(
        q
        for q in store
        if not (isinstance(q.subject, ox.NamedNode) and q.subject.value in individuals)
    )
    return reason(KnowledgeGraph(files=list(kg.files), _store=sub, _digest="tbox-only"))
