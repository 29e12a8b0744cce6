"""The run's report: owns the exit code, the summary line and the JSON document.

Exit codes: 0 done or nothing to do; 1 `--check`/`--dry-run` found a migration to make (or
`--verify` found the images differ); 2 usage; 3 a project cannot be migrated; 4 verification
could not run; 5 migrator crashed on a project (a bug; the other projects still ran). Several
projects: the worst of them, in the order 5, 3, 4, 1, 0.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from migrator.pipeline import Status

if TYPE_CHECKING:
    from migrator.problems import Problem

EXIT_OK = 0
EXIT_CHANGES = 1
EXIT_USAGE = 2
EXIT_UNSUPPORTED = 3
EXIT_VERIFY_ERROR = 4
EXIT_CRASH = 5


@dataclass
class Entry:
    """One project's result: small values only, so that it comes back cheaply from a worker."""

    project: str
    status: Status
    reason: str = ""
    script: str | None = None
    problems: tuple[Problem, ...] = ()
    diff: str = ""
    explain: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)  # changes, artifacts, diagram (JSON)
    written: bool = False
    crashed: bool = False
    verification: dict[str, Any] | None = None
    verification_text: str = ""
    verify_exit: int | None = None  # set when --verify ran
    # Carried only when the parent needs them (--verify, --git-branch): the planned changes
    # and how the project builds (script, kind, target, final tags).
    changes: tuple[Any, ...] = ()
    build: tuple[str, str, str | None, tuple[str, ...]] | None = None
    why: str = ""  # the entry point read and why it was chosen (or, refused, those read)

    def fail(self, reason: str, problem: Problem) -> None:
        self.status, self.reason, self.problems = Status.FAILED, reason, (*self.problems, problem)

    @property
    def category(self) -> str:
        """migrated | unchanged | refused | failed (verified is counted on top of migrated)."""
        if self.crashed or (self.status is Status.FAILED and self.reason != "cannot migrate"):
            return "failed"
        if self.status is Status.FAILED:
            return "refused"
        if self.status is Status.NOTHING:
            return "unchanged"
        if self.verify_exit not in (None, 0):
            return "failed"
        return "migrated"


@dataclass
class Report:
    mode: str  # "write" | "dry-run" | "check"
    entries: list[Entry] = field(default_factory=list)
    carried: list[dict[str, Any]] = field(default_factory=list)  # finished earlier (--resume)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    @property
    def exit_code(self) -> int:
        """5 beats 3 beats 4 beats 1. Under --verify the comparison decides between 0 and 1."""
        codes = [e.verify_exit for e in self.entries if e.verify_exit is not None]
        if any(e.crashed for e in self.entries):
            return EXIT_CRASH
        if any(e.status is Status.FAILED for e in self.entries):
            return EXIT_UNSUPPORTED
        if EXIT_VERIFY_ERROR in codes:
            return EXIT_VERIFY_ERROR
        if EXIT_CHANGES in codes:
            return EXIT_CHANGES
        if self.mode != "write" and any(e.status is Status.MIGRATE and e.verify_exit is None
                                         for e in self.entries):
            return EXIT_CHANGES
        return EXIT_OK

    def summary(self) -> str:
        n_mig = sum(e.status is Status.MIGRATE and (self.mode != "write" or e.written)
                    for e in self.entries)
        n_held = sum(e.status is Status.MIGRATE and self.mode == "write" and
                     not e.written for e in self.entries)
        n_fail = sum(e.status is Status.FAILED for e in self.entries)
        n_none = sum(e.status is Status.NOTHING for e in self.entries)
        verb = "migrated" if self.mode == "write" else "would migrate"
        parts = []
        if n_mig:
            parts.append(f"{verb} {_n(n_mig, 'project')}")
        if n_held:
            parts.append(f"{_n(n_held, 'project')} not migrated (verification did not pass)")
        if n_none:
            parts.append(f"{_n(n_none, 'project')} with nothing to migrate")
        if n_fail:
            parts.append(f"{n_fail} failed")
        if self.carried:
            parts.append(f"{_n(len(self.carried), 'project')} finished by an earlier run")
        return ", ".join(parts) or "no projects"

    def check_line(self, entry: Entry) -> str:
        if entry.status is Status.MIGRATE:
            return f"{entry.project}: would migrate ({entry.script})"
        if entry.status is Status.FAILED:
            return f"{entry.project}: cannot migrate"
        return f"{entry.project}: nothing to migrate ({entry.reason})"

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "mode": self.mode,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "projects": [*self.carried, *(entry_json(e) for e in self.entries)],
        }


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def problem_line(project: str, p: Problem) -> str:
    if p.loc is None:
        return f"{project}: {p.severity.value}: {p.message}"
    return f"{os.path.join(project, p.loc.path)}:{p.loc.line}: {p.severity.value}: {p.message}"


def _problem_json(p: Problem) -> dict[str, Any]:
    return {
        "file": p.loc.path if p.loc else None,
        "line": p.loc.line if p.loc else None,
        "severity": p.severity.value,
        "message": p.message,
    }


def entry_json(e: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": e.project,
        "status": e.status.value,
        "category": e.category,
        "reason": e.reason,
        "script": e.script,
        "entry": e.why,
        "written": e.written,
        "problems": [_problem_json(p) for p in e.problems],
        "changes": [],
        "artifacts": [],
        "explain": list(e.explain),
        **e.data,
        "diff": e.diff,
    }
    if e.crashed:
        out["crashed"] = True
    if e.verification is not None:
        out["verification"] = e.verification
    return out
