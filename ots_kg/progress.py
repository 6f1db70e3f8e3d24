"""Progress for long-running commands: one line on a terminal, nothing anywhere else.

Shown only when stderr is a terminal, `CI` is not set and `--quiet` (or `OTS_KG_QUIET`)
was not given, so logs, pipes and CI runs stay clean. The library never prints progress
itself: functions that take long accept a callback (`advance(n)` / `step(text)`), and the
command line passes the methods of a `Progress` made here. The line is redrawn in place
(`\\r`), at most ten times a second, with the elapsed time ticking while a step runs; it
is erased when the work ends, so the command's own output follows on a clean line.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

_QUIET = False
_CLEAR = "\r\x1b[K"


def silence() -> None:
    """Show no progress for the rest of the process (`ots-kg --quiet`)."""
    global _QUIET
    _QUIET = True


def wanted(stream: TextIO | None = None) -> bool:
    """Whether progress should be drawn on stream (default stderr)."""
    if _QUIET or os.environ.get("OTS_KG_QUIET") or os.environ.get("CI"):
        return False
    try:
        return (stream or sys.stderr).isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """`ots-kg: LABEL: step  12 of 40 MB (30%)  3.1 s` on a terminal; a no-op elsewhere.

    total (with unit and scale) makes it a counter advanced by `advance(n)`; without a
    total it shows the current `step(text)`, how far `advance(n)` has counted (no end, no
    percentage: a streamed export) and the time spent. Use it as a context manager
    so the line is erased (and its ticker thread stopped) however the work ends.
    """

    def __init__(
        self,
        label: str,
        total: float | None = None,
        *,
        unit: str = "",
        scale: float = 1.0,
        stream: TextIO | None = None,
        show: bool | None = None,
        delay: float = 0.0,
    ) -> None:
        self.stream = stream or sys.stderr
        self.delay = delay  # nothing drawn before: work that ends sooner leaves no flicker
        self.shown = wanted(self.stream) if show is None else show
        self.label, self.total, self.unit, self.scale = label, total, unit, scale
        self.done = 0.0
        self.text = ""
        self.started = time.monotonic()
        self._drawn = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if self.shown:
            self._ticker = threading.Thread(target=self._tick, name="ots-kg-progress", daemon=True)
            self._ticker.start()

    def advance(self, n: float = 1) -> None:
        """Count n more units done; the first count is always drawn, so even work that ends
        within the redraw interval shows how far it got."""
        first = not self.done
        self.done += n
        self._draw(force=first)

    def count(self, done: float, total: float) -> None:
        """Set how much of how much is done (a total known only once the work starts)."""
        first = self.total is None
        self.done, self.total = done, total
        self._draw(force=first)

    def step(self, text: str) -> None:
        """Name what is being done now."""
        self.text = text
        self._draw(force=True)

    def line(self) -> str:
        """The text of the progress line as it would be drawn now."""
        parts = [f"ots-kg: {self.label}"]
        if self.text:
            parts[0] += f": {self.text}"
        if self.total:
            done, total = self.done / self.scale, self.total / self.scale
            unit = f" {self.unit}" if self.unit else ""
            parts.append(f"{done:.0f} of {total:.0f}{unit} ({min(100, int(self.done * 100 / self.total))}%)")
        elif self.done:  # a counter without a known end: how far it has got
            parts.append(f"{self.done / self.scale:.0f}{f' {self.unit}' if self.unit else ''}")
        parts.append(f"{time.monotonic() - self.started:.1f} s")
        return "  ".join(parts)

    def note(self, text: str) -> None:
        """Print a line of its own on the stream (a warning) without tearing the progress line."""
        with self._lock:
            self.stream.write((_CLEAR if self._drawn else "") + text + "\n")
            self.stream.flush()
        if self._drawn:
            self._draw(force=True)

    def close(self) -> None:
        """Stop the ticker and erase the line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
            self._ticker = None
            if self._drawn:
                with self._lock:
                    self.stream.write(_CLEAR)
                    self.stream.flush()
        self.shown = False

    def _draw(self, force: bool = False) -> None:
        if not self.shown:
            return
        now = time.monotonic()
        if now - self.started < self.delay or (not force and now - self._drawn < 0.1):
            return
        with self._lock:
            self._drawn = now
            self.stream.write(_CLEAR + self.line())
            self.stream.flush()

    def _tick(self) -> None:
        while not self._stop.wait(0.25):
            self._draw(force=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
