"""Hand-written mutants of the modules whose tests once let them through (issue 21): each is
applied to the source, the module's tests are run, and the source is restored byte for byte.

Why a list and not a generated run (mutmut, cosmic-ray): the negative-entailment tests start
HermiT (~20 s a run), so a tool's hundreds of mutants would take hours on a 2-core machine; these
are the mutants found surviving by hand, each a bug a reviewer could plausibly write. A mutant is
"killed" when its tests fail; "SURVIVED" or "stale" (the code changed and the text to mutate is
gone: rewrite the mutant) make the run exit 1.

    .venv/bin/python scripts/mutants.py            # every mutant (`make mutate`)
    .venv/bin/python scripts/mutants.py obo         # only the mutants of modules matching "obo"
    .venv/bin/python scripts/mutants.py obo --tests "tests/test_release.py -k pronto"
                                                    # other tests: did the mutants survive them?
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "calcinosis_kg"


@dataclass(frozen=True)
class Mutant:
    module: str  # path under src/calcinosis_kg ("a.py|b.py": the first that holds ``old``)
    name: str
    old: str  # text that must occur exactly once in the module
    new: str
    tests: tuple[str, ...]  # pytest node ids or files


NEG = "checks/negative_entailments.py"
NEG_TESTS = ("tests/test_negative_entailments.py",)
SQL = "cases/nodes.py|cases/compile.py"  # the SQL writer moved to nodes.py
SQL_TESTS = ("tests/test_cases_compile.py",)
OBO = "publish/obo.py"
OBO_TESTS = ("tests/test_obo.py",)
GUARD = "graph/query_guard.py"
GUARD_TESTS = ("tests/test_query_guard.py", "tests/hostile/test_hostile_queries.py")
COST = "serve/cost.py"
COST_TESTS = ("tests/test_serve_cost.py",)

MUTANTS = [
    Mutant(
        NEG,
        "superclass entries never checked",
        'target = item.superclass or (probes[key] if key is not None else "")',
        'target = probes[key] if key is not None else ""',
        NEG_TESTS,
    ),
    Mutant(
        NEG,
        "inverse flag ignored by the probe",
        "        if inverse:\n",
        "        if False:\n",
        NEG_TESTS,
    ),
    Mutant(
        NEG,
        "inverse flag not read from the file",
        'inverse=bool(item.get("inverse"))',
        "inverse=False",
        NEG_TESTS,
    ),
    Mutant(
        NEG,
        "union filler read as its first member",
        "        if isinstance(filler, tuple):\n            union, head",
        "        if isinstance(filler, tuple):\n            filler = filler[:1]\n"
        "            union, head",
        NEG_TESTS,
    ),
    Mutant(
        NEG,
        'union filler read as an intersection ("or" read as "and")',
        'iri(OWL + "unionOf")',
        'iri(OWL + "intersectionOf")',
        NEG_TESTS,
    ),
    Mutant(
        NEG,
        "unknown class names no longer reported",
        "        if missing:\n",
        "        if False:\n",
        NEG_TESTS,
    ),
    Mutant(
        SQL,
        "AND and OR swapped",
        'f" {n.op.upper()} "',
        '(" OR " if n.op == "and" else " AND ")',
        SQL_TESTS,
    ),
    Mutant(SQL, "every connective written AND", 'f" {n.op.upper()} "', '" AND "', SQL_TESTS),
    Mutant(
        SQL,
        "a missing list is NULL, not FALSE (no coalesce)",
        'return f"coalesce(arrays_overlap({n.column}, array({_sql_list(n.values)})), FALSE)"',
        'return f"arrays_overlap({n.column}, array({_sql_list(n.values)}))"',
        SQL_TESTS,
    ),
    Mutant(
        SQL,
        "a missing value compares as NULL (no coalesce)",
        'return f"coalesce({n.column} {n.cmp} {n.number!r}, FALSE)"',
        'return f"({n.column} {n.cmp} {n.number!r})"',
        SQL_TESTS,
    ),
    Mutant(
        SQL,
        "a missing status is NULL (no coalesce)",
        'return f"coalesce({n.column} IN ({_sql_list(n.values)}), FALSE)"',
        'return f"({n.column} IN ({_sql_list(n.values)}))"',
        SQL_TESTS,
    ),
    Mutant(
        SQL,
        "a missing flag counts as TRUE",
        'return f"coalesce({n.column}, FALSE)"',
        'return f"coalesce({n.column}, TRUE)"',
        SQL_TESTS,
    ),
    Mutant(
        OBO,
        "every synonym written EXACT",
        "{_quoted(str(value))} {scope.upper()} ",
        "{_quoted(str(value))} EXACT ",
        OBO_TESTS,
    ),
    Mutant(
        OBO,
        "disjoint_from dropped",
        'stanza += sorted(f"disjoint_from: {_ref(graph, o)}" for o in disjoint)',
        "stanza += []",
        OBO_TESTS,
    ),
    Mutant(
        OBO,
        "is_obsolete dropped from classes",
        "if (cls, OWL.deprecated, Literal(True)) in graph:",
        "if False:",
        OBO_TESTS,
    ),
    Mutant(
        OBO,
        "is_obsolete dropped from relations",
        "if (prop, OWL.deprecated, Literal(True)) in graph:",
        "if False:",
        OBO_TESTS,
    ),
    Mutant(
        OBO,
        "idspace written for OBO PURL prefixes too",
        'if prefix in used_prefixes and namespace != f"{OBO}{prefix}_":',
        "if prefix in used_prefixes:",
        OBO_TESTS,
    ),
    Mutant(
        OBO,
        "idspace never written",
        'if prefix in used_prefixes and namespace != f"{OBO}{prefix}_":',
        "if False:",
        OBO_TESTS,
    ),
    Mutant(
        OBO,
        "subPropertyOf not written as a Typedef is_a",
        "            for o in graph.objects(prop, RDFS.subPropertyOf)\n            if isinstance(o, URIRef)\n",
        "            for o in graph.objects(prop, RDFS.subPropertyOf)\n            if False\n",
        OBO_TESTS,
    ),
    Mutant(
        "publish/obographs.py|" + OBO,
        "subPropertyOf edges left out of OBO Graphs JSON",
        "for s, o in graph.subject_objects(RDFS.subPropertyOf):",
        "for s, o in ():",
        OBO_TESTS,
    ),
    # serve's fast lane: each mutant lets an unbounded query be answered in the server process
    Mutant(
        GUARD,
        "the length limit off",
        "    if len(text) > MAX_QUERY_CHARS:\n",
        "    if False:\n",
        GUARD_TESTS,
    ),
    Mutant(
        GUARD,
        "a NUL character accepted",
        '    if "\\x00" in text:\n',
        "    if False:\n",
        GUARD_TESTS,
    ),
    Mutant(
        GUARD,
        "a grammar error escapes untranslated (no one-line InputError)",
        "    except (ValueError, TypeError, KeyError) as exc:\n"
        '        raise InputError(f"SPARQL syntax error: {exc}", source) from None\n',
        "    except (ValueError, TypeError, KeyError):\n        raise\n",
        GUARD_TESTS,
    ),
    Mutant(
        GUARD,
        "ASK reported as SELECT",
        '"AskQuery": "ask",',
        '"AskQuery": "select",',
        GUARD_TESTS,
    ),
    Mutant(
        GUARD,
        "a syntax error without its line and column",
        'f"SPARQL syntax error: {query_error.msg}", source, line, col',
        'f"SPARQL syntax error: {query_error.msg}", source',
        GUARD_TESTS,
    ),
    Mutant(
        GUARD,
        "an update reported as a syntax error",
        "deep(lambda: parseUpdate(text))",
        "deep(lambda: parseQuery(text))",
        GUARD_TESTS,
    ),
    Mutant(
        GUARD,
        "the nesting limit off",
        "    if depth > MAX_NESTING:\n",
        "    if False:\n",
        GUARD_TESTS,
    ),
    Mutant(
        GUARD,
        "FROM allowed where it is refused",
        'if "DatasetClause" in names and not allow_dataset:',
        'if "DatasetClause" in names and allow_dataset:',
        GUARD_TESTS,
    ),
    Mutant(
        GUARD,
        "the memo ignores whether a dataset clause was allowed",
        "info = _MEMO.get((text, allow_dataset))",
        "info = _MEMO.get((text, True))",
        GUARD_TESTS,
    ),
    Mutant(
        COST,
        "UNION bounded by its larger side (max), not the sum",
        "return self._capped(self.pattern(node.p1) + self.pattern(node.p2) + 1)",
        "return self._capped(max(self.pattern(node.p1), self.pattern(node.p2)))",
        COST_TESTS,
    ),
    Mutant(
        COST,
        "a property path counted as a plain predicate",
        "        if isinstance(predicate, Path):\n            raise Unbounded\n",
        "        if isinstance(predicate, Path) and False:\n            raise Unbounded\n",
        COST_TESTS,
    ),
    Mutant(
        COST,
        "LIMIT trusted to cut a cross product",
        "        if name in _PASS:\n",
        '        if name == "Slice" and node.length is not None:\n'
        "            return node.length\n"
        "        if name in _PASS:\n",
        COST_TESTS,
    ),
    Mutant(
        COST,
        "the 4 KiB text limit off",
        'if len(text) > FAST_TEXT or "\\\\" in text:',
        'if "\\\\" in text:',
        COST_TESTS,
    ),
    Mutant(
        COST,
        "a pattern matching no quad counted 0 (a partial join escapes the product)",
        "bound = self._capped(bound * max(1, self.count(*triple)))",
        "bound = self._capped(bound * self.count(*triple))",
        COST_TESTS,
    ),
    Mutant(
        COST,
        "any function allowed in FILTER and BIND (REGEX, CONCAT, EXISTS …)",
        "                if item.name not in EXPRESSIONS:\n",
        "                if False:\n",
        COST_TESTS,
    ),
    Mutant(
        COST,
        "IRIs rdflib and pyoxigraph may read differently not checked",
        "if not query.plain_iris or query.algebra.name not in",
        "if query.algebra.name not in",
        COST_TESTS,
    ),
    Mutant(
        COST,
        "pyoxigraph's parse time not required under FAST_PARSE",
        "return bound if took <= FAST_PARSE else None",
        "return bound",
        COST_TESTS,
    ),
]


def run(mutant: Mutant, tests: list[str] | None = None) -> tuple[str, float]:
    found = [
        SRC / m
        for m in mutant.module.split("|")
        if (SRC / m).is_file() and (SRC / m).read_text(encoding="utf-8").count(mutant.old) == 1
    ]
    if not found:
        return "stale", 0.0
    path = found[0]
    original = path.read_bytes()
    text = original.decode("utf-8")
    started = time.monotonic()
    try:
        path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
        code = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-x",
                "-p",
                "no:randomly",
                "-p",
                "no:cacheprovider",
                *(tests or mutant.tests),
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        ).returncode
    finally:
        path.write_bytes(original)
    return (
        "killed" if code == 1 else "SURVIVED" if code == 0 else f"error {code}",
        time.monotonic() - started,
    )


def main(argv: list[str]) -> int:
    tests = None
    if "--tests" in argv:
        at = argv.index("--tests")
        tests, argv = argv[at + 1].split(), argv[:at] + argv[at + 2 :]
    chosen = [m for m in MUTANTS if not argv or any(a in m.module for a in argv)]
    bad = 0
    for mutant in chosen:
        outcome, seconds = run(mutant, tests)
        bad += outcome != "killed"
        print(f"{outcome:9} {seconds:6.1f}s  {mutant.module}: {mutant.name}", flush=True)
    print(f"{len(chosen) - bad}/{len(chosen)} mutants killed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
