"""docs/contributing.md followed end to end on a sample source, in a temporary copy of data/:
its Turtle blocks are the facts added, its commands are the commands run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import PREFIXES, ROOT, SOURCES, run_cli

DOC = ROOT / "docs" / "contributing.md"
SAMPLE = ROOT / "tests" / "sample_source" / "ots-news-sample-young-diplomats.txt"
EVENT = "event:2026-03-14-young-diplomats-forum-1"


def turtle_blocks() -> list[tuple[str, bool, str]]:
    """(file under data/, append?, Turtle) for each ```turtle block with a `# file:` line."""
    out = []
    for block in re.findall(r"```turtle\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        head, _, body = block.partition("\n")
        match = re.fullmatch(r"# file: data/(\S+)( \(append\))?", head)
        assert match, head
        out.append((match[1], bool(match[2]), body))
    return out


def sh_commands(section: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8").split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    return [line.split("#")[0].split() for line in block.splitlines() if line.strip()]


@pytest.fixture
def workspace(tmp_path) -> tuple[Path, Path]:
    """A copy of data/ and a sources folder holding the sample (and the shared sources if here)."""
    data, sources = tmp_path / "data", tmp_path / "sources"
    shutil.copytree(ROOT / "data", data)
    if SOURCES.is_dir():
        shutil.copytree(SOURCES, sources)
    else:
        sources.mkdir()
    return data, sources


def problems(data: Path, sources: Path) -> tuple[int, str]:
    proc = run_cli("check-sources", str(data), "--sources", str(sources))
    count = int(re.search(r"(\d+) problems", proc.stdout).group(1))
    return count, proc.stdout


def test_walkthrough_end_to_end(workspace):
    data, sources = workspace

    # 1. the document beside the others
    shutil.copy(SAMPLE, sources / SAMPLE.name)
    # 2 and 4. declare it, model the facts (exactly the doc's Turtle)
    for name, append, body in turtle_blocks():
        path = data / name
        if append:
            path.write_text(path.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
        else:
            path.write_text(PREFIXES + body, encoding="utf-8")
    # 3. look up what exists (on the bundled graph)
    finds = sh_commands("3. Look up")
    assert [c[:2] for c in finds][0] == ["ots-kg", "find"]
    out = run_cli(*finds[0][1:])
    assert out.returncode == 0 and "place:baku" in out.stdout
    # 5. validate: the doc's command, on the copy
    (validate,) = sh_commands("5. Validate")
    proc = run_cli(*validate[1:], str(data))
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
    assert re.search(r"conforms: 0 violations", proc.stdout)
    # 6. check-sources: no problem with the new facts (their lines exist, their dates are written there)
    (check,) = sh_commands("6. Check")
    assert check[1] == "check-sources"
    _, report = problems(data, sources)
    assert "young-diplomats" not in report, report
    # 7. the graph answers with the new facts
    events, documents = sh_commands("7. See it")
    proc = run_cli(*events[1:], "--data", str(data), "--wide")
    assert proc.returncode == 0 and EVENT in proc.stdout, proc.stderr
    proc = run_cli(*documents[1:], "--data", str(data), "--wide")
    assert "doc:baku-communique-of-young-diplomats" in proc.stdout and "adopted" in proc.stdout

    # the reports the walkthrough teaches to read: a missing start date is a violation naming
    # the event; a date cited to the wrong line is a check-sources problem naming the line
    sample = data / "areas" / "sample-young-diplomats.ttl"
    text = sample.read_text(encoding="utf-8")
    sample.write_text(text.replace('    schema:startDate "2026-03-14"^^xsd:date ;\n', ""), encoding="utf-8")
    proc = run_cli("validate", str(data))
    assert proc.returncode == 1
    assert "Violation" in proc.stdout and "young-diplomats-forum-1" in proc.stdout
    sample.write_text(
        text.replace("prov:wasDerivedFrom yd:L3, yd:L5 .", "prov:wasDerivedFrom yd:L4 ."), encoding="utf-8"
    )
    _, report = problems(data, sources)
    assert "2026-03-14-young-diplomats-forum-1: date 2026-03-14 is not written in" in report
    assert "ots-news-sample-young-diplomats#L4" in report


def test_readme_links_the_walkthrough():
    assert "(docs/contributing.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
