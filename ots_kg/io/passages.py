"""The text of a cited passage (`<document>#L<line>`) from a folder of source documents.

The graph holds no sentences of the sources, only facts and line numbers; a reader who has
the sources folder (`--sources`, default ../shared/sources beside a checkout) sees the line
itself next to `ots-areas-of-cooperation:141`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from ..resources import sources_dir


def default_sources() -> Path | None:
    """../shared/sources beside a checkout, when it is there."""
    folder = sources_dir()
    return folder if folder.is_dir() else None


class PassageTexts:
    """Lines of the source documents in one folder, read on first use, keyed by file stem."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @cache  # noqa: B019 - one reader per command; the folder does not change meanwhile
    def _lines(self, document: str) -> list[str] | None:
        for path in sorted(self.folder.glob(f"{document}.*")):
            if path.suffix in (".txt", ".md"):
                return path.read_text(encoding="utf-8").splitlines()
        return None

    def line(self, document: str, number: int) -> str | None:
        """Line `number` (1-based) of the document named by its file stem, stripped; None if absent."""
        lines = self._lines(document)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1].strip()
