"""Labels of the external terms that cases use but the ontology's import module lacks.

Why: synthetic cohorts, Phenopacket labels, report axes and name resolution need a label for
e.g. MONDO:0004375 "end stage renal failure". Every identifier here is a ``verified`` row of the
shared reference table (external_ids.tsv), with the label given there; terms the ontology
itself labels are repeated so the Phenopacket writer needs no ontology load.
"""

from __future__ import annotations

LABELS = {
    "MONDO:0024327": "chronic renal failure syndrome", "MONDO:0005300": "chronic kidney disease",
    "MONDO:0004375": "end stage renal failure", "MONDO:0001741": "hyperparathyroidism",
    "MONDO:0004937": "hypervitaminosis D", "MONDO:0019338": "sarcoidosis",
    "MONDO:0005100": "systemic sclerosis", "MONDO:0019563": "CREST syndrome",
    "MONDO:0016358": "limited cutaneous systemic sclerosis", "MONDO:0016367": "dermatomyositis",
    "MONDO:0004670": "lupus erythematosus", "MONDO:0005550": "infectious disease",
    "MONDO:0007915": "systemic lupus erythematosus",
    "MONDO:0003900": "connective tissue disorder", "CCKG:0000103": "cutaneous neoplasm",
    "MONDO:0011438": "acne", "MONDO:0008638": "varicose disease",
    "MONDO:1011530": "hyperadrenocorticism, dog",
    "UBERON:0001461": "elbow", "UBERON:0002389": "manual digit", "UBERON:0001465": "knee",
    "UBERON:0002386": "forelimb zeugopod", "UBERON:0002101": "limb", "UBERON:0013691": "buttock",
    "CCKG:0000200": "periarticular region", "CCKG:0000203": "venipuncture site",
    "UBERON:0001300": "scrotum", "UBERON:0000403": "scalp", "UBERON:0001456": "face",
    "UBERON:0002097": "skin of body", "UBERON:0002072": "hypodermis", "UBERON:0002067": "dermis",
    "CCKG:0000501": "extravasation of intravenous calcium chloride",
    "CCKG:0000502": "extravasation of intravenous calcium gluconate",
    "CCKG:0000503": "extravasation of a phosphate-containing intravenous solution",
    "CCKG:0000505": "calcium salt exposure from an electroencephalography electrode compound",
    "CCKG:0000100": "local trauma", "CCKG:0000511": "occupational exposure of oil-field workers",
    "CCKG:0000512": "occupational exposure of coal miners",
    "CCKG:0000419": "small vessel calcification", "CCKG:0000306": "bone tissue in the skin",
    "CCKG:0000300": "calcium salt deposit", "CCKG:0000400": "cutaneous nodule",
    "CCKG:0000402": "pain", "CCKG:0000404": "warm, sensitive swelling",
    "CCKG:0000406": "asymptomatic yellowish nodule", "CHEBI:101278": "diltiazem",
    "CHEBI:23359": "colchicine", "MAXO:0000447": "surgical excision",
    "MAXO:0000954": "bisphosphonate agent therapy",
    "MAXO:0000277": "phosphate binders agent therapy",
    "NCBITaxon:9606": "Homo sapiens", "NCBITaxon:9615": "Canis lupus familiaris",
}
