"""The run's report: owns the exit code, the summary line and the JSON document.

Exit codes: 0 done or nothing to do; 1 `--check`/`--dry-run` found a migration to make (or
`--verify` found the images differ); 2 usage; 3 a project cannot be migrated; 4 verification
could not run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from migrator.model import Problem
from migrator.pipeline import Outcome, Status

EXIT_OK = 0
EXIT_CHANGES = 1
EXIT_USAGE = 2
EXIT_UNSUPPORTED = 3
EXIT_VERIFY_ERROR = 4


@dataclass
class Entry:
    outcome: Outcome
    written: bool = False
    diff: str = ""
    verification: dict[str, Any] | None = None
    verification_text: str = ""
    verify_exit: int | None = None  # set when --verify ran


@dataclass
class Report:
    mode: str  # "write" | "dry-run" | "check"
    entries: list[Entry] = field(default_factory=list)

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)

    @property
    def exit_code(self) -> int:
        """3 beats 4 beats 1. Under --verify the comparison decides between 0 and 1."""
        codes = [e.verify_exit for e in self.entries if e.verify_exit is not None]
        if any(e.outcome.status is Status.FAILED for e in self.entries):
            return EXIT_UNSUPPORTED
        if EXIT_VERIFY_ERROR in codes:
            return EXIT_VERIFY_ERROR
        if EXIT_CHANGES in codes:
            return EXIT_CHANGES
        if codes:
            return EXIT_OK
        if self.mode != "write" and any(e.outcome.status is Status.MIGRATE for e in self.entries):
            return EXIT_CHANGES
        return EXIT_OK

    def summary(self) -> str:
        n_mig = sum(e.outcome.status is Status.MIGRATE and (self.mode != "write" or e.written)
                    for e in self.entries)
        n_held = sum(e.outcome.status is Status.MIGRATE and self.mode == "write" and
                     not e.written for e in self.entries)
        n_fail = sum(e.outcome.status is Status.FAILED for e in self.entries)
        n_none = sum(e.outcome.status is Status.NOTHING for e in self.entries)
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
        return ", ".join(parts) or "no projects"

    def check_line(self, entry: Entry) -> str:
        o = entry.outcome
        if o.status is Status.MIGRATE:
            return f"{o.project}: would migrate ({o.script})"
        if o.status is Status.FAILED:
            return f"{o.project}: cannot migrate"
        return f"{o.project}: nothing to migrate ({o.reason})"

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "mode": self.mode,
            "exit_code": self.exit_code,
            "summary": self.summary(),
            "projects": [_entry_json(e) for e in self.entries],
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


def _entry_json(e: Entry) -> dict[str, Any]:
    o = e.outcome
    out: dict[str, Any] = {
        "path": o.project,
        "status": o.status.value,
        "reason": o.reason,
        "script": o.script,
        "written": e.written,
        "problems": [_problem_json(p) for p in o.problems],
        "changes": [],
        "artifacts": [],
        "explain": [],
    }
    plan = o.plan
    if plan is not None:
        out["changes"] = [
            {"path": c.path, "action": "delete" if c.new is None else
             ("create" if c.old is None else "modify")}
            for c in plan.changes
        ]
        out["explain"] = list(plan.explain)
    flow = o.flow
    if flow is not None:
        out["artifacts"] = [
            {"builder": a.builder, "source": a.src, "host": a.host, "how": a.how,
             "provenance": str(a.loc), "later_steps": [str(x) for x in a.edges],
             "replay": list(a.replay), "direct": a.direct}
            for a in flow.artifacts
        ]
    if e.verification is not None:
        out["verification"] = e.verification
    return out
