"""The Phenopacket fields the cases read, declared once for every engine that maps them.

Why a declaration: a JSON Lines file of Phenopackets is read by polars (``cases.packet_polars``)
on one machine and by Spark's JSON reader on a cluster (``cases.packet_spark``); both must read
the same fields with the same meaning as the record reader (``readers._fill_packet``). This
module says which fields (``SCHEMA``, a typed tree both engines turn into their own schema),
which records the declarative read may take at all (``FIT``: rules on the raw line), and the
constants the mappings share. A record that does not fit the schema goes to the record reader,
which names its problem (file, line, message) exactly as before; the fit rules are
conservative, so a record they let through is one the bindings accept.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from calcinosis_kg.cases import readers

#: the typed tree of the fields read: a dict is an object, a one-item list an array of it,
#: a string a scalar type ("string", "double", "boolean")
ONTOLOGY_CLASS = {"id": "string"}
AGE = {"age": {"iso8601duration": "string"}}
UNIT = {"id": "string", "label": "string"}
SCHEMA: dict[str, Any] = {
    "id": "string",
    "subject": {
        "sex": "string",
        "taxonomy": ONTOLOGY_CLASS,
        "timeAtLastEncounter": AGE,
    },
    "phenotypicFeatures": [
        {"type": ONTOLOGY_CLASS, "excluded": "boolean", "modifiers": [ONTOLOGY_CLASS], "onset": AGE}
    ],
    "diseases": [{"term": ONTOLOGY_CLASS, "excluded": "boolean", "primarySite": ONTOLOGY_CLASS}],
    "biosamples": [
        {
            "sampledTissue": ONTOLOGY_CLASS,
            "phenotypicFeatures": [{"type": ONTOLOGY_CLASS, "excluded": "boolean"}],
        }
    ],
    "medicalActions": [
        {
            "treatment": {"agent": ONTOLOGY_CLASS},
            "procedure": {"code": ONTOLOGY_CLASS},
            "responseToTreatment": ONTOLOGY_CLASS,
        }
    ],
    "measurements": [
        {
            "assay": ONTOLOGY_CLASS,
            "value": {
                "quantity": {
                    "value": "double",
                    "unit": UNIT,
                    "referenceRange": {"low": "double", "high": "double", "unit": UNIT},
                }
            },
        }
    ],
}

#: Phenopacket sex names -> the case model's words; UNKNOWN_SEX is protobuf's default (0),
#: which the record reader never sets
SEX = {k: v for k, v in readers.SEX.items() if k != "UNKNOWN_SEX"}
SEX_NAMES = tuple(readers.SEX)
CALCINOSIS_CUTIS = readers.CALCINOSIS_CUTIS
NO_CAUSE = readers.m.NO_CAUSE_MARKER
#: assay LOINC -> analyte, in the order the record reader checks repeated measurements
ASSAYS = {**readers.ASSAYS, readers.ALBUMIN_LOINC: "albumin"}
LISTS = ("conditions", "exposures", "sites", "features", "histology", "treatments")
#: Calcinosis cutis or one of its types (not CCKG:0000000, not osteoma cutis CCKG:0000011)
CALCINOSIS_TYPE = r"^CCKG:00000[0-9][0-9]$"
NOT_TYPES = ("CCKG:0000000", "CCKG:0000011")
#: exposure classes travel as phenotypic features: MAXO:*, CCKG:0000100, CCKG:0000500-0000539
EXPOSURE = r"^(MAXO:.*|CCKG:0*100|CCKG:0*5[0-3][0-9])$"
CURIE_EXAMPLE = "MONDO:0005100"
NOT_A_CASE_EXCLUDED = (
    f"the record excludes calcinosis cutis ({CALCINOSIS_CUTIS} excluded): not a calcinosis "
    "cutis case"
)
NOT_A_CASE_MISSING = (
    f"no calcinosis cutis phenotype ({CALCINOSIS_CUTIS}) or type recorded: not a calcinosis "
    "cutis case"
)
BOTH = f"{CALCINOSIS_CUTIS} Calcinosis cutis is both observed and excluded"

# ------------------------------------------------------------------------------- fit rules

#: one JSON string token, with ``:`` after it when it is a key (a scan from the line's start
#: consumes strings whole, so a quote inside a value never starts a false key)
TOKEN = r'"[^"\\]*(?:\\.[^"\\]*)*"(?:[ \t\r\n]*:)?'
#: a string token or a bracket: what the "key given twice in one object" rule walks through
STRUCTURE = TOKEN + r"|[{}\[\]]"
NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
#: key -> what its value must start with for the declarative read (else: the record reader)
TYPED = {
    "excluded": r"(true|false)\b",
    "low": NUMBER,
    "high": NUMBER,
    "value": rf"(\{{|{NUMBER})",
    "id": '"',
    "label": '"',
    "iso8601duration": '"',
    "sex": '"(' + "|".join(SEX_NAMES) + ')"',
}
#: key -> (a key token, the same key followed by a value of its type): a line fits when both
#: occur equally often (no look-ahead: polars' regular expressions have none)
WS = "[ \\t\\r\\n]*"
TYPED_KEYS = {k: (f'"{k}"{WS}:', f'"{k}"{WS}:{WS}{v}') for k, v in TYPED.items()}


@cache
def keys() -> frozenset[str]:
    """Every JSON name of a Phenopacket v2 field (from the bindings' descriptors): a record
    with any other key (a typo, a snake_case name, a map's own keys) goes to the record reader."""
    from phenopackets import Phenopacket

    seen: set[str] = set()
    names: set[str] = set()

    def walk(descriptor: Any) -> None:
        if descriptor.full_name in seen:
            return
        seen.add(descriptor.full_name)
        for field in descriptor.fields:
            if descriptor.GetOptions().map_entry:
                return  # a map's keys are data, not field names
            names.add(field.json_name)
            if field.message_type is not None:
                walk(field.message_type)

    walk(Phenopacket.DESCRIPTOR)
    return frozenset(names)


def key_pattern() -> str:
    """A regular expression matching a key token that is a known field name."""
    return '^"(' + "|".join(sorted(keys())) + ')"[ \\t\\r\\n]*:$'


def fits_text(line: str) -> bool:
    """The fit rules on one line, in Python (the engines run them as expressions; this is
    their reference in the tests)."""
    known = re.compile(key_pattern())
    tokens = [t for t in re.findall(TOKEN, line) if t.endswith(":")]
    return (
        line.lstrip(" \t\r\n").startswith("{")
        and all(known.match(t) for t in tokens)
        and not repeats_key(line)
        and all(
            len(re.findall(key, line)) == len(re.findall(typed, line))
            for key, typed in TYPED_KEYS.values()
        )
    )


def repeats_key(line: str) -> bool:
    """Whether one object of the line gives a key twice (the record reader refuses it; JSON
    decoders keep one of the two silently)."""
    stack: list[set[str]] = []
    for token in re.findall(STRUCTURE, line):
        if token == "{":
            stack.append(set())
        elif token == "}":
            if stack:
                stack.pop()
        elif token.endswith(":") and stack:
            key = token.rstrip(": \t\r\n")
            if key in stack[-1]:
                return True
            stack[-1].add(key)
    return False
