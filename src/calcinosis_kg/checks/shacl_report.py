"""SHACL results as a report: ``Violation``, ``ValidationReport`` and the rendering of terms.

pySHACL returns its results as an RDF graph full of blank nodes; curators need a stable, readable
list. This module turns a results graph into sorted ``Violation``s (focus as a CURIE with its
label, blank-node class expressions and paths rendered Manchester-style, a restriction's result
reported on the class that holds it) and renders the report as text, JSON or a W3C
``sh:ValidationReport`` in Turtle. Running the validation is ``validation``'s job.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from calcinosis_kg.core import prefixes
from calcinosis_kg.core.serialize import canonicalize
from calcinosis_kg.core.vocab import (
    CCKG_CASE,
    CCKG_SHAPES,
    OWL,
    RDF_TYPE,
    RDFS_COMMENT,
    RDFS_LABEL,
    RDFS_SUBCLASS_OF,
    SH,
    XSD,
    XSD_STRING,
)

if TYPE_CHECKING:
    import rdflib

SEVERITY_LEVEL = {"Violation": "ERROR", "Warning": "WARNING", "Info": "INFO"}
# namespaces of the shapes themselves and of the case-record vocabulary (not ontology prefixes,
# so not in header.yaml): used only to print shape names and case terms as CURIEs
LOCAL_PREFIXES = {
    "cckgsh": CCKG_SHAPES,
    "case": CCKG_CASE,
}


@dataclass(frozen=True, order=True)
class Violation:
    """One SHACL result: which shape, on which node and path, with which value, and why."""

    shape: str
    focus: str
    path: str
    value: str
    message: str
    severity: str = "Violation"
    constraint: str = ""
    label: str = ""
    value_kind: str = ""  # "iri", "literal", "bnode" or "" (no value): how to_turtle writes it
    value_datatype: str = ""  # a literal's datatype CURIE (not for plain strings)
    value_language: str = ""  # a literal's language tag

    def value_text(self) -> str:
        """The value as a person reads it: literals quoted, with language tag or datatype."""
        if self.value_kind != "literal":
            return self.value
        suffix = (
            f"@{self.value_language}"
            if self.value_language
            else (f"^^{self.value_datatype}" if self.value_datatype else "")
        )
        return f'"{self.value}"{suffix}'

    @property
    def level(self) -> str:
        """The ``Failure.level`` used by ``check`` (ERROR, WARNING, INFO)."""
        return SEVERITY_LEVEL.get(self.severity, "ERROR")


@dataclass
class ValidationReport:
    """Violations of one validation run, grouped by shape on demand; ``conforms`` ignores
    warnings and infos (only ``sh:Violation`` results fail)."""

    violations: list[Violation] = field(default_factory=list)
    shape_comments: dict[str, str] = field(default_factory=dict)
    shape_files: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def conforms(self) -> bool:
        """True when no result is an ``sh:Violation`` (warnings and infos never fail)."""
        return not any(v.severity == "Violation" for v in self.violations)

    def counts(self) -> dict[str, int]:
        """Number of results per severity (Violation, Warning, Info) and shapes checked."""
        out = {"violations": 0, "warnings": 0, "infos": 0}
        key = {"Violation": "violations", "Warning": "warnings", "Info": "infos"}
        for v in self.violations:
            out[key.get(v.severity, "violations")] += 1
        out["shapes"] = len(self.shape_comments)
        return out

    def by_shape(self) -> dict[str, list[Violation]]:
        """Violations grouped by shape, shapes in sorted order, violations sorted within."""
        groups: dict[str, list[Violation]] = {}
        for v in sorted(self.violations):
            groups.setdefault(v.shape, []).append(v)
        return groups

    # --- renderings --------------------------------------------------------------------------
    def to_text(self) -> str:
        """A report a person can read: a summary line, then each shape with its violations."""
        c = self.counts()
        status = "conforms" if self.conforms else "does not conform"
        lines = [
            f"SHACL validation: {status} — {c['violations']} violation(s), "
            f"{c['warnings']} warning(s), {c['infos']} info(s); {c['shapes']} shapes "
            f"({self.seconds:.2f} s)"
        ]
        for shape, items in self.by_shape().items():
            comment = self.shape_comments.get(shape, "")
            lines.append("")
            lines.append(f"{shape} ({len(items)}): {comment}".rstrip(": "))
            for v in items:
                focus = f"{v.focus} ({v.label})" if v.label else v.focus
                where = f" {v.path}" if v.path else ""
                value = f" = {v.value_text()}" if v.value else ""
                tag = "" if v.severity == "Violation" else f"[{v.severity}] "
                lines.append(
                    f"  {tag}{focus}{where}{value}: {v.message}"
                    + (f" [{v.constraint}]" if v.constraint else "")
                )
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (``validate --format json``): verdict, counts, shapes."""
        return {
            "conforms": self.conforms,
            "counts": self.counts(),
            "seconds": round(self.seconds, 3),
            "shape_files": [Path(f).name for f in self.shape_files],
            "shapes": [
                {
                    "shape": shape,
                    "comment": self.shape_comments.get(shape, ""),
                    "violations": [asdict(v) for v in items],
                }
                for shape, items in self.by_shape().items()
            ],
        }

    def to_json(self) -> str:
        """Machine-readable report (``seconds`` is the only field that varies between runs)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_turtle(self) -> bytes:
        """A W3C ``sh:ValidationReport`` graph as deterministic Turtle (values as readable
        strings where they are blank nodes, e.g. restrictions)."""
        from rdflib import BNode, Graph, Literal, URIRef

        sh = lambda name: URIRef(SH + name)  # noqa: E731

        def node(text: str) -> URIRef | Literal:
            if not text:
                return Literal("")
            try:
                return URIRef(expand_curie(text))
            except ValueError:
                return Literal(text)

        g = Graph()
        report = BNode()
        g.add((report, URIRef(RDF_TYPE), sh("ValidationReport")))
        g.add((report, sh("conforms"), Literal(self.conforms, datatype=URIRef(XSD + "boolean"))))
        for v in sorted(self.violations):
            r = BNode()
            g.add((report, sh("result"), r))
            g.add((r, URIRef(RDF_TYPE), sh("ValidationResult")))
            g.add((r, sh("focusNode"), node(v.focus)))
            if v.path:
                g.add((r, sh("resultPath"), node(v.path)))
            if v.value:
                if v.value_kind == "iri":
                    value = node(v.value)
                elif v.value_datatype:
                    value = Literal(v.value, datatype=URIRef(expand_curie(v.value_datatype)))
                else:
                    value = Literal(v.value, lang=v.value_language or None)
                g.add((r, sh("value"), value))
            g.add((r, sh("resultMessage"), Literal(v.message)))
            g.add((r, sh("resultSeverity"), sh(v.severity)))
            g.add((r, sh("sourceShape"), node(v.shape)))
            if v.constraint:
                component = sh(v.constraint + "ConstraintComponent")
                g.add((r, sh("sourceConstraintComponent"), component))
        canon = canonicalize(g)
        canon.bind("sh", SH)
        for prefix, namespace in LOCAL_PREFIXES.items():
            canon.bind(prefix, namespace)
        return canon.serialize(format="longturtle", encoding="utf-8")


# --- rendering of nodes ------------------------------------------------------------------------
def curie(term: Any) -> str:
    """A node as a CURIE: the shapes' own prefixes first (with a non-empty local name), then the
    curated map (else the IRI)."""
    text = str(term)
    local = prefixes.split(text, LOCAL_PREFIXES)
    if local is not None and local[1]:
        return f"{local[0]}:{local[1]}"
    return prefixes.compress(text)


def expand_curie(text: str) -> str:
    """Inverse of ``curie`` (raises ValueError for an unknown prefix)."""
    if text.partition(":")[0] in LOCAL_PREFIXES:
        return prefixes.expand(text, LOCAL_PREFIXES)
    return prefixes.expand(text)


def render(term: Any, graph: rdflib.Graph | None = None, depth: int = 0) -> str:
    """Readable form of an RDF term: CURIE for IRIs, text for literals, and a Manchester-like
    rendering of OWL class expressions held in blank nodes (so a report never shows ``_:b12``)."""
    from rdflib import BNode, Literal, URIRef
    from rdflib.collection import Collection

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return curie(term)
    if isinstance(term, Literal):
        return str(term)
    if isinstance(term, BNode) and graph is not None and depth < 4:
        o = lambda p: graph.value(term, URIRef(OWL + p))  # noqa: E731
        prop = o("onProperty")
        if prop is not None:
            for name, word in (
                ("someValuesFrom", "some"),
                ("allValuesFrom", "only"),
                ("hasValue", "value"),
            ):
                filler = o(name)
                if filler is not None:
                    return (
                        f"{render(prop, graph, depth + 1)} {word} "
                        f"{render(filler, graph, depth + 1)}"
                    )
            return f"restriction on {render(prop, graph, depth + 1)}"
        for name, word in (("intersectionOf", " and "), ("unionOf", " or ")):
            members = o(name)
            if members is not None:
                items = [render(m, graph, depth + 1) for m in Collection(graph, members)]
                return "(" + word.join(items) + ")"
        members = o("members")
        if members is not None:  # owl:AllDisjointClasses (or AllDifferent)
            items = [render(m, graph, depth + 1) for m in Collection(graph, members)]
            return "AllDisjoint(" + ", ".join(items) + ")"
        source = o("annotatedSource")
        if source is not None:  # an owl:Axiom annotation: name the axiom it annotates
            return (
                f"axiom({render(source, graph, depth + 1)} "
                f"{render(o('annotatedProperty'), graph, depth + 1)} "
                f"{render(o('annotatedTarget'), graph, depth + 1)})"
            )
        if o("complementOf") is not None:
            return f"not {render(o('complementOf'), graph, depth + 1)}"
        if o("inverseOf") is not None:
            return f"inverse {render(o('inverseOf'), graph, depth + 1)}"
        # SHACL property paths (sh:alternativePath …)
        alt = graph.value(term, URIRef(SH + "alternativePath"))
        if alt is not None:
            return " | ".join(render(m, graph, depth + 1) for m in Collection(graph, alt))
    return "[]"


# --- reading pySHACL's results graph ---------------------------------------------------------
def shape_comments(shapes: rdflib.Graph) -> dict[str, str]:
    """Named shapes (IRIs) -> their rdfs:comment: the conventions they enforce."""
    from rdflib import URIRef

    out: dict[str, str] = {}
    for kind in ("NodeShape", "PropertyShape"):
        for shape in shapes.subjects(URIRef(RDF_TYPE), URIRef(SH + kind)):
            if isinstance(shape, URIRef):
                comment = shapes.value(shape, URIRef(RDFS_COMMENT))
                out[curie(shape)] = " ".join(str(comment).split()) if comment else ""
    return dict(sorted(out.items()))


def _named_shape(shape: Any, shapes: rdflib.Graph) -> Any:
    """The nearest named shape holding ``shape`` (blank property shapes report their parent)."""
    from rdflib import BNode, URIRef

    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = next(iter(shapes.subjects(URIRef(SH + "property"), shape)), None)
        if parent is None:
            parent = next(iter(shapes.subjects(None, shape)), None)
        if parent is None:
            break
        shape = parent
    return shape


def _datatype_of(term: Any) -> str:
    """CURIE of a typed literal's datatype; empty for plain strings and language strings."""
    from rdflib import Literal, URIRef

    datatype = term.datatype if isinstance(term, Literal) else None
    return "" if datatype is None or datatype == URIRef(XSD_STRING) else curie(datatype)


def _kind(term: Any) -> str:
    from rdflib import BNode, Literal, URIRef

    for cls, name in ((URIRef, "iri"), (Literal, "literal"), (BNode, "bnode")):
        if isinstance(term, cls):
            return name
    return ""


def _subclass_axiom_subject(node: Any, data: rdflib.Graph) -> Any:
    """The named class whose ``rdfs:subClassOf`` axiom has ``node`` (a blank restriction) as
    superclass, else None: SHACL focuses on the restriction, users want the class."""
    from rdflib import BNode, URIRef

    if not isinstance(node, BNode):
        return None
    subjects = [s for s in data.subjects(URIRef(RDFS_SUBCLASS_OF), node) if isinstance(s, URIRef)]
    return subjects[0] if len(subjects) == 1 else None


def violations_of(
    results: rdflib.Graph,
    shapes: rdflib.Graph,
    data: rdflib.Graph,
    labels: dict[str, str],
    keep: set | None,
) -> list[Violation]:
    """The sorted, de-duplicated ``Violation``s of a pySHACL results graph (only results whose
    focus node is in ``keep``, when given); ``labels`` name the focus nodes."""
    from rdflib import URIRef

    sh = lambda name: URIRef(SH + name)  # noqa: E731
    out = []
    # only top-level results: nested sh:detail results (of sh:node shapes) explain a parent result
    for r in results.objects(None, sh("result")):
        focus = results.value(r, sh("focusNode"))
        if keep is not None and focus not in keep:
            continue
        path = results.value(r, sh("resultPath"))
        value = results.value(r, sh("value"))
        if value == focus:  # node-level constraints repeat the focus node as value
            value = None
        shape = _named_shape(results.value(r, sh("sourceShape")), shapes)
        messages = sorted(str(m) for m in results.objects(r, sh("resultMessage")))
        severity = results.value(r, sh("resultSeverity"))
        component = results.value(r, sh("sourceConstraintComponent"))
        axiom_of = _subclass_axiom_subject(focus, data)
        if axiom_of is not None:
            # a relationship axiom's restriction: report the class that holds it
            focus, path, value = axiom_of, URIRef(RDFS_SUBCLASS_OF), focus
        focus_text = render(focus, data)
        label = labels.get(str(focus))
        if label is None:
            found = data.value(focus, URIRef(RDFS_LABEL))
            label = str(found) if found is not None else ""
        out.append(
            Violation(
                shape=render(shape, shapes),
                focus=focus_text,
                path=render(path, results if (path, None, None) in results else shapes),
                value=render(value, data),
                value_kind=_kind(value),
                value_datatype=_datatype_of(value),
                value_language=getattr(value, "language", None) or "",
                message=" ".join(("; ".join(messages) or "constraint not met").split()),
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                constraint=str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
                if component
                else "",
                label=label,
            )
        )
    return sorted(set(out))
