"""The text card as a page (``answers.show_render``): the calcinosis cutis card fits about a page
of lines no wider than ``WIDTH``, and every fact the graph holds about the class and its subtypes
is still on it, checked against the graph itself (rdflib), not against the card's code."""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.answers.show import card
from calcinosis_kg.answers.show_render import render
from calcinosis_kg.core import vocab as v
from calcinosis_kg.core.prefixes import compress, expand
from calcinosis_kg.graph.knowledge import load

CALCINOSIS_CUTIS = expand("CCKG:0000001")
PAGE = 100  # lines: about a page
WIDTH = 250  # characters, as docs/readme/toolchain.md says


@pytest.fixture(scope="module")
def kg():
    return load()


@pytest.fixture(scope="module")
def text(kg) -> str:
    return render(card(kg, CALCINOSIS_CUTIS))


def entries(text: str) -> dict[str, str]:
    """Lines with their wrapped continuation lines (indented four spaces) joined back, keyed by
    the subtype's ``- label (CURIE)`` for a subtype's entry, else by the line itself."""
    joined: list[str] = []
    for line in text.split("\nNOTES (")[0].splitlines():
        if line.startswith("    ") and not line.startswith("    values:") and joined:
            joined[-1] += " " + line[4:]
        else:
            joined.append(line)
    return {(x.split(": ", 1)[0] if x.startswith("- ") and ": " in x else x): x for x in joined}


def test_the_calcinosis_cutis_card_fits_about_a_page(text) -> None:
    lines = text.splitlines()
    assert len(lines) <= PAGE  # was 130 (and 272 before issue 19)
    for line in lines:  # wider only where one note or one statement's term is longer alone
        if len(line) > WIDTH:
            assert line.count('"  [') == 0 and not line.startswith("    —"), line


def test_every_fact_of_the_graph_about_the_class_and_its_subtypes_is_on_its_card(kg, text) -> None:
    """Read from the graph: every universal restriction (``X ⊑ p some F``) and every association
    record of calcinosis cutis and of each subtype. Each is on the card: in the subtype's entry
    (its name said once), or in a line of the class's own sections, with the relation's label
    and the CURIE of every term at the other end."""
    g = kg.graph
    shown = card(kg, CALCINOSIS_CUTIS)
    lines = entries(text)
    own = "\n".join(x for k, x in lines.items() if not k.startswith("- ") or "—" in k)
    facts = []  # (class, property, CURIEs at the other end)
    about = [URIRef(CALCINOSIS_CUTIS), *(URIRef(expand(t.curie)) for t in shown.subtypes)]
    for cls in about:
        for restriction in g.objects(cls, RDFS.subClassOf):
            filler = g.value(restriction, OWL.someValuesFrom)
            if not isinstance(restriction, BNode) or filler is None:
                continue
            union = g.value(filler, OWL.unionOf)
            members = list(Collection(g, union)) if union is not None else [filler]
            facts.append((cls, g.value(restriction, OWL.onProperty), members))
        for record in g.subjects(RDF.type, URIRef(v.BIOLINK_ASSOCIATION)):
            subject = g.value(record, URIRef(v.BIOLINK_SUBJECT))
            obj = g.value(record, URIRef(v.BIOLINK_OBJECT))
            if cls in (subject, obj):
                other = obj if subject == cls else subject
                facts.append((cls, g.value(record, URIRef(v.BIOLINK_PREDICATE)), [other]))
    assert len(facts) > 100
    for cls, prop, others in facts:
        if cls == URIRef(CALCINOSIS_CUTIS):
            where = own
        else:
            where = lines[f"- {kg.labels[str(cls)]} ({compress(str(cls))})"]
        assert f"—{kg.labels[str(prop)]}→" in where, (cls, prop)
        for other in others:
            assert re.search(rf"[( ]{re.escape(compress(str(other)))}[) ]", where), (cls, other)


def test_reference_ranges_are_counted_on_the_disease_card_and_listed_on_the_lab_card(
    kg, text
) -> None:
    g = kg.graph
    ranges = set(g.subjects(URIRef(v.LOWER_REFERENCE_LIMIT), None))
    assert len(ranges) > 10
    line = next(x for x in text.splitlines() if x.startswith("reference ranges: "))
    assert line.startswith(f"reference ranges: {len(ranges)} ") and "show CCKG:0000451" in line
    lab = render(card(kg, expand("CCKG:0000451")))
    for individual in ranges:
        assert f"- {kg.labels[str(individual)]}: " in lab
