"""The values the Makefile evaluator builds: variables and rules, each with its place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from migrator.model import Loc, Span
from migrator.readers.makeparse import RecipeLine

# A project-relative path's text, or None when the project has no such file.
Loader = Callable[[str], "str | None"]


@dataclass
class Var:
    value: str
    simple: bool
    origin: str  # "file", "override", "command line", "default", "automatic"
    loc: Loc | None = None
    export: bool = False


@dataclass
class Rule:
    targets: tuple[str, ...]
    prereqs: tuple[str, ...]
    loc: Loc
    file: str
    recipe: list[RecipeLine] = field(default_factory=list)
    double: bool = False
    stem: str = ""

    @property
    def lines(self) -> tuple[tuple[Span, Span], ...]:
        """The recipe lines in the file: (the whole line, its shell text)."""
        return tuple((r.whole, r.shell) for r in self.recipe if not r.generated)
