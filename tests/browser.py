"""Debian's chromium, headless, for the page and docs tests: one place for its flags."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NO_CHROMIUM = "chromium not installed (apt-get install chromium)"


def chromium(profile: Path, url: str, *extra: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run chromium once on `url` with a throwaway profile and no network beyond what the page asks."""
    assert CHROMIUM is not None, NO_CHROMIUM
    flags = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *extra,
        url,
    ]
    return subprocess.run(flags, capture_output=True, text=True, timeout=timeout)
