"""The README's transcripts: every `$ command` shown with its output prints that output today.

A transcript is a line `$ COMMAND` in a fenced block and the lines after it up to the next
`$ ` or the end of the block (a here-document `<<'EOF'` is part of its command). `…` in the
shown output stands for any text (a line of its own: any number of lines). `(exit N; …)` after
the command, two spaces from it, is the exit code it must give (else 0); `# …` there is a
comment. Every block that shows some output is run in order, its commands without output as the
steps the others need (a file written, a copy to break), in a scratch folder holding a copy of
data/ beside ../shared (the sources), as from a checkout. A block that starts with a server on
a fixed port gets that server on a free port, the port changed in its commands and output.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from conftest import ROOT, SOURCES, run_cli
from servers import free_port, wait_for

README = ROOT / "README.md"
# blocks with output that this test does not run, by their first command, and why
NOT_RUN = {
    "ots-kg query members --data big/ --store /tmp/ots-store": "a graph of hundreds of MB (test_store.py, bench/)",
}
# blocks whose first command starts a server: its fixed port, a folder it writes to, and a
# path that answers once it serves
SERVERS = {
    "oxigraph serve --location /tmp/ox --bind 127.0.0.1:7878 &": ("7878", "/tmp/ox", "/query?query=ASK%7B%7D"),
    "ots-kg serve --port 7070": ("7070", None, "/health"),
}
# as in the README's terminal: tables at their full width (COLUMNS unset, output not a
# terminal), and the commands of this environment (ots-kg, oxigraph) on the PATH
ENV = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
ENV["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{ENV.get('PATH', '')}"
_ANNOTATION = re.compile(r"\s{2,}(?:\(exit (\d+)[^)]*\)|#.*)$")


@dataclass(frozen=True)
class Transcript:
    line: int  # of the `$ ` line in README.md
    block: int  # which fenced block
    command: str  # as typed, a here-document included
    exit_code: int
    shown: tuple[str, ...]


def transcripts(text: str) -> list[Transcript]:
    found: list[Transcript] = []
    lines = text.splitlines()
    block, in_block, i = 0, False, 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_block = not in_block
            block += in_block
        elif in_block and line.startswith("$ "):
            command = line[2:]
            match = _ANNOTATION.search(command)
            code = int(match.group(1)) if match and match.group(1) else 0
            command = (command[: match.start()] if match else command).rstrip()
            start = i + 1
            if (end_word := re.search(r"<<'(\w+)'", command)) is not None:
                while lines[i] != end_word.group(1):
                    i += 1
                command = "\n".join([command, *lines[start:i], lines[i]])
            j = i + 1
            while not lines[j].startswith(("$ ", "```")):
                j += 1
            shown = lines[i + 1 : j]
            while shown and not shown[-1].strip():  # the blank line between two transcripts
                shown.pop()
            found.append(Transcript(start, block, command, code, tuple(shown)))
            i = j - 1
        i += 1
    return found


def pattern(shown: tuple[str, ...] | list[str]) -> re.Pattern[str]:
    parts = []
    for line in shown:
        if line.strip() == "…":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append("[^\n]*".join(map(re.escape, line.rstrip().split("…"))) + r"\n")
    return re.compile("".join(parts))


def normal(text: str) -> str:
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def run(transcript: Transcript, folder: Path) -> tuple[int, str]:
    """Exit code of the ots-kg command (not of the pipe) and what the terminal shows: stderr,
    then stdout through the rest of the pipe. ots-kg runs as the tests run it (run_cli)."""
    command = transcript.command
    if not command.startswith("ots-kg "):
        proc = subprocess.run(["bash", "-c", command], cwd=folder, env=ENV, capture_output=True, text=True)
        return proc.returncode, proc.stderr + proc.stdout
    first, _, rest = command.partition(" | ")
    proc = run_cli(*shlex.split(first)[1:], cwd=folder, env=ENV)
    out = proc.stdout
    if rest:
        out = subprocess.run(
            ["bash", "-c", rest], input=out, cwd=folder, env=ENV, capture_output=True, text=True
        ).stdout
    return proc.returncode, proc.stderr + out


@contextmanager
def server(first: Transcript, folder: Path, wrong: list[str]) -> Iterator[dict[str, str]]:
    """The block's server started as shown, on a free port (and a scratch folder), until the
    block has run; yields the replacements for the block's other commands and output. Its
    first lines on stderr must be the shown ones."""
    fixed, location, ready = SERVERS[first.command]
    changes = {fixed: str(free_port())}
    if location:
        changes[location] = str(folder / "server-store")
    command = _changed(first.command.removesuffix("&").strip(), changes)
    proc = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=folder, env=ENV, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(f"http://127.0.0.1:{changes[fixed]}{ready}", 60)
        yield changes
    finally:
        proc.terminate()
        err = proc.communicate(timeout=30)[1]
    shown = [_changed(line, changes) for line in first.shown]
    if not pattern(shown).match(normal(err)):
        wrong.append(f"README.md:{first.line}: `{first.command}` prints:\n{err}")


def _changed(text: str, changes: dict[str, str]) -> str:
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    if not SOURCES.is_dir():
        pytest.skip(f"the sources are not beside the checkout ({SOURCES})")
    root = tmp_path_factory.mktemp("readme")
    (root / "shared").symlink_to(SOURCES.parent, target_is_directory=True)
    work = root / "work"
    shutil.copytree(ROOT / "data", work / "data")
    return work


def test_every_transcript_prints_what_the_readme_shows(folder):
    blocks: dict[int, list[Transcript]] = {}
    for transcript in transcripts(README.read_text(encoding="utf-8")):
        blocks.setdefault(transcript.block, []).append(transcript)
    with_output = [block for block in blocks.values() if any(t.shown for t in block)]
    assert len(with_output) >= 8, "the README's transcripts were not found"
    firsts = {block[0].command for block in with_output}
    assert firsts >= NOT_RUN.keys() | SERVERS.keys(), "a block named here is no longer in the README"
    wrong: list[str] = []
    for block in with_output:
        if block[0].command in NOT_RUN:
            continue
        with server(block[0], folder, wrong) if block[0].command in SERVERS else nullcontext({}) as changes:
            for transcript in block[1:] if changes else block:
                command = _changed(transcript.command, changes)
                shown = [_changed(line, changes) for line in transcript.shown]
                code, out = run(replace(transcript, command=command), folder)
                if code != transcript.exit_code or not pattern(shown).fullmatch(normal(out)):
                    wrong.append(
                        f"README.md:{transcript.line}: `{command}` exit {code} (shown: {transcript.exit_code}), "
                        f"prints:\n{out}"
                    )
    assert not wrong, "\n".join(wrong)


def test_the_transcript_reader_catches_a_changed_output():
    """The comparison could fail: a shown line that differs, a missing line, a wrong exit."""
    text = "```\n$ ots-kg x  (exit 2; why)\na … b\n…\nend\n$ cat > f <<'EOF'\nz\nEOF\n```\n"
    one, two = transcripts(text)
    assert (one.command, one.exit_code, one.shown) == ("ots-kg x", 2, ("a … b", "…", "end"))
    assert (two.command, two.shown) == ("cat > f <<'EOF'\nz\nEOF", ())
    assert pattern(one.shown).fullmatch("a 1 b\nx\ny\nend\n")
    assert pattern(one.shown).fullmatch("a  b\nend\n")
    assert not pattern(one.shown).fullmatch("a 1 c\nend\n")
    assert not pattern(one.shown).fullmatch("a 1 b\n")
