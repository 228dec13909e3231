"""The fact ledger (ontology/src/facts.tsv) is complete and honest.

* every ARTICLE quote is verbatim article text (link previews, "glosses", may interrupt it);
* every sentence of the article body is covered by a fact quote, and the sentence list plus the
  listed exclusions (ontology/src/uncovered_sentences.yaml) account for the whole article;
* every fact is used by at least one axiom of the built ontology.

The article is scraped HTML: a linked term is followed by a preview of the linked page that runs
to " ..." at the end of its line (e.g. "calcium Calcium is a chemical element; ... to it ...").
Instead of guessing where each preview starts, a sentence is matched token by token against the
raw text, allowing only whitespace or such a preview between (or inside) tokens.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
import yaml

from calcinosis_kg.core.resources import ontology_dir, source_dir
from calcinosis_kg.source.build import build
from calcinosis_kg.source.facts import load_facts

GLOSS = r"[ ][^\n]* \.\.\.\n"
SEPARATOR = rf"(?:\s|{GLOSS})*"
ARTICLE_FILE = ontology_dir() / "sources" / "calcinosis-cutis-article.txt"
SENTENCES_FILE = ontology_dir() / "sources" / "article-sentences.txt"
EXCLUSIONS_FILE = source_dir() / "uncovered_sentences.yaml"
PREVIEWED = (
    "marked by\ncalcium Calcium is a chemical element; it is similar to it ...\n"
    "buildup in the skin."
)


def _token_pattern(token: str) -> str:
    if re.fullmatch(r"\w+", token):  # a preview can also sit inside a word ("skin lesion<...>s")
        return f"(?:{GLOSS})?".join(re.escape(char) for char in token)
    return re.escape(token)


@cache
def article_pattern(text: str) -> re.Pattern[str]:
    """Regex matching ``text`` in the raw article, tolerating whitespace and link previews."""
    tokens = re.findall(r"\w+|[^\w\s]", text)
    return re.compile(SEPARATOR.join(_token_pattern(t) for t in tokens) + f"(?:{GLOSS})?")


def tokens(text: str) -> str:
    return " ".join(re.findall(r"\w+|[^\w\s]", text))


@cache
def raw_article() -> str:
    return ARTICLE_FILE.read_text(encoding="utf-8")


def sentences() -> list[str]:
    return [line for line in SENTENCES_FILE.read_text(encoding="utf-8").splitlines() if line]


def exclusions() -> list[str]:
    data = yaml.safe_load(EXCLUSIONS_FILE.read_text(encoding="utf-8"))
    return [item["text"] for item in data["exclusions"]]


@cache
def facts():
    return load_facts(source_dir() / "facts.tsv")


@pytest.fixture(scope="module")
def built():
    return build()


def test_matcher_accepts_a_sentence_interrupted_by_a_link_preview():
    raw = PREVIEWED
    assert article_pattern("marked by calcium buildup in the skin.").search(raw)


def test_matcher_rejects_text_that_differs_from_the_article():
    raw = PREVIEWED
    assert not article_pattern("marked by calcium deposits in the skin.").search(raw)


def test_matcher_rejects_text_that_skips_article_words_outside_a_preview():
    raw = "Lesions might be more severe and widespread."
    assert not article_pattern("Lesions might be widespread.").search(raw)


@pytest.mark.parametrize("fact_id", [f.id for f in facts().values() if f.source == "ARTICLE"])
def test_article_quote_occurs_verbatim_in_the_article(fact_id):
    quote = facts()[fact_id].quote
    assert article_pattern(quote).search(raw_article()), f"{fact_id} quote not in the article"


@pytest.mark.parametrize("sentence", sentences())
def test_listed_sentence_occurs_in_the_article(sentence):
    assert article_pattern(sentence).search(raw_article())


def test_sentences_exclusions_and_previews_account_for_the_whole_article():
    rest = raw_article()
    for text in sentences() + exclusions():
        match = article_pattern(text).search(rest)
        assert match, f"not found in the rest of the article: {text!r}"
        rest = rest[: match.start()] + "\n" + rest[match.end() :]
    assert rest.strip() == "", f"article text not accounted for: {rest.strip()[:300]!r}"


def test_every_exclusion_gives_a_reason():
    data = yaml.safe_load(EXCLUSIONS_FILE.read_text(encoding="utf-8"))
    assert all(str(item.get("reason", "")).strip() for item in data["exclusions"])


@pytest.mark.parametrize("sentence", sentences())
def test_sentence_is_covered_by_a_fact_quote(sentence):
    target = tokens(sentence.lstrip("* "))
    quotes = [tokens(f.quote) for f in facts().values() if f.source == "ARTICLE"]
    assert any(q in target or target in q for q in quotes), f"no fact covers: {sentence}"


def test_every_fact_is_used_by_an_axiom_of_the_built_ontology(built):
    unused = sorted(set(built.facts) - set(built.fact_uses))
    assert not unused, f"facts not used by any axiom: {unused}"


def test_literature_facts_name_a_citable_source():
    """A PMID, a DOI, a DOID definition, or a source the header declares with a title and an
    address (published laboratory references without a PMID or DOI)."""
    from calcinosis_kg.core.prefixes import header

    declared = {
        key
        for key, source in header().get("sources", {}).items()
        if source.get("iri", "").startswith(("http://", "https://")) and source.get("title")
    }
    pattern = re.compile(r"^(PMID:\d+|DOI:10\.\S+|DOID:\d{7})$")
    bad = [
        f.id for f in facts().values() if not pattern.match(f.source) and f.source not in declared
    ]
    assert not bad, f"facts without a citable source: {bad}"


def test_every_fact_has_an_evidence_code_and_a_statement():
    bad = [f.id for f in facts().values() if not f.eco.startswith("ECO:") or not f.statement]
    assert not bad


def test_supporting_texts_in_the_ontology_are_ledger_quotes(built):
    from calcinosis_kg.source.compiler import SUPPORTING_TEXT

    quotes = {f.quote for f in built.facts.values()}
    texts = {str(o) for o in built.ontology.objects(None, SUPPORTING_TEXT)}
    assert texts and texts <= quotes


def test_sentence_file_has_no_duplicates():
    lines = sentences()
    assert len(lines) == len(set(lines))
