"""Running HermiT: its input, the Java process, and reading its output into a ``ReasoningResult``.

HermiT runs as a Java subprocess on an N-Triples copy of the already-loaded graph (owl:imports
removed: the local import module is part of the graph, and HermiT must never fetch anything).
``start()`` launches it and returns at once, so ``check`` can run the Python stages on the other
core meanwhile; ``reason()`` is the blocking form. owlready2 itself is not imported: only its jar
(located by ``java``). HermiT gives no explanations: ``explain`` adds them to the result.

Bounded and tidy: the run has a deadline (``CALCINOSIS_KG_REASONER_TIMEOUT`` seconds, default
600; ``--reasoner-timeout`` on ``check`` and ``reason``); Java starts in a process group of its
own, and the whole group is killed on timeout, on Ctrl-C and on SIGTERM (a ``java`` wrapper
script's child would otherwise keep the pipes open and the run alive); it runs in a private
temporary working directory (HermiT derives a base IRI from the working directory and fails in
``/`` or a read-only folder), removed on every exit path.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from calcinosis_kg.checks.explain import Axioms, loaded_store
from calcinosis_kg.checks.inconsistency import explain_inconsistency
from calcinosis_kg.checks.verdict import ReasoningResult
from calcinosis_kg.core.errors import InputError
from calcinosis_kg.core.vocab import OWL, OWL_IMPORTS, OWL_NOTHING, OWL_THING

if TYPE_CHECKING:
    from calcinosis_kg.graph.knowledge import KnowledgeGraph

DEFAULT_TIMEOUT = 600.0
TIMEOUT_ENV = "CALCINOSIS_KG_REASONER_TIMEOUT"
#: IRIs OWLAPI invents for what it could not parse: never a real superclass
_OWLAPI_ERROR = "http://org.semanticweb.owlapi/error#"


def default_timeout() -> float:
    """``$CALCINOSIS_KG_REASONER_TIMEOUT`` seconds, else ``DEFAULT_TIMEOUT``."""

    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise InputError(f"{TIMEOUT_ENV}={raw!r}: expected a number of seconds above 0")
    return value


_LINE = re.compile(r"^([A-Za-z]+)\( ((?:<[^>]+>\s*)+)\)$", re.MULTILINE)
_IRI = re.compile(r"<([^>]+)>")


def write_hermit_input(kg: KnowledgeGraph, target: Path) -> int:
    """Write the graph as N-Triples for HermiT, without owl:imports. Returns the triple count."""
    import pyoxigraph as ox

    store = loaded_store(kg)
    imports = ox.NamedNode(OWL_IMPORTS)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in store if q.predicate != imports]
    target.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")
    return len(triples)


class HermitRun:
    """A HermiT process started in the background on a snapshot of ``kg``."""

    def __init__(
        self, kg: KnowledgeGraph, java: Path | None = None, timeout: float | None = None
    ) -> None:
        self.kg = kg
        self.timeout = default_timeout() if timeout is None else timeout
        self.started = time.perf_counter()
        self.process: subprocess.Popen[bytes] | None = None
        self.error = ""
        self.java_missing = False
        self._dir = Path(tempfile.mkdtemp(prefix="calcinosis-kg-hermit-"))
        self.input = self._dir / "ontology.nt"
        try:
            write_hermit_input(kg, self.input)
        except BaseException:
            shutil.rmtree(self._dir, ignore_errors=True)
            raise
        # lazy: `check --help` imports this module (cli.options) and needs no Java lookup
        from calcinosis_kg.checks import java as java_lookup

        java = java or java_lookup.find_java()
        if java is None:
            self.java_missing = True
            self.error = java_lookup.java_not_found_message()
            return
        try:
            command = java_lookup.hermit_command(java, self.input)
            # own session = own process group (killed as one); private cwd (see the docstring)
            self.process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL,
                cwd=self._dir,
                start_new_session=True,
            )
        except (OSError, ValueError) as exc:
            self.error = f"cannot start HermiT with {java}: {exc}"
            shutil.rmtree(self._dir, ignore_errors=True)
            return
        # drain the pipes while Python works on other stages: a large hierarchy would fill the
        # pipe buffer and stall HermiT; the thread also records when HermiT really finished
        self._output: tuple[bytes, bytes] = (b"", b"")
        self._finished = self.started
        self._timed_out = False
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        assert self.process is not None
        try:
            self._output = self.process.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self._timed_out = True
            self._kill_group()
            try:
                self._output = self.process.communicate(timeout=10)
            except (subprocess.TimeoutExpired, ValueError, OSError):
                # a descendant left the group and holds the pipes: stop reading
                for pipe in (self.process.stdout, self.process.stderr):
                    with contextlib.suppress(OSError):
                        pipe and pipe.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(timeout=5)
        except (ValueError, OSError):  # pipes closed by cancel()
            pass
        self._finished = time.perf_counter()

    def _kill_group(self) -> None:
        """SIGKILL Java's whole process group (a wrapper script and its children included)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()

    def cancel(self) -> None:
        """Stop HermiT (another stage aborted the run, Ctrl-C, SIGTERM) and remove its files."""
        if self.process is not None:
            self._kill_group()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        shutil.rmtree(self._dir, ignore_errors=True)

    def wait(self) -> ReasoningResult:
        """Wait for HermiT and interpret its output. ``seconds`` is HermiT's own wall time."""
        try:
            if self.process is None:
                return ReasoningResult(
                    consistent=None,
                    error=self.error,
                    java_missing=self.java_missing,
                    seconds=time.perf_counter() - self.started,
                )
            try:
                self._reader.join()
            except BaseException:  # Ctrl-C or SIGTERM (SystemExit) while waiting
                self.cancel()
                raise
            seconds = self._finished - self.started
            if self._timed_out:
                return ReasoningResult(
                    consistent=None,
                    error=f"HermiT timed out after {self.timeout:.0f} s",
                    seconds=seconds,
                )
            out, err = self._output
            interpreting = time.perf_counter()
            result = _interpret(
                self.kg,
                self.process.returncode,
                out.decode("utf-8", "replace"),
                err.decode("utf-8", "replace"),
            )
            result.seconds = seconds + (time.perf_counter() - interpreting)
            return result
        finally:
            shutil.rmtree(self._dir, ignore_errors=True)


def start(kg: KnowledgeGraph, java: Path | None = None, timeout: float | None = None) -> HermitRun:
    """Start HermiT in the background; call ``.wait()`` on the result for the answer."""
    return HermitRun(kg, java, timeout)


def reason(kg: KnowledgeGraph, java: Path | None = None) -> ReasoningResult:
    """Run HermiT on ``kg``: consistency, unsatisfiable classes and the inferred hierarchy."""
    return start(kg, java).wait()


def _java_error(stdout: str, stderr: str) -> str:
    text = stderr.strip() or stdout.strip()
    if "pear-shaped" in text or "Could not parse ontology" in text:
        return "HermiT could not parse its input: " + text.splitlines()[0]
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith("\tat ") or line.startswith("Caused by"):
            break
        if "warning" in line.lower() and "VM" in line:
            continue
        lines.append(line.strip())
    message = " ".join(x for x in lines if x)
    message = re.sub(r"^Exception in thread \"main\" [\w.$]+: ", "", message)
    return "HermiT failed: " + (message[:500] or "no output")


def _interpret(kg: KnowledgeGraph, returncode: int, stdout: str, stderr: str) -> ReasoningResult:
    if returncode != 0 or "pear-shaped" in stdout or "pear-shaped" in stderr:
        if "InconsistentOntologyException" in stderr or "Inconsistent ontology" in stderr:
            result = ReasoningResult(consistent=False)
            result.culprits = explain_inconsistency(kg, reason)
            return result
        return ReasoningResult(consistent=None, error=_java_error(stdout, stderr))
    direct: list[tuple[str, str]] = []
    groups: list[list[str]] = []
    unsat: set[str] = set()
    for relation, iris in _LINE.findall(stdout):
        names = [n for n in _IRI.findall(iris) if not n.startswith(_OWLAPI_ERROR)]
        if relation == "SubClassOf" and len(names) == 2:
            sub, sup = names
            if sup != OWL_THING and sub != OWL_NOTHING and not sub.startswith(OWL):
                direct.append((sub, sup))
        elif relation == "EquivalentClasses":
            if OWL_NOTHING in names:
                unsat.update(n for n in names if not n.startswith(OWL))
            else:
                group = sorted(n for n in names if n != OWL_THING)
                if len(group) > 1:
                    groups.append(group)
    axioms = Axioms.of(kg)
    asserted = axioms.asserted_named_pairs()
    asserted_eq = axioms.asserted_named_equivalences()
    inferred = sorted({(a, b) for a, b in direct if (a, b) not in asserted})
    inferred_eq = sorted(
        {
            (a, b)
            for g in groups
            for a in g
            for b in g
            if a < b and (a, b) not in asserted_eq and (b, a) not in asserted_eq
        }
    )
    result = ReasoningResult(
        consistent=True,
        unsatisfiable=sorted(unsat),
        inferred_subclass_pairs=inferred,
        direct_pairs=sorted(set(direct)),
        equivalent_groups=sorted(groups),
        inferred_equivalent_pairs=inferred_eq,
    )
    result.explanations = {c: axioms.explain_unsatisfiable(c, result) for c in result.unsatisfiable}
    return result
