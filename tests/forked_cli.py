"""`ots-kg` commands in processes forked from one that has already imported the package.

A suite run starts `ots-kg` about 230 times; a fresh interpreter spends 0.1–0.5 s of CPU on
start-up and imports (click, rdflib, pySHACL) before the command does anything. Here a
*zygote* per test process imports them once and forks a child per command: the child is a
real process running the real entry point (`python -m ots_kg`), with its own environment,
working folder, stdin from /dev/null, stdout and stderr to files and its own exit code; only
the interpreter's start-up is shared. What a fork cannot give stays with a fresh interpreter
(`Zygote.can_run`): a different PYTHONHASHSEED, other PYTHON* setting or locale, and the tests
of what a command imports, which run their own interpreter.

Run as a script it is the zygote: one JSON request per line on stdin, answered on stdout with
the child's pid, then its exit status.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

_ZYGOTE = Path(__file__).resolve()


class Zygote:
    """The parent's side: `run` as `subprocess.run([python, -m, ots_kg, *args])` would.

    `python -m` imports the package from the working folder when it holds one (a checkout)
    and from the installed copy otherwise; so there is one zygote per such origin, each
    started in it on first use, one command at a time (a lock), restarted if it died."""

    def __init__(self) -> None:
        self._env = dict(os.environ)  # every zygote starts with this environment
        self._procs: dict[str, subprocess.Popen[str]] = {}
        self._lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="ots-kg-forked-"))

    def can_run(self, env: dict[str, str]) -> bool:
        """Whether a child of the zygote is what a fresh interpreter with `env` would be: not
        when `env` changes what an interpreter reads once, at start-up (the PYTHON* variables:
        hash seed, I/O encoding, ...; the locale: the streams' encoding)."""
        return _start_up_settings(env) == _start_up_settings(self._env)

    def _started(self, folder: Path) -> subprocess.Popen[str]:
        origin = str(folder) if (folder / "ots_kg" / "__init__.py").is_file() else ""
        proc = self._procs.get(origin)
        if proc is None or proc.poll() is not None:
            proc = self._procs[origin] = subprocess.Popen(
                [sys.executable, str(_ZYGOTE)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
                cwd=origin or self._folder,  # a folder without a package: the installed one
                env=self._env,
            )
        return proc

    def run(
        self, args: list[str], env: dict[str, str], cwd: Path | None, timeout: float
    ) -> subprocess.CompletedProcess[str]:
        folder = Path(cwd or os.getcwd()).resolve()
        with self._lock:
            proc = self._started(folder)
            out, err = self._folder / "stdout", self._folder / "stderr"
            request = {"args": args, "env": env, "cwd": str(folder), "out": str(out), "err": str(err)}
            proc.stdin.write(json.dumps(request) + "\n")
            pid = _reply(proc)
            killed: list[int] = []
            timer = threading.Timer(timeout, lambda: (killed.append(pid), os.kill(pid, 9)))
            timer.start()
            try:
                code = _reply(proc)
            finally:
                timer.cancel()
            if killed:
                raise subprocess.TimeoutExpired(["ots-kg", *args], timeout)
            return subprocess.CompletedProcess(
                ["ots-kg", *args], code, out.read_text(errors="replace"), err.read_text(errors="replace")
            )

    def close(self) -> None:
        for proc in self._procs.values():
            if proc.poll() is None:
                proc.stdin.close()
                proc.wait(timeout=30)
        shutil.rmtree(self._folder, ignore_errors=True)


def _reply(proc: subprocess.Popen[str]) -> int:
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"the ots-kg zygote ended (exit {proc.wait()}); its error is on this test's stderr")
    return int(line)


def _start_up_settings(env: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in env.items() if k.startswith(("PYTHON", "LC_")) or k == "LANG"}


def _child(request: dict, replies) -> None:
    """In the forked child: become `python -m ots_kg ARGS` and exit with its status."""
    import atexit
    import io
    import runpy
    import traceback

    replies.close()
    os.environ.clear()
    os.environ.update(request["env"])
    os.chdir(request["cwd"])
    sys.path[0] = os.getcwd()  # as `python -m` sets it
    for fd, path, flags in (
        (0, os.devnull, os.O_RDONLY),
        (1, request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
        (2, request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
    ):
        opened = os.open(path, flags, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    # the text streams a fresh interpreter makes for a non-terminal stdin, stdout and stderr
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(open(0, "rb", closefd=False), encoding=_ENCODING)
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(open(1, "wb", closefd=False), encoding=_ENCODING)
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(
        open(2, "wb", closefd=False), encoding=_ENCODING, errors="backslashreplace", line_buffering=True
    )
    sys.argv = ["-m", *request["args"]]  # runpy puts the module's path first, as `-m` does
    code = 0
    try:
        runpy.run_module("ots_kg", run_name="__main__", alter_sys=True)
    except SystemExit as exc:  # as the interpreter ends on it
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    try:
        threading._shutdown()  # non-daemon threads end first, then atexit, then the streams
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        traceback.print_exc()
        code = code or 1
    os._exit(code & 0xFF)


_ENCODING = sys.stdout.encoding


def _serve() -> None:
    """The zygote: import what the commands import, then fork one child per request."""
    import importlib
    import pkgutil

    requests = os.fdopen(os.dup(0), "r")
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever an import prints goes to stderr, not into the replies
    sys.path[0] = os.getcwd()  # the package `python -m ots_kg` imports here (see Zygote)
    import ots_kg

    for module in pkgutil.walk_packages(ots_kg.__path__, "ots_kg."):
        if module.name != "ots_kg.__main__":
            importlib.import_module(module.name)
    for name in ("rdflib", "pyoxigraph", "pyshacl", "owlrl", "jinja2"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    for line in requests:
        request = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            requests.close()
            _child(request, replies)
        replies.write(f"{pid}\n")
        _, status = os.waitpid(pid, 0)
        replies.write(f"{os.waitstatus_to_exitcode(status)}\n")


if __name__ == "__main__":
    _serve()
