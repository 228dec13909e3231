"""``scripts/mutants.py`` (``make mutate``) and the score CONTRIBUTING.md states for it: the
score names every mutant of the list, so a mutant added without a new run shows here."""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
try:
    import mutants
finally:
    sys.path.pop(0)

#: CONTRIBUTING's word for the mutants of each module
KINDS = {
    mutants.NEG: "negative-entailment",
    mutants.SQL: "SQL",
    mutants.OBO: "OBO",
    mutants.GUARD: "query guard",
    mutants.COST: "fast-lane bound",
}


def _score() -> re.Match[str]:
    text = " ".join((ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8").split())
    found = re.search(r"(\d+)/(\d+) killed \(([^)]*)\)", text)
    assert found is not None, "CONTRIBUTING.md states no mutation score"
    return found


def test_the_stated_score_counts_every_mutant_and_all_are_killed() -> None:
    killed, total, _ = _score().groups()
    assert int(total) == len(mutants.MUTANTS) and killed == total


def test_the_stated_score_counts_each_modules_mutants() -> None:
    stated = {
        kind: int(count)
        for count, kind in re.findall(r"(\d+) ([\w -]+?)(?:,|$)", _score().group(3))
    }
    by_kind = Counter(_kind(m.module) for m in mutants.MUTANTS)
    assert stated == dict(by_kind)


def _kind(module: str) -> str:
    """The kind of a mutant's module ("a.py|b.py": either file names it)."""
    (kind,) = {k for m, k in KINDS.items() if set(m.split("|")) & set(module.split("|"))}
    return kind


def test_every_mutant_changes_text_that_occurs_once_in_its_module() -> None:
    """A mutant whose text is gone is ``stale``: the run would not test what it says."""
    for mutant in mutants.MUTANTS:
        texts = [
            (mutants.SRC / name).read_text(encoding="utf-8")
            for name in mutant.module.split("|")
            if (mutants.SRC / name).is_file()
        ]
        assert any(t.count(mutant.old) == 1 for t in texts), mutant.name
        assert mutant.old != mutant.new, mutant.name
