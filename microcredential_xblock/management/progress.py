"""A plain-text progress bar for management commands, on stderr so stdout stays machine-readable.

On a terminal it redraws one line; in a log (Kubernetes job, cron) it prints a line per tenth,
so a 100,000-learner run does not write 100,000 lines.
"""

from __future__ import annotations

from typing import Any

WIDTH = 30
STEPS = 10


class Progress:
    def __init__(self, stream: Any, total: int, label: str, *, enabled: bool = True) -> None:
        self.stream, self.total, self.label, self.enabled = stream, total, label, enabled
        self.done = 0
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()
        self._printed_step = -1

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r" + self.line(), ending="")
            self.stream.flush()
            return
        step = self.done * STEPS // self.total if self.total else STEPS
        if step != self._printed_step:
            self._printed_step = step
            self.stream.write(self.line())

    def line(self) -> str:
        fraction = min(1.0, self.done / self.total) if self.total else 1.0
        filled = round(fraction * WIDTH)
        return f"{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} {fraction:4.0%}"

    def close(self) -> None:
        if self.tty:
            self.stream.write("")
