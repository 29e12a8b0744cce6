"""What a run of many projects shows on a terminal: a progress bar and the summary table.

Text only; the CLI decides where it goes (stderr) and whether at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import TextIO

from migrator.report import Entry

CATEGORIES = ("migrated", "unchanged", "refused", "verified", "failed")


class ProgressBar:
    """`[#####-----] 120/1000 projects` redrawn in place; a no-op when not enabled."""

    def __init__(self, total: int, stream: TextIO | None, width: int = 30) -> None:
        self.total, self.stream, self.width, self.done = total, stream, width, 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.stream is None:
            return
        filled = self.width * self.done // max(self.total, 1)
        self.stream.write(f"\r[{'#' * filled}{'-' * (self.width - filled)}] "
                          f"{self.done}/{self.total} projects")
        self.stream.flush()

    def close(self) -> None:
        if self.stream is not None and self.done:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _reason(e: Entry) -> str:
    """What groups failures: the first error's message (project-specific paths dropped)."""
    for p in e.problems:
        if p.severity.value == "error":
            return p.message
    if e.verification is not None:
        return f"verification: {e.verification.get('message', '')}"
    return e.reason


def counts(entries: Sequence[Entry]) -> Counter[str]:
    c: Counter[str] = Counter(e.category for e in entries)
    c["verified"] = sum(e.verify_exit == 0 for e in entries)
    return c


def table(entries: Sequence[Entry], carried: int = 0,
          reason: Callable[[Entry], str] = _reason) -> list[str]:
    """The summary table: one row per outcome, and under refused/failed their reasons grouped."""
    c = counts(entries)
    lines = [f"{'outcome':<10} {'projects':>8}"]
    for name in CATEGORIES:
        lines.append(f"{name:<10} {c[name]:>8}")
        if name in ("refused", "failed"):
            groups = Counter(reason(e) for e in entries if e.category == name)
            for why, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0])):
                lines.append(f"  {n:>6}  {why}")
    if carried:
        lines.append(f"{'skipped':<10} {carried:>8}  (finished by the run of --resume)")
    return lines
