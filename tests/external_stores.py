"""Third-party SPARQL stores for tests: OpenLink Virtuoso 7 (Debian `virtuoso-opensource-7`)
and Comunica (npm `@comunica/query-sparql-file`, installed by `npm ci --prefix tests/node`).

Each runs as a child process on a free 127.0.0.1 port with its files in a temporary
directory, and is stopped when the `with` block ends:

    ok, why = virtuoso_available()          # (False, "...") -> pytest.skip(why), except in CI
    with virtuoso_store(tmp_path) as v:      # v.query_url, v.gsp_url, v.user, v.password
        ...                                  # push with HTTP Digest to v.gsp_url?graph=IRI
    with comunica_store(data_file, tmp_path) as c:
        ...                                  # c.query_url answers SPARQL 1.1 protocol requests

Standard library only (no ots_kg import), so these helpers do not move with the package.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "node"
COMUNICA_BIN = NODE_DIR / "node_modules" / "@comunica" / "query-sparql-file" / "bin" / "http.js"
ENDPOINT_JS = NODE_DIR / "endpoint.cjs"  # COMUNICA_BIN's endpoint with the precompiled engine (see there)
LOOPBACK_JS = NODE_DIR / "loopback.cjs"
VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
VIRTUOSO_USER = "dba"  # a fresh Virtuoso database has dba/dba
VIRTUOSO_PASSWORD = "dba"
ASK = "ASK {}"
START_SECONDS = 240.0  # a loaded 2-core machine: Comunica parses the whole file before it answers
# Comunica's endpoint kills its worker when a query runs past `-t` seconds (default 60): the answer
# being written is cut off ("!TIMEDOUT!" appended), and connections are refused until a new worker
# has parsed the file again. It also starts that timer for a query it rejects (HTTP 400) and never
# stops it, so the kill can hit a later query. Stored queries take up to ~30 s on an idle 2-core
# machine and several times that under load, so the timer is set far above the client's timeout:
# a slow query then ends as the client's clear "no answer within the time limit", never as a
# worker killed mid-answer. (A worker that dies of an uncaught exception is a Comunica bug; the
# tests read it from the log: ComunicaHandle.worker_deaths.)
COMUNICA_QUERY_SECONDS = 3600
COMUNICA_SEMI_SPACE_MB = 64
COMUNICA_CLIENT_SECONDS = 600.0  # for RemoteEngine(timeout=...): below COMUNICA_QUERY_SECONDS


def in_ci() -> bool:
    """True where the engines must be present (CI installs both): tests fail instead of skipping."""
    return bool(os.environ.get("CI"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_sparql(query_url: str, proc: subprocess.Popen, log: Path, seconds: float) -> None:
    """Poll `ASK {}` until the endpoint answers; a dead process or timeout is a RuntimeError with the log tail."""
    url = query_url + "?" + urllib.parse.urlencode({"query": ASK})
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}: {_tail(log)}")
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{query_url} did not answer within {seconds:.0f} s: {_tail(log)}")


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen, seconds: float = 30.0) -> None:
    """SIGTERM to the process group, then SIGKILL if it does not exit in time."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(10)


# --------------------------------------------------------------------------- Virtuoso


def virtuoso_binary() -> str | None:
    return shutil.which("virtuoso-t")


def virtuoso_available() -> tuple[bool, str]:
    binary = virtuoso_binary()
    if not binary:
        return False, "virtuoso-t not found (apt-get install virtuoso-opensource-7)"
    if not VIRTUOSO_INI.is_file():
        return False, f"{VIRTUOSO_INI} missing (apt-get install virtuoso-opensource-7)"
    return True, binary


@dataclass
class VirtuosoHandle:
    base_url: str
    sql_port: int
    directory: Path
    proc: subprocess.Popen = field(repr=False)
    user: str = VIRTUOSO_USER
    password: str = VIRTUOSO_PASSWORD
    started_in: float = 0.0

    @property
    def query_url(self) -> str:
        """The public SPARQL endpoint (read-only for anonymous users)."""
        return self.base_url + "/sparql"

    @property
    def gsp_url(self) -> str:
        """Graph Store HTTP Protocol endpoint that needs HTTP Digest (self.user, self.password)."""
        return self.base_url + "/sparql-graph-crud-auth"

    @property
    def log_file(self) -> Path:
        return self.directory / "virtuoso.log"

    def stop(self) -> None:
        _stop(self.proc)


def virtuoso_ini(template: str, directory: Path, sql_port: int, http_port: int) -> str:
    """The packaged virtuoso.ini with every file under `directory` and both ports on 127.0.0.1."""
    settings = {
        "Database": {
            "DatabaseFile": directory / "virtuoso.db",
            "ErrorLogFile": directory / "virtuoso.log",
            "LockFile": directory / "virtuoso.lck",
            "TransactionFile": directory / "virtuoso.trx",
            "xa_persistent_file": directory / "virtuoso.pxa",
        },
        "TempDatabase": {
            "DatabaseFile": directory / "virtuoso-temp.db",
            "TransactionFile": directory / "virtuoso-temp.trx",
        },
        "Parameters": {
            "ServerPort": f"127.0.0.1:{sql_port}",
            "DirsAllowed": f"., {directory}",
            "CheckpointInterval": "0",
            "NumberOfBuffers": "10000",
            "MaxDirtyBuffers": "6000",
        },
        "HTTPServer": {
            "ServerPort": f"127.0.0.1:{http_port}",
            "ServerRoot": directory / "vsp",
        },
        "URIQA": {"DefaultHost": f"127.0.0.1:{http_port}"},
        "SPARQL": {"ResultSetMaxRows": "1000000"},
    }
    out, section, seen = [], None, set()
    for line in template.splitlines():
        head = re.match(r"\s*\[([^\]]+)\]", line)
        if head:
            section = head.group(1).strip()
        key = re.match(r"\s*([A-Za-z_][\w]*)\s*=", line)
        if section in settings and key and key.group(1) in settings[section]:
            name = key.group(1)
            if (section, name) in seen:
                continue
            seen.add((section, name))
            line = f"{name} = {settings[section][name]}"
        out.append(line)
    missing = [(s, k) for s, keys in settings.items() for k in keys if (s, k) not in seen]
    if missing:
        raise RuntimeError(f"{VIRTUOSO_INI}: settings not found: {missing}")
    return "\n".join(out) + "\n"


@contextmanager
def virtuoso_store(tmp_dir: str | os.PathLike):
    """A fresh Virtuoso database in tmp_dir/virtuoso, yielding a VirtuosoHandle."""
    ok, why = virtuoso_available()
    if not ok:
        raise RuntimeError(why)
    directory = Path(tmp_dir).resolve() / "virtuoso"
    (directory / "vsp").mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(virtuoso_ini(VIRTUOSO_INI.read_text(), directory, sql_port, http_port))
    started = time.monotonic()
    console = directory / "console.log"
    with open(console, "wb") as out:
        proc = subprocess.Popen(
            [why, "+foreground", "+configfile", str(ini)],
            cwd=directory,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    handle = VirtuosoHandle(f"http://127.0.0.1:{http_port}", sql_port, directory, proc)
    try:
        _wait_for_sparql(handle.query_url, proc, directory / "virtuoso.log", START_SECONDS)
        handle.started_in = time.monotonic() - started
        yield handle
    finally:
        handle.stop()


# --------------------------------------------------------------------------- Comunica


def comunica_available() -> tuple[bool, str]:
    node = shutil.which("node")
    if not node:
        return False, "node not found (Comunica needs Node.js >= 18)"
    if not COMUNICA_BIN.is_file():
        return False, f"{COMUNICA_BIN.relative_to(HERE.parent)} missing (npm ci --prefix tests/node)"
    return True, node


@dataclass
class ComunicaHandle:
    base_url: str
    proc: subprocess.Popen = field(repr=False)
    log_file: Path = field(default=Path("/dev/null"))
    started_in: float = 0.0

    @property
    def query_url(self) -> str:
        """SPARQL 1.1 protocol endpoint; ask for application/sparql-results+json (its
        application/json is a non-standard bindings array)."""
        return self.base_url + "/sparql"

    def worker_deaths(self) -> list[str]:
        """Log lines where a worker died (uncaught exception, timeout, crash) since the start."""
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return []
        marks = ("due to uncaught exception", "timed out for query", "died with", "forcefully killed")
        return [line.strip() for line in text.splitlines() if any(mark in line for mark in marks)]

    def stop(self) -> None:
        _stop(self.proc)


@contextmanager
def comunica_store(data_file: str | os.PathLike, tmp_dir: str | os.PathLike):
    """Comunica's SPARQL endpoint (`comunica-sparql-file-http`, started through ENDPOINT_JS)
    serving one RDF file (format by extension) on 127.0.0.1."""
    ok, why = comunica_available()
    if not ok:
        raise RuntimeError(why)
    data = Path(data_file).resolve()
    if not data.is_file():
        raise FileNotFoundError(data)
    directory = Path(tmp_dir).resolve() / "comunica"
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = dict(os.environ)
    # a larger young generation: Comunica allocates per binding and spent ~7 % of a stored query
    # in the scavenger; measured 164 s -> 134 s for every example on a busy 2-core machine
    node_options = f"--require {LOOPBACK_JS} --max-semi-space-size={COMUNICA_SEMI_SPACE_MB}"
    env["NODE_OPTIONS"] = (env.get("NODE_OPTIONS", "") + " " + node_options).strip()
    log = directory / "comunica.log"
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [why, str(ENDPOINT_JS), str(data), "-p", str(port), "-t", str(COMUNICA_QUERY_SECONDS), "--workers", "1"],
            cwd=directory,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    handle = ComunicaHandle(f"http://127.0.0.1:{port}", proc, log)
    try:
        _wait_for_sparql(handle.query_url, proc, log, START_SECONDS)
        handle.started_in = time.monotonic() - started
        yield handle
    finally:
        handle.stop()
