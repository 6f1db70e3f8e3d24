"""Real servers for tests: the oxigraph server from PyPI and `ots-kg serve`, on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up in {seconds} s")


def oxigraph_binary() -> str | None:
    local = Path(sys.executable).parent / "oxigraph"
    return str(local) if local.exists() else shutil.which("oxigraph")


@contextmanager
def oxigraph_server(location: Path):
    binary = oxigraph_binary()
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/query?query=ASK%7B%7D")
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


# how often serve_forever looks for shutdown(): its default, 0.5 s, was half a second of idle
# at the end of every test with a server (test_remote_clients: 15 s of wall time, no CPU)
POLL = 0.02


@contextmanager
def loopback_server(handler: type, **attributes):
    """A threading http.server with `handler` on a free loopback port, its attributes set
    (for a handler to record into), shut down afterwards; `.base` is its URL."""
    from http.server import ThreadingHTTPServer

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.base = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    for name, value in attributes.items():
        setattr(server, name, value)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def ots_server(graph, **settings):
    from ots_kg.server.app import Settings, make_server

    server = make_server(graph, "127.0.0.1", 0, Settings(**settings))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL}, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
