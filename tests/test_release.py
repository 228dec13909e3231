"""Release artifacts: each variant, each format, each proven in an independent consumer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import rdflib
from loopback import LoopbackListener
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.publish.release import (
    FORMATS,
    MAIN,
    MAIN_FORMATS,
    VARIANTS,
    release,
    release_graphs,
)

CCKG = rdflib.Namespace("https://w3id.org/calcinosis-kg/CCKG_")
OBO = rdflib.Namespace("http://purl.obolibrary.org/obo/")
OIO = rdflib.Namespace("http://www.geneontology.org/formats/oboInOwl#")

PREFIXES = """\
@prefix CCKG: <https://w3id.org/calcinosis-kg/CCKG_> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix oboInOwl: <http://www.geneontology.org/formats/oboInOwl#> .
@prefix obo: <http://purl.obolibrary.org/obo/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix biolink: <https://w3id.org/biolink/vocab/> .
@prefix sssom: <https://w3id.org/sssom/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""

ONTOLOGY = (
    PREFIXES
    + """
<https://example.org/rel/calcinosis-kg.owl> a owl:Ontology ;
    owl:versionIRI <https://example.org/rel/releases/2026-01-15/calcinosis-kg.owl> ;
    owl:versionInfo "2026-01-15" ;
    dcterms:title "release test ontology" ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    owl:imports <https://example.org/rel/imports/external_import.owl> .

CCKG:9000001 a owl:Class ; rdfs:label "test calcinosis cutis" ;
    obo:IAO_0000115 "A calcinosis of the skin." ;
    oboInOwl:hasExactSynonym "test cutaneous calcification" ;
    oboInOwl:hasDbXref "HP:0025520" ;
    skos:exactMatch obo:HP_0025520 ;
    rdfs:subClassOf obo:MONDO_0002123 , _:site .
_:site a owl:Restriction ; owl:onProperty obo:RO_0004026 ; owl:someValuesFrom obo:UBERON_0002097 .
[] a owl:Axiom ; owl:annotatedSource CCKG:9000001 ; owl:annotatedProperty rdfs:subClassOf ;
    owl:annotatedTarget _:site ; biolink:supporting_text "Deposits form in the skin." ;
    dcterms:source <http://identifiers.org/pubmed/123> ; obo:RO_0002558 obo:ECO_0000033 .
[] a owl:Axiom ; owl:annotatedSource CCKG:9000001 ; owl:annotatedProperty oboInOwl:hasDbXref ;
    owl:annotatedTarget "HP:0025520" ; sssom:predicate_id skos:exactMatch .

CCKG:9000002 a owl:Class ; rdfs:label "test metastatic calcinosis cutis" ;
    rdfs:subClassOf CCKG:9000001 ,
      [ a owl:Restriction ; owl:onProperty obo:RO_0004022 ;
        owl:someValuesFrom [ a owl:Class ; owl:unionOf ( obo:HP_0003072 obo:HP_0002905 ) ] ] .

CCKG:9000600 a owl:Class ; rdfs:label "test calcinosis cutis of the skin" ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf ( CCKG:9000001
      [ a owl:Restriction ; owl:onProperty obo:RO_0004026 ; owl:someValuesFrom obo:UBERON_0002097 ]
    ) ] .
"""
)

IMPORT_MODULE = (
    PREFIXES
    + """
<https://example.org/rel/imports/external_import.owl> a owl:Ontology .
obo:MONDO_0002123 a owl:Class ; rdfs:label "calcinosis" .
obo:UBERON_0002097 a owl:Class ; rdfs:label "skin of body" .
obo:HP_0003072 a owl:Class ; rdfs:label "Hypercalcemia" .
obo:HP_0002905 a owl:Class ; rdfs:label "Hyperphosphatemia" .
obo:HP_0025520 a owl:Class ; rdfs:label "Calcinosis cutis" .
obo:RO_0004026 a owl:ObjectProperty ; rdfs:label "disease has location" .
obo:RO_0004022 a owl:ObjectProperty ; rdfs:label "disease has basis in" .
"""
)


def _inferred() -> rdflib.Graph:
    """What a reasoner would add here: the defined class under its genus."""
    g = rdflib.Graph()
    g.add((CCKG["9000600"], RDFS.subClassOf, CCKG["9000001"]))
    return g


@pytest.fixture
def ontology_files(tmp_path: Path) -> list[Path]:
    ours = tmp_path / "calcinosis-kg.ttl"
    module = tmp_path / "external_import.ttl"
    ours.write_text(ONTOLOGY, encoding="utf-8")
    module.write_text(IMPORT_MODULE, encoding="utf-8")
    return [ours, module]


@pytest.fixture
def graphs(ontology_files: list[Path]) -> dict[str, rdflib.Graph]:
    return release_graphs(load(ontology_files), _inferred())


@pytest.fixture
def released(ontology_files: list[Path], tmp_path: Path) -> Path:
    out = tmp_path / "release"
    release(load(ontology_files), out, inferred=_inferred())
    return out


def test_release_writes_every_variant_in_every_format_plus_sssom_and_kgx(released: Path):
    expected = {f"calcinosis-kg-{v}.{f}" for v in VARIANTS for f in FORMATS}
    expected |= {f"calcinosis-kg.{f}" for f in MAIN_FORMATS}  # ODK's unsuffixed main files
    expected |= {
        "calcinosis-kg.sssom.tsv",
        "calcinosis-kg_nodes.tsv",
        "calcinosis-kg_edges.tsv",
        "calcinosis-kg.prefixes.json",
        "calcinosis-kg.context.jsonld",
        "calcinosis-kg.context-1.0.jsonld",
    }
    assert {p.name for p in released.iterdir()} == expected


def test_release_output_is_byte_identical_across_runs_and_hash_seeds(
    ontology_files: list[Path], tmp_path: Path
):
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        args = [sys.executable, "-m", "calcinosis_kg", "release", "--output", str(out)]
        for path in ontology_files:
            args += ["--ontology", str(path)]
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0].keys() == outputs[1].keys()
    assert [name for name in outputs[0] if outputs[0][name] != outputs[1][name]] == []


def test_release_date_and_version_iri_come_from_the_header(graphs: dict[str, rdflib.Graph]):
    for variant, graph in graphs.items():
        # the main file carries the ontology's own IRI and version IRI, as ODK's does
        stem = "calcinosis-kg" if variant == MAIN else f"calcinosis-kg-{variant}"
        head = rdflib.URIRef(f"https://example.org/rel/{stem}.owl")
        assert (head, RDF.type, OWL.Ontology) in graph
        assert set(graph.subjects(RDF.type, OWL.Ontology)) == {head}
        assert graph.value(head, OWL.versionIRI) == rdflib.URIRef(
            f"https://example.org/rel/releases/2026-01-15/{stem}.owl"
        )
        assert str(graph.value(head, OIO.date)) == "15:01:2026 00:00"
        assert (
            str(graph.value(head, rdflib.URIRef("http://purl.org/dc/terms/issued"))) == "2026-01-15"
        )


def test_release_without_a_dated_version_is_an_input_error(tmp_path: Path):
    path = tmp_path / "undated.ttl"
    path.write_text(
        PREFIXES + "<https://example.org/u.owl> a owl:Ontology .\nCCKG:9000001 a owl:Class .\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="versionInfo"):
        release_graphs(load([path]), rdflib.Graph())


def test_base_leaves_out_the_import_module_and_owl_imports(graphs: dict[str, rdflib.Graph]):
    base = graphs["base"]
    assert (OBO.MONDO_0002123, RDFS.label, rdflib.Literal("calcinosis")) not in base
    assert (CCKG["9000001"], RDFS.subClassOf, OBO.MONDO_0002123) in base
    assert list(base.triples((None, OWL.imports, None))) == []
    assert len(list(base.subjects(RDF.type, OWL.Ontology))) == 1


def test_full_merges_the_import_module_and_asserts_the_inferred_hierarchy(
    graphs: dict[str, rdflib.Graph],
):
    full = graphs["full"]
    assert (OBO.MONDO_0002123, RDFS.label, rdflib.Literal("calcinosis")) in full
    assert (CCKG["9000600"], RDFS.subClassOf, CCKG["9000001"]) in full
    assert list(full.triples((None, OWL.imports, None))) == []
    assert len(list(full.subjects(RDF.type, OWL.Ontology))) == 1


def test_simple_keeps_named_hierarchy_and_existentials_but_no_class_expressions(
    graphs: dict[str, rdflib.Graph],
):
    simple = graphs["simple"]
    predicates = set(simple.predicates())
    assert not predicates & {OWL.equivalentClass, OWL.unionOf, OWL.intersectionOf}
    assert (CCKG["9000600"], RDFS.subClassOf, CCKG["9000001"]) in simple
    fillers = {
        simple.value(o, OWL.someValuesFrom)
        for o in simple.objects(CCKG["9000001"], RDFS.subClassOf)
        if isinstance(o, rdflib.BNode)
    }
    assert fillers == {OBO.UBERON_0002097}
    # the union restriction of 9000002 has no simple form and is gone, its named parent stays
    assert set(simple.objects(CCKG["9000002"], RDFS.subClassOf)) == {CCKG["9000001"]}


def test_simple_keeps_no_axiom_annotations_individuals_or_data_assertions_but_its_license(
    graphs: dict[str, rdflib.Graph],
):
    simple = graphs["simple"]
    assert not set(simple.subjects(RDF.type, OWL.Axiom))
    assert not set(
        simple.objects(None, rdflib.URIRef("https://w3id.org/biolink/vocab/supporting_text"))
    )
    assert not set(simple.subjects(RDF.type, OWL.NamedIndividual))
    head = rdflib.URIRef("https://example.org/rel/calcinosis-kg-simple.owl")
    assert (
        head,
        rdflib.URIRef("http://purl.org/dc/terms/license"),
        rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in simple


def test_turtle_and_ntriples_load_in_pyoxigraph_with_rdflib_triple_count(released: Path):
    import pyoxigraph

    for variant in VARIANTS:
        for suffix, ox_format, rdflib_format in (
            ("ttl", pyoxigraph.RdfFormat.TURTLE, "turtle"),
            ("nt", pyoxigraph.RdfFormat.N_TRIPLES, "nt"),
        ):
            path = released / f"calcinosis-kg-{variant}.{suffix}"
            store = pyoxigraph.Store()
            store.load(path=str(path), format=ox_format)
            assert len(store) == len(rdflib.Graph().parse(path, format=rdflib_format)), path


def test_every_rdf_format_round_trips_to_an_isomorphic_graph(
    released: Path, graphs: dict[str, rdflib.Graph]
):
    for variant in VARIANTS:
        for suffix, fmt in (("ttl", "turtle"), ("nt", "nt"), ("owl", "xml"), ("jsonld", "json-ld")):
            parsed = rdflib.Graph().parse(
                released / f"calcinosis-kg-{variant}.{suffix}", format=fmt
            )
            assert isomorphic(_rdf11(parsed), _rdf11(graphs[variant])), (variant, suffix)


def _rdf11(graph: rdflib.Graph) -> rdflib.Graph:
    """``graph`` with RDF 1.1 literal terms: ``"x"^^xsd:string`` is the simple literal ``"x"``
    (rdflib keeps them apart; the RDF/XML types some relation annotations for pronto)."""
    out = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, rdflib.Literal) and o.datatype == rdflib.XSD.string:
            o = rdflib.Literal(str(o))
        out.add((s, p, o))
    return out


def test_the_rdfxml_types_only_the_relation_annotations_pronto_would_drop():
    """Everything else keeps its literal exactly, so rdflib users query the .owl like the .ttl
    (the committed release of the bundled ontology, kept fresh by the test below)."""
    committed = Path(__file__).resolve().parent.parent / "release"
    ttl = rdflib.Graph().parse(committed / "calcinosis-kg-full.ttl")
    owl = rdflib.Graph().parse(committed / "calcinosis-kg-full.owl", format="xml")
    named = lambda g: {t for t in g if not any(isinstance(x, rdflib.BNode) for x in t)}  # noqa: E731
    changed = {(s, p) for s, p, o in named(owl) - named(ttl)}
    assert changed, "the bundled relations carry no annotation pronto would drop: test is moot"
    assert {p for _, p in changed} <= {OBO.IAO_0000412, OBO.IAO_0000116}
    assert all((s, RDF.type, OWL.ObjectProperty) in ttl for s, _ in changed)
    assert isomorphic(_rdf11(owl), ttl)


@pytest.mark.java  # owlready2 runs HermiT in a JVM
def test_full_rdfxml_of_the_bundled_ontology_loads_in_owlready2_and_hermit_is_consistent(
    tmp_path: Path,
):
    owlready2 = pytest.importorskip("owlready2")
    from calcinosis_kg.publish.release import full_graph, writers

    path = tmp_path / "calcinosis-kg-full.owl"
    path.write_bytes(writers()["owl"](full_graph(load())))  # the release's full RDF/XML
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    assert len(list(onto.classes())) > 0
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []


def test_obo_file_loads_in_pronto_with_names_is_a_and_relationships(released: Path):
    pronto = pytest.importorskip("pronto")
    with warnings.catch_warnings(record=True) as caught:  # kept, never silenced
        warnings.simplefilter("always")
        onto = pronto.Ontology(released / "calcinosis-kg-full.obo")
    assert [str(w.message) for w in caught] == []
    term = onto["CCKG:9000001"]
    assert term.name == "test calcinosis cutis"
    assert term.definition == "A calcinosis of the skin."
    assert {t.id for t in term.superclasses(distance=1, with_self=False)} == {"MONDO:0002123"}
    relation = onto.get_relationship("RO:0004026")
    assert {t.id for t in term.relationships[relation]} == {"UBERON:0002097"}
    assert {s.description for s in term.synonyms} == {"test cutaneous calcification"}


def test_obo_escapes_text_so_pronto_reads_labels_and_definitions_intact(tmp_path: Path):
    pronto = pytest.importorskip("pronto")
    from calcinosis_kg.publish.obo import to_obo

    graph = rdflib.Graph()
    label = 'odd ! label {x} "q" back\\slash'
    definition = 'two\nlines "quoted" \\ end'
    graph.add((CCKG["9000001"], RDF.type, OWL.Class))
    graph.add((CCKG["9000001"], RDFS.label, rdflib.Literal(label)))
    graph.add((CCKG["9000001"], OBO.IAO_0000115, rdflib.Literal(definition)))
    path = tmp_path / "odd.obo"
    path.write_bytes(to_obo(graph))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        term = pronto.Ontology(path)["CCKG:9000001"]
    assert [str(w.message) for w in caught] == []
    assert (term.name, str(term.definition)) == (label, definition)


def test_obo_writes_genus_differentia_definitions_as_intersection_of(released: Path):
    text = (released / "calcinosis-kg-base.obo").read_text()
    stanza = text.split("id: CCKG:9000600", 1)[1].split("\n\n", 1)[0]
    assert "intersection_of: CCKG:9000001 ! test calcinosis cutis" in stanza
    assert "intersection_of: RO:0004026 UBERON:0002097" in stanza


def test_obographs_json_is_read_by_the_obographs_model_without_dropping_fields(released: Path):
    obographs = pytest.importorskip("obographs")
    for variant in VARIANTS:
        raw = json.loads((released / f"calcinosis-kg-{variant}.json").read_text())
        document = obographs.GraphDocument.model_validate(raw)
        # every key we wrote is a field of the model (pydantic would silently drop unknown ones)
        assert document.model_dump(exclude_unset=True) == raw


def test_obographs_json_validates_against_the_obographs_json_schema(released: Path):
    obographs = pytest.importorskip("obographs")
    jsonschema = pytest.importorskip("jsonschema")
    schema = obographs.GraphDocument.model_json_schema()  # the obographs package's schema

    def closed(node: object) -> None:  # reject keys the model does not know
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                closed(value)
        elif isinstance(node, list):
            for value in node:
                closed(value)

    closed(schema)
    for variant in VARIANTS:
        document = json.loads((released / f"calcinosis-kg-{variant}.json").read_text())
        jsonschema.Draft202012Validator(schema).validate(document)


def test_obographs_json_has_edges_and_logical_definitions(released: Path):
    """Ids are CURIEs (OAK's obograph adapter then finds ``CCKG:…`` without ``--prefix``)."""
    graph = json.loads((released / "calcinosis-kg-base.json").read_text())["graphs"][0]
    assert {"sub": "CCKG:9000001", "pred": "RO:0004026", "obj": "UBERON:0002097"} in graph["edges"]
    assert graph["logicalDefinitionAxioms"] == [
        {
            "definedClassId": "CCKG:9000600",
            "genusIds": ["CCKG:9000001"],
            "restrictions": [{"propertyId": "RO:0004026", "fillerId": "UBERON:0002097"}],
        }
    ]
    assert any("calcinosis-kg.prefixes.json" in c for c in graph["meta"]["comments"])


def test_release_cli_reports_the_files_it_wrote(
    ontology_files: list[Path], tmp_path: Path, run_cli
):
    args = ["release", "--output", str(tmp_path / "cli")]
    for path in ontology_files:
        args += ["--ontology", str(path)]
    code, out, err = run_cli(*args)
    assert code == 0, err
    assert "calcinosis-kg-simple.obo" in out
    assert "release 2026-01-15" in out


def test_release_files_get_the_umask_mode_not_the_private_temp_file_mode(released: Path):
    umask = os.umask(0)
    os.umask(umask)
    modes = {p.stat().st_mode & 0o777 for p in released.iterdir()}
    assert modes == {0o666 & ~umask}


def test_release_cli_undated_ontology_is_one_line_and_exit_2(tmp_path: Path, run_cli):
    path = tmp_path / "undated.ttl"
    path.write_text(PREFIXES + "<https://example.org/u.owl> a owl:Ontology .\n", encoding="utf-8")
    code, _, err = run_cli("release", "--output", str(tmp_path / "out"), "--ontology", str(path))
    assert code == 2
    assert "versionInfo" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_committed_release_folder_equals_a_fresh_release_of_the_bundled_ontology(tmp_path: Path):
    """release/ is committed so the README can link the artifacts; it must not go stale."""
    committed = Path(__file__).resolve().parent.parent / "release"
    if not committed.is_dir():
        pytest.skip("no committed release/ folder (installed package)")
    fresh = tmp_path / "release"
    release(load(), fresh)
    names = sorted(p.name for p in fresh.iterdir())
    assert sorted(p.name for p in committed.iterdir()) == names
    stale = [n for n in names if (fresh / n).read_bytes() != (committed / n).read_bytes()]
    assert not stale, f"release/ is stale, run `calcinosis-kg release --output release`: {stale}"


# --- the source opens offline in OWL API through the catalog (Protégé, ROBOT) ------------------
def _java_proxy_options(network: LoopbackListener) -> list[str]:
    """Java's HTTP(S) proxy set to the loopback listener standing in for the network."""
    return [
        f"-D{scheme}.{key}={value}"
        for scheme in ("http", "https")
        for key, value in (("proxyHost", "127.0.0.1"), ("proxyPort", network.port))
    ]


def test_the_source_opens_offline_in_owlapi_through_the_catalog_beside_it(tmp_path: Path):
    """ODK layout: ``ontology/catalog-v001.xml`` maps every ``owl:imports`` of the source to the
    local module, so OWL API (Protégé, ROBOT) opens the source with no network. The "network" is a
    loopback proxy: through the catalog it sees no connection; without the catalog OWL API goes
    there for the import (and the load fails)."""
    from consumer_support import ROOT, compile_java
    from java_jars import OWLAPI_JARS

    java, *rest = compile_java(tmp_path, "CatalogLoad", OWLAPI_JARS, rdf4j=True)
    source = ROOT / "ontology" / "calcinosis-kg.ttl"
    catalog = ROOT / "ontology" / "catalog-v001.xml"
    imports = {str(o) for o in rdflib.Graph().parse(source).objects(None, OWL.imports)}
    network = LoopbackListener(backlog=8)
    try:
        command = [java, *_java_proxy_options(network), *rest]
        done = subprocess.run(
            [*command, str(source), str(catalog), str(CCKG["0000001"]), str(OBO.UBERON_0002097)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert network.connections == 0
        lines = [line.split("\t") for line in done.stdout.splitlines()]
        loaded = {row[1]: row[2] for row in lines if row[0] == "ontology"}
        assert imports and imports <= set(loaded), (imports, loaded)
        for iri in imports:
            assert loaded[iri].startswith("file:") and "/ontology/imports/" in loaded[iri]
        labels = {row[1]: row[2] for row in lines if row[0] == "label"}
        assert labels == {
            str(CCKG["0000001"]): "calcinosis cutis",
            str(OBO.UBERON_0002097): "skin of body",
        }  # from the import
        without = subprocess.run(
            [*command, str(source)], capture_output=True, text=True, timeout=300, check=False
        )
        assert without.returncode != 0 and network.connections > 0, without.stderr[-500:]
    finally:
        network.close()
