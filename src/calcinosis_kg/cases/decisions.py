"""The case decisions after the criteria, declared once for both engines.

Why a declaration: the answer of a case is more than its criteria — osteoma cutis wins, the dog
form is another axis, a metastatic kind beside a disease of the dystrophic list is flagged, an
unclassified case gets a differential and says what to record (docs/modelling.md, "Case
decisions"; ``decide``'s docstring gives each rule's source). Every constant, text and branch of
those rules is here, as ``nodes.Node`` trees; the polars engine (``classify``) and the Spark
engine (``spark_engine``) compile the same trees with ``to_polars`` / ``to_sql``, so there is no
second implementation that can drift. A step is a list of (column, node) computed together, as
``with_columns`` / ``withColumns`` do.
"""

from __future__ import annotations

from dataclasses import dataclass

from calcinosis_kg.cases.nodes import (
    ELEMENT,
    Node,
    cmp,
    col,
    concat,
    each,
    lookup,
    num,
    op,
    strs,
    text,
    when,
)

OSTEOMA = "CCKG:0000011"
DOG_FORM = "CCKG:0000012"
METASTATIC = "CCKG:0000003"
DYSTROPHIC = "CCKG:0000002"
#: types on another axis than the kinds (never an alternative to one)
ORTHOGONAL = (DOG_FORM,)
#: statuses of a valid case (the others, invalid and not_a_case, carry no type)
TYPED = ("classified", "ambiguous", "unclassified")
#: the differential's bridges: populations by age, and a joint as a site "around a joint"
CHILDREN, TEENAGERS, YOUNG = "CCKG:0000430", "CCKG:0000431", "CCKG:0000429"
JOINT, PERIARTICULAR = "UBERON:0000982", "CCKG:0000200"
SUGGESTED = "suggested by typical features (not a classification)"
NO_SUGGESTION = SUGGESTED + ": none (no typical feature of any type recorded)"
OVERRIDES = (
    ": bone on histopathology is osteoma cutis (F0093), which is not a calcinosis cutis (disjoint)"
)
COMPETING = (
    ", which the sources link to dystrophic calcification (CCKG:0000706); the serum value judged "
    "raised gives the metastatic kind, and dystrophic needs normal serum calcium and phosphate "
    "(F0108): check the value and its range"
)
AMBIGUOUS = (
    "the criteria of several types are met and none is more specific: all are listed, none is "
    "picked"
)
NO_CRITERION = "no criterion is met (an empty cell is 'not recorded', never 'absent'); nearest: "
NOTHING_NEAR = (
    "no criterion is met and none is near: record the serum calcium and phosphate "
    "(with the laboratory's range), the diseases and the exposures (or 'none'), "
    "the lesion sites and any histopathology"
)
OPEN_WORLD = "recorded as 'none'"
TO_RECORD = (
    ". To record an absence write 'none' in diseases / exposures, or declare the "
    "source's lists complete (column lists_complete, option --complete-lists)"
)
#: the record's list columns whose classes a case shows (with its taxon, labs and populations)
RECORDED = ("conditions", "exposures", "sites", "features", "histology")
#: how many field problems an invalid case's reason shows
SHOWN_PROBLEMS = 5

Step = list[tuple[str, Node]]
EMPTY = strs()
#: row columns the result carries as they are (a missing one is ''); ranges is blanked when invalid
PASSED = ("ranges", "identifiers")


def _is(column: str, *values: str) -> Node:
    return Node("is_in", column=column, values=values)


def _named(labels: dict[str, str]) -> Node:
    """'label (CURIE)' for the current list item."""
    return concat(lookup(ELEMENT, labels, ELEMENT), " (", ELEMENT, ")")


def passed() -> Step:
    """The row's columns the answer carries as they are, '' where missing."""
    return [(c, op("coalesce", col(c), text(""))) for c in PASSED]


def fired_types(criteria: list[tuple[str, str, list[int], list[str]]]) -> Step:
    """Over the criteria's columns ``c0…cn`` (per criterion: its CURIE, its type's CURIE, the
    criteria whose type lies strictly below its type, and its cited sentences): ``types``, the
    fired criteria's types where no criterion below fired (a fired or unknown one shadows it;
    sorted, each once); ``fired``, the fired criteria's CURIEs in order; ``crit_texts``, their
    sentences in that order, each once."""
    kept = [
        when(op("and", col(f"c{i}"), *[op("not", col(f"c{j}")) for j in below]), text(kind))
        for i, (_, kind, below, _) in enumerate(criteria)
    ]
    named = [when(col(f"c{i}"), text(name)) for i, (name, _, _, _) in enumerate(criteria)]
    texts = [when(col(f"c{i}"), strs(t), EMPTY) for i, (_, _, _, t) in enumerate(criteria)]
    return [
        ("types", op("sort", op("distinct", op("compact", op("array", *kept))))),
        ("fired", op("compact", op("array", *named))),
        ("crit_texts", op("distinct", op("concat_lists", *texts))),
    ]


def precedence() -> list[Step]:
    """``types`` -> final ``types``, ``overridden`` (dropped by osteoma cutis) and ``status``
    (``_invalid`` first: a broken record is fixed before it is judged, then ``not_a_case``)."""
    types, osteoma = col("types"), op("contains", col("types"), text(OSTEOMA))
    alternatives = op("size", op("except", types, strs(ORTHOGONAL)))
    status = when(
        Node("flag", column="_invalid"),
        text("invalid"),
        Node("not_null", column="not_a_case"),
        text("not_a_case"),
        cmp(op("size", types), "=", num(0)),
        text("unclassified"),
        cmp(alternatives, ">", num(1)),
        text("ambiguous"),
        text("classified"),
    )
    typed = _is("status", *TYPED)
    return [
        [
            ("overridden", when(osteoma, op("except", types, strs([OSTEOMA])), EMPTY)),
            ("types", when(osteoma, strs([OSTEOMA]), types)),
        ],
        [("status", status)],
        [(c, when(typed, col(c), EMPTY)) for c in ("types", "fired", "overridden", "crit_texts")]
        + [("ranges", when(typed, col("ranges"), text("")))],
    ]


def flags(
    metastatic_kinds: set[str], dystrophic_conditions: set[str], labels: dict[str, str]
) -> Node:
    """One text per case: the overridden types and the competing dystrophic type, or ''."""
    named = _named(labels)
    overridden = col("overridden")
    overrides = when(
        cmp(op("size", overridden), ">", num(0)),
        concat("overrides ", op("join", each(op("sort", overridden), named), text=", "), OVERRIDES),
    )
    linked = op(
        "sort",
        op(
            "intersect",
            op("coalesce", col("conditions"), EMPTY),
            strs(sorted(dystrophic_conditions)),
        ),
    )
    metastatic = op("intersect", col("types"), strs(sorted(metastatic_kinds)))
    competing = when(
        op(
            "and",
            cmp(op("size", linked), ">", num(0)),
            cmp(op("size", metastatic), ">", num(0)),
        ),
        concat(
            f"competing: {labels.get(DYSTROPHIC, DYSTROPHIC)} ({DYSTROPHIC}): the record lists ",
            op("join", each(linked, named), text=", "),
            COMPETING,
        ),
    )
    return op("coalesce", op("concat_ws", overrides, competing, text="; "), text(""))


def shown(
    labels: dict[str, str],
    metastatic_kinds: set[str],
    dystrophic_conditions: set[str],
) -> Step:
    """The columns a person reads: flags, type ids and labels, the criteria met."""
    return [
        ("flags", flags(metastatic_kinds, dystrophic_conditions, labels)),
        ("type_id", op("join", col("types"), text="|")),
        ("type_label", op("join", each(col("types"), lookup(ELEMENT, labels, ELEMENT)), text="|")),
        (
            "criteria",
            op(
                "join",
                each(col("fired"), concat(ELEMENT, " ", lookup(ELEMENT, labels, text("")))),
                text="; ",
            ),
        ),
    ]


def unclassified_reason(hints: Node) -> Node:
    """Why a valid case is unclassified, and exactly what to record: the nearest criteria from
    ``hints.near_misses``; a missing 'none' says how to record it or to declare the lists
    complete."""
    listed = op("join", hints, text="; ")
    return when(
        cmp(op("size", hints), "=", num(0)),
        text(NOTHING_NEAR),
        op("has_text", listed, text=OPEN_WORLD),
        concat(NO_CRITERION, listed, TO_RECORD),
        concat(NO_CRITERION, listed),
    )


def answer() -> list[Step]:
    """Sources, the unclassified case's hints and differential, and the reason of every case.
    Reads ``crit_texts`` and ``support`` (sentences), ``hints`` and ``suggested`` /
    ``suggested_text`` (the differential's join, null where nothing is suggested)."""
    unclassified = _is("status", "unclassified")
    crit_texts = col("crit_texts")
    support = op("sort", op("except", op("coalesce", col("support"), EMPTY), crit_texts))
    sources = op("concat_lists", crit_texts, each(support, concat("supporting: ", ELEMENT)))
    reason = when(
        _is("status", "not_a_case"),
        col("not_a_case"),
        _is("status", "invalid"),
        concat("invalid record: ", col("_problems")),
        unclassified,
        unclassified_reason(col("hints")),
        _is("status", "ambiguous"),
        text(AMBIGUOUS),
        text(""),
    )
    return [
        [
            ("sources", op("join", sources, text=" | ")),
            ("hints", when(unclassified, col("hints"), EMPTY)),
            ("suggestions", when(unclassified, op("coalesce", col("suggested"), EMPTY), EMPTY)),
            (
                "suggested",
                when(
                    unclassified,
                    op("coalesce", col("suggested_text"), text(NO_SUGGESTION)),
                    text(""),
                ),
            ),
        ],
        [("reason", reason)],
    ]


#: lab phenotypes a case shows (for evidence only): hypercalcaemia, hyperphosphataemia, normal labs
LAB_EVIDENCE: tuple[tuple[Node, tuple[str, ...]], ...] = (
    (
        op("or", _is("calcium_status", "raised"), _is("ionised_calcium_status", "raised")),
        ("HP:0003072", "CCKG:0000610"),
    ),
    (_is("phosphate_status", "raised"), ("HP:0002905",)),
    (
        op(
            "and",
            op("or", _is("calcium_status", "normal"), _is("ionised_calcium_status", "normal")),
            _is("phosphate_status", "normal"),
        ),
        ("CCKG:0000421",),
    ),
)


def populations() -> Node:
    """Populations the case belongs to, from its age (children: under 13 years; teenagers: 13
    to 19 years, the "-teen" ages; both are young people)."""
    age = "age_years"
    child = Node("compare", column=age, cmp="<", number=13.0)
    teen = op(
        "and",
        Node("compare", column=age, cmp=">=", number=13.0),
        Node("compare", column=age, cmp="<", number=20.0),
    )
    return op(
        "concat_lists",
        when(child, strs([CHILDREN, YOUNG]), EMPTY),
        when(teen, strs([TEENAGERS, YOUNG]), EMPTY),
    )


def lab_values() -> Node:
    """Lab phenotypes a case shows (``LAB_EVIDENCE``), as a list."""
    return op("concat_lists", *[when(node, strs(values), EMPTY) for node, values in LAB_EVIDENCE])


def recorded_values() -> Node:
    """Every class a case records, its lab phenotypes and populations (one list per case)."""
    return op(
        "concat_lists",
        *[col(c) for c in RECORDED],
        op("array", col("taxon")),
        lab_values(),
        populations(),
    )


def suggestion_line(labels: dict[str, str]) -> Node:
    """One suggested type with its sentences, over (``type``, ``text`` list) rows."""
    return concat(
        lookup(col("type"), labels, col("type")),
        " (",
        col("type"),
        "): ",
        op("join", col("text"), text=" | "),
    )


def suggestion_text() -> Node:
    """The differential of one case, over its ``parts`` (one line per suggested type)."""
    return concat(SUGGESTED + ": ", op("join", col("parts"), text="; "))


def problem_text() -> Node:
    """An invalid case's first problems as one text, over its sorted ``problems`` list
    ('field: message' items)."""
    p, n = col("problems"), num(SHOWN_PROBLEMS)
    more = when(
        cmp(op("size", p), ">", n),
        concat(" (+", op("to_text", op("sub", op("size", p), n)), " more)"),
        text(""),
    )
    return concat(op("join", op("head", p, number=SHOWN_PROBLEMS), text="; "), more)


def problem_line() -> Node:
    """One field problem as the reason shows it."""
    return concat(col("field"), ": ", col("message"))


@dataclass(frozen=True)
class Decisions:
    """Everything both engines compile, built once per classifier."""

    passed: Step
    fired_types: Step
    precedence: list[Step]
    shown: Step
    answer: list[Step]
    values: Node
    suggestion_line: Node
    suggestion_text: Node


def declare(
    criteria: list[tuple[str, str, list[int], list[str]]],
    labels: dict[str, str],
    metastatic_kinds: set[str],
    dystrophic_conditions: set[str],
    typical_labels: dict[str, str],
) -> Decisions:
    """The decisions over the classifier's own data (labels, class sets from the ontology)."""
    return Decisions(
        passed(),
        fired_types(criteria),
        precedence(),
        shown(labels, metastatic_kinds, dystrophic_conditions),
        answer(),
        recorded_values(),
        suggestion_line(typical_labels),
        suggestion_text(),
    )


def wanted_labels(all_labels: dict[str, str], *groups: set[str]) -> dict[str, str]:
    """The labels of the classes the decisions can show (a small map both engines embed)."""
    keep = set().union(*groups)
    return {k: v for k, v in all_labels.items() if k in keep}
