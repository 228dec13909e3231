"""Negative entailments: conclusions HermiT must NOT derive (ontology/negative_entailments.yaml).

``expected_inferences.yaml`` pins what must follow; this file pins what must not, e.g. "every
systemic sclerosis has calcinosis cutis" (an association read as a universal), "calciphylaxis
cutis is treated by diltiazem" (a treatment inherited from the parent) or "every subepidermal
calcified nodule is on the face" (an "or" read as "and").

Each entry is either ``{subclass, superclass, why}`` (a named subsumption that must not hold) or
``{subclass, property, filler, inverse?, why}``: ``subclass ⊑ property some filler`` must not hold
(with ``inverse: true``: ``subclass ⊑ (inverse property) some filler``, i.e. "every subclass is
<property>-ed by some filler"). The filler is a CURIE or ``{or: [CURIE, ...]}``. A
``{sweep, subclasses, superclasses, why}`` entry stands for every (subclass, superclass) pair of its
two lists (issue 16: no disease class under any calcinosis-related class).

How it is checked: a probe class ``P ≡ property some filler`` (or its inverse) is added for every
distinct restriction to the ⊥-locality module of the loaded graph for the entries' names
(``probe_graph``, ``locality``: it preserves every entailment over those names, so the answers
are those of the whole graph, while a large merged ontology such as HP adds only the few axioms
that can matter), HermiT classifies it, and no listed subclass may fall under its probe. The
probes never touch the ontology itself. The run is started next to the main reasoning run
(``start``) and merged into the reasoning stage (``merge_into``): counts
``negative=N violated=M``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calcinosis_kg.checks import hermit, locality
from calcinosis_kg.checks.expectations import beside_first_ontology
from calcinosis_kg.checks.explain import Axioms
from calcinosis_kg.checks.results import Failure, StageResult
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.prefixes import compress, expand
from calcinosis_kg.core.vocab import CCKG_PROBE, OWL, RDF
from calcinosis_kg.core.yamlio import read_yaml
from calcinosis_kg.graph.knowledge import KnowledgeGraph as KG

if TYPE_CHECKING:
    from calcinosis_kg.checks.hermit import HermitRun
    from calcinosis_kg.checks.locality import Module
    from calcinosis_kg.checks.verdict import ReasoningResult
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

NEGATIVE_FILE = "negative_entailments.yaml"
PROBE_NS = CCKG_PROBE
STAGE = "reasoning"


@dataclass(frozen=True)
class NegativeEntailment:
    """One conclusion that must not follow. ``filler`` is an IRI or a tuple of IRIs (a union)."""

    subclass: str
    why: str
    superclass: str | None = None
    prop: str | None = None
    filler: str | tuple[str, ...] | None = None
    inverse: bool = False

    @property
    def probe_key(self) -> tuple[str, str | tuple[str, ...], bool] | None:
        """What the probe class for this entry stands for (property, filler, inverse); None for a
        plain superclass entry, which needs no probe."""
        if self.prop is None or self.filler is None:
            return None
        return (self.prop, self.filler, self.inverse)

    def describe(self, show) -> str:
        """The forbidden conclusion as Manchester-like text, terms shown through ``show``."""
        if self.superclass:
            return f"SubClassOf {show(self.superclass)}"
        filler = self.filler
        shown = " or ".join(show(f) for f in filler) if isinstance(filler, tuple) else show(filler)
        prop = f"inverse({show(self.prop)})" if self.inverse else show(self.prop)
        return (
            f"SubClassOf {prop} some ({shown})"
            if isinstance(filler, tuple)
            else f"SubClassOf {prop} some {shown}"
        )


def negative_file(kg: KnowledgeGraph) -> Path | None:
    """``negative_entailments.yaml`` beside the first ontology file (bundled: ontology/)."""

    return beside_first_ontology(kg, NEGATIVE_FILE)


def load_negative(path: Path) -> list[NegativeEntailment]:
    """Parse the negative-entailment list (CURIEs or IRIs)."""

    data = read_yaml(path, [])
    if not isinstance(data, list):
        raise InputError(
            "expected a list of {subclass, property, filler, why} or {subclass, superclass, why}",
            path,
        )
    out: list[NegativeEntailment] = []
    for i, item in enumerate(data, 1):
        if isinstance(item, dict) and "sweep" in item:
            out += _sweep(item, i, path)
            continue
        if not isinstance(item, dict) or "subclass" not in item:
            raise InputError(f"entry {i} needs 'subclass'", path)
        why = str(item.get("why", "")).strip()
        try:
            sub = expand(str(item["subclass"]))
            if "superclass" in item:
                out.append(NegativeEntailment(sub, why, superclass=expand(str(item["superclass"]))))
                continue
            if "property" not in item or "filler" not in item:
                raise ValueError("needs 'superclass', or 'property' and 'filler'")
            filler: Any = item["filler"]
            if isinstance(filler, dict) and set(filler) == {"or"}:
                filler = tuple(sorted(expand(str(f)) for f in filler["or"]))
            elif isinstance(filler, str):
                filler = expand(filler)
            else:
                raise ValueError("filler must be a CURIE or {or: [CURIE, ...]}")
            out.append(
                NegativeEntailment(
                    sub,
                    why,
                    prop=expand(str(item["property"])),
                    filler=filler,
                    inverse=bool(item.get("inverse")),
                )
            )
        except ValueError as exc:
            raise InputError(f"entry {i}: {exc}", path) from exc
    return out


def _sweep(item: dict, index: int, path: Path) -> list[NegativeEntailment]:
    """``{sweep, subclasses, superclasses, why}``: no listed subclass may fall under any listed
    superclass (every pair is one entry, e.g. no disease under a calcinosis-related class)."""

    subs, sups = item.get("subclasses"), item.get("superclasses")
    if not isinstance(subs, list) or not isinstance(sups, list) or not subs or not sups:
        raise InputError(
            f"entry {index}: a sweep needs non-empty 'subclasses' and 'superclasses' lists", path
        )
    why = f"{item['sweep']}: {str(item.get('why', '')).strip()}"
    try:
        return [
            NegativeEntailment(expand(str(sub)), why, superclass=expand(str(sup)))
            for sub in subs
            for sup in sups
            if sub != sup
        ]
    except ValueError as exc:
        raise InputError(f"entry {index}: {exc}", path) from exc


def probe_iris(items: list[NegativeEntailment]) -> dict[tuple, str]:
    """One probe class IRI per distinct (property, filler, inverse), numbered in file order."""
    probes: dict[tuple, str] = {}
    for item in items:
        key = item.probe_key
        if key is not None and key not in probes:
            probes[key] = f"{PROBE_NS}P{len(probes) + 1:04d}"
    return probes


def probe_triples(probes: dict[tuple, str]) -> list[Any]:
    """pyoxigraph triples declaring ``P ≡ R some F`` (or ``inverse(R) some F``) for each probe."""
    import pyoxigraph as ox

    def iri(value: str) -> Any:
        return ox.NamedNode(value)

    rdf_type, owl_class = iri(RDF + "type"), iri(OWL + "Class")
    triples = []
    for (prop, filler, inverse), probe in probes.items():
        restriction = ox.BlankNode()
        triples += [
            ox.Triple(iri(probe), rdf_type, owl_class),
            ox.Triple(iri(probe), iri(OWL + "equivalentClass"), restriction),
            ox.Triple(restriction, rdf_type, iri(OWL + "Restriction")),
        ]
        if inverse:
            inv = ox.BlankNode()
            triples.append(ox.Triple(inv, iri(OWL + "inverseOf"), iri(prop)))
            triples.append(ox.Triple(restriction, iri(OWL + "onProperty"), inv))
        else:
            triples.append(ox.Triple(restriction, iri(OWL + "onProperty"), iri(prop)))
        if isinstance(filler, tuple):
            union, head = ox.BlankNode(), ox.BlankNode()
            triples += [
                ox.Triple(union, rdf_type, owl_class),
                ox.Triple(union, iri(OWL + "unionOf"), head),
            ]
            for n, member in enumerate(filler):
                nxt = ox.BlankNode() if n < len(filler) - 1 else iri(RDF + "nil")
                triples += [
                    ox.Triple(head, iri(RDF + "first"), iri(member)),
                    ox.Triple(head, iri(RDF + "rest"), nxt),
                ]
                head = nxt
            triples.append(ox.Triple(restriction, iri(OWL + "someValuesFrom"), union))
        else:
            triples.append(ox.Triple(restriction, iri(OWL + "someValuesFrom"), iri(filler)))
    return triples


@dataclass
class NegativeRun:
    """HermiT on the probe-augmented module of the graph, started in the background."""

    items: list[NegativeEntailment]
    probes: dict[tuple, str]
    run: HermitRun | None
    started: float
    module: Module | None = None

    def wait(self) -> ReasoningResult | None:
        """Block until HermiT ends; None when nothing was run."""
        return self.run.wait() if self.run is not None else None

    def cancel(self) -> None:
        """Stop the background HermiT (the check was interrupted or failed elsewhere)."""
        if self.run is not None:
            self.run.cancel()


def signature(items: list[NegativeEntailment]) -> set[str]:
    """Every name the entries use: their subclasses, superclasses, properties and fillers."""
    names: set[str] = set()
    for item in items:
        fillers = item.filler if isinstance(item.filler, tuple) else (item.filler,)
        names.update(n for n in (item.subclass, item.superclass, item.prop, *fillers) if n)
    return names


def probe_graph(
    kg: KnowledgeGraph, items: list[NegativeEntailment], probes: dict[tuple, str]
) -> tuple[KnowledgeGraph, Module]:
    """The ⊥-module of ``kg`` for the entries' names, plus the probe classes, as a graph.

    Sufficient (see ``locality``): every entry asks whether ``C ⊑ D`` or ``C ⊑ R some F`` follows
    for names C, D, R, F in the module's seed signature, and a ⊥-module preserves exactly the
    entailments over its seed; each probe ``P ≡ R some F`` defines a fresh name. So a probe
    classification of the module answers every entry as one of the whole graph would, however
    large an ontology is merged, and HermiT classifies only what can matter.
    """
    import pyoxigraph as ox

    part = locality.module(Axioms.of(kg).triples, signature(items))

    def term(key: Any) -> Any:
        if not isinstance(key, str):
            return key  # a literal
        return ox.BlankNode(key[2:]) if key.startswith("_:") else ox.NamedNode(key)

    store = ox.Store()
    store.extend(ox.Quad(term(s), ox.NamedNode(p), term(o)) for s, p, o in part.triples)
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in probe_triples(probes))
    return KG(files=list(kg.files), _store=store, _digest=f"negative-probes {kg.digest}"), part


def start(
    kg: KnowledgeGraph,
    path: Path | None = None,
    java: Path | None = None,
    items: list[NegativeEntailment] | None = None,
) -> NegativeRun | None:
    """Start HermiT on the module of ``kg`` for the entries + probe classes (``probe_graph``);
    None when there is no negative-entailment file (``items`` instead of a file: a list built in
    code, e.g. a systematic sweep in a test)."""

    if items is None:
        path = path or negative_file(kg)
        if path is None:
            return None
        items = load_negative(path)
    probes = probe_iris(items)
    graph, part = probe_graph(kg, items, probes)
    started = time.perf_counter()
    return NegativeRun(items, probes, hermit.start(graph, java), started, part)


def violations(
    items: list[NegativeEntailment], probes: dict[tuple, str], result: ReasoningResult
) -> list[NegativeEntailment]:
    """The listed conclusions HermiT does derive."""
    out = []
    for item in items:
        key = item.probe_key
        target = item.superclass or (probes[key] if key is not None else "")
        if item.subclass in result.unsatisfiable or result.entails(item.subclass, target):
            out.append(item)
    return out


def merge_into(stage: StageResult, kg: KnowledgeGraph, run: NegativeRun | None) -> StageResult:
    """Add ``negative=N violated=M`` (and a failure per violation) to the reasoning stage."""
    if run is None:
        return stage

    result = run.wait()
    stage.counts["negative"] = len(run.items)
    if result is None or result.consistent is None:
        note = "negative entailments not checked: " + (result.error if result else "no HermiT")
        stage.failures.append(Failure(STAGE, "", "", note, "WARN"))
        stage.environment = True  # the second HermiT run failed: do not cache this verdict
        return stage
    if result.consistent is False:
        stage.counts["violated"] = 0
        return stage  # the main run already reports the inconsistency
    axioms = Axioms.of(kg)
    known = set(axioms.triples)
    bad = 0
    for item in run.items:
        names = [
            item.subclass,
            item.superclass,
            item.prop,
            *(item.filler if isinstance(item.filler, tuple) else [item.filler]),
        ]
        missing = [n for n in names if n and n not in known]
        if missing:
            bad += 1
            stage.failures.append(
                Failure(
                    STAGE,
                    compress(item.subclass),
                    axioms.label(item.subclass),
                    f"negative entailment names {compress(missing[0])}, "
                    "which is not in the ontology",
                )
            )
    for item in violations(run.items, run.probes, result):
        bad += 1
        why = f" (must not follow because: {item.why})" if item.why else ""
        stage.failures.append(
            Failure(
                STAGE,
                compress(item.subclass),
                axioms.label(item.subclass),
                f"HermiT derives {item.describe(axioms.show)}, a conclusion that must not follow"
                f"{why}",
            )
        )
    stage.counts["violated"] = bad
    stage.ok = stage.ok and bad == 0
    return stage


def check(
    kg: KnowledgeGraph, path: Path | None = None, items: list[NegativeEntailment] | None = None
) -> tuple[int, list[str]]:
    """Blocking form for tests and scripts: (entries checked, descriptions of violations)."""
    run = start(kg, path, items=items)
    if run is None:
        return 0, []
    stage = merge_into(StageResult(STAGE, ok=True), kg, run)
    return stage.counts.get("negative", 0), [f.reason for f in stage.failures if f.level == "ERROR"]
