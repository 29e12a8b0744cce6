"""The values every step and the start-up path need: places in the input and problems.

Kept apart from `migrator.model` (which re-exports them) so that a run that finds nothing to
migrate does not pay for defining the analysis' many dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

# The project root as the readers see it: host paths are made absolute under this sentinel so a
# path that leaves the project is visible as one that does not start with it.
PROJECT = "/__project__"


@dataclass(frozen=True, order=True)
class Loc:
    """A place in an input file: `build.sh:12`. Paths are relative to the project root."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, order=True)
class Span:
    """Character offsets `[start, end)` in one file's text."""

    start: int
    end: int


class Severity(Enum):
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Problem:
    """A message about the input, with where it applies. Errors stop a project's migration."""

    loc: Loc | None
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.loc}: " if self.loc else ""
        return f"{where}{self.severity.value}: {self.message}"


def warning(loc: Loc | None, message: str) -> Problem:
    return Problem(loc, message, Severity.WARNING)


def error(loc: Loc | None, message: str) -> Problem:
    return Problem(loc, message, Severity.ERROR)


class Unsupported(Exception):
    """Raised inside a reader or inference step for input it cannot handle.

    Caught at exactly one boundary (`pipeline.analyze`) and turned into a `Problem`.
    """

    def __init__(self, loc: Loc | None, message: str) -> None:
        super().__init__(f"{loc}: {message}" if loc else message)
        self.problem = error(loc, message)
