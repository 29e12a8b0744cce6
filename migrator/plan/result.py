"""What planning returns: the new text of every file it changes, and what it says about them."""

from __future__ import annotations

from dataclasses import dataclass

from migrator.model import Problem


@dataclass(frozen=True)
class FileChange:
    path: str
    old: str | None  # None: the file is new
    new: str | None  # None: the file is removed


@dataclass(frozen=True)
class Plan:
    changes: tuple[FileChange, ...]
    explain: tuple[str, ...]
    warnings: tuple[Problem, ...]
