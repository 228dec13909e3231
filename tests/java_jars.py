"""The Debian jars the Java harnesses run on: the OWL API and its dependencies, in one place.

Why a module of its own: the consumer tests (``consumer_support.compile_java``: OWL API probe,
catalog load) and the HP merge benchmark (``benchmarks/bench_merge_hp.py``: OBO to OWL with the
OWL API) compile against the same jars; one list keeps them from drifting apart. Test and
benchmark support only, not part of the shipped package (the benchmark puts ``tests/`` on its
path, as ``bench_serve`` does for the store servers).
"""

from __future__ import annotations

from pathlib import Path

#: where Debian's libowlapi-java, librdf4j-java … install their jars
JAVA = Path("/usr/share/java")
#: the OWL API (5.1, Debian's libowlapi-java, what ROBOT runs on) and what it needs at run time
OWLAPI_JARS = (
    "owlapi-distribution",
    "guava",
    "caffeine",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "jsonld-java",
    "commons-io",
    "commons-lang3",
    "commons-rdf-api",
    "slf4j-api",
    "slf4j-nop",
    "xz",
    "hppcrt",
    "jsr305",
    "atinject-jsr330-api",
    "commons-codec",
    "httpclient",
    "httpcore",
    "httpclient-cache",
)


def jar_paths(names: tuple[str, ...], rdf4j: bool = False) -> list[Path]:
    """The jars of ``names`` (``JAVA/NAME.jar``), and with ``rdf4j`` every unversioned RDF4J jar
    (the OWL API's RDF parsers; the versioned files are the same jars under a second name)."""
    jars = [JAVA / f"{name}.jar" for name in names]
    if rdf4j:
        jars += sorted(
            p for p in JAVA.glob("rdf4j-*.jar") if not p.stem.split("-")[-1][0].isdigit()
        )
    return jars
