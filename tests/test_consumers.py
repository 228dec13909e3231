"""The consumer matrix: every release artifact read by the tools people use for its format.

A fresh release of the bundled ontology is read by pronto, fastobo, OWL API (Debian's
libowlapi-java through a small harness compiled here), owlready2 + HermiT, pyoxigraph, Jena riot
(Debian's libapache-jena-java), PyLD, jsonld-java, rdflib, sssom-py, OAK (default, pronto and
obograph adapters) and KGX validate. OAK, KGX and PyLD conflict with our dependencies and run from
``.venv-consumers`` (``scripts/install-consumers.sh``, called by ``make test``).

Each test asserts on what the tool returns (labels, named parents, ``p some C`` relationships,
definitions, synonyms, disjointness) against the release's own Turtle read by rdflib, for every
class or for classes sampled across the ontology (``consumer_support.sample``), and fails on a
warning that means lost data: a reader's warnings are kept, never filtered; the only ones allowed
name a construct the reader has no model for, and their number must equal the number of such
constructs in the file. README.md's consumer table lists what this file proves.
"""

from __future__ import annotations

import json
import re
import subprocess
import warnings
import zipfile
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from consumer_support import (
    CONSUMERS,
    NS,
    OBO,
    Reference,
    compile_java,
    consumer_python,
    curie,
    expand,
    reference,
    sample,
    tab_facts,
)
from java_jars import JAVA, OWLAPI_JARS
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.publish.release import VARIANTS, release

PREFIX_FLAG = ["--prefix", f"CCKG={NS}"]
OBSOLETES = ["obsoletes", "--show-migration-relationships"]
SITES_BY_RECORD = "CCKG:0000020"  # its sites ("most often affected regions") are records only
CQ03 = ("MONDO:0024327", "RO:0003302", "CCKG:0000003")  # an association record
DOG, HUMAN = "CCKG:0000012", "NCBITaxon:9606"  # calcinosis cutis in dogs; Homo sapiens
CCKG_ANY = "CCKG:0000001"  # calcinosis cutis: "in taxon Homo sapiens" is an association record
#: classes the tools are also asked about by name (issue 19's verification): subtypes whose sites
#: are association records only, and an external disease that is the subject of records
NAMED = ("CCKG:0000012", "CCKG:0000020", "CCKG:0000021", "CCKG:0000022", "MONDO:0005100")


def _chosen(ref: Reference) -> list[str]:
    """Classes sampled across the ontology plus the ``NAMED`` ones."""
    chosen = sample(ref)
    return chosen + [k for k in NAMED if k in ref.classes and k not in chosen]


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("release")
    release(load(), out)
    return out


def _file(released: Path, variant: str, suffix: str) -> Path:
    return released / (
        f"calcinosis-kg.{suffix}" if variant == "main" else f"calcinosis-kg-{variant}.{suffix}"
    )


@pytest.fixture(scope="module")
def refs(released: Path) -> dict[str, Reference]:
    out = {v: reference(_file(released, v, "ttl")) for v in VARIANTS}
    assert out["full"].classes["CCKG:0000003"].parents == {"CCKG:0000001"}  # it reads the file
    assert CQ03 in out["full"].associations
    return out


# --- pronto and fastobo -------------------------------------------------------------------------
def _pronto(path: Path) -> tuple[object, list[warnings.WarningMessage]]:
    import pronto

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ontology = pronto.Ontology(str(path))
    return ontology, caught


def _pronto_facts(term) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "label": term.name or "",
        "parents": {curie(t.id) for t in term.superclasses(distance=1, with_self=False)},
        "relations": {
            (curie(r.id), curie(t.id)) for r, ts in term.relationships.items() for t in ts
        },
        "definition": str(term.definition or ""),
        "synonyms": {(s.description, s.scope.capitalize()) for s in term.synonyms},
        "obsolete": term.obsolete,
        "replaced_by": {curie(t.id) for t in term.replaced_by},
    }


def _expected(facts) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "label": facts.label,
        "parents": facts.parents,
        "relations": facts.relations,
        "definition": facts.definition,
        "synonyms": facts.synonyms,
        "obsolete": facts.obsolete,
        "replaced_by": facts.replaced_by,
    }


def test_pronto_reads_every_class_of_every_obo_file_like_the_turtle_without_a_warning(
    released, refs
):
    for variant in (*VARIANTS, "main"):
        ref = refs["full" if variant == "main" else variant]
        ontology, caught = _pronto(_file(released, variant, "obo"))
        assert [str(w.message) for w in caught] == [], variant
        disjoint: dict[str, set[str]] = {}
        for key, facts in ref.classes.items():
            term = ontology[key]
            assert _pronto_facts(term) == _expected(facts), (variant, key)
            for other in term.disjoint_from:
                disjoint.setdefault(key, set()).add(other.id)
                disjoint.setdefault(other.id, set()).add(key)
        assert disjoint == {k: f.disjoint for k, f in ref.classes.items() if f.disjoint}, variant


def test_pronto_sees_association_records_as_annotations_never_as_relationships(released):
    ontology, _ = _pronto(_file(released, "full", "obo"))
    cause = ontology[CQ03[0]]
    assert (CQ03[1], CQ03[2]) in {
        (pv.property, getattr(pv, "resource", None)) for pv in cause.annotations
    }
    assert CQ03[2] not in {t.id for ts in cause.relationships.values() for t in ts}
    # base: no stanza says anything about an external term; the header says where they went
    base, _ = _pronto(_file(released, "base", "obo"))
    assert CQ03[0] not in base or not (base[CQ03[0]].annotations or base[CQ03[0]].relationships)
    assert any("association record" in remark for remark in base.metadata.remarks)


#: pronto warnings that name a construct pronto has no model for; any other fails the test
PRONTO_UNMODELLED = {
    "annotation_property": re.compile(r"^cannot process plain `owl:AnnotationProperty`$"),
    "axiom_annotation": re.compile(r"^unknown axiom property: '(?P<iri>[^']+)'$"),
    "non_class_source": re.compile(r"^could not find axiom source: '(?P<iri>[^']+)'$"),
    "expression_equivalence": re.compile(
        r"^unknown element in `owl:Class`: \{http://www.w3.org/2002/07/owl#\}equivalentClass$"
    ),
    "union_filler": re.compile(r"^could not extract target IRI from `owl:Restriction`$"),
    "obo_graphs_instance": re.compile(r"^cannot handle OBO instances$"),
    "encoding_guess": re.compile(r"^unsound encoding, assuming utf-8 \(\d+% confidence\)$"),
}


def _classify(caught: list[warnings.WarningMessage]) -> Counter[str]:
    kinds: Counter[str] = Counter()
    for warning in caught:
        text = str(warning.message)
        kind = next((k for k, rx in PRONTO_UNMODELLED.items() if rx.match(text)), None)
        assert kind is not None, f"pronto warning that may mean lost data: {text}"
        match = PRONTO_UNMODELLED[kind].match(text)
        kinds[f"{kind} {match['iri']}" if match and "iri" in match.groupdict() else kind] += 1
    return kinds


def _rdfxml_constructs(path: Path, ref: Reference) -> Counter[str]:
    """How many warnings each unmodelled construct of ``path`` must give in pronto."""
    g = rdflib.Graph().parse(path, format="xml")
    known = {
        OBO + "IAO_0000115",
        "http://www.geneontology.org/formats/oboInOwl#hasDbXref",
        *(
            f"http://www.geneontology.org/formats/oboInOwl#has{s}Synonym"
            for s in ("Exact", "Related", "Broad", "Narrow")
        ),
    }
    pronto_entities = set(g.subjects(RDF.type, OWL.Class)) | set(
        g.subjects(RDF.type, OWL.ObjectProperty)
    )
    special = {
        rdflib.URIRef("http://www.geneontology.org/formats/oboInOwl#" + x)
        for x in ("SubsetProperty", "SynonymTypeProperty")
    }
    expected: Counter[str] = Counter()
    for prop in g.subjects(RDF.type, OWL.AnnotationProperty):
        if (
            isinstance(prop, rdflib.URIRef)
            and not set(g.objects(prop, RDFS.subPropertyOf)) & special
        ):
            expected["annotation_property"] += 1
    for axiom in g.subjects(RDF.type, OWL.Axiom):
        source, prop = g.value(axiom, OWL.annotatedSource), g.value(axiom, OWL.annotatedProperty)
        if not (isinstance(source, rdflib.URIRef) and isinstance(prop, rdflib.URIRef)):
            continue
        if str(prop) not in known:
            expected[f"axiom_annotation {prop}"] += 1
        elif source not in pronto_entities and not str(prop).endswith("hasDbXref"):
            expected[f"non_class_source {_pronto_id(str(source))}"] += 1
    expected["expression_equivalence"] = sum(
        f.expression_equivalences for f in ref.classes.values()
    )
    expected["union_filler"] = sum(f.union_restrictions for f in ref.classes.values())
    return +expected


def _pronto_id(iri: str) -> str:
    """pronto's id of an entity in RDF/XML: OBO PURLs compacted, other IRIs kept."""
    return curie(iri) if iri.startswith(OBO) else iri


def _rdfxml_key(key: str) -> str:
    """pronto's id of a class in RDF/XML: OBO PURLs compacted, other IRIs kept."""
    return _pronto_id(expand(key))


def test_pronto_reads_every_class_of_the_rdfxml_and_warns_only_of_what_it_cannot_hold(
    released, refs
):
    for variant in (*VARIANTS, "main"):
        ref = refs["full" if variant == "main" else variant]
        path = _file(released, variant, "owl")
        ontology, caught = _pronto(path)
        kinds = _classify(caught)
        kinds.pop("encoding_guess", None)
        assert kinds == _rdfxml_constructs(path, ref), variant
        for key, facts in ref.classes.items():
            assert _pronto_facts(ontology[_rdfxml_key(key)]) == _expected(facts), (variant, key)
    full, _ = _pronto(_file(released, "full", "owl"))
    assert full[NS + "0000002"].relationships  # the probe: nested restrictions are read


def test_pronto_reads_the_obographs_json_losing_only_the_individual_nodes(released, refs):
    for variant in VARIANTS:
        ref = refs[variant]
        path = _file(released, variant, "json")
        ontology, caught = _pronto(path)
        kinds = _classify(caught)
        kinds.pop("encoding_guess", None)
        individuals = sum(
            n.get("type") == "INDIVIDUAL"
            for n in json.loads(path.read_text())["graphs"][0]["nodes"]
        )
        assert kinds == (
            Counter({"obo_graphs_instance": individuals}) if individuals else Counter()
        ), variant
        for key, facts in ref.classes.items():
            got = _pronto_facts(ontology[key])  # CURIE ids, as in the .obo
            assert (got["label"], got["parents"], got["relations"]) == (
                facts.label,
                facts.parents,
                facts.relations,
            ), (variant, key)


def test_fastobo_parses_every_obo_file_and_every_relation_used_has_a_typedef(released):
    import fastobo

    for variant in (*VARIANTS, "main"):
        doc = fastobo.load(str(_file(released, variant, "obo")))
        typedefs = {str(f.id) for f in doc if isinstance(f, fastobo.typedef.TypedefFrame)}
        used = set()
        for frame in doc:
            if not isinstance(frame, fastobo.term.TermFrame):
                continue
            for clause in frame:
                if isinstance(clause, fastobo.term.RelationshipClause):
                    used.add(str(clause.typedef))
                elif isinstance(clause, fastobo.term.PropertyValueClause):
                    used.add(str(clause.property_value.relation))
        assert {"RO:0003302", "RO:0004026"} & used and used <= typedefs, (variant, used - typedefs)


# --- OWL API ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def owlapi(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return compile_java(tmp_path_factory.mktemp("owlapi"), "OwlApiProbe", OWLAPI_JARS, rdf4j=True)


def _owlapi(command: list[str], path: Path) -> dict[str, list[list[str]]]:
    done = subprocess.run(
        [*command, str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return tab_facts(done.stdout)


def _owlapi_classes(
    facts: dict[str, list[list[str]]],
    to_key=curie,  # type: ignore[no-untyped-def]
) -> dict[str, tuple[set[str], set[tuple[str, str]]]]:
    out: dict[str, tuple[set[str], set[tuple[str, str]]]] = {}
    for sub, sup in facts.get("parent", []):
        out.setdefault(to_key(sub), (set(), set()))[0].add(to_key(sup))
    for sub, prop, filler in facts.get("relationship", []):
        out.setdefault(to_key(sub), (set(), set()))[1].add((to_key(prop), to_key(filler)))
    return out


def test_owlapi_loads_every_rdf_artifact_as_owl2_dl_with_every_parent_and_relationship(
    released, owlapi, refs
):
    files = [(v, s) for v in VARIANTS for s in ("owl", "ttl")] + [("main", "owl")]
    for variant, suffix in files:
        facts = _owlapi(owlapi, _file(released, variant, suffix))
        stem = "calcinosis-kg" if variant == "main" else f"calcinosis-kg-{variant}"
        assert facts["ontology"] == [[f"https://w3id.org/calcinosis-kg/{stem}.owl"]]
        assert facts["version"] == [
            [f"https://w3id.org/calcinosis-kg/releases/2026-11-25/{stem}.owl"]
        ], (variant, suffix)
        assert facts["dl_violations"] == [["0"]], (variant, suffix, facts["dl_violation_kinds"])
        assert facts["round_trip_equal"] == [["true"]], (variant, suffix, facts)
        ref = refs["full" if variant == "main" else variant]
        got = _owlapi_classes(facts)
        expected = {
            k: (f.parents, f.relations) for k, f in ref.classes.items() if f.parents or f.relations
        }
        assert got == expected, (variant, suffix)


def _obo_iri(text: str) -> str:
    """OWL API ignores ``idspace`` in OBO: every ID becomes an OBO PURL."""
    prefix, local = curie(text).split(":", 1)
    return f"{OBO}{prefix}_{local}"


def test_owlapi_reads_the_obo_files_as_owl2_dl_with_relations_and_class_level_assertions(
    released, owlapi, refs
):
    for variant in (*VARIANTS, "main"):
        facts = _owlapi(owlapi, _file(released, variant, "obo"))
        stem = "calcinosis-kg" if variant == "main" else f"calcinosis-kg-{variant}"
        # data-version is "releases/DATE", so OWLAPI's version IRI is well formed
        assert facts["version"] == [[f"{OBO}{stem}/releases/2026-11-25/{stem}.owl"]], variant
        assert facts["dl_violations"] == [["0"]], (variant, facts["dl_violation_kinds"])
        annotation = {v[0] for v in facts["annotation_property"]}
        assert not {p for p in annotation if p.startswith(OBO + "RO_")}, variant
        ref = refs["full" if variant == "main" else variant]
        got = _owlapi_classes(facts, to_key=lambda iri: iri)
        for key, f in ref.classes.items():
            want = (
                {_obo_iri(p) for p in f.parents},
                {(_obo_iri(p), _obo_iri(c)) for p, c in f.relations},
            )
            assert got.get(_obo_iri(key), (set(), set())) == want, (variant, key)
        # association records: assertions about the class (punned), never SubClassOf
        assertions = {tuple(v) for v in facts.get("assertion", [])}
        cq03 = (_obo_iri(CQ03[1]), _obo_iri(CQ03[0]), _obo_iri(CQ03[2]))
        assert (cq03 in assertions) == (variant in ("full", "main")), variant
        assert not got.get(_obo_iri(CQ03[0]), (set(), set()))[1], variant


# --- owlready2 + HermiT, pyoxigraph, Jena -------------------------------------------------------
def test_owlready2_loads_every_rdfxml_and_ntriples_artifact_and_hermit_finds_full_consistent(
    released, refs
):
    import owlready2

    for variant in VARIANTS:
        for suffix in ("owl", "nt"):
            world = owlready2.World()
            onto = world.get_ontology(_file(released, variant, suffix).as_uri()).load(
                only_local=True
            )
            for key in sample(refs[variant]):
                entity = world[expand(key)]
                assert entity is not None, (variant, suffix, key)
                named = {
                    curie(c.iri)
                    for c in entity.is_a
                    if isinstance(c, owlready2.ThingClass) and c is not owlready2.Thing
                }
                assert named == refs[variant].classes[key].parents, (variant, suffix, key)
            if variant == "full" and suffix == "owl":
                with onto:
                    owlready2.sync_reasoner_hermit(world, debug=0)  # raises if inconsistent
                assert not list(world.inconsistent_classes())


def test_pyoxigraph_reads_every_rdf_serialisation_with_rdflibs_triples(released, refs):
    import pyoxigraph

    formats = {
        "ttl": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "owl": pyoxigraph.RdfFormat.RDF_XML,
        "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    }
    query = (
        "SELECT ?c ?p WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf> ?p "
        "FILTER(isIRI(?p) && isIRI(?c)) }"
    )
    for variant in VARIANTS:
        expected = len(rdflib.Graph().parse(_file(released, variant, "ttl")))
        parents = {(k, p) for k, f in refs[variant].classes.items() for p in f.parents}
        for suffix, fmt in formats.items():
            store = pyoxigraph.Store()
            store.load(path=str(_file(released, variant, suffix)), format=fmt)
            assert len(store) == expected, (variant, suffix)
            got = {(curie(r["c"].value), curie(r["p"].value)) for r in store.query(query)}
            assert got == parents, (variant, suffix)


@pytest.fixture(scope="module")
def riot(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    names = (
        "jena-arq",
        "jena-base",
        "jena-core",
        "jena-iri",
        "jena-cmds",
        "jena-shacl",
        "jena-dboe-base",
        "jena-tdb",
        "jena-tdb2",
        "jena-rdfconnection",
        "commons-lang3",
        "commons-io",
        "commons-codec",
        "commons-compress",
        "commons-csv",
        "slf4j-api",
        "slf4j-nop",
        "jackson-core",
        "jackson-databind",
        "jackson-annotations",
        "jsonld-java",
        "caffeine",
        "guava",
        "dexx.collection",
        "thrift",
        "protobuf",
        "httpclient",
        "httpcore",
        "commons-cli",
    )
    jars = [JAVA / f"{n}.jar" for n in names]
    missing = [str(j) for j in jars if not j.exists()]
    if missing:
        pytest.skip(f"LOUD: Jena consumer not installed (libapache-jena-java): {missing[:3]}")
    # Debian's Jena 4.5 CLIs look up xerces message files under xerces/…: copy them there
    extra = tmp_path_factory.mktemp("jena-xerces")
    with zipfile.ZipFile(JAVA / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and not name.endswith(
                (".class", "/")
            ):
                target = extra / name.replace("org/apache/jena/ext/", "", 1)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ["java", "-cp", ":".join([*map(str, jars), str(extra)]), "riotcmd.riot"]


def test_jena_riot_validates_and_counts_every_rdf_serialisation_like_rdflib(released, riot):
    for variant in (*VARIANTS, "main"):
        suffixes = ("owl",) if variant == "main" else ("ttl", "nt", "owl")
        expected = len(
            rdflib.Graph().parse(
                _file(released, variant, suffixes[0]),
                format="xml" if suffixes[0] == "owl" else None,
            )
        )
        for suffix in suffixes:
            path = _file(released, variant, suffix)
            done = subprocess.run(
                [*riot, "--count", str(path)],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
            assert done.returncode == 0, done.stderr[-1000:]
            assert done.stderr.strip() == "" or "WARN" not in done.stderr, done.stderr[-1000:]
            assert f"Triples = {expected:,}" in done.stdout + done.stderr, (path, done.stdout)


# --- JSON-LD: the release files and the shipped contexts, in five processors ---------------------
@pytest.fixture(scope="module")
def jsonld_java(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    return compile_java(
        tmp_path_factory.mktemp("jsonld-java"),
        "JsonLdProbe",
        (
            "jsonld-java",
            "jackson-core",
            "jackson-databind",
            "jackson-annotations",
            "commons-io",
            "httpclient",
            "httpcore",
            "httpclient-cache",
            "slf4j-api",
            "slf4j-nop",
            "commons-codec",
            "commons-logging",
        ),
    )


PYLD = (
    "import json,sys\nfrom pyld import jsonld\n"
    "doc=json.load(open(sys.argv[1]))\n"
    "try:\n"
    "    print(jsonld.to_rdf(doc,{'format':'application/n-quads',"
    "'processingMode':sys.argv[2]}), end='')\n"
    "except jsonld.JsonLdError as e:\n"
    "    print('error\\t'+str(e).splitlines()[0]); sys.exit(3)\n"
)


def _nquads(tool: str, path: Path, jsonld_java: list[str]) -> tuple[int, set[str]]:
    """(exit code, N-Quads lines) of one JSON-LD processor on ``path``."""
    if tool.startswith("pyld"):
        command = [consumer_python(), "-c", PYLD, str(path), tool.split(":")[1]]
    elif tool == "jsonld-java":
        command = [*jsonld_java, str(path)]
    else:
        if tool == "rdflib":
            text = rdflib.Graph().parse(path, format="json-ld").serialize(format="nt")
        else:
            import pyoxigraph

            text = "\n".join(
                f"{q} ."
                for q in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.JSON_LD)
            )
        return 0, {line for line in text.splitlines() if line.strip()}
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode in (0, 3), done.stderr[-1000:]
    return done.returncode, {line for line in done.stdout.splitlines() if line.strip()}


PROCESSORS = ("pyld:json-ld-1.0", "pyld:json-ld-1.1", "jsonld-java", "rdflib", "pyoxigraph")


def test_every_jsonld_file_gives_the_turtles_triples_in_every_processor(released, jsonld_java):
    for variant in VARIANTS:
        path = _file(released, variant, "jsonld")
        expected = len(rdflib.Graph().parse(_file(released, variant, "ttl")))
        for tool in PROCESSORS:
            code, lines = _nquads(tool, path, jsonld_java)
            assert (code, len(lines)) == (0, expected), (variant, tool)
            assert not [line for line in lines if "<CCKG:" in line or "<obo:" in line]


def _prefix_document(context: dict, folder: Path) -> tuple[Path, dict[str, str]]:
    """A document using every term of ``context`` as a prefix, and the IRIs it must give."""
    nodes, expected = [], {}
    for term, value in context.items():
        if term.startswith("@"):
            continue
        namespace = value if isinstance(value, str) else value["@id"]
        nodes.append(
            {
                "@id": f"{term}:x1",
                "http://www.w3.org/2000/01/rdf-schema#seeAlso": {"@id": f"{term}:x2"},
            }
        )
        expected[term] = (
            f"<{namespace}x1> <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{namespace}x2> ."
        )
    path = folder / "prefixes.jsonld"
    path.write_text(json.dumps({"@context": context, "@graph": nodes}), encoding="utf-8")
    return path, expected


def test_shipped_contexts_expand_every_prefix_in_every_processor_that_accepts_them(
    released, jsonld_java, tmp_path
):
    """``context.jsonld`` (JSON-LD 1.1, ``@prefix`` for namespaces ending in ``_``) in every 1.1
    processor, refused outright by the 1.0 ones; ``context-1.0.jsonld`` in all five."""
    for name, refused_by in (
        ("context.jsonld", {"pyld:json-ld-1.0", "jsonld-java"}),
        ("context-1.0.jsonld", set()),
    ):
        context = json.loads((released / f"calcinosis-kg.{name}").read_text())["@context"]
        path, expected = _prefix_document(context, tmp_path)
        for tool in PROCESSORS:
            code, lines = _nquads(tool, path, jsonld_java)
            if tool in refused_by:
                assert code == 3 and len(lines) == 1 and lines.pop().startswith("error"), tool
                continue
            assert code == 0, (name, tool)
            assert {term for term, line in expected.items() if line not in lines} == set(), (
                name,
                tool,
            )
    context = json.loads((released / "calcinosis-kg.context.jsonld").read_text())["@context"]
    assert context["CCKG"] == {"@id": NS, "@prefix": True} and context["@version"] == 1.1
    flat = json.loads((released / "calcinosis-kg.prefixes.json").read_text())
    assert set(flat) <= set(context) and flat["CCKG"] == NS


# --- OAK: every format it opens, without flags ---------------------------------------------------
#: what a user types, by file: OAK picks the adapter from the suffix (.owl: funowl, .obo: pronto,
#: .json: obograph, .ttl/.nt/.jsonld: rdflib SPARQL); the last two name an adapter explicitly
OAK_FILES = (
    "calcinosis-kg.owl",
    "calcinosis-kg.obo",
    "calcinosis-kg.json",
    "calcinosis-kg-full.owl",
    "calcinosis-kg-full.obo",
    "calcinosis-kg-full.json",
    "calcinosis-kg-base.obo",
    "calcinosis-kg-base.json",
    "calcinosis-kg-simple.owl",
    "pronto:calcinosis-kg-full.obo",
    "obograph:calcinosis-kg-full.json",
)
#: OAK's SPARQL adapter (``.ttl``, ``.nt``, ``.jsonld``) expands CURIEs with its own prefix map
#: only (no ``CCKG``) and reads no prefix from the file: the one documented limitation (README)
OAK_NEEDS_PREFIX = ("calcinosis-kg-full.ttl",)


def _spec(released: Path, name: str) -> str:
    """An OAK input selector: ``[adapter:]path`` with the path inside ``released``."""
    adapter, _, file = name.rpartition(":")
    return f"{adapter}:{released / file}" if adapter else str(released / file)


@pytest.fixture(scope="module")
def oak(
    released: Path, refs: dict[str, Reference], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, ...], dict]:
    python = consumer_python()
    chosen = _chosen(refs["full"])
    commands = [
        ["info", *chosen],
        ["relationships", *chosen],
        ["ancestors", "-p", "i,RO:0002162", DOG],
        ["relationships", CQ03[0]],
        ["ancestors", "-p", "i,RO:0004026", SITES_BY_RECORD],
    ]
    jobs = [["-i", _spec(released, name), *command] for name in OAK_FILES for command in commands]
    # OAK's obograph adapter has no `obsoletes` (TypeError in OAK 0.7): OWL and OBO files only
    jobs += [
        ["-i", _spec(released, name), *OBSOLETES]
        for name in OAK_FILES
        if not name.endswith(".json")
    ]
    jobs += [
        [*flags, "-i", _spec(released, name), *command]
        for name in OAK_NEEDS_PREFIX
        for flags in ([], PREFIX_FLAG)
        for command in commands[:2]
    ]
    job_file = tmp_path_factory.mktemp("oak") / "jobs.json"
    job_file.write_text(json.dumps(jobs), encoding="utf-8")
    done = subprocess.run(
        [python, str(CONSUMERS / "oak_probe.py"), str(job_file)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
        cwd=released,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {tuple(r["args"]): r for r in json.loads(done.stdout)}


#: warnings about OAK's own code, not about the file it reads (an unclosed handle, a deprecated
#: call): every other warning or logged warning fails the test
OAK_CODE_WARNINGS = (
    "ResourceWarning: ",
    "DeprecationWarning: ",
    "PendingDeprecationWarning: ",
    "FutureWarning: ",
)


def _oak_rows(result: dict) -> list[list[str]]:
    assert result["exit"] == 0 and "EXCEPTION" not in result["output"], result
    about_data = [w for w in result["warnings"] if not w.startswith(OAK_CODE_WARNINGS)]
    assert not about_data, (result["args"], about_data)
    return [line.split("\t") for line in str(result["output"]).splitlines()[1:]]


def _oak_labels(result: dict) -> dict[str, str]:
    """``info`` prints ``ID ! label`` (``! None`` when OAK found no label)."""
    assert result["exit"] == 0 and "EXCEPTION" not in result["output"], result
    return dict(
        line.split(" ! ", 1) for line in str(result["output"]).splitlines() if " ! " in line
    )


def test_oak_reads_labels_parents_and_relationships_of_sampled_classes_without_flags(
    released, oak, refs
):
    ref = refs["full"]
    chosen = _chosen(ref)
    for name in OAK_FILES:
        spec = _spec(released, name)
        variant_ref = refs["base"] if "-base." in name else ref
        # base: external classes are declared with their label only (ODK base)
        keys = [
            k
            for k in chosen
            if k in variant_ref.classes and k.startswith("CCKG:") or variant_ref is ref
        ]
        labels = _oak_labels(oak[("-i", spec, "info", *chosen)])
        assert {k: labels[k] for k in keys} == {k: variant_ref.classes[k].label for k in keys}
        rows = {tuple(r[:3]) for r in _oak_rows(oak[("-i", spec, "relationships", *chosen)])}
        for key in keys:
            facts = variant_ref.classes[key]
            want = {("rdfs:subClassOf", p) for p in facts.parents} | facts.relations
            assert {(p, o) for s, p, o in rows if s == key} == want, (name, key)


def test_oak_never_makes_an_association_record_universal(released, oak, refs):
    """The issue's probe: "calcinosis cutis in taxon Homo sapiens" is a record, so Homo sapiens
    is not among the taxa of calcinosis cutis in dogs, and cq03 (chronic renal failure causes
    metastatic calcinosis cutis) is no relationship of chronic renal failure."""
    assert (CCKG_ANY, "RO:0002162", HUMAN) in refs["full"].associations
    for name in OAK_FILES:
        spec = _spec(released, name)
        ancestors = {
            r[0] for r in _oak_rows(oak[("-i", spec, "ancestors", "-p", "i,RO:0002162", DOG)])
        }
        assert {"CCKG:0000001", "NCBITaxon:9615"} <= ancestors and HUMAN not in ancestors, name
        rows = {tuple(r[:3]) for r in _oak_rows(oak[("-i", spec, "relationships", CQ03[0])])}
        assert not {r for r in rows if r[0] == CQ03[0] and r[2] == CQ03[2]}, (name, rows)
        # the sites of calcinosis cutis in systemic sclerosis are records: none is an ancestor
        sites = {
            o for s, p, o in refs["full"].associations if s == SITES_BY_RECORD and p == "RO:0004026"
        }
        ancestors = {
            r[0]
            for r in _oak_rows(
                oak[("-i", spec, "ancestors", "-p", "i,RO:0004026", SITES_BY_RECORD)]
            )
        }
        assert len(sites) >= 4 and "CCKG:0000002" in ancestors and not sites & ancestors, name


def test_oak_reads_each_obsolete_class_with_its_replacement(released, oak, refs):
    want = {k: f.replaced_by for k, f in refs["full"].classes.items() if f.obsolete}
    assert want and all(want.values())
    for name in OAK_FILES:
        if name.endswith(".json"):
            continue
        rows = _oak_rows(oak[("-i", _spec(released, name), *OBSOLETES)])
        assert {r[0]: {r[2]} for r in rows} == want, name


def test_oak_on_turtle_needs_the_prefix_flag_as_the_readme_says(released, oak, refs):
    chosen = _chosen(refs["full"])
    for name in OAK_NEEDS_PREFIX:
        spec = _spec(released, name)
        bare = _oak_labels(oak[("-i", spec, "info", *chosen)])
        assert {bare[k] for k in chosen if k.startswith("CCKG:")} == {"None"}, name
        flagged = _oak_labels(oak[(*PREFIX_FLAG, "-i", spec, "info", *chosen)])
        assert flagged == {k: refs["full"].classes[k].label for k in chosen}, name


# --- KGX, SSSOM ---------------------------------------------------------------------------------
def test_kgx_validate_passes_with_the_shipped_prefix_map_and_fails_without_it(released, tmp_path):
    python = consumer_python()

    def errors(prefixes: Path) -> list[dict]:
        done = subprocess.run(
            [
                python,
                str(CONSUMERS / "kgx_validate.py"),
                str(released / "calcinosis-kg_nodes.tsv"),
                str(released / "calcinosis-kg_edges.tsv"),
                str(prefixes),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return list(json.loads(done.stdout)["errors"])

    assert errors(released / "calcinosis-kg.prefixes.json") == []
    empty = tmp_path / "empty.json"
    empty.write_text("{}", encoding="utf-8")
    assert any("CCKG" in e["message"] for e in errors(empty))
    edges = [
        line.split("\t")
        for line in (released / "calcinosis-kg_edges.tsv").read_text(encoding="utf-8").splitlines()
    ]
    header = edges[0]
    rows = {(r[header.index("subject")], r[header.index("object")]) for r in edges[1:]}
    assert (CQ03[0], CQ03[2]) in rows


def test_kgx_transform_keeps_every_edge_when_streaming_and_merges_repeated_triples_in_memory(
    released, tmp_path
):
    """README: KGX's in-memory graph keys an edge by subject-predicate-object (biolink/kgx#413),
    so the records that repeat a triple (one per quote) merge; ``stream=True`` keeps them all."""
    done = subprocess.run(
        [
            consumer_python(),
            str(CONSUMERS / "kgx_transform.py"),
            str(released / "calcinosis-kg_nodes.tsv"),
            str(released / "calcinosis-kg_edges.tsv"),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    table = [
        line.split("\t")
        for line in (released / "calcinosis-kg_edges.tsv").read_text(encoding="utf-8").splitlines()
    ]
    col = {name: i for i, name in enumerate(table[0])}
    ids = [r[col["id"]] for r in table[1:]]
    triples = {(r[col["subject"]], r[col["predicate"]], r[col["object"]]) for r in table[1:]}
    nodes = (released / "calcinosis-kg_nodes.tsv").read_text(encoding="utf-8").splitlines()
    assert sorted(got["stream"]["edges"]) == sorted(ids) and len(ids) > len(triples)
    assert len(got["stream"]["nodes"]) == len(got["graph"]["nodes"]) == len(nodes) - 1
    assert len(got["graph"]["edges"]) == len(triples)  # the merge the README describes


def test_sssom_py_validates_and_parses_the_mapping_set_with_labels_only_as_labels(released):
    import logging

    from sssom.parsers import parse_sssom_table
    from sssom.validators import DEFAULT_VALIDATION_TYPES, validate

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.WARNING)
    logging.getLogger().addHandler(handler)
    try:
        msdf = parse_sssom_table(str(released / "calcinosis-kg.sssom.tsv"))
        reports = validate(msdf, DEFAULT_VALIDATION_TYPES, fail_on_error=False)
    finally:
        logging.getLogger().removeHandler(handler)
    assert [r.getMessage() for r in records] == []
    assert {str(k): r.results for k, r in reports.items()} == {
        str(k): [] for k in DEFAULT_VALIDATION_TYPES
    }
    frame = msdf.df.fillna("")
    rows = {(r.subject_id, r.object_id): r for r in frame.itertuples()}
    # the rows: DERMO exact matches are there, with DERMO's label
    assert (
        rows[("CCKG:0000001", "DERMO:0002718")].object_label
        == "disease with cutaneous calcification"
    )
    # a label or nothing, never a note; a mapping MONDO states is chaining, named in the comment
    assert not [r for r in frame.itertuples() if "(" in r.object_label or "label" in r.object_label]
    chained = rows[("CCKG:0000006", "SCTID:237900002")]
    assert (chained.mapping_justification, chained.object_label) == ("semapv:MappingChaining", "")
    assert "MONDO:0017215" in chained.comment
    assert (
        rows[("CCKG:0000006", "MONDO:0017215")].mapping_justification
        == "semapv:ManualMappingCuration"
    )
    sources = (
        set(frame["subject_source"])
        if "subject_source" in frame
        else {msdf.metadata["subject_source"]}
    )
    assert sources == {"cckg:calcinosis-kg.owl"}


# --- where the association records are, in each graph view --------------------------------------
def test_association_records_are_node_metadata_in_obographs_and_property_values_in_obo(released):
    for variant in ("base", "full", "main"):
        graph = json.loads(_file(released, variant, "json").read_text(encoding="utf-8"))
        g = graph["graphs"][0]
        assert CQ03 not in {(e["sub"], e["pred"], e["obj"]) for e in g["edges"]}, variant
        records = {
            tuple(
                v["val"]
                for v in sorted(
                    (
                        v
                        for v in n.get("meta", {}).get("basicPropertyValues", [])
                        if v["pred"] in ("biolink:subject", "biolink:predicate", "biolink:object")
                    ),
                    key=lambda v: ("biolink:subject", "biolink:predicate", "biolink:object").index(
                        v["pred"]
                    ),
                )
            )
            for n in g["nodes"]
            if n.get("type") == "INDIVIDUAL"
        }
        assert CQ03 in records, variant
        assert any("association record" in c for c in g["meta"]["comments"]), variant
        nodes = {n["id"] for n in g["nodes"]}
        assert not [e for e in g["edges"] if e["sub"] not in nodes or e["obj"] not in nodes]
        obo = _file(released, variant, "obo").read_text(encoding="utf-8")
        head = f"id: {CQ03[0]}\n"
        stanza = obo.split(head, 1)[1].split("\n\n", 1)[0] if head in obo else ""
        # base: no statement about an external term (ODK); full and main: a property value
        assert (f"property_value: {CQ03[1]} {CQ03[2]}" in stanza) == (variant != "base")
        assert f"relationship: {CQ03[1]} {CQ03[2]}" not in stanza
