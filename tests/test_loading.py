"""Loading: formats, positioned errors, and hostile inputs (entity bombs, XXE, remote imports)."""

from __future__ import annotations

from pathlib import Path

import pytest

from calcinosis_kg.core.errors import InputError
from calcinosis_kg.graph.knowledge import load
from calcinosis_kg.graph.loading import sniff_format

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _xml(body: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0"?>\n{doctype}'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="http://example.org/">\n{body}\n</rdf:RDF>\n'
    )


def _laughs(levels: int) -> str:
    decls = ['<!ENTITY lol0 "lol">']
    decls += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)]
    doctype = "<!DOCTYPE rdf:RDF [\n" + "\n".join(decls) + "\n]>\n"
    return _xml(
        f'<rdf:Description rdf:about="http://example.org/a">'
        f"<ex:p>&lol{levels};</ex:p></rdf:Description>",
        doctype,
    )


@pytest.mark.parametrize(
    ("name", "text", "line", "column"),
    [
        pytest.param(
            "bad.ttl",
            "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b ;\n",
            3,
            11,
            id="turtle",
        ),
        pytest.param(
            "bad.nt",
            "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n",
            2,
            23,
            id="ntriples",
        ),
        pytest.param(
            "bad.jsonld",
            '{"@id": "http://example.org/a",\n "http://example.org/p": [}\n',
            2,
            27,
            id="jsonld",
        ),
    ],
)
def test_malformed_file_error_names_file_line_and_column(
    tmp_path: Path, name: str, text: str, line: int, column: int
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load([path])
    assert (info.value.path, info.value.line, info.value.column) == (str(path), line, column)
    assert str(info.value).startswith(f"{path}:{line}:{column}: malformed ")


def test_malformed_rdfxml_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.owl"
    path.write_text(_xml('<rdf:Description rdf:about="http://example.org/a">\n  <ex:p></ex:q>'))
    with pytest.raises(InputError, match="malformed RDF/XML: mismatched tag") as info:
        load([path])
    assert (info.value.path, info.value.line, info.value.column) == (str(path), 4, 11)


def test_truncated_rdfxml_is_an_error_not_a_partial_graph(tmp_path: Path) -> None:
    path = tmp_path / "cut.owl"
    full = _xml(
        '<rdf:Description rdf:about="http://example.org/a">'
        '<ex:p rdf:resource="http://example.org/b"/></rdf:Description>'
    )
    path.write_text(full[: full.index("</rdf:Description>")])
    with pytest.raises(InputError, match="no element found"):
        load([path])


def test_missing_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.ttl"
    with pytest.raises(InputError, match="file not found") as info:
        load([missing])
    assert info.value.path == str(missing)


def test_billion_laughs_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "lol.owl"
    path.write_text(_laughs(9))  # 10^9 "lol": pyoxigraph alone spends ~40 s and 3 GB on it
    with pytest.raises(InputError, match="nested entities"):
        load([path])


def test_small_entity_bomb_is_refused_too(tmp_path: Path) -> None:
    # small enough that an unguarded parser would simply succeed: the refusal is the guard's
    path = tmp_path / "lol3.rdf"
    path.write_text(_laughs(3))
    with pytest.raises(InputError, match="nested entities"):
        load([path])


def test_external_entity_is_refused_and_not_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    doctype = f'<!DOCTYPE rdf:RDF [\n<!ENTITY x SYSTEM "{secret.as_uri()}">\n]>\n'
    path = tmp_path / "xxe.owl"
    path.write_text(
        _xml(
            '<rdf:Description rdf:about="http://example.org/a"><ex:p>&x;</ex:p></rdf:Description>',
            doctype,
        )
    )
    with pytest.raises(InputError, match="external entity") as info:
        load([path])
    assert "TOPSECRET" not in str(info.value)
    assert info.value.line == 3  # the <!ENTITY line


def test_external_dtd_is_refused_without_connecting(tmp_path: Path, connection_recorder) -> None:
    doctype = f'<!DOCTYPE rdf:RDF SYSTEM "{connection_recorder.url}x.dtd">\n'
    path = tmp_path / "dtd.owl"
    path.write_text(_xml("", doctype))
    with pytest.raises(InputError, match="external DTD"):
        load([path])
    assert connection_recorder.connections == 0


@pytest.mark.parametrize(
    ("doctype", "words"),
    [
        pytest.param(
            '<!DOCTYPE rdf:RDF [\n<!ENTITY % p "x">\n]>\n',
            "parameter entity",
            id="parameter_entity",
        ),
        pytest.param(
            '<!DOCTYPE rdf:RDF [\n<!ENTITY ok "fine">\n] <!ENTITY lol1 "&lol0;&lol0;">\n]>\n',
            "DOCTYPE|entity",
            id="entity_declared_after_the_internal_subset",
        ),
    ],
)
def test_a_doctype_the_guard_does_not_allow_is_refused(
    tmp_path: Path, doctype: str, words: str
) -> None:
    path = tmp_path / "doctype.owl"
    path.write_text(_xml("", doctype))
    with pytest.raises(InputError, match=words):
        load([path])


def test_protege_style_namespace_entities_load(tmp_path: Path) -> None:
    doctype = (
        '<!DOCTYPE rdf:RDF [\n<!ENTITY owl "http://www.w3.org/2002/07/owl#" >\n'
        '<!ENTITY ex "http://example.org/" >\n]>\n'
    )
    path = tmp_path / "protege.owl"
    path.write_text(
        _xml(
            '<rdf:Description rdf:about="&ex;A">'
            '<rdf:type rdf:resource="&owl;Class"/></rdf:Description>',
            doctype,
        )
    )
    kg = load([path])
    assert kg.store.query("ASK { <http://example.org/A> a <http://www.w3.org/2002/07/owl#Class> }")


def test_unmapped_owl_import_warns_and_is_never_fetched(
    tmp_path: Path, connection_recorder
) -> None:
    path = tmp_path / "imports.ttl"
    path.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<http://example.org/o> a owl:Ontology ; "
        f"owl:imports <{connection_recorder.url}evil.owl> .\n"
    )
    kg = load([path])
    assert connection_recorder.connections == 0
    assert len(kg.warnings) == 1
    assert "not resolved" in kg.warnings[0] and connection_recorder.url in kg.warnings[0]
    assert kg.files == [path]


def test_bundled_import_iri_resolves_to_the_local_module(tmp_path: Path) -> None:
    from calcinosis_kg.graph.loading import import_map

    iri, local = next(iter(import_map().items()))
    path = tmp_path / "mine.ttl"
    path.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        f"<http://example.org/o> a owl:Ontology ; owl:imports <{iri}> .\n"
    )
    kg = load([path])
    assert [p.resolve() for p in kg.files] == [path.resolve(), local]
    assert kg.warnings == []


def test_import_already_given_explicitly_is_not_loaded_twice(tmp_path: Path) -> None:
    module = tmp_path / "module.ttl"
    module.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<http://example.org/module> a owl:Ontology .\n"
    )
    main = tmp_path / "main.ttl"
    main.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<http://example.org/o> a owl:Ontology ; "
        "owl:imports <http://example.org/module> .\n"
    )
    kg = load([main, module])
    assert kg.files == [main, module]
    assert kg.warnings == []


def test_remote_jsonld_context_is_refused_without_connecting(
    tmp_path: Path, connection_recorder
) -> None:
    path = tmp_path / "ctx.jsonld"
    path.write_text(
        f'{{"@context": "{connection_recorder.url}ctx.jsonld", '
        '"@id": "http://example.org/a", "p": "x"}'
    )
    with pytest.raises(InputError, match="remote JSON-LD @context"):
        load([path])
    assert connection_recorder.connections == 0


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("a.owl", "@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n", "turtle"),
        ("a.txt", _xml(""), "xml"),
        ("a.data", '{"@id": "http://example.org/a"}', "json-ld"),
        ("a.nt", "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n", "nt"),
    ],
)
def test_format_is_sniffed_when_the_extension_does_not_say(
    name: str, content: str, expected: str
) -> None:
    assert sniff_format(Path(name), content.encode()) == expected


def test_turtle_saved_as_owl_loads(tmp_path: Path) -> None:
    path = tmp_path / "ttl.owl"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:p ex:b .\n")
    assert len(load([path]).store) == 1


def test_blank_nodes_of_different_files_stay_distinct(tmp_path: Path) -> None:
    for name in ("one.ttl", "two.ttl"):
        (tmp_path / name).write_text("_:x <http://example.org/p> <http://example.org/o> .\n")
    kg = load([tmp_path / "one.ttl", tmp_path / "two.ttl"])
    assert len(kg.store) == 2


def test_digest_depends_on_content_not_on_path(tmp_path: Path, tiny_ontology: Path) -> None:
    copy = tmp_path / "elsewhere" / "copy.ttl"
    copy.parent.mkdir()
    copy.write_bytes(tiny_ontology.read_bytes())
    assert load([copy]).digest == load([tiny_ontology]).digest
    copy.write_bytes(tiny_ontology.read_bytes() + b"\n# edit\n")
    assert load([copy]).digest != load([tiny_ontology]).digest


def test_digest_covers_resolved_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import calcinosis_kg.graph.loading as loading

    module = tmp_path / "module.ttl"
    module.write_text("<http://example.org/m> <http://example.org/p> 1 .\n")
    monkeypatch.setattr(loading, "import_map", lambda: {"http://example.org/module": module})
    main = tmp_path / "main.ttl"
    main.write_text(
        "<http://example.org/o> <http://www.w3.org/2002/07/owl#imports> "
        "<http://example.org/module> .\n"
    )
    before = load([main]).digest
    module.write_text("<http://example.org/m> <http://example.org/p> 2 .\n")
    assert load([main]).digest != before


def test_owl_xml_gets_a_clear_unsupported_message(tmp_path: Path) -> None:
    path = tmp_path / "onto.owx.owl"
    path.write_text(
        '<?xml version="1.0"?>\n<Ontology xmlns="http://www.w3.org/2002/07/owl#" '
        'ontologyIRI="http://example.org/o"/>\n'
    )
    with pytest.raises(InputError, match="OWL/XML is not supported"):
        load([path])


def test_file_iri_import_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "other.ttl"
    secret.write_text("<http://example.org/secret> <http://example.org/p> 1 .\n")
    path = tmp_path / "main.ttl"
    path.write_text(
        f"<http://example.org/o> <http://www.w3.org/2002/07/owl#imports> <{secret.as_uri()}> .\n"
    )
    kg = load([path])
    assert kg.files == [path] and len(kg.store) == 1
    assert "not resolved" in kg.warnings[0]
