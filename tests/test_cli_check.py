"""The ``check`` and ``reason`` commands as a user runs them: exit codes, messages, outputs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calcinosis_kg.checks import java

requires_java = pytest.mark.skipif(java.find_java() is None, reason="no Java runtime")

ONTOLOGY = """\
@prefix : <http://example.org/t#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/t> a owl:Ontology .
:A a owl:Class ; rdfs:label "class A" .
:B a owl:Class ; rdfs:label "class B" ; owl:disjointWith :A .
:r a owl:ObjectProperty .
:F a owl:Class ; rdfs:label "class F" ; owl:equivalentClass [ a owl:Class ;
    owl:intersectionOf ( :A [ a owl:Restriction ; owl:onProperty :r ; owl:someValuesFrom :A ] ) ] .
:G a owl:Class ; rdfs:label "class G" ;
    rdfs:subClassOf :A , [ a owl:Restriction ; owl:onProperty :r ; owl:someValuesFrom :A ] .
"""
UNSAT = ONTOLOGY + ':C a owl:Class ; rdfs:label "class C" ; rdfs:subClassOf :A , :B .\n'
INCONSISTENT = ONTOLOGY + ':i a owl:NamedIndividual , :A , :B ; rdfs:label "individual i" .\n'


def cli(
    *args: str, env: dict[str, str] | None = None, tmp_path: Path
) -> subprocess.CompletedProcess:
    base = dict(os.environ, CALCINOSIS_KG_CACHE_DIR=str(tmp_path / "cache"))
    base.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "calcinosis_kg", *args],
        capture_output=True,
        text=True,
        env=base,
        timeout=300,
    )


def write(tmp_path: Path, text: str, name: str = "onto.ttl") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@requires_java
def test_reason_on_unsatisfiable_class_exits_1_naming_it(tmp_path):
    done = cli("reason", "--ontology", str(write(tmp_path, UNSAT)), tmp_path=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "unsatisfiable: 1" in done.stdout
    assert "http://example.org/t#C “class C”" in done.stdout and "disjoint" in done.stdout


@requires_java
def test_reason_on_inconsistent_ontology_exits_1_naming_individual(tmp_path):
    out = tmp_path / "h.ttl"
    done = cli(
        "reason",
        "--ontology",
        str(write(tmp_path, INCONSISTENT)),
        "--output",
        str(out),
        tmp_path=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert "consistent: NO" in done.stdout and "individual i" in done.stdout
    assert "Traceback" not in done.stderr and not out.exists()


@requires_java
def test_reason_writes_the_same_turtle_bytes_every_run(tmp_path):
    onto = write(tmp_path, ONTOLOGY)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"h{seed}.ttl"
        done = cli(
            "reason",
            "--ontology",
            str(onto),
            "--output",
            str(out),
            env={"PYTHONHASHSEED": seed},
            tmp_path=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    text = outputs[0].decode()
    assert "rdfs:subClassOf" in text and "class G" in text


@requires_java
def test_reason_new_only_writes_just_the_inferred_edges(tmp_path):
    out = tmp_path / "new.ttl"
    done = cli(
        "reason",
        "--ontology",
        str(write(tmp_path, ONTOLOGY)),
        "--output",
        str(out),
        "--new-only",
        tmp_path=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    import rdflib

    graph = rdflib.Graph().parse(out)
    pairs = {
        (str(s).rsplit("#")[-1], str(o).rsplit("#")[-1])
        for s, o in graph.subject_objects(rdflib.RDFS.subClassOf)
    }
    assert pairs == {("G", "F"), ("F", "A")}


def test_reason_without_java_exits_1_naming_what_to_install(tmp_path):
    done = cli(
        "reason",
        "--ontology",
        str(write(tmp_path, ONTOLOGY)),
        env={"PATH": "", "JAVA_HOME": "", java.JAVA_ENV: str(tmp_path / "no-java")},
        tmp_path=tmp_path,
    )
    assert done.returncode == 1
    assert "Java not found" in done.stderr and "default-jre-headless" in done.stderr
    assert "Traceback" not in done.stderr


@requires_java
def test_check_on_unsatisfiable_class_exits_1_naming_it(tmp_path):
    done = cli("check", "--ontology", str(write(tmp_path, UNSAT)), tmp_path=tmp_path)
    assert done.returncode == 1, done.stderr
    assert 'http://example.org/t#C "class C"' in done.stdout


def test_check_without_java_reports_reasoning_failed_and_runs_the_rest(tmp_path):
    done = cli(
        "check",
        "--ontology",
        str(write(tmp_path, ONTOLOGY)),
        "--format",
        "json",
        env={"PATH": "", "JAVA_HOME": "", java.JAVA_ENV: str(tmp_path / "no-java")},
        tmp_path=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    stages = {s["name"]: s for s in json.loads(done.stdout)["stages"]}
    assert list(stages) == ["reasoning", "validation", "qc", "competency"]
    assert stages["reasoning"]["ok"] is False and "Java not found" in stages["reasoning"]["note"]
    for name in ("validation", "qc", "competency"):
        assert not stages[name]["note"].startswith("skipped")


def test_check_on_missing_file_exits_2_with_one_line(tmp_path):
    done = cli("check", "--ontology", str(tmp_path / "absent.ttl"), tmp_path=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "absent.ttl" in done.stderr


def test_check_on_malformed_turtle_exits_2_naming_line(tmp_path):
    path = write(tmp_path, ONTOLOGY + ":Z a \n")
    done = cli("check", "--ontology", str(path), tmp_path=tmp_path)
    assert done.returncode == 2
    assert f"{path}:" in done.stderr and "Traceback" not in done.stderr


@requires_java
def test_repeated_check_says_cached(tmp_path):
    onto = str(write(tmp_path, ONTOLOGY))
    first = cli("check", "--ontology", onto, tmp_path=tmp_path)
    second = cli("check", "--ontology", onto, tmp_path=tmp_path)
    assert "cached" not in first.stdout
    assert second.stdout.count("cached") == 4
    assert first.returncode == second.returncode
    third = cli("check", "--ontology", onto, "--no-cache", tmp_path=tmp_path)
    assert "cached" not in third.stdout


@requires_java
def test_reason_exits_1_when_an_expected_inference_is_missing(tmp_path):
    onto = write(tmp_path, ONTOLOGY)
    (tmp_path / "expected_inferences.yaml").write_text(
        "- subclass: http://example.org/t#F\n  superclass: http://example.org/t#G\n",
        encoding="utf-8",
    )
    done = cli("reason", "--ontology", str(onto), tmp_path=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "1 checked, 1 missing" in done.stdout and "class F" in done.stdout
