"""Real triple stores for the push tests, each started on a free loopback port and stopped after:
the Oxigraph server (``pip install oxigraph``) and Virtuoso Open Source (Debian
``virtuoso-opensource``) with a private virtuoso.ini, a non-default dba password, a raised
``ResultSetMaxRows`` and ``checkpoint`` before it stops."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from calcinosis_kg.serve.remote import Credentials

VIRTUOSO_MAX_ROWS = 50_000


@dataclass(frozen=True)
class Store:
    name: str
    endpoint: str  # SPARQL query URL
    store: str  # Graph Store Protocol URL
    credentials: Credentials | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float, log: Path | None) -> None:
    """Poll ``url`` (bounded in time) until the server answers; fail with its log otherwise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.25)
    detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"server did not start within {seconds} s: {detail}")


def oxigraph_binary() -> str | None:
    return shutil.which("oxigraph") or shutil.which(
        "oxigraph", path=str(Path(sys.executable).parent)
    )


@contextmanager
def oxigraph(folder: Path) -> Iterator[Store]:
    binary = oxigraph_binary()
    assert binary is not None
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                "serve",
                "--location",
                str(folder / "db"),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/query?query=ASK%7B%7D", process, 30, log)
        yield Store("oxigraph", f"{base}/query", f"{base}/store")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = .
NumberOfBuffers = 20000
MaxDirtyBuffers = 12000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def virtuoso_binaries() -> tuple[str, str] | None:
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    return (server, isql) if server and isql else None


def isql(binary: str, port: int, password: str, statement: str) -> None:
    subprocess.run(
        [binary, f"127.0.0.1:{port}", "dba", password, f"exec={statement}"],
        capture_output=True,
        timeout=60,
        check=True,
    )


@contextmanager
def virtuoso(folder: Path) -> Iterator[Store]:
    found = virtuoso_binaries()
    assert found is not None
    server, isql_binary = found
    db = folder / "db"
    db.mkdir()
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    vsp = folder / "vsp"  # private web root: nothing from the system install is served
    vsp.mkdir()
    ini.write_text(
        VIRTUOSO_INI.format(
            db=db, vsp=vsp, sql_port=sql_port, http_port=http_port, max_rows=VIRTUOSO_MAX_ROWS
        ),
        encoding="utf-8",
    )
    log = folder / "virtuoso.out"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(ini)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
    base = f"http://127.0.0.1:{http_port}"
    password = "pw" + secrets.token_hex(8)  # SQL `set password OLD NEW`: no quoting needed
    try:
        wait_until_up(f"{base}/sparql?query=ASK%7B%7D", process, 90, db / "virtuoso.log")
        isql(isql_binary, sql_port, "dba", f"set password dba {password};")  # ships dba/dba
        yield Store(
            "virtuoso",
            f"{base}/sparql",
            f"{base}/sparql-graph-crud-auth",
            Credentials("dba", password),
        )
    finally:
        try:
            if process.poll() is None:
                isql(isql_binary, sql_port, password, "checkpoint;")
        except (subprocess.SubprocessError, OSError):
            pass
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
