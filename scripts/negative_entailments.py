# ruff: noqa: E501  (hand-written review sentences)
"""Regenerate ontology/negative_entailments.yaml: conclusions HermiT must NOT derive.

Three kinds (issue 8), each listed explicitly so that a reviewer sees every entry:
1. HAND: the issue's examples, the "or" read as "and" cases (a union filler must not become its
   members) and the defined-class memberships that followed only from associations.
2. From every association record (ontology/src/associations.yaml) S --P--> O: neither S nor any
   of its asserted subclasses may be entailed to have ``P some O`` (an association read as a
   universal, or inherited by a subtype).
3. Inverse, for causes, correlations and treatments: neither O nor any of its asserted subclasses
   may be entailed to have ``inverse(P) some S`` ("every case of O is caused by S", "every portion
   of the drug treats O").

Run: PYTHONPATH=src python scripts/negative_entailments.py > ontology/negative_entailments.yaml
"""

from __future__ import annotations

from collections import defaultdict

import yaml
from rdflib import URIRef
from rdflib.namespace import RDFS

from calcinosis_kg.core.prefixes import compress
from calcinosis_kg.core.resources import source_dir
from calcinosis_kg.source.build import build

HAND = [
    # --- the three examples of issue 8 --------------------------------------------------------
    (
        "MONDO:0005100",
        "RO:0004029",
        "CCKG:0000001",
        "issue 8: systemic sclerosis is linked to calcinosis cutis (F0017), which affects a minority of patients; not every SSc patient has it",
    ),
    (
        "MONDO:0005100",
        "RO:0004029",
        "CCKG:0000020",
        "systemic sclerosis is only linked to (correlated with) its calcinosis cutis",
    ),
    (
        "MONDO:0005100",
        "RO:0003308",
        "CCKG:0000001",
        "'linked to' is an association record, not a universal",
    ),
    (
        "CCKG:0000006",
        "RO:0002302",
        "CHEBI:101278",
        "issue 8: diltiazem is a treatment of calcinosis cutis in general (F0097); calciphylaxis cutis must not inherit it",
    ),
    (
        "CCKG:0000009",
        "RO:0004026",
        "UBERON:0000403",
        "issue 8: 'on the scalp or face' (F0088) is an alternative, and only 'most frequently'",
    ),
    (
        "CCKG:0000009",
        "RO:0004026",
        "UBERON:0001456",
        "issue 8: 'on the scalp or face' (F0088) is an alternative, and only 'most frequently'",
    ),
    # --- "or" read as "and": a union filler must not become each of its members ---------------
    (
        "CCKG:0000001",
        "RO:0004026",
        "UBERON:0002097",
        "'in the skin and subcutaneous tissues' is stated as a union (skin or subcutis): not every case is in the skin proper",
    ),
    (
        "CCKG:0000001",
        "RO:0004026",
        "UBERON:0002072",
        "not every calcinosis cutis is in the subcutis (union with skin)",
    ),
    (
        "CCKG:0000003",
        "RO:0004022",
        "HP:0003072",
        "metastatic: 'phosphate and/or calcium' (F0059): hypercalcemia or hyperphosphatemia, not necessarily hypercalcemia",
    ),
    (
        "CCKG:0000003",
        "RO:0004022",
        "HP:0002905",
        "metastatic: 'phosphate and/or calcium' (F0059): not necessarily hyperphosphatemia",
    ),
    (
        "CCKG:0000003",
        "RO:0002200",
        "HP:0003072",
        "metastatic: hypercalcemia or hyperphosphatemia, not necessarily hypercalcemia (via has phenotype)",
    ),
    (
        "CCKG:0000003",
        "RO:0002200",
        "HP:0002905",
        "metastatic: not necessarily hyperphosphatemia (via has phenotype)",
    ),
    (
        "CCKG:0000010",
        "RO:0004026",
        "UBERON:0002072",
        "tumoral calcinosis deposits are 'subcutaneous or intramuscular' (F0092): an alternative",
    ),
    (
        "CCKG:0000010",
        "RO:0004026",
        "CCKG:0000206",
        "tumoral calcinosis deposits are 'subcutaneous or intramuscular' (F0092): an alternative",
    ),
    (
        "CCKG:0000004",
        "RO:0004026",
        "UBERON:0002072",
        "iatrogenic: 'in the subcutis or dermis' (F0063), and epidermal plaques also occur (F0069)",
    ),
    (
        "CCKG:0000004",
        "RO:0004026",
        "UBERON:0002067",
        "iatrogenic: 'in the subcutis or dermis' (F0063), and epidermal plaques also occur (F0069)",
    ),
    (
        "CCKG:0000006",
        "RO:0004026",
        "UBERON:0002067",
        "calciphylaxis: 'mainly ... the dermis or subcutaneous fat' (F0109)",
    ),
    (
        "CCKG:0000006",
        "RO:0004026",
        "UBERON:0002072",
        "calciphylaxis: 'mainly ... the dermis or subcutaneous fat' (F0109)",
    ),
    # --- diseases of which calcinosis cutis is only a possible feature --------------------------
    (
        "MONDO:0016358",
        "RO:0004029",
        "CCKG:0000001",
        "calcinosis 'is seen in' limited cutaneous SSc (F0018), not in every patient",
    ),
    (
        "MONDO:0019563",
        "RO:0004029",
        "CCKG:0000001",
        "CREST names the main features (F0021), not features of every patient",
    ),
    (
        "MONDO:0016367",
        "RO:0004029",
        "CCKG:0000001",
        "calcinosis occurs in dermatomyositis (F0030), not in every patient",
    ),
    (
        "MONDO:0004670",
        "RO:0004029",
        "CCKG:0000001",
        "calcinosis occurs in lupus erythematosus (F0031), not in every patient",
    ),
    (
        "MONDO:1011530",
        "RO:0004029",
        "CCKG:0000001",
        "one dog with Cushing's syndrome (F0105, a caption), not every such dog",
    ),
    (
        "MONDO:0005100",
        "RO:0004029",
        "CCKG:0000002",
        "not every SSc patient has dystrophic calcinosis cutis",
    ),
    (
        "MONDO:0003900",
        "RO:0003302",
        "CCKG:0000001",
        "connective tissue disease 'can lead to' calcinosis (F0014)",
    ),
    (
        "CCKG:0000001",
        "RO:0002162",
        "NCBITaxon:9606",
        "calcinosis cutis is seen in humans (F0106) and in dogs (F0105): not every case is human",
    ),
    ("CCKG:0000001", "RO:0002162", "NCBITaxon:9615", "only calcinosis cutis in dogs is in the dog"),
]
#: (subclass, superclass, why): named memberships that followed only from associations
HAND_NAMED = [
    (
        "CCKG:0000006",
        "CCKG:0000605",
        "issue 8: calciphylaxis cutis is not a disease treated by a calcium channel blocker in every case (was an expected inference)",
    ),
    ("CCKG:0000001", "CCKG:0000605", "diltiazem 'has been a mainstay' (F0097): an association"),
    (
        "MONDO:0005100",
        "CCKG:0000601",
        "systemic sclerosis is linked to calcinosis cutis, not in every patient",
    ),
    (
        "MONDO:0016358",
        "CCKG:0000601",
        "calcinosis is seen in some patients with limited cutaneous SSc",
    ),
    (
        "MONDO:0019563",
        "CCKG:0000601",
        "calcinosis is a main feature of CREST syndrome, not a feature of every patient",
    ),
    ("MONDO:0016367", "CCKG:0000601", "calcinosis occurs in some patients with dermatomyositis"),
    (
        "MONDO:0004670",
        "CCKG:0000601",
        "calcinosis occurs in some patients with lupus erythematosus",
    ),
    (
        "MONDO:1011530",
        "CCKG:0000601",
        "one dog with Cushing's syndrome had calcinosis cutis (caption)",
    ),
    (
        "MONDO:0024327",
        "CCKG:0000608",
        "chronic renal failure is the most frequent cause of metastatic calcinosis cutis, but not every patient develops it",
    ),
    (
        "CCKG:0000511",
        "CCKG:0000608",
        "cases have been reported in oil-field workers; not every such exposure causes calcinosis cutis",
    ),
    (
        "CCKG:0000102",
        "CCKG:0000608",
        "hereditary diseases are linked to dystrophic calcification; not every one causes it",
    ),
    (
        "GO:0006954",
        "CCKG:0000608",
        "inflammation can lead to calcinosis; not every inflammatory response does",
    ),
    ("CCKG:0000100", "CCKG:0000608", "trauma can lead to calcinosis; not every trauma does"),
    (
        "CCKG:0000501",
        "CCKG:0000609",
        "extravasation of calcium chloride is the most frequent antecedent, not a cause in every case",
    ),
    (
        "MAXO:0000932",
        "CCKG:0000609",
        "electroencephalography has been linked to iatrogenic calcinosis cutis, not a cause in every case",
    ),
    (
        "CCKG:0000004",
        "CCKG:0000600",
        "iatrogenic calcinosis cutis: subcutis or dermis, not necessarily the subcutis",
    ),
    (
        "CCKG:0000010",
        "CCKG:0000600",
        "tumoral calcinosis: subcutaneous or intramuscular, not necessarily the subcutis",
    ),
    (
        "CCKG:0000003",
        "CCKG:0000604",
        "periarticular lesions are found in metastatic calcification, not in every case",
    ),
    ("CCKG:0000022", "CCKG:0000604", "periarticular areas are one of four sites listed for lupus"),
    (
        "CCKG:0000009",
        "CCKG:0000606",
        "subepidermal calcified nodule occurs most frequently, not only, in children",
    ),
    ("CCKG:0000008", "CCKG:0000607", "idiopathic scrotal calcinosis typically affects young males"),
    ("CCKG:0000010", "CCKG:0000607", "tumoral calcinosis mainly affects teenagers"),
    (
        "CCKG:0000002",
        "CCKG:0000613",
        "dystrophic calcinosis cutis can be an incidental radiographic finding",
    ),
    (
        "CCKG:0000011",
        "CCKG:0000001",
        "osteoma cutis is bone, not calcium salts, in the skin (disjoint, F0093)",
    ),
    (
        "CCKG:0000010",
        "CCKG:0000005",
        "the article contrasts tumoral calcinosis with idiopathic calcification (F0033/F0034)",
    ),
    (
        "CCKG:0000007",
        "CCKG:0000002",
        "the article does not put traumatic under dystrophic calcinosis cutis",
    ),
    (
        "CCKG:0000003",
        "CCKG:0000602",
        "issue 16: metastatic calcinosis cutis is due to an abnormal calcium and/or phosphate metabolism (F0059, F0062); it only 'can result from' a condition raising serum levels (F0060)",
    ),
]
#: issue 16: no disease class may be entailed to be a subclass of a calcinosis-related class
SWEEP_WHY = (
    "issue 16: a disease is linked to, evidences or can lead to calcinosis cutis in some "
    "patients (association records); no disease class is, in every case, a kind of "
    "calcinosis cutis, a calcinosis-related defined class or a case-record class"
)
#: calcinosis-related classes: our types (CCKG:0000001-0000099), defined classes (0000600-0000699),
#: case-model classes (0000700-0000799), and calcinosis (MONDO:0002123) with its subclasses
RELATED_RANGES = ((1, 99), (600, 699), (700, 799))
CALCINOSIS = "MONDO:0002123"
#: disease classes: MONDO and DOID classes of the import module and our conditions (0000100-0000199)
DISEASE_PREFIXES = ("MONDO:", "DOID:")
CONDITION_RANGE = (100, 199)
INVERSE_PREDICATES = {"RO:0003302", "RO:0003308", "RO:0002302", "RO:0002606"}
#: inverse conclusions that are true by definition, so not listed
INVERSE_EXEMPT = {("CCKG:0000007", "RO:0003302", "CCKG:0000100")}
#: (class, property, filler) that hold of every member by the class's OWN universal statement
#: (its definition), although an ancestor states the same only as an association
TRUE_BY_OWN_UNIVERSAL = {
    # idiopathic scrotal calcinosis appears as yellowish nodules (F0085), a kind of cutaneous nodule
    ("CCKG:0000008", "RO:0004029", "CCKG:0000400"),
    # widespread idiopathic calcinosis cutis is defined by its widespread distribution (F0080)
    ("CCKG:0000013", "RO:0004029", "CCKG:0000412"),
}


def main() -> None:
    result = build()
    g = result.ontology + result.imports
    children: dict[str, set[str]] = defaultdict(set)
    for s, o in g.subject_objects(RDFS.subClassOf):
        if isinstance(s, URIRef) and isinstance(o, URIRef):
            children[compress(str(o))].add(compress(str(s)))

    def with_descendants(curie: str) -> list[str]:
        seen, todo = [], [curie]
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.append(node)
                todo += sorted(children.get(node, ()))
        return seen

    data = yaml.safe_load((source_dir() / "associations.yaml").read_text(encoding="utf-8"))
    entries: dict[tuple, str] = {}
    for s, p, o, why in HAND:
        entries.setdefault((s, p, o, False), why)
    for record in data["associations"]:
        s, p, o, rid = record["subject"], record["predicate"], record["object"], record["id"]
        for sub in with_descendants(s):
            if (sub, p, o) in TRUE_BY_OWN_UNIVERSAL:
                continue
            why = (
                f"association only ({rid}, {record['fact']})"
                if sub == s
                else f"association of {s} only ({rid}, {record['fact']}); {sub} must not inherit it"
            )
            entries.setdefault((sub, p, o, False), why)
        if p in INVERSE_PREDICATES:
            for sub in with_descendants(o):
                if (sub, p, s) in INVERSE_EXEMPT:
                    continue
                why = (
                    f"association only ({rid}, {record['fact']}): not every case of {sub} "
                    f"has it from {s}"
                )
                entries.setdefault((sub, p, s, True), why)
    print(__doc__.split("\n\n")[0].replace('"""', "").strip().join(["# ", ""]))
    print("# Generated by scripts/negative_entailments.py (hand entries first, then one entry per")
    print("# association record, its subject's subclasses and, for causes, correlations and")
    print(
        "# treatments, the inverse). Checked by `check` (reasoning stage: negative=N violated=M)."
    )
    print(
        "# Format: {subclass, superclass, why} or {subclass, property, filler, inverse?, why}, or"
    )
    print(
        "# {sweep, subclasses, superclasses, why}: no listed subclass under any listed superclass."
    )
    subclasses, superclasses = sweep(g, with_descendants)
    print(f"- sweep: {yaml_str('no disease class under a calcinosis-related class')}")
    print(f"  subclasses: [{', '.join(subclasses)}]")
    print(f"  superclasses: [{', '.join(superclasses)}]")
    print(f"  why: {yaml_str(SWEEP_WHY)}")
    for sub, sup, why in HAND_NAMED:
        print(f"- {{subclass: {sub}, superclass: {sup}, why: {yaml_str(why)}}}")
    for (sub, p, o, inverse), why in entries.items():
        inv = ", inverse: true" if inverse else ""
        print(f"- {{subclass: {sub}, property: {p}, filler: {o}{inv}, why: {yaml_str(why)}}}")


def sweep(g, with_descendants) -> tuple[list[str], list[str]]:
    """(disease classes, calcinosis-related classes) of the built ontology + import module."""
    from rdflib.namespace import OWL, RDF

    def number(curie: str) -> int:
        return (
            int(curie.split(":")[1])
            if curie.startswith("CCKG:") and curie.split(":")[1].isdigit()
            else -1
        )

    named = sorted(
        {compress(str(c)) for c in g.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    )
    related = {c for c in named if any(lo <= number(c) <= hi for lo, hi in RELATED_RANGES)}
    related |= set(with_descendants(CALCINOSIS)) | {"MONDO:1014560"}
    diseases = [
        c
        for c in named
        if c not in related
        and (
            c.startswith(DISEASE_PREFIXES) or CONDITION_RANGE[0] <= number(c) <= CONDITION_RANGE[1]
        )
    ]
    return diseases, sorted(related)


def yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    main()
