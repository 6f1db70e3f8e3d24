"""README's "Everyday questions": each command runs and answers its question."""

from __future__ import annotations

import re
import shlex

from conftest import ROOT, run_cli

# question words in the README comment -> what the answer must contain
EXPECTED = {
    "members and observers": ["state:uzbekistan", "2019-10-15", "state:hungary"],
    "summits with dates": ["event:2022-11-11-summit-9", "2022-11-11", "Samarkand"],
    "signed in Samarkand": ["doc:samarkand-declaration"],
    "Secretaries-General": ["person:kubanychbek-omuraliev", "person:halil-akinci"],
    "disagree": ["claim:"],
    "diaspora": ["area:diaspora", "mech:diaspora-contact-group"],
}


def everyday_commands() -> list[tuple[str, list[str]]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Everyday questions", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    out = []
    for line in block.splitlines():
        command, _, comment = line.partition("#")
        out.append((comment.strip(), shlex.split(command)))
    return out


def test_six_questions_one_command_each():
    commands = everyday_commands()
    assert len(commands) == 6
    for comment, words in commands:
        assert words[0] == "ots-kg", words
        wanted = next(v for k, v in EXPECTED.items() if k in comment)
        proc = run_cli(*words[1:], "--wide")
        assert proc.returncode == 0, (words, proc.stderr)
        for piece in wanted:
            assert piece in proc.stdout, (words, piece)
        assert "https://w3id.org/ots-kg/id/" not in proc.stdout  # compact IRIs only
