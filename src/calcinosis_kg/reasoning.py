"""OWL 2 DL reasoning with HermiT: consistency, unsatisfiable classes, inferred hierarchy.

HermiT runs as a Java subprocess on an N-Triples copy of the already-loaded graph (owl:imports
removed: the local import module is part of the graph, and HermiT must never fetch anything).
``start()`` launches it and returns at once, so ``check`` can run the Python stages on the other
core meanwhile; ``reason()`` is the blocking form. owlready2 itself is not imported: only its jar.
HermiT gives no explanations, so unsatisfiable classes and inconsistencies are explained here from
the asserted axioms (declared disjoint superclasses, unsatisfiable fillers, data restrictions).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calcinosis_kg.errors import InputError
from calcinosis_kg.expressions import Term, rdf_list, render, with_labels
from calcinosis_kg.results import Failure, StageResult

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

    from calcinosis_kg.graph import KnowledgeGraph

STAGE = "reasoning"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
THING, NOTHING = OWL + "Thing", OWL + "Nothing"
EXPECTED_FILE = "expected_inferences.yaml"
DEFAULT_TIMEOUT = 600.0

_LINE = re.compile(r"^([A-Za-z]+)\( ((?:<[^>]+>\s*)+)\)$", re.MULTILINE)
_IRI = re.compile(r"<([^>]+)>")


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
        if sub == sup or sup == THING or sub in self.unsatisfiable:
            return True
        return sup in self._ancestors().get(sub, set())

    def _ancestors(self) -> dict[str, set[str]]:
        cached = getattr(self, "_anc_cache", None)
        if cached is not None:
            return cached
        parents: dict[str, set[str]] = defaultdict(set)
        for a, b in self.direct_pairs:
            parents[a].add(b)
        for group in self.equivalent_groups:
            for a in group:
                parents[a].update(x for x in group if x != a)
        anc: dict[str, set[str]] = {}
        for start in list(parents):
            seen: set[str] = set()
            todo = deque(parents[start])
            while todo:
                node = todo.popleft()
                if node in seen:
                    continue
                seen.add(node)
                todo.extend(parents.get(node, ()))
            anc[start] = seen
        object.__setattr__(self, "_anc_cache", anc)
        return anc


# --------------------------------------------------------------------------- graph access


def _ox():
    import pyoxigraph

    return pyoxigraph


def loaded_store(kg: KnowledgeGraph) -> pyoxigraph.Store:
    """The parsed store (``graph.load`` already turned parse errors into InputError)."""
    return kg.store


def _term_key(term: Any) -> str:
    """A plain string for a pyoxigraph term: IRIs bare, blank nodes ``_:id``, literals n3-ish."""
    ox = _ox()
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term)


def write_hermit_input(kg: KnowledgeGraph, target: Path) -> int:
    """Write the graph as N-Triples for HermiT, without owl:imports. Returns the triple count."""
    ox = _ox()
    store = loaded_store(kg)
    imports = ox.NamedNode(OWL + "imports")
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store
               if q.predicate != imports]
    target.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    return len(triples)


# --------------------------------------------------------------------------- running HermiT


class HermitRun:
    """A HermiT process started in the background on a snapshot of ``kg``."""

    def __init__(self, kg: KnowledgeGraph, java: Path | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        from calcinosis_kg import java as java_lookup

        self.kg = kg
        self.timeout = timeout
        self.started = time.perf_counter()
        self.process: subprocess.Popen[bytes] | None = None
        self.error = ""
        self.java_missing = False
        self._dir = Path(tempfile.mkdtemp(prefix="calcinosis-kg-hermit-"))
        self.input = self._dir / "ontology.nt"
        try:
            write_hermit_input(kg, self.input)
        except BaseException:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise
        java = java or java_lookup.find_java()
        if java is None:
            self.java_missing = True
            self.error = java_lookup.java_not_found_message()
            return
        try:
            command = java_lookup.hermit_command(java, self.input)
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        except (OSError, FileNotFoundError) as exc:
            self.error = f"cannot start HermiT with {java}: {exc}"
            return
        # drain the pipes while Python works on other stages: a large hierarchy would fill the
        # pipe buffer and stall HermiT; the thread also records when HermiT really finished
        self._output: tuple[bytes, bytes] = (b"", b"")
        self._finished = self.started
        self._timed_out = False
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.process is not None
        try:
            self._output = self.process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self._timed_out = True
            self.process.kill()
            self._output = self.process.communicate()
        self._finished = time.perf_counter()

    def cancel(self) -> None:
        """Stop HermiT (used when another stage aborts the run)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        shutil.rmtree(self._dir, ignore_errors=True)

    def wait(self) -> ReasoningResult:
        """Wait for HermiT and interpret its output. ``seconds`` is HermiT's own wall time."""
        try:
            if self.process is None:
                return ReasoningResult(consistent=None, error=self.error,
                                       java_missing=self.java_missing,
                                       seconds=time.perf_counter() - self.started)
            self._reader.join()
            seconds = self._finished - self.started
            if self._timed_out:
                return ReasoningResult(consistent=None, error=f"HermiT timed out after "
                                       f"{self.timeout:.0f} s", seconds=seconds)
            out, err = self._output
            interpreting = time.perf_counter()
            result = _interpret(self.kg, self.process.returncode, out.decode("utf-8", "replace"),
                                err.decode("utf-8", "replace"))
            result.seconds = seconds + (time.perf_counter() - interpreting)
            return result
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)


def start(kg: KnowledgeGraph, java: Path | None = None) -> HermitRun:
    """Start HermiT in the background; call ``.wait()`` on the result for the answer."""
    return HermitRun(kg, java)


def reason(kg: KnowledgeGraph, java: Path | None = None) -> ReasoningResult:
    """Run HermiT on ``kg``: consistency, unsatisfiable classes and the inferred hierarchy."""
    return start(kg, java).wait()


def _java_error(stdout: str, stderr: str) -> str:
    text = stderr.strip() or stdout.strip()
    if "pear-shaped" in text or "Could not parse ontology" in text:
        return "HermiT could not parse its input: " + text.splitlines()[0]
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("\tat ") or line.startswith("Caused by"):
            break
        if "warning" in line.lower() and "VM" in line:
            continue
        lines.append(line.strip())
    message = " ".join(x for x in lines if x)
    message = re.sub(r"^Exception in thread \"main\" [\w.$]+: ", "", message)
    return "HermiT failed: " + (message[:500] or "no output")


def _interpret(kg: KnowledgeGraph, returncode: int, stdout: str, stderr: str) -> ReasoningResult:
    if returncode != 0 or "pear-shaped" in stdout or "pear-shaped" in stderr:
        if "InconsistentOntologyException" in stderr or "Inconsistent ontology" in stderr:
            result = ReasoningResult(consistent=False)
            result.culprits = explain_inconsistency(kg)
            return result
        return ReasoningResult(consistent=None, error=_java_error(stdout, stderr))
    direct: list[tuple[str, str]] = []
    groups: list[list[str]] = []
    unsat: set[str] = set()
    for relation, iris in _LINE.findall(stdout):
        names = _IRI.findall(iris)
        if relation == "SubClassOf" and len(names) == 2:
            sub, sup = names
            if sup != THING and sub != NOTHING and not sub.startswith(OWL):
                direct.append((sub, sup))
        elif relation == "EquivalentClasses":
            if NOTHING in names:
                unsat.update(n for n in names if not n.startswith(OWL))
            else:
                group = sorted(n for n in names if n != THING)
                if len(group) > 1:
                    groups.append(group)
    axioms = Axioms.from_store(loaded_store(kg))
    asserted = axioms.asserted_named_pairs()
    asserted_eq = axioms.asserted_named_equivalences()
    inferred = sorted({(a, b) for a, b in direct if (a, b) not in asserted})
    inferred_eq = sorted({(a, b) for g in groups for a in g for b in g
                          if a < b and (a, b) not in asserted_eq and (b, a) not in asserted_eq})
    result = ReasoningResult(consistent=True, unsatisfiable=sorted(unsat),
                             inferred_subclass_pairs=inferred, direct_pairs=sorted(set(direct)),
                             equivalent_groups=sorted(groups),
                             inferred_equivalent_pairs=inferred_eq)
    result.explanations = {c: axioms.explain_unsatisfiable(c, result) for c in result.unsatisfiable}
    return result


# --------------------------------------------------------------------------- axioms & explanations


@dataclass
class Axioms:
    """The asserted OWL axioms as plain dictionaries (keys: IRIs, or ``_:id`` for blank nodes)."""

    triples: dict[str, dict[str, list[Any]]]
    labels: dict[str, str]

    @classmethod
    def from_store(cls, store: pyoxigraph.Store) -> Axioms:
        from calcinosis_kg.graph import labels_of

        ox = _ox()
        triples: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for q in store:
            o: Any = q.object
            value = o if isinstance(o, ox.Literal) else _term_key(o)
            triples[_term_key(q.subject)][q.predicate.value].append(value)
        return cls(triples, labels_of(store))

    def objects(self, s: str, p: str) -> list[Any]:
        return self.triples.get(s, {}).get(p, [])

    def rdf_list(self, head: str) -> list[Any]:
        return rdf_list(self, head)

    @staticmethod
    def named(x: Any) -> bool:
        return isinstance(x, str) and not x.startswith("_:")

    def asserted_named_pairs(self) -> set[tuple[str, str]]:
        return {(s, o) for s, po in self.triples.items() if self.named(s)
                for o in po.get(RDFS + "subClassOf", []) if self.named(o)}

    def asserted_named_equivalences(self) -> set[tuple[str, str]]:
        return {(s, o) for s, po in self.triples.items() if self.named(s)
                for o in po.get(OWL + "equivalentClass", []) if self.named(o)}

    def disjoint_pairs(self) -> set[frozenset[str]]:
        pairs: set[frozenset[str]] = set()
        for s, po in self.triples.items():
            for o in po.get(OWL + "disjointWith", []):
                pairs.add(frozenset((s, o)))
            groups = []
            if OWL + "AllDisjointClasses" in po.get(RDF + "type", []):
                groups += [self.rdf_list(m) for m in po.get(OWL + "members", [])]
            groups += [self.rdf_list(m) for m in po.get(OWL + "disjointUnionOf", [])]
            for members in groups:
                for i, a in enumerate(members):
                    for b in members[i + 1:]:
                        pairs.add(frozenset((a, b)))
        return {p for p in pairs if len(p) == 2}

    def label(self, iri: str) -> str:
        return self.labels.get(iri, "")

    def term(self, node: Any) -> Term:
        """``expressions.Source``: keys ``_:id`` are blank nodes, other strings IRIs."""
        ox = _ox()
        if isinstance(node, ox.Literal):
            return Term("literal", node.value, "" if node.language else node.datatype.value)
        return Term("blank", node[2:]) if node.startswith("_:") else Term("iri", node)

    def show(self, x: Any) -> str:
        """A class expression, data range, property or literal as text with labels."""
        return render(self, x, with_labels(self.labels))

    def told_superclasses(self, cls: str, result: ReasoningResult | None = None,
                          ) -> tuple[set[str], list[str]]:
        """Named classes and anonymous expressions ``cls`` is asserted under (transitively).

        Named ancestors that HermiT found satisfiable also contribute their entailed ancestors.
        """
        named: set[str] = set()
        anonymous: list[str] = []
        todo = deque([cls])
        seen: set[str] = set()
        entailed = result._ancestors() if result else {}
        while todo:
            node = todo.popleft()
            if node in seen:
                continue
            seen.add(node)
            parents = list(self.objects(node, RDFS + "subClassOf"))
            parents += self.objects(node, OWL + "equivalentClass")
            for head in self.objects(node, OWL + "intersectionOf"):
                parents += self.rdf_list(head)
            for parent in parents:
                if not isinstance(parent, str):
                    continue
                if self.named(parent):
                    if parent not in (THING, cls):
                        named.add(parent)
                    if result and parent not in result.unsatisfiable:
                        named.update(entailed.get(parent, set()) - {THING})
                elif not self.objects(parent, OWL + "intersectionOf") and parent not in anonymous:
                    anonymous.append(parent)
                todo.append(parent)
        return named, anonymous

    def _disjoint_clash(self, classes: set[str]) -> tuple[str, str] | None:
        for pair in sorted(self.disjoint_pairs(), key=sorted):
            a, b = sorted(pair)
            if a in classes and b in classes:
                return a, b
        return None

    def explain_unsatisfiable(self, cls: str, result: ReasoningResult) -> str:
        """Why ``cls`` can have no instances, from the asserted axioms (best effort)."""
        named, anonymous = self.told_superclasses(cls, result)
        reasons: list[str] = []
        clash = self._disjoint_clash(named | {cls})
        if clash:
            a, b = clash
            reasons.append(f"it is a subclass of both {self.show(a)} and {self.show(b)}, "
                           "which are declared disjoint")
        bad_parents = sorted(named & set(result.unsatisfiable))
        if bad_parents:
            reasons.append("its superclass " + ", ".join(self.show(p) for p in bad_parents)
                           + " is unsatisfiable")
        for expr in anonymous:
            for filler in self.objects(expr, OWL + "someValuesFrom"):
                if isinstance(filler, str) and filler in result.unsatisfiable:
                    reasons.append(f"it requires {self.show(expr)}, an unsatisfiable class")
        reasons += self._domain_range_clashes(named | {cls}, anonymous, result)
        data = [e for e in anonymous if self._is_data_restriction(e)]
        by_prop: dict[str, list[str]] = defaultdict(list)
        for expr in data:
            by_prop[self.objects(expr, OWL + "onProperty")[0]].append(expr)
        for prop, exprs in sorted(by_prop.items()):
            functional = OWL + "FunctionalProperty" in self.objects(prop, RDF + "type")
            ranges = [r for r in self.objects(prop, RDFS + "range") if isinstance(r, str)]
            if len(exprs) > 1 or functional or ranges:
                parts = [self.show(e) for e in exprs]
                parts += [f"range of {self.show(prop)} is {self.show(r)}" for r in ranges]
                if functional:
                    parts.append(f"{self.show(prop)} is functional")
                reasons.append("its data restrictions may conflict: " + "; ".join(parts))
        if not reasons:
            shown = "; ".join(self.show(e) for e in anonymous) or "none"
            reasons.append("no declared disjointness among its superclasses explains it; "
                           f"its restrictions: {shown}")
        return "unsatisfiable: " + "; ".join(reasons)

    def _with_ancestors(self, classes: Iterable[str], result: ReasoningResult) -> set[str]:
        out: set[str] = set()
        for c in classes:
            if self.named(c):
                out |= {c} | self.told_superclasses(c, result)[0]
        return out

    def _domain_range_clashes(self, named: set[str], anonymous: list[str],
                              result: ReasoningResult) -> list[str]:
        """Existential restrictions whose property domain or range contradicts the class or
        the filler (a common slip with relations imported from RO)."""
        reasons = []
        for expr in anonymous:
            props = self.objects(expr, OWL + "onProperty")
            fillers = self.objects(expr, OWL + "someValuesFrom")
            if not props or not fillers or not isinstance(props[0], str):
                continue
            prop = props[0]
            domains = [d for d in self.objects(prop, RDFS + "domain") if self.named(d)]
            clash = self._disjoint_clash(named | self._with_ancestors(domains, result))
            if domains and clash and not self._disjoint_clash(named):
                reasons.append(f"{self.show(prop)} has domain "
                               f"{', '.join(self.show(d) for d in domains)}, so it must be both "
                               f"{self.show(clash[0])} and {self.show(clash[1])}, which are "
                               "declared disjoint")
            ranges = [r for r in self.objects(prop, RDFS + "range") if self.named(r)]
            filler = fillers[0]
            if ranges and self.named(filler):
                values = self._with_ancestors([filler, *ranges], result)
                clash = self._disjoint_clash(values)
                if clash:
                    reasons.append(f"it requires {self.show(expr)}, but the range of "
                                   f"{self.show(prop)} is {', '.join(self.show(r) for r in ranges)}"
                                   f": {self.show(clash[0])} and {self.show(clash[1])} are "
                                   "declared disjoint")
        return reasons

    def _is_data_restriction(self, expr: str) -> bool:
        props = self.objects(expr, OWL + "onProperty")
        if not props:
            return False
        if OWL + "DatatypeProperty" in self.objects(props[0], RDF + "type"):
            return True
        fillers = (self.objects(expr, OWL + "someValuesFrom")
                   + self.objects(expr, OWL + "allValuesFrom"))
        return any(isinstance(f, str) and (f.startswith(XSD) or self.objects(f, OWL + "onDatatype"))
                   for f in fillers)

    def individuals(self) -> list[str]:
        builtin = (OWL, RDFS, RDF)
        out = []
        for s, po in self.triples.items():
            types = [t for t in po.get(RDF + "type", []) if isinstance(t, str)]
            if OWL + "NamedIndividual" in types or any(
                    not t.startswith(builtin) for t in types):
                out.append(s)
        return sorted(out)


def explain_inconsistency(kg: KnowledgeGraph) -> list[tuple[str, str]]:
    """Individuals (or axioms) that make the ontology inconsistent, as far as can be found.

    First individuals typed with declared-disjoint classes; failing that, HermiT is run again on
    the class axioms alone, and individuals typed with a class found unsatisfiable are named.
    """
    axioms = Axioms.from_store(loaded_store(kg))
    culprits: list[tuple[str, str]] = []
    individuals = axioms.individuals()
    for ind in individuals:
        if NOTHING in axioms.objects(ind, RDF + "type"):
            culprits.append((ind, "is asserted to be an instance of owl:Nothing"))
            continue
        classes: set[str] = set()
        for t in axioms.objects(ind, RDF + "type"):
            if Axioms.named(t) and not t.startswith(OWL):
                classes.add(t)
                classes |= axioms.told_superclasses(t)[0]
        clash = axioms._disjoint_clash(classes)
        if clash:
            a, b = clash
            culprits.append((ind, f"is an instance of both {axioms.show(a)} and "
                                  f"{axioms.show(b)}, which are declared disjoint"))
    culprits += _data_value_clashes(axioms, individuals)
    if culprits:
        return culprits
    tbox = _tbox_only(kg, set(individuals))
    if tbox is None:
        return culprits
    if tbox.consistent is False:
        return [("", "the class axioms alone are inconsistent (no individual needed)")]
    bad = set(tbox.unsatisfiable)
    for ind in individuals:
        for t in axioms.objects(ind, RDF + "type"):
            if t in bad:
                culprits.append((ind, f"is an instance of {axioms.show(t)}, which is "
                                      f"{tbox.explanations.get(t, 'unsatisfiable')}"))
    return culprits


_INTEGERS = {"integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
             "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
             "unsignedShort", "unsignedByte"}
_STRINGS = {"string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN"}
#: range datatype -> literal datatypes (local names in xsd:) whose values it contains
_COMPATIBLE = {"decimal": _INTEGERS | {"decimal"}, "integer": _INTEGERS,
               "string": _STRINGS, "normalizedString": _STRINGS - {"string"}}
_ANY_LITERAL = {RDFS + "Literal", RDF + "PlainLiteral"}


def _data_value_clashes(axioms: Axioms, individuals: list[str]) -> list[tuple[str, str]]:
    """Data property values outside the property's declared datatype range, and several
    different values of a functional data property."""
    ox = _ox()
    out: list[tuple[str, str]] = []
    for ind in individuals:
        for prop, values in sorted(axioms.triples.get(ind, {}).items()):
            literals = [v for v in values if isinstance(v, ox.Literal)]
            if not literals:
                continue
            for rng in axioms.objects(prop, RDFS + "range"):
                if not (isinstance(rng, str) and rng.startswith(XSD)) or rng in _ANY_LITERAL:
                    continue
                allowed = _COMPATIBLE.get(rng[len(XSD):], {rng[len(XSD):]})
                for lit in literals:
                    dt = lit.datatype.value
                    if not (dt.startswith(XSD) and dt[len(XSD):] in allowed):
                        out.append((ind, f"value {axioms.show(lit)} of {axioms.show(prop)} is "
                                         f"not in its range {axioms.show(rng)}"))
            functional = OWL + "FunctionalProperty" in axioms.objects(prop, RDF + "type")
            distinct = {_literal_value(lit) for lit in literals}
            if functional and len(distinct) > 1:
                shown = ", ".join(sorted(axioms.show(lit) for lit in literals))
                out.append((ind, f"has {len(distinct)} different values ({shown}) of the "
                                 f"functional property {axioms.show(prop)}"))
    return out


def _literal_value(lit: Any) -> object:
    from decimal import Decimal, InvalidOperation

    try:
        return Decimal(lit.value)
    except (InvalidOperation, ValueError):
        return (lit.value, lit.datatype.value, lit.language)


def _tbox_only(kg: KnowledgeGraph, individuals: set[str]) -> ReasoningResult | None:
    """Reason over ``kg`` minus the triples about individuals (None if there are none)."""
    if not individuals:
        return None
    ox = _ox()
    store = loaded_store(kg)
    sub = ox.Store()
    sub.extend(q for q in store if not (isinstance(q.subject, ox.NamedNode)
                                        and q.subject.value in individuals))
    from calcinosis_kg.graph import KnowledgeGraph as KG

    return reason(KG(files=list(kg.files), _store=sub, _digest="tbox-only"))


# --------------------------------------------------------------------------- expected inferences


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

    from calcinosis_kg.prefixes import expand

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


# --------------------------------------------------------------------------- stage


def stage_from_result(kg: KnowledgeGraph, result: ReasoningResult,
                      expected_path: Path | None = None) -> StageResult:
    """Turn a ReasoningResult (plus the expected inferences) into the ``reasoning`` StageResult."""
    from calcinosis_kg.prefixes import compress

    failures: list[Failure] = []
    counts: dict[str, int] = {}
    if result.consistent is None:
        note = ("skipped: " + result.error) if result.java_missing else result.error
        failures.append(Failure(STAGE, "", "", note))
        return StageResult(STAGE, ok=False, failures=failures, seconds=result.seconds,
                           skipped=result.java_missing, note=note)
    axioms = Axioms.from_store(loaded_store(kg))

    def fail(entity: str, reason: str, level: str = "ERROR") -> None:
        failures.append(Failure(STAGE, compress(entity) if entity else "",
                                axioms.label(entity), reason, level))

    for warning in getattr(kg, "warnings", []):
        if "owl:imports" in warning:  # HermiT reasoned without that import: say so
            fail("", f"{warning}; the reasoner ran without it", level="WARN")
    if result.consistent is False:
        counts["inconsistent"] = 1
        fail("", "the ontology is inconsistent (HermiT)")
        for entity, why in result.culprits:
            fail(entity, why)
        return StageResult(STAGE, ok=False, counts=counts, failures=failures,
                           seconds=result.seconds, note="inconsistent")
    for cls in result.unsatisfiable:
        fail(cls, result.explanations.get(cls, "unsatisfiable"))
    expected = load_expected(expected_path) if expected_path else []
    known = set(axioms.triples)
    asserted = axioms.asserted_named_pairs()
    missed = 0
    for item in expected:
        if item.subclass not in known or item.superclass not in known:
            unknown = item.subclass if item.subclass not in known else item.superclass
            fail(item.subclass, f"expected inference names {compress(unknown)}, which is not "
                                "in the ontology")
            missed += 1
        elif not result.entails(item.subclass, item.superclass):
            sup = axioms.show(item.superclass)
            why = f" (expected because: {item.why})" if item.why else ""
            fail(item.subclass, f"expected to be inferred a subclass of {sup}, but HermiT "
                                f"does not entail it{why}")
            missed += 1
        elif (item.subclass, item.superclass) in asserted:
            fail(item.subclass, f"expected inference to {axioms.show(item.superclass)} is "
                                "asserted, so it tests nothing", level="WARN")
    counts.update({
        "classes": sum(1 for s in axioms.triples
                       if OWL + "Class" in axioms.objects(s, RDF + "type") and axioms.named(s)),
        "unsatisfiable": len(result.unsatisfiable),
        "inferred": len(result.inferred_subclass_pairs) + len(result.inferred_equivalent_pairs),
        "expected": len(expected),
        "expected_missed": missed,
    })
    ok = not any(f.level == "ERROR" for f in failures)
    return StageResult(STAGE, ok=ok, counts=counts, failures=failures,
                       seconds=result.seconds)


def reasoning_stage(kg: KnowledgeGraph, expected: Path | None = None) -> StageResult:
    """Consistency, unsatisfiable classes and expected entailments, as a check stage."""
    started = time.perf_counter()
    result = reason(kg)
    stage = stage_from_result(kg, result, expected or expected_inferences_file(kg))
    stage.seconds = time.perf_counter() - started
    return stage


# --------------------------------------------------------------------------- graphs


def _hierarchy(kg: KnowledgeGraph, pairs: Iterable[tuple[str, str]],
               equivalences: Iterable[tuple[str, str]], with_labels: bool) -> rdflib.Graph:
    import rdflib
    from rdflib.namespace import OWL as ROWL
    from rdflib.namespace import RDFS as RRDFS

    from calcinosis_kg.serialize import bind_prefixes

    g = rdflib.Graph()
    bind_prefixes(g)
    axioms = Axioms.from_store(loaded_store(kg)) if with_labels else None
    for a, b in pairs:
        g.add((rdflib.URIRef(a), RRDFS.subClassOf, rdflib.URIRef(b)))
    for a, b in equivalences:
        g.add((rdflib.URIRef(a), ROWL.equivalentClass, rdflib.URIRef(b)))
    if axioms:
        for node in set(g.subjects()) | set(g.objects()):
            label = axioms.label(str(node))
            if label:
                g.add((node, RRDFS.label, rdflib.Literal(label)))
    return g


def inferred_graph(kg: KnowledgeGraph, result: ReasoningResult | None = None,
                   use_cache: bool = True) -> rdflib.Graph:
    """The inferred, non-asserted direct rdfs:subClassOf edges (and inferred equivalences).

    Used by ``export --inferred`` and ``query --inferred``; the edges are cached under the
    graph's content digest, so only the first call per ontology version waits for HermiT.
    Raises ReasoningError if HermiT could not run or the ontology is inconsistent.
    """
    from calcinosis_kg import cache

    key = cache.stage_key("inferred " + cache.digest_files(cache.code_files([__name__])),
                          kg.digest)
    cached = cache.load_json("inferred", key) if use_cache and result is None else None
    if isinstance(cached, dict):
        pairs = [tuple(p) for p in cached["subclass"]]
        equivalences = [tuple(p) for p in cached["equivalent"]]
    else:
        result = result or reason(kg)
        _require_consistent(result)
        pairs, equivalences = result.inferred_subclass_pairs, result.inferred_equivalent_pairs
        if use_cache:
            cache.save_json("inferred", key, {"subclass": pairs, "equivalent": equivalences})
    return _hierarchy(kg, pairs, equivalences, with_labels=False)


def hierarchy_graph(kg: KnowledgeGraph, result: ReasoningResult) -> rdflib.Graph:
    """HermiT's whole direct class hierarchy (asserted and inferred), with labels."""
    equivalences = [(a, b) for g in result.equivalent_groups for a in g for b in g if a < b]
    equivalences += [(c, NOTHING) for c in result.unsatisfiable]
    return _hierarchy(kg, result.direct_pairs, equivalences, with_labels=True)


class ReasoningError(InputError):
    """HermiT could not produce a hierarchy (inconsistent ontology, no Java, HermiT error)."""

    exit_code = 1


def _require_consistent(result: ReasoningResult) -> None:
    if result.consistent is None:
        raise ReasoningError(result.error)
    if result.consistent is False:
        raise ReasoningError("the ontology is inconsistent: no inferred hierarchy")


# --------------------------------------------------------------------------- command


def summarize(kg: KnowledgeGraph, result: ReasoningResult) -> str:
    """The human summary printed by ``calcinosis-kg reason``."""
    axioms = Axioms.from_store(loaded_store(kg))
    lines = []
    if result.consistent is False:
        lines.append(f"consistent: NO (HermiT, {result.seconds:.2f} s)")
        for entity, why in result.culprits:
            lines.append(f"  {axioms.show(entity) if entity else '-'}: {why}")
        if not result.culprits:
            lines.append("  (no individual or disjointness found that explains it)")
        return "\n".join(lines) + "\n"
    classes = sum(1 for s in axioms.triples
                  if axioms.named(s) and OWL + "Class" in axioms.objects(s, RDF + "type"))
    lines.append(f"consistent: yes (HermiT, {result.seconds:.2f} s)")
    lines.append(f"classes: {classes}, unsatisfiable: {len(result.unsatisfiable)}, "
                 f"inferred subclass edges: {len(result.inferred_subclass_pairs)}, "
                 f"inferred equivalences: {len(result.inferred_equivalent_pairs)}")
    if result.unsatisfiable:
        lines.append("unsatisfiable classes:")
        for cls in result.unsatisfiable:
            why = result.explanations.get(cls, "").removeprefix("unsatisfiable: ")
            lines.append(f"  {axioms.show(cls)}: {why}")
    if result.inferred_subclass_pairs or result.inferred_equivalent_pairs:
        lines.append("inferred (not asserted):")
        for a, b in result.inferred_subclass_pairs:
            lines.append(f"  {axioms.show(a)} SubClassOf {axioms.show(b)}")
        for a, b in result.inferred_equivalent_pairs:
            lines.append(f"  {axioms.show(a)} EquivalentTo {axioms.show(b)}")
    return "\n".join(lines) + "\n"


def run_reason(paths: Iterable[Path | str] | None = None, with_turtle: bool = False,
               new_only: bool = False) -> tuple[str, bytes | None, bool]:
    """Load, reason and describe: (summary text, Turtle of the hierarchy or None, all ok).

    ``ok`` is False when the ontology is inconsistent, a class is unsatisfiable or an entailment
    of ``expected_inferences.yaml`` (beside the first ontology file) is missing.

    Raises ReasoningError (exit 1) when HermiT cannot run, InputError (exit 2) on bad input.
    """
    from calcinosis_kg.graph import load

    kg = load(list(paths) if paths else None)
    result = reason(kg)
    if result.consistent is None:
        raise ReasoningError(result.error)
    turtle = None
    if with_turtle and result.consistent:
        from calcinosis_kg.serialize import to_turtle

        graph = inferred_graph(kg, result) if new_only else hierarchy_graph(kg, result)
        turtle = to_turtle(graph)
    summary = summarize(kg, result)
    ok = bool(result.consistent) and not result.unsatisfiable
    expected_path = expected_inferences_file(kg)
    if result.consistent and expected_path is not None:
        stage = stage_from_result(kg, result, expected_path)
        missing = [f for f in stage.failures if f.level == "ERROR" and "expected" in f.reason]
        summary += (f"expected inferences ({expected_path.name}): "
                    f"{stage.counts.get('expected', 0)} checked, {len(missing)} missing\n")
        for f in missing:
            summary += f"  {f.entity} ({f.label}): {f.reason}\n"
        ok = ok and not missing
    if result.consistent:  # hook (issue 8): conclusions that must not follow
        from calcinosis_kg import negative_entailments

        negative_path = negative_entailments.negative_file(kg)
        if negative_path is not None:
            checked, violated = negative_entailments.check(kg, negative_path)
            summary += (f"negative entailments ({negative_path.name}): {checked} checked, "
                        f"{len(violated)} derived\n")
            summary += "".join(f"  {v}\n" for v in violated)
            ok = ok and not violated
    return summary, turtle, ok
