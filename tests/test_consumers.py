"""The consumer matrix: every release artifact read by the tools people use for its format.

A fresh release of the bundled ontology is read by pronto, fastobo, OWLAPI (Debian's
libowlapi-java through a small harness compiled here), owlready2 + HermiT, pyoxigraph, Jena riot
(Debian's libapache-jena-java), PyLD in JSON-LD 1.0 mode, sssom-py, OAK (default, pronto and
obograph adapters) and KGX validate. OAK, KGX and PyLD conflict with our dependencies and run from
``.venv-consumers`` (``scripts/install-consumers.sh``, called by ``make test``).

The same named parents and ``p some C`` relationships of a fixed set of classes come back from
every reader, and cq03's answer (chronic renal failure causes metastatic calcinosis cutis, an
association record) is reachable in every graph view. README.md's consumer table lists what this
file proves.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.publish.release import VARIANTS, release

ROOT = Path(__file__).resolve().parent.parent
CONSUMERS = ROOT / "tests" / "consumers"
CONSUMER_VENV = ROOT / ".venv-consumers"
JAVA = Path("/usr/share/java")
NS = "https://w3id.org/calcinosis-kg/CCKG_"
OBO = "http://purl.obolibrary.org/obo/"
PREFIX_FLAG = ["--prefix", f"CCKG={NS}"]
#: metastatic, dystrophic, tumoral calcinosis, calciphylaxis cutis, iatrogenic
FIXED = ("0000003", "0000002", "0000010", "0000006", "0000004")
CQ03 = ("MONDO:0024327", "RO:0003302", "CCKG:0000003")


def curie(iri: str) -> str:
    if iri.startswith(NS):
        return "CCKG:" + iri[len(NS):]
    if iri.startswith(OBO) and "_" in iri:
        prefix, local = iri[len(OBO):].split("_", 1)
        return f"{prefix}:{local}"
    return iri


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    release(load(), out)
    return out


def _file(released: Path, variant: str, suffix: str) -> Path:
    return released / f"calcinosis-kg-{variant}.{suffix}"


@pytest.fixture(scope="module")
def reference(released: Path) -> dict[str, tuple[set[str], set[tuple[str, str]]]]:
    """(named parents, (property, filler) pairs) per fixed class, from full's Turtle."""
    graph = rdflib.Graph().parse(_file(released, "full", "ttl"))
    out = {}
    for local in FIXED:
        cls = rdflib.URIRef(NS + local)
        parents, relations = set(), set()
        for o in graph.objects(cls, RDFS.subClassOf):
            if isinstance(o, rdflib.URIRef):
                parents.add(curie(str(o)))
            elif (o, RDF.type, OWL.Restriction) in graph:
                p, c = graph.value(o, OWL.onProperty), graph.value(o, OWL.someValuesFrom)
                if isinstance(p, rdflib.URIRef) and isinstance(c, rdflib.URIRef):
                    relations.add((curie(str(p)), curie(str(c))))
        out["CCKG:" + local] = (parents, relations)
    assert out["CCKG:0000003"][0] == {"CCKG:0000001"}  # the fixture itself reads the file
    return out


# --- pronto and fastobo ---------------------------------------------------------------------------
def _pronto(path: Path):  # type: ignore[no-untyped-def]
    import pronto

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pronto.Ontology(str(path))


def _pronto_view(ontology, key: str) -> tuple[set[str], set[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    term = ontology[key]
    parents = {curie(t.id) for t in term.superclasses(distance=1, with_self=False)}
    relations = {(curie(r.id), curie(t.id)) for r, terms in term.relationships.items()
                 for t in terms}
    return parents, relations


def test_pronto_reads_every_obo_and_obographs_file_with_the_reference_parents(released, reference):
    for variant in VARIANTS:
        obo = _pronto(_file(released, variant, "obo"))
        graphs = _pronto(_file(released, variant, "json"))
        for key, (parents, relations) in reference.items():
            got = _pronto_view(obo, key)
            assert got[0] == parents, (variant, key)
            iri = NS + key.split(":")[1]
            assert _pronto_view(graphs, iri)[0] == parents, (variant, "json", key)
            if variant != "base":  # base's relations are ours too: same set
                assert got[1] == relations, (variant, key)


def test_pronto_reads_the_typed_rdfxml_of_every_variant(released):
    for variant in VARIANTS:
        ontology = _pronto(_file(released, variant, "owl"))
        # pronto compacts only OBO PURLs: our terms keep their IRI
        assert ontology[NS + "0000003"].name == "metastatic calcinosis cutis"


def test_pronto_sees_cq03_as_an_annotation_never_a_universal_relationship(released):
    for variant in ("base", "full"):
        ontology = _pronto(_file(released, variant, "obo"))
        cause = ontology[CQ03[0]]
        values = {(pv.property, getattr(pv, "resource", None)) for pv in cause.annotations}
        assert (CQ03[1], CQ03[2]) in values, variant
        assert CQ03[2] not in {t.id for ts in cause.relationships.values() for t in ts}


def test_fastobo_parses_every_obo_file_and_every_relation_has_a_typedef(released):
    import fastobo

    for variant in VARIANTS:
        doc = fastobo.load(str(_file(released, variant, "obo")))
        typedefs = {str(f.id) for f in doc if isinstance(f, fastobo.typedef.TypedefFrame)}
        used = {str(c.typedef) for f in doc if isinstance(f, fastobo.term.TermFrame)
                for c in f if isinstance(c, fastobo.term.RelationshipClause)}
        assert used and used <= typedefs, (variant, used - typedefs)


# --- OWLAPI ---------------------------------------------------------------------------------
OWLAPI_JARS = ("owlapi-distribution", "guava", "caffeine", "jackson-core", "jackson-databind",
               "jackson-annotations", "jsonld-java", "commons-io", "commons-lang3",
               "commons-rdf-api", "slf4j-api", "slf4j-nop", "xz", "hppcrt", "jsr305",
               "atinject-jsr330-api", "commons-codec", "httpclient", "httpcore",
               "httpclient-cache")


@pytest.fixture(scope="module")
def owlapi(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    jars = [JAVA / f"{name}.jar" for name in OWLAPI_JARS]
    jars += sorted(p for p in JAVA.glob("rdf4j-*.jar") if not p.stem.split("-")[-1][0].isdigit())
    missing = [str(j) for j in jars if not j.exists()]
    if missing or not shutil.which("javac"):
        pytest.skip(f"LOUD: OWLAPI consumer not installed (libowlapi-java, javac): {missing[:3]}"
                    " — run scripts/install-system-deps.sh")
    classes = tmp_path_factory.mktemp("owlapi")
    classpath = ":".join(str(j) for j in jars)
    subprocess.run(["javac", "-cp", classpath, "-d", str(classes),
                    str(CONSUMERS / "OwlApiProbe.java")], check=True, timeout=120)
    return ["java", "-cp", f"{classes}:{classpath}", "OwlApiProbe"]


def _owlapi(command: list[str], path: Path, *classes: str) -> dict[str, list[list[str]]]:
    done = subprocess.run([*command, str(path), *classes], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    facts: dict[str, list[list[str]]] = {}
    for line in done.stdout.splitlines():
        key, *values = line.split("\t")
        facts.setdefault(key, []).append(values)
    return facts


def test_owlapi_loads_every_rdf_artifact_as_owl2_dl_and_round_trips_it(released, owlapi,
                                                                       reference):
    for variant in VARIANTS:
        for suffix in ("owl", "ttl"):
            facts = _owlapi(owlapi, _file(released, variant, suffix),
                            *(NS + k.split(":")[1] for k in reference))
            assert facts["ontology"] == [[f"https://w3id.org/calcinosis-kg/calcinosis-kg-"
                                          f"{variant}.owl"]]
            assert facts["dl_violations"] == [["0"]], (variant, suffix, facts["dl_violation_kinds"])
            assert facts["round_trip_equal"] == [["true"]], (variant, suffix, facts)
            if variant == "full":
                for key, (parents, relations) in reference.items():
                    iri = NS + key.split(":")[1]
                    got = {curie(v[1]) for v in facts.get("parent", []) if v[0] == iri}
                    rel = {(curie(v[1]), curie(v[2])) for v in facts.get("relationship", [])
                           if v[0] == iri}
                    assert (got, rel) == (parents, relations), key


def test_owlapi_reads_the_obo_files_with_a_proper_version_iri(released, owlapi, reference):
    for variant in VARIANTS:
        facts = _owlapi(owlapi, _file(released, variant, "obo"))
        version = facts["version"][0][0]
        # data-version is "releases/DATE", so OWLAPI's version IRI is well formed
        assert version.endswith(f"/calcinosis-kg-{variant}/releases/2026-11-25/"
                                f"calcinosis-kg-{variant}.owl") or "/releases/" in version
        assert version.count("https://") + version.count("http://") == 1, version
        assert int(facts["classes"][0][0]) >= 98


# --- owlready2 + HermiT, pyoxigraph, Jena ------------------------------------------------------
def test_owlready2_loads_every_rdfxml_and_ntriples_artifact_and_hermit_finds_full_consistent(
        released, reference):
    import owlready2

    for variant in VARIANTS:
        for suffix in ("owl", "nt"):
            world = owlready2.World()
            onto = world.get_ontology(_file(released, variant, suffix).as_uri()).load(
                only_local=True)
            metastatic = world[NS + "0000003"]
            assert metastatic is not None, (variant, suffix)
            named = {curie(c.iri) for c in metastatic.is_a if isinstance(c, owlready2.ThingClass)}
            assert named == reference["CCKG:0000003"][0], (variant, suffix)
            if variant == "full" and suffix == "owl":
                with onto:
                    owlready2.sync_reasoner_hermit(world, debug=0)  # raises if inconsistent
                assert not list(world.inconsistent_classes())


def test_pyoxigraph_reads_every_rdf_serialisation_with_rdflibs_triple_count(released, reference):
    import pyoxigraph

    formats = {"ttl": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
               "owl": pyoxigraph.RdfFormat.RDF_XML}
    for variant in VARIANTS:
        counts = set()
        for suffix, fmt in formats.items():
            store = pyoxigraph.Store()
            store.load(path=str(_file(released, variant, suffix)), format=fmt)
            counts.add(len(store))
            rows = store.query(
                "SELECT ?c ?p WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?p "
                "FILTER(isIRI(?p)) }",
                substitutions={pyoxigraph.Variable("c"): pyoxigraph.NamedNode(NS + "0000003")})
            assert {curie(r["p"].value) for r in rows} == reference["CCKG:0000003"][0]
        assert counts == {len(rdflib.Graph().parse(_file(released, variant, "ttl")))}, variant


@pytest.fixture(scope="module")
def riot(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    names = ("jena-arq", "jena-base", "jena-core", "jena-iri", "jena-cmds", "jena-shacl",
             "jena-dboe-base", "jena-tdb", "jena-tdb2", "jena-rdfconnection", "commons-lang3",
             "commons-io", "commons-codec", "commons-compress", "commons-csv", "slf4j-api",
             "slf4j-nop", "jackson-core", "jackson-databind", "jackson-annotations",
             "jsonld-java", "caffeine", "guava", "dexx.collection", "thrift", "protobuf",
             "httpclient", "httpcore", "commons-cli")
    jars = [JAVA / f"{n}.jar" for n in names]
    missing = [str(j) for j in jars if not j.exists()]
    if missing:
        pytest.skip(f"LOUD: Jena consumer not installed (libapache-jena-java): {missing[:3]}")
    # Debian's Jena 4.5 CLIs look up xerces message files under xerces/…: copy them there
    extra = tmp_path_factory.mktemp("jena-xerces")
    with zipfile.ZipFile(JAVA / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and not name.endswith(
                    (".class", "/")):
                target = extra / name.replace("org/apache/jena/ext/", "", 1)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ["java", "-cp", ":".join([*map(str, jars), str(extra)]), "riotcmd.riot"]


def test_jena_riot_validates_and_counts_every_rdf_serialisation_like_rdflib(released, riot):
    for variant in VARIANTS:
        expected = len(rdflib.Graph().parse(_file(released, variant, "ttl")))
        for suffix in ("ttl", "nt", "owl"):
            path = _file(released, variant, suffix)
            done = subprocess.run([*riot, "--count", str(path)], capture_output=True, text=True,
                                  timeout=300, check=False)
            assert done.returncode == 0, done.stderr[-1000:]
            assert f"Triples = {expected:,}" in done.stdout + done.stderr, (path, done.stdout)


# --- the consumers venv: PyLD (JSON-LD 1.0), OAK, KGX ------------------------------------
def _consumer_python() -> str:
    python = CONSUMER_VENV / "bin" / "python"
    if not python.exists():
        pytest.skip("LOUD: .venv-consumers missing (OAK, KGX, PyLD): run "
                    "`bash scripts/install-consumers.sh` (make test does)")
    return str(python)


def test_every_jsonld_file_expands_in_a_jsonld_1_0_processor_to_the_same_triples(released):
    python = _consumer_python()
    script = ("import json,sys\nfrom pyld import jsonld\n"
              "doc=json.load(open(sys.argv[1]))\n"
              "print(len(set(jsonld.to_rdf(doc,{'format':'application/n-quads',"
              "'processingMode':'json-ld-1.0'}).splitlines())))")
    for variant in VARIANTS:
        document = json.loads(_file(released, variant, "jsonld").read_text(encoding="utf-8"))
        assert "@version" not in document["@context"]
        assert not any(isinstance(v, dict) for v in document["@context"].values())
        done = subprocess.run([python, "-c", script, str(_file(released, variant, "jsonld"))],
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-1000:]
        assert int(done.stdout) == len(rdflib.Graph().parse(_file(released, variant, "ttl")))


@pytest.fixture(scope="module")
def oak(released: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], dict]:
    python = _consumer_python()
    specs = [f"calcinosis-kg-{v}.obo" for v in VARIANTS] + [
        "pronto:calcinosis-kg-full.obo", "obograph:calcinosis-kg-full.json",
        "calcinosis-kg-full.owl", "calcinosis-kg-simple.owl", "calcinosis-kg-base.owl"]
    commands = [["info", "CCKG:0000003"], ["ancestors", "-p", "i", "CCKG:0000003"],
                ["descendants", "-p", "i", "CCKG:0000001"], ["relationships", "CCKG:0000003"],
                ["relationships", CQ03[0]], ["tree", "-p", "i", "CCKG:0000002"]]
    jobs = [[*PREFIX_FLAG, "-i", _spec(released, s), *c] for s in specs for c in commands]
    # a union filler (calcinosis cutis: skin or subcutis) through the graph view
    jobs.append([*PREFIX_FLAG, "-i", _spec(released, "obograph:calcinosis-kg-full.json"),
                 "relationships", "CCKG:0000001"])
    jobs.append(["-i", str(released / "calcinosis-kg-full.owl"), "info", "CCKG:0000003"])
    job_file = tmp_path_factory.mktemp("oak") / "jobs.json"
    job_file.write_text(json.dumps(jobs), encoding="utf-8")
    done = subprocess.run([python, str(CONSUMERS / "oak_probe.py"), str(job_file)],
                          capture_output=True, text=True, timeout=900, check=False, cwd=released)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout)
    return {tuple(r["args"][r["args"].index("-i") + 1:]): r for r in results
            if r["args"][0] == "--prefix"} | {("no-prefix",): results[-1]}


def _spec(released: Path, name: str) -> str:
    """An OAK input selector: ``[adapter:]path`` with the path inside ``released``."""
    adapter, _, file = name.rpartition(":")
    return f"{adapter}:{released / file}" if adapter else str(released / file)


def test_oak_answers_info_ancestors_descendants_relationships_and_tree_on_every_adapter(
        released, oak, reference):
    for name in ("calcinosis-kg-full.obo", "pronto:calcinosis-kg-full.obo",
                 "obograph:calcinosis-kg-full.json", "calcinosis-kg-full.owl",
                 "calcinosis-kg-simple.owl", "calcinosis-kg-base.obo"):
        spec = _spec(released, name)

        def out(*command: str, spec: str = spec) -> str:
            result = oak[(spec, *command)]
            assert result["exit"] == 0 and "EXCEPTION" not in result["output"], result
            return str(result["output"])

        assert "metastatic calcinosis cutis" in out("info", "CCKG:0000003"), name
        ancestors = {line.split("\t")[0] for line in out(
            "ancestors", "-p", "i", "CCKG:0000003").splitlines()[1:]}
        assert {"CCKG:0000001", "MONDO:0002123"} <= ancestors, name
        assert "CCKG:0000002 ! dystrophic" in out("descendants", "-p", "i", "CCKG:0000001")
        rows = {tuple(line.split("\t")[:3]) for line in out(
            "relationships", "CCKG:0000003").splitlines()[1:]}
        parents, relations = reference["CCKG:0000003"]
        assert {("CCKG:0000003", "rdfs:subClassOf", p) for p in parents} | {
            ("CCKG:0000003", p, c) for p, c in relations} <= rows, name
        # defined classes do not re-parent the main types: dystrophic appears once in its tree
        tree = out("tree", "-p", "i", "CCKG:0000002")
        assert tree.count("CCKG:0000002 ! dystrophic") == tree.count("CCKG:0000001 ! calc"), name


def test_oak_reaches_cq03_through_the_obograph_adapter_and_unions_reach_it_too(released, oak):
    spec = _spec(released, "obograph:calcinosis-kg-full.json")
    rows = {tuple(line.split("\t")[:3]) for line in
            str(oak[(spec, "relationships", CQ03[0])]["output"]).splitlines()[1:]}
    assert CQ03 in rows
    # unions reach the graph view: calcinosis cutis is in the skin OR the subcutis
    rows = {tuple(line.split("\t")[:3]) for line in
            str(oak[(spec, "relationships", "CCKG:0000001")]["output"]).splitlines()[1:]}
    assert {("CCKG:0000001", "RO:0004026", "UBERON:0002097"),
            ("CCKG:0000001", "RO:0004026", "UBERON:0002072")} <= rows


def test_kgx_validate_passes_with_the_shipped_context_and_fails_without_it(released, tmp_path):
    python = _consumer_python()

    def errors(context: Path) -> list[dict]:
        done = subprocess.run(
            [python, str(CONSUMERS / "kgx_validate.py"), str(released / "calcinosis-kg_nodes.tsv"),
             str(released / "calcinosis-kg_edges.tsv"), str(context)],
            capture_output=True, text=True, timeout=900, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        return list(json.loads(done.stdout)["errors"])

    assert errors(released / "calcinosis-kg.context.jsonld") == []
    empty = tmp_path / "empty.jsonld"
    empty.write_text('{"@context": {}}', encoding="utf-8")
    assert any("CCKG" in e["message"] for e in errors(empty))
    edges = (released / "calcinosis-kg_edges.tsv").read_text(encoding="utf-8")
    assert any(line.split("\t")[1:4] == [CQ03[0], "biolink:causes", CQ03[2]] or
               (CQ03[0] in line and CQ03[2] in line) for line in edges.splitlines())


# --- SSSOM -------------------------------------------------------------------------------------
def test_sssom_py_parses_the_mapping_set_without_warnings_and_every_row_has_labels(released):
    import logging

    from sssom.parsers import parse_sssom_table

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.WARNING)
    logging.getLogger().addHandler(handler)
    try:
        msdf = parse_sssom_table(str(released / "calcinosis-kg.sssom.tsv"))
    finally:
        logging.getLogger().removeHandler(handler)
    assert not [r.getMessage() for r in records if "subject_source" in r.getMessage()]
    frame = msdf.df
    assert len(frame) > 0
    assert frame["object_label"].fillna("").str.len().gt(0).all()
    # sssom-py propagates set-level slots such as subject_source into the table
    sources = set(frame["subject_source"]) if "subject_source" in frame else {
        msdf.metadata["subject_source"]}
    assert sources == {"cckg:calcinosis-kg.owl"}


# --- the graph views carry cq03 and unions -----------------------------------------------------
def test_cq03_answer_is_reachable_in_obo_obographs_and_kgx_of_full_and_base(released):
    for variant in ("base", "full"):
        obo = _file(released, variant, "obo").read_text(encoding="utf-8")
        stanza = obo.split(f"id: {CQ03[0]}\n", 1)[1].split("\n\n", 1)[0]
        assert f"property_value: {CQ03[1]} {CQ03[2]}" in stanza, variant
        graph = json.loads(_file(released, variant, "json").read_text(encoding="utf-8"))
        edges = {(curie(e["sub"]), curie(e["pred"]), curie(e["obj"]))
                 for e in graph["graphs"][0]["edges"]}
        nodes = {n["id"] for n in graph["graphs"][0]["nodes"]}
        assert CQ03 in edges, variant
        dangling = [e for e in graph["graphs"][0]["edges"]
                    if e["sub"] not in nodes or e["obj"] not in nodes]
        assert not dangling, (variant, dangling[:3])
