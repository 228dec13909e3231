"""The README's counts and claims are computed from the built artifacts, not typed by hand."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import click
import pytest
import yaml

from calcinosis_kg.core.prefixes import prefix_map
from calcinosis_kg.graph.knowledge import load

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDES = ROOT / "docs" / "readme"
#: the guides the README's sections moved to (issue 21: the README is a front door, not a manual)
COMMANDS_GUIDE = (GUIDES / "commands.md").read_text(encoding="utf-8")
QUESTIONS_GUIDE = (GUIDES / "questions.md").read_text(encoding="utf-8")
ARTIFACTS_GUIDE = (GUIDES / "artifacts.md").read_text(encoding="utf-8")


def _script():
    spec = importlib.util.spec_from_file_location(
        "readme_questions", ROOT / "scripts" / "readme_questions.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def kg():
    return load()


def test_questions_guide_shows_the_current_output_of_each_command() -> None:
    script = _script()
    assert len(script.QUESTIONS) == 10
    assert script.updated(QUESTIONS_GUIDE) == QUESTIONS_GUIDE, (
        "docs/readme/questions.md is stale: run make readme"
    )


def test_graph_triple_count_in_readme_matches_the_built_graph(kg) -> None:
    assert f"| triples | {len(kg.store):,} (ontology + import module) |" in README
    assert f"\ntriples: {len(kg.store)}\n" in COMMANDS_GUIDE  # the `info` example


def test_export_triple_count_in_readme_matches_a_turtle_export(kg) -> None:
    import rdflib

    from calcinosis_kg.publish.export import export_bytes

    triples = len(rdflib.Graph().parse(data=export_bytes(kg, "ttl"), format="turtle"))
    assert f"({triples:,} triples: every triple but the `owl:imports` link" in COMMANDS_GUIDE


def test_commands_guide_names_exactly_the_commands_that_take_ontology() -> None:
    from calcinosis_kg.cli import COMMANDS, cli

    ctx = click.Context(cli)
    takes = {
        name
        for name in COMMANDS
        if any("--ontology" in p.opts for p in cli.get_command(ctx, name).params)
    }
    sentence = COMMANDS_GUIDE[COMMANDS_GUIDE.index("Every command that reads the graph") :]
    sentence = sentence[: sentence.index("take none")]
    listed = set(re.findall(r"`(\w+)`", sentence[: sentence.index("--ontology PATH")]))
    without = set(re.findall(r"`(\w+)(?: OLD NEW)?`", sentence[sentence.index(";") :]))
    assert listed == takes
    assert without == set(COMMANDS) - takes


def test_commands_guide_gives_the_cckg_namespace_of_the_prefix_map() -> None:
    assert f"`CCKG:` (`{prefix_map()['CCKG']}`)" in COMMANDS_GUIDE


def test_readme_counts_of_records_terms_and_reviews_match_the_sources() -> None:
    associations = yaml.safe_load((ROOT / "ontology/src/associations.yaml").read_text())
    records = associations if isinstance(associations, list) else next(iter(associations.values()))
    imports = yaml.safe_load((ROOT / "ontology/src/imports.yaml").read_text())["terms"]
    from calcinosis_kg.checks.negative_entailments import load_negative

    negatives = load_negative(ROOT / "ontology/negative_entailments.yaml")  # sweeps expanded
    reviewed = (ROOT / "ontology/reviewed_inheritance.tsv").read_text().splitlines()[1:]
    facts = (ROOT / "ontology/src/facts.tsv").read_text().splitlines()[1:]
    assert f"| {len(records)}: disease has feature" in README
    assert f"| external terms in the local import module | {len(imports)} (" in README
    assert (
        f"| negative entailments (conclusions HermiT must not derive) | {len(negatives)}:" in README
    )
    assert (
        f"(own and inherited, `ontology/reviewed_inheritance.tsv`) | {len(reviewed)} rows |"
        in README
    )
    assert f"| facts in the ledger (`ontology/src/facts.tsv`) | {len(facts)}:" in README


def test_release_triple_counts_in_the_artifacts_guide_match_the_committed_release() -> None:
    """release/ itself is proven equal to a fresh release by tests/test_release.py."""
    counts = {
        variant: len(
            (ROOT / "release" / f"calcinosis-kg-{variant}.nt")
            .read_text(encoding="utf-8")
            .splitlines()
        )
        for variant in ("base", "full", "simple")
    }
    assert (
        f"triples base {counts['base']}, full {counts['full']}, simple {counts['simple']}"
    ) in ARTIFACTS_GUIDE


def test_readme_counts_the_bundled_competency_queries() -> None:
    from calcinosis_kg.graph.queryfiles import list_queries

    assert f"{len(list_queries())} competency queries with tested" in README


def test_readme_patient_cases_example_is_the_real_classification() -> None:
    import csv
    import io
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "calcinosis_kg",
            "cases",
            "classify",
            str(ROOT / "docs/examples/cases.csv"),
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    rows = [",".join(r[:4]) for r in csv.reader(io.StringIO(done.stdout)) if len(r) > 3]
    summary = next(line for line in (done.stdout + done.stderr).splitlines() if "cases:" in line)
    block = README[README.index("$ calcinosis-kg cases classify docs/examples/cases.csv") :]
    block = block[block.index("\n") + 1 : block.index("```")]
    assert block.splitlines() == [*rows, summary]
